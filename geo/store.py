"""Reading and writing the register through one store interface.

The embedded default is a GeoPackage. Every write replaces the whole file
atomically: the new register is written to a temporary file beside the store
(``.atlas-XXXXXXXX.gpkg``) and swapped in with :func:`os.replace`, under an
exclusive lock file (``atlas.gpkg.lock``, see :mod:`geo.lock`) that names its
holder and has a timeout (``KCN_ATLAS_LOCK_TIMEOUT``). So two writers never
lose each other's rows, a stalled writer makes the others give up with a
message naming it rather than wait forever, and readers never see a
half-written file or a stale feature count (GDAL caches counts in
``gpkg_ogr_contents``). A writer killed at any moment leaves at most its
temporary file (and SQLite journal) behind: the next writer, or
:meth:`GeoPackageStore.recover` at start-up, removes them.

A read is one snapshot: all tables come from one SQLite connection, opened
once, in one read transaction. Since the store file is only ever replaced,
never changed in place, that connection keeps reading the version it opened
even while a writer swaps in the next one.

Every store offers :meth:`Store.update`, a read-change-write under the write
lock, optionally refused when the register is no longer the version the
change was based on: the unit of work of every write path builds on it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo import settings
from geo.errors import LockTimeout, StoreError, VersionConflict
from geo.lock import FileLock, Holder
from geo.register import (
    AUDIT_COLUMNS,
    Register,
    empty_table,
    normalise_register,
    read_source_dir,
)
from geo.schema import HISTORY_COLUMNS, USER_COLUMNS

__all__ = [
    "DEFAULT_STORE",
    "GeoPackageStore",
    "LockTimeout",
    "Snapshot",
    "Store",
    "StoreError",
    "VersionConflict",
    "build",
    "check_text",
    "default_location",
    "open_store",
]

log = logging.getLogger(__name__)

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "data" / "atlas.gpkg"
STORE_ENV = "KCN_ATLAS_STORE"

# Fixed timestamp GDAL writes into gpkg_contents, so that a build is byte-for-byte
# reproducible.
_BUILD_DATE = "2026-01-01T00:00:00Z"

_SPATIAL = ("zones", "projects", "plots")
_PLAIN = ("figures", "sources", "zone_values", "audit", "users", "history")
# Registers written before plots, accounts and history existed have no such tables.
_OPTIONAL = ("plots", "users", "history")
# Plain tables written with their columns even when empty (GDAL needs a column).
_EMPTY_COLUMNS = {"audit": AUDIT_COLUMNS, "users": USER_COLUMNS, "history": HISTORY_COLUMNS}

# Envelope sizes of a GeoPackage geometry blob header, by the flags' envelope code.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


@dataclass(frozen=True)
class Snapshot:
    """The register as one read saw it, and the version it was."""

    register: Register
    version: str


class Store(Protocol):
    """What the rest of KCN Atlas may assume about where the register lives."""

    @property
    def description(self) -> str:
        """Say where the register lives, for messages (never with a password)."""
        ...

    def exists(self) -> bool:
        """Tell whether a register is stored there."""
        ...

    def read(self) -> Register:
        """Return the whole register, every table from the same version."""
        ...

    def snapshot(self) -> Snapshot:
        """Return the whole register and its version, from one consistent read."""
        ...

    def version(self) -> str:
        """Return a token that changes whenever the register is written (for caches)."""
        ...

    def write(self, register: Register) -> None:
        """Replace the register, all or nothing."""
        ...

    def update(self, change: Callable[[Register], Register], *,
               expect_version: str | None = None) -> Register:
        """Read, apply ``change`` and write, with no other writer in between.

        If ``change`` returns the very register it was given, nothing is
        written. With ``expect_version``, the update is refused
        (:class:`VersionConflict`) when the register is no longer that version.
        A writer waits for the write lock up to ``KCN_ATLAS_LOCK_TIMEOUT``
        seconds, then raises :class:`LockTimeout` naming the holder.
        """
        ...


def check_text(register: Register) -> None:
    """Refuse text a store would cut short: a null byte ends a string in GDAL and PostgreSQL.

    Raises
    ------
    StoreError
        Naming the table, record and column of the first few null bytes.
    """
    found: list[str] = []
    for name in (*_SPATIAL, *_PLAIN):
        frame: pd.DataFrame = getattr(register, name)
        key = {"zones": "id", "projects": "id", "plots": "id", "figures": "id",
               "sources": "source_id", "zone_values": "zone_id", "users": "name",
               "history": "change_id"}.get(name)
        for col in frame.columns:
            if frame[col].dtype != object or col == "geometry" or pd.api.types.infer_dtype(
                    frame[col], skipna=True) not in ("string", "mixed", "mixed-integer"):
                continue  # no text in it
            # Vectorised: a register of 200,000 plots is checked on every write.
            nul = frame[col].str.contains("\x00", regex=False, na=False).to_numpy(dtype=bool)
            for i in nul.nonzero()[0][:3]:
                record = frame[key].iloc[i] if key else f"row {i + 1}"
                found.append(f"{name} {record}: {col}")
    if found:
        raise StoreError("refused to write text holding a null byte (it would be cut short "
                         "there): " + "; ".join(found[:5])
                         + (f" and {len(found) - 5} more" if len(found) > 5 else ""))


def _check_version(expect: str | None, found: str, where: str) -> None:
    if expect is not None and expect != found:
        raise VersionConflict(f"{where} has changed since it was read (version {expect}, now "
                              f"{found}); read it again and retry", expect, found)


class GeoPackageStore:
    """The register in one GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file.
    lock_timeout
        Seconds a writer waits for the write lock; default ``KCN_ATLAS_LOCK_TIMEOUT``.
    on_wait
        Called with a message when a writer has to wait (default: a logged warning).
    """

    def __init__(self, path: Path | str, *, lock_timeout: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        # Temporary files of this store's writers: mkstemp's eight random characters.
        self._leftover = re.compile(
            rf"^\.{re.escape(self.path.stem)}-[a-z0-9_]{{8}}\.gpkg(?:-journal|-wal|-shm)?$")

    @property
    def description(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        """Tell whether the file exists."""
        return self.path.exists()

    def version(self) -> str:
        # Every write swaps in a new file: its modification time and size change.
        try:
            return _file_version(os.stat(self.path))
        except OSError as exc:
            raise StoreError(f"no register at {self.path}: {exc}") from exc

    # -- the write lock and what dead writers leave --------------------------

    def _lock(self) -> FileLock:
        return FileLock(self._lock_path, what=str(self.path), timeout=self.lock_timeout,
                        on_wait=self.on_wait)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock():
            self._remove_leftovers()
            yield

    def leftovers(self) -> list[Path]:
        """Return the temporary files of writers of this store found beside it."""
        try:
            names = os.listdir(self.path.parent)
        except FileNotFoundError:
            return []
        return sorted(self.path.parent / n for n in names if self._leftover.match(n))

    def _remove_leftovers(self) -> list[Path]:
        # Called with the write lock held: no live writer of this store has a temporary
        # file now, so whatever is there was left by a writer that died.
        found = self.leftovers()
        for path in found:
            path.unlink(missing_ok=True)
        if found:
            log.warning("removed %d file(s) left by a writer of %s that died: %s", len(found),
                        self.path, ", ".join(p.name for p in found))
        return found

    def recover(self) -> list[Path]:
        """Remove what dead writers left, if no writer is busy now (for start-up).

        Returns the files removed. Never waits: when a writer holds the lock, it
        removes them itself.
        """
        if not self.leftovers():
            return []
        lock = self._lock()
        try:
            if not lock.try_acquire():
                return []
        except PermissionError:  # a read-only folder: nobody can have written there
            return []
        try:
            return self._remove_leftovers()
        finally:
            lock.release()

    def lock_holder(self) -> Holder | None:
        """Return who holds the write lock now (None when it is free)."""
        lock = self._lock()
        if lock.try_acquire():
            lock.release()
            return None
        return lock.holder()

    # -- reading ---------------------------------------------------------------

    def read(self) -> Register:
        return self.snapshot().register

    def snapshot(self) -> Snapshot:
        if not self.path.exists():
            raise StoreError(
                f"no register at {self.path}; create it with `kcn-atlas build --out {self.path}`"
            )
        try:
            return _read_gpkg(self.path)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from exc

    # -- writing ---------------------------------------------------------------

    def write(self, register: Register) -> None:
        check_text(register)
        with self._locked():
            self._write_unlocked(register)

    def update(self, change: Callable[[Register], Register], *,
               expect_version: str | None = None) -> Register:
        with self._locked():
            snap = self.snapshot()
            _check_version(expect_version, snap.version, self.description)
            new = change(snap.register)
            if new is snap.register:
                return new
            check_text(new)
            self._write_unlocked(new)
            return new

    def _write_unlocked(self, register: Register) -> None:
        register = normalise_register(register)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{self.path.stem}-", suffix=".gpkg", dir=self.path.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # GDAL must create the file itself
        try:
            _write_gpkg(register, tmp)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}-journal").unlink(missing_ok=True)


def _file_version(stat: os.stat_result) -> str:
    return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"


def _geometries(blobs: list[object]) -> object:
    """Decode GeoPackage geometry blobs (a small header, then standard WKB)."""
    wkb: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkb.append(None)
            continue
        data = bytes(blob)  # type: ignore[call-overload]
        size = _ENVELOPE_BYTES.get((data[3] >> 1) & 0x07) if data[:2] == b"GP" else None
        if size is None:
            raise StoreError("a geometry is not in the GeoPackage binary format")
        wkb.append(data[8 + size:])
    return shapely.from_wkb(wkb)


def _table(con: sqlite3.Connection, name: str, geometry: str | None) -> pd.DataFrame:
    columns = [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')]
    attrs = [c for c in columns if c not in ("fid", geometry)]
    select = ", ".join(f'"{c}"' for c in [*attrs, *([geometry] if geometry else [])])
    rows = con.execute(f'SELECT {select} FROM "{name}" ORDER BY fid').fetchall()  # noqa: S608
    frame = pd.DataFrame([r[:len(attrs)] for r in rows], columns=attrs, dtype=object)
    if geometry is None:
        return frame
    geoms = _geometries([r[-1] for r in rows])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")  # type: ignore[arg-type]


def _read_gpkg(path: Path) -> Snapshot:
    """Read every table through one SQLite connection, in one read transaction."""
    uri = path.resolve().as_uri() + "?mode=ro"
    for _ in range(20):
        before = os.stat(path)
        con = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            # The connection holds the file it opened; if a writer swapped in another
            # one in between, we cannot tell which we hold: open it again.
            if _file_version(os.stat(path)) != _file_version(before):
                continue
            con.execute("BEGIN")
            found = {r[0] for r in con.execute("SELECT name FROM sqlite_master "
                                                "WHERE type IN ('table', 'view')")}
            missing = set(_SPATIAL + _PLAIN) - found - set(_OPTIONAL)
            if missing:
                raise StoreError(f"{path} is not a KCN Atlas register: no {sorted(missing)}")
            geometry = dict(con.execute("SELECT table_name, column_name "
                                        "FROM gpkg_geometry_columns").fetchall())
            # Registers written before plots existed have no such layer.
            tables = {name: _table(con, name, geometry.get(name) if name in _SPATIAL else None)
                      for name in _SPATIAL + _PLAIN if name in found}
            con.execute("COMMIT")
        finally:
            con.close()
        for name in _SPATIAL:
            if name in tables and name not in geometry:
                raise StoreError(f"{path} is not a KCN Atlas register: {name} has no geometry")
        return Snapshot(normalise_register(Register(**tables)), _file_version(before))
    raise StoreError(f"cannot read {path}: it is replaced faster than it can be opened")


def _write_gpkg(register: Register, path: Path) -> None:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _BUILD_DATE})
    try:
        for name in _SPATIAL:
            gdf: gpd.GeoDataFrame = getattr(register, name)
            if name in _OPTIONAL and gdf.empty:
                continue
            pyogrio.write_dataframe(
                gdf, path, layer=name, driver="GPKG", geometry_type="Unknown",
                promote_to_multi=False,
            )
        for name in _PLAIN:
            df: pd.DataFrame = getattr(register, name)
            if name in _EMPTY_COLUMNS and df.empty:
                df = empty_table(_EMPTY_COLUMNS[name])
            pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def default_location() -> str:
    """Return the store location from ``KCN_ATLAS_STORE`` or the bundled default."""
    return settings.get(STORE_ENV) or str(DEFAULT_STORE)


def build(out: Path | str, src: Path | str | None = None) -> Store:
    """Build a register from the CSV source files into a GeoPackage or a PostGIS store.

    A GeoPackage build is byte-for-byte reproducible for the same sources.
    """
    store: Store = open_store(str(out)) if "://" in str(out) else GeoPackageStore(out)
    store.write(read_source_dir(src))
    return store


def open_store(location: str | Path | None = None) -> Store:
    """Open the store at ``location``: a GeoPackage path or a PostgreSQL URL.

    A ``postgresql://user:password@host:port/dbname`` location (or
    ``postgresql+psycopg://…``, optionally with ``?schema=name``) opens a
    :class:`geo.postgis.PostgisStore`.

    With no location, the store named by ``KCN_ATLAS_STORE`` is used, else the
    bundled ``data/atlas.gpkg``, which is built from ``data/src`` on first use and
    again when those sources change, unless it was written since (:mod:`geo.bundled`).

    Raises
    ------
    StoreError
        If the location names a kind of store this version cannot open.
    """
    loc = str(location) if location is not None else default_location()
    if "://" in loc:
        scheme = loc.split("://", 1)[0]
        if scheme in ("postgresql", "postgresql+psycopg"):
            from geo.postgis import PostgisStore  # SQLAlchemy only when needed

            return PostgisStore(loc)
        raise StoreError(f"stores of kind {scheme!r} are not supported; give a .gpkg path "
                         "or a postgresql:// URL")
    if location is None and Path(loc) == DEFAULT_STORE:
        from geo.bundled import refresh  # it builds through this module

        refresh(DEFAULT_STORE)
    return GeoPackageStore(loc)
