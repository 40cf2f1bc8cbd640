"""The bundled register's build stamp: rebuilt when its sources change, never over edits.

A GeoPackage built from source CSVs (``kcn-atlas build``, or the app's first
start) gets a stamp beside it, ``<name>.gpkg.build.json``: a digest of the
source files and the store's version right after the build. With it:

- :func:`refresh` (called when the app opens the bundled register) rebuilds the
  bundled store when ``data/src`` changed since it was built (a ``git pull``
  brought new sources) *and* nobody wrote to the store since (its version is
  still the stamped one). A store with imports or edits is never rebuilt
  behind its users' backs: :func:`pending_update` then says so, for the pages
  to show.
- :func:`build_checked` (``kcn-atlas build``) refuses to replace a store that
  holds changes made since its build, or one it cannot tell about (no stamp),
  unless forced; forced, it first copies a GeoPackage to
  ``<name>-before-build-<time>.gpkg``.

The team's accounts are not data: a store whose only writes since its build are
account changes (the first admin, a new editor) still counts as unchanged, and
every rebuild carries the accounts over into the new register.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd

from geo.errors import StoreError
from geo.register import Register, bundled_source_dir
from geo.store import DEFAULT_STORE, GeoPackageStore, Store, build, open_store

__all__ = ["build_checked", "data_digest", "pending_update", "refresh", "source_digest"]

log = logging.getLogger(__name__)


def source_digest(src: Path | str | None = None) -> str:
    """Return the SHA-256 of a source folder's CSV files (names and bytes, sorted)."""
    folder = Path(src) if src is not None else bundled_source_dir()
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".build.json")


def _read_stamp(path: Path) -> dict[str, str] | None:
    try:
        doc = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(doc, dict) and all(isinstance(doc.get(k), str) for k in ("sources", "version"))
    return doc if ok else None


def _stamp(store: GeoPackageStore, digest: str) -> None:
    doc = {"sources": digest, "version": store.version(), "data": data_digest(store.read()),
           "built": datetime.now().astimezone().isoformat(timespec="seconds")}
    _stamp_path(store.path).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


_DATA_TABLES = ("zones", "projects", "figures", "sources", "zone_values", "audit", "plots")


def data_digest(reg: Register) -> str:
    """Return a SHA-256 of the register's data: every table but the accounts and history."""
    digest = hashlib.sha256()
    for name in _DATA_TABLES:
        frame = pd.DataFrame(getattr(reg, name)).copy()
        if "geometry" in frame.columns:
            frame["geometry"] = [None if g is None else g.wkb_hex for g in frame["geometry"]]
        digest.update(name.encode() + b"\0" + ",".join(map(str, frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes())
    return digest.hexdigest()


def _accounts_only(store: Store, stamp: dict[str, str]) -> bool:
    """True when the store's data is as built: at most its accounts were changed since."""
    return "data" in stamp and data_digest(store.read()) == stamp["data"]


def _changed_since_build(store: GeoPackageStore) -> bool:
    """True when the store's data was written after its build, or it has no stamp to tell.

    Writes that only changed accounts do not count (they are carried over).
    """
    stamp = _read_stamp(store.path)
    if stamp is None:
        return True
    return stamp["version"] != store.version() and not _accounts_only(store, stamp)


def _accounts(store: Store) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The accounts a store holds and their history, to carry over (None if none)."""
    try:
        reg = store.read()
    except StoreError:
        return None
    if reg.users.empty:
        return None
    history = reg.history
    return reg.users.copy(), history[history["table_name"] == "users"].copy()


def build_checked(out: Path | str, src: Path | str | None = None, *,
                  force: bool = False) -> tuple[Store, Path | None]:
    """Build a register from source CSVs without losing what a store already holds.

    Returns the store and the backup copy made (None when none was needed).

    Raises
    ------
    StoreError
        If ``out`` holds a register with changes made since its build (or a
        GeoPackage without a build stamp, or any PostGIS register) and
        ``force`` is false.
    """
    target = open_store(str(out))
    backup: Path | None = None
    accounts = _accounts(target) if target.exists() else None
    if target.exists():
        # PostGIS keeps no stamp: a register there is a team's, replaced only when forced.
        changed = _changed_since_build(target) if isinstance(target, GeoPackageStore) else True
        if changed and not force:
            raise StoreError(
                f"{target.description} already holds a register with changes made since it "
                "was built (imports or edits), or one whose origin is unknown; building "
                "would replace them. Run again with --force to replace it"
                + (" (a copy of the file is kept first)" if isinstance(target, GeoPackageStore)
                   else " (back the database up first, e.g. with pg_dump)"))
        if changed and isinstance(target, GeoPackageStore):
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = target.path.with_name(f"{target.path.stem}-before-build-{stamp}.gpkg")
            shutil.copy2(target.path, backup)
    store = build(out, src)
    if accounts is not None:  # the team keeps its accounts (no history entry: not a change)
        users, history = accounts
        store.update(lambda reg: replace(reg, users=users, history=history))
    if isinstance(store, GeoPackageStore):
        _stamp(store, source_digest(src))
    return store, backup


def refresh(path: Path = DEFAULT_STORE, src: Path | str | None = None) -> bool:
    """Build the bundled store if missing, or again if its sources changed and it did not.

    Returns True when it was (re)built. Never replaces a store written since
    its build (see :func:`pending_update`).
    """
    store = GeoPackageStore(path)
    if not store.exists():
        build_checked(path, src)
        return True
    stamp = _read_stamp(path)
    if stamp is None or stamp["sources"] == source_digest(src):
        return False
    if stamp["version"] != store.version() and not _accounts_only(store, stamp):
        log.warning("the bundled register's sources changed but %s holds edits: not rebuilt",
                    path)
        return False
    build_checked(path, src)
    log.info("the bundled register's sources changed: %s rebuilt", path)
    return True


def pending_update(path: Path = DEFAULT_STORE, src: Path | str | None = None) -> bool:
    """Tell whether the bundled sources are newer than a bundled store that holds edits."""
    stamp = _read_stamp(path)
    return (path.exists() and stamp is not None and stamp["sources"] != source_digest(src)
            and _changed_since_build(GeoPackageStore(path)))
