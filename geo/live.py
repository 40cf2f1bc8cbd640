"""The register as the running app serves it: one snapshot per store version, shared.

The Streamlit pages and the app's data endpoints (tiles, features, OGC API)
run in one process. They share the snapshots kept here, so the register is
read once per version and what is derived from it (the live map's features,
vector tile layers) is built once, lazily, whoever asks first.

A snapshot is named by a short ``key`` derived from the store's location and
version; endpoints carry the key in their URLs, so a browser cache never mixes
two versions, and a page built on one version keeps getting that version's
data while it stays in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from geo.register import Register
from geo.store import Store, default_location, open_store

__all__ = ["Snapshot", "current", "snapshot_by_key", "snapshot_key", "store", "store_plot_tile"]

_KEEP = 4  # snapshots kept in memory (a page may still show an older version)

_lock = threading.RLock()
_snapshots: OrderedDict[str, Snapshot] = OrderedDict()
_stores: dict[str, Store] = {}


@dataclass
class Snapshot:
    """One version of the register and what is derived from it on demand."""

    key: str
    version: str
    location: str
    description: str
    register: Register
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)
    _derive_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def derived(self, name: str, build: Callable[[Register], Any]) -> Any:
        """Return ``build(register)``, computed once per snapshot and name."""
        with self._derive_lock:
            if name not in self._derived:
                self._derived[name] = build(self.register)
            return self._derived[name]

    def json_gz(self, name: str, build: Callable[[Register], Any]) -> bytes:
        """Return the gzipped compact JSON of ``build(register)``, built once."""
        def encode(reg: Register) -> bytes:
            text = json.dumps(build(reg), ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False)
            return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
        return bytes(self.derived(f"json-gz:{name}", encode))


def snapshot_key(location: str, version: str) -> str:
    """Return the key naming a store location's version in the app's data URLs."""
    return hashlib.sha256(f"{location}\n{version}".encode()).hexdigest()[:16]


def store(location: str | None = None) -> Store:
    """Return the store the app shares for ``location`` (one PostGIS pool per server)."""
    loc = location or default_location()
    with _lock:
        found = _stores.get(loc)
        if found is None:
            found = _stores[loc] = open_store(location)
        return found


def current(location: str | None = None) -> Snapshot:
    """Return the snapshot of the store's current version, reading the store if needed.

    Parameters
    ----------
    location
        A GeoPackage path or PostgreSQL URL; by default ``KCN_ATLAS_STORE`` or
        the bundled register (built on first use).

    Raises
    ------
    geo.store.StoreError
        If the store cannot be opened or read.
    """
    loc = location or default_location()
    shared = store(location)
    # Asked on every call: a file's stat or one small query, never stale.
    version = shared.version()
    key = snapshot_key(loc, version)
    with _lock:
        snap = _snapshots.get(key)
        if snap is not None:
            _snapshots.move_to_end(key)
            return snap
    # Read outside the lock: a slow store must not block the other sessions' reads. One
    # consistent read gives the register and the version it is (a write may have landed
    # since the version was asked): the snapshot is filed under what was really read.
    read = shared.snapshot()
    register, version, key = read.register, read.version, snapshot_key(loc, read.version)
    with _lock:
        snap = _snapshots.get(key)
        if snap is None:
            snap = Snapshot(key, version, loc, shared.description, register)
            _snapshots[key] = snap
            while len(_snapshots) > _KEEP:
                _snapshots.popitem(last=False)
        return snap


def snapshot_by_key(key: str) -> Snapshot | None:
    """Return a snapshot still in memory by its key, or None."""
    with _lock:
        return _snapshots.get(key)


def store_plot_tile(snap: Snapshot, z: int, x: int, y: int) -> bytes | None:
    """Return the plot tile ``z/x/y`` of ``snap`` as its store draws it, if it does.

    A PostGIS store encodes plot tiles itself (``ST_AsMVT``); None means the
    store does not (a GeoPackage), or no longer holds the snapshot's version,
    and the caller encodes the tile from the snapshot in memory.

    Raises
    ------
    geo.tiles.TileRequestError
        If ``z/x/y`` is not a tile of the quad tree.
    geo.store.StoreError
        If the store cannot be read.
    """
    with _lock:
        store = _stores.get(snap.location)
    draw = getattr(store, "plot_tile", None)
    return None if draw is None else draw(z, x, y, snap.version)


def forget() -> None:
    """Drop every snapshot (tests, and after a store is replaced under the same path)."""
    with _lock:
        _snapshots.clear()
        _stores.clear()
