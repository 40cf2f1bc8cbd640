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
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from datetime import datetime
from pathlib import Path

from geo.errors import StoreError
from geo.register import bundled_source_dir
from geo.store import DEFAULT_STORE, GeoPackageStore, Store, build, open_store

__all__ = ["build_checked", "pending_update", "refresh", "source_digest"]

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
    doc = {"sources": digest, "version": store.version(),
           "built": datetime.now().astimezone().isoformat(timespec="seconds")}
    _stamp_path(store.path).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _changed_since_build(store: GeoPackageStore) -> bool:
    """True when the store was written after its build, or has no stamp to tell."""
    stamp = _read_stamp(store.path)
    return stamp is None or stamp["version"] != store.version()


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
    if stamp["version"] != store.version():
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
