"""Reading and writing the register through one store interface.

The embedded default is a GeoPackage. Every write replaces the whole file
atomically: the new register is written to a temporary file beside the store
and swapped in with :func:`os.replace`, under an exclusive lock file, so that
two writers never lose each other's rows and readers never see a half-written
file or a stale feature count (GDAL caches counts in ``gpkg_ogr_contents``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.register import (
    AUDIT_COLUMNS,
    Register,
    normalise_register,
    read_source_dir,
)

__all__ = [
    "DEFAULT_STORE",
    "GeoPackageStore",
    "Store",
    "StoreError",
    "build",
    "default_location",
    "open_store",
]

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "data" / "atlas.gpkg"
STORE_ENV = "KCN_ATLAS_STORE"

# Fixed timestamp GDAL writes into gpkg_contents, so that a build is byte-for-byte
# reproducible.
_BUILD_DATE = "2026-01-01T00:00:00Z"

_SPATIAL = ("zones", "projects", "plots")
_PLAIN = ("figures", "sources", "zone_values", "audit")
_OPTIONAL = ("plots",)  # registers written before plots existed have no such layer


class StoreError(RuntimeError):
    """The store cannot be opened, read or written."""


class Store(Protocol):
    """What the rest of KCN Atlas may assume about where the register lives."""

    @property
    def description(self) -> str:
        """Say where the register lives, for messages."""
        ...

    def read(self) -> Register:
        """Return the whole register."""
        ...

    def version(self) -> str:
        """Return a token that changes whenever the register is written (for caches)."""
        ...

    def write(self, register: Register) -> None:
        """Replace the register, all or nothing."""
        ...

    def update(self, change: Callable[[Register], Register]) -> Register:
        """Read, apply ``change`` and write, with no other writer in between."""
        ...


class GeoPackageStore:
    """The register in one GeoPackage file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    @property
    def description(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        """Tell whether the file exists."""
        return self.path.exists()

    def version(self) -> str:
        # Every write swaps in a new file: its modification time and size change.
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise StoreError(f"no register at {self.path}: {exc}") from exc
        return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def read(self) -> Register:
        if not self.path.exists():
            raise StoreError(
                f"no register at {self.path}; create it with `kcn-atlas build --out {self.path}`"
            )
        try:
            layers = {name for name, _ in pyogrio.list_layers(self.path)}
            missing = set(_SPATIAL + _PLAIN) - layers - set(_OPTIONAL)
            if missing:
                raise StoreError(f"{self.path} is not a KCN Atlas register: no {sorted(missing)}")
            tables = {
                name: pyogrio.read_dataframe(self.path, layer=name)
                for name in _SPATIAL + _PLAIN if name in layers
            }
        except pyogrio.errors.DataSourceError as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from exc
        return normalise_register(Register(**tables))

    def write(self, register: Register) -> None:
        with self._locked():
            self._write_unlocked(register)

    def update(self, change: Callable[[Register], Register]) -> Register:
        with self._locked():
            new = change(self.read())
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
            if name == "audit" and df.empty:
                df = pd.DataFrame({c: pd.Series(dtype=object) for c in AUDIT_COLUMNS})
            pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def default_location() -> str:
    """Return the store location from ``KCN_ATLAS_STORE`` or the bundled default."""
    return os.environ.get(STORE_ENV) or str(DEFAULT_STORE)


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
    bundled ``data/atlas.gpkg``, which is built from ``data/src`` on first use.

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
    store = GeoPackageStore(loc)
    if location is None and Path(loc) == DEFAULT_STORE and not store.exists():
        build(DEFAULT_STORE)
    return store
