"""Shared fixtures: the small register every unit test builds on."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.auth import Actor, Role
from geo.register import Register, read_source_dir
from geo.schema import USER_COLUMNS
from geo.store import GeoPackageStore, Store, build, open_store

pytest_plugins = ["tests.pgcluster"]  # pg_url, pg_location, pg_store

FIXTURES = Path(__file__).parent / "fixtures"
REGISTER_SRC = FIXTURES / "register"

# The accounts of the fixture stores: name -> role. Every one has TEAM_PASSWORD.
TEAM = {"admin": "admin", "planner": "editor", "planner-hp": "editor", "p": "editor",
        "lan": "editor", "minh": "editor", "viewer": "viewer",
        **{f"user{i}": "editor" for i in range(4)}}
TEAM_PASSWORD = "team-secret-8"


@functools.cache
def _team_users() -> pd.DataFrame:
    # Cheap argon2 parameters for tests: verify() reads them from each hash.
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hashed = cheap.hash(TEAM_PASSWORD)
    rows = [{c: None for c in USER_COLUMNS} | {"name": n, "role": r, "password_hash": hashed,
                                               "created_at": "2026-11-22T00:00:00+00:00",
                                               "created_by": "tests"}
            for n, r in TEAM.items()]
    return pd.DataFrame(rows)[USER_COLUMNS]


def add_team(store: Store) -> Store:
    """Give a store the test accounts (:data:`TEAM`), without a history entry."""
    store.update(lambda reg: replace(reg, users=_team_users().copy()))
    return store


def actor(name: str) -> Actor:
    """The signed-in test account ``name`` (its role from :data:`TEAM`)."""
    return Actor(name.strip(), Role(TEAM.get(name.strip().casefold(), "viewer")))


@pytest.fixture
def fixture_register() -> Register:
    """The fixture register read from its CSVs."""
    return read_source_dir(REGISTER_SRC)


@pytest.fixture
def fixture_store(tmp_path: Path) -> GeoPackageStore:
    """A GeoPackage store holding the fixture register and the test accounts."""
    store = build(tmp_path / "atlas.gpkg", REGISTER_SRC)
    add_team(store)
    assert isinstance(store, GeoPackageStore)
    return store


def new_zone(i: int, tag: str) -> gpd.GeoDataFrame:
    """One small, valid zone for append tests (Vietnamese name, approximate point).

    Its status is "unknown" (a stated status would need a sourced zone_values row) and it
    cites a document, not the editors: fault tests check that ``validate`` passes after
    every sequence.
    """
    return gpd.GeoDataFrame(
        {"id": [f"ccn-{tag}-{i}"], "kind": ["CCN"], "name_vi": [f"CCN {tag} {i} Đồ Sơn"],
         "province": ["Hải Phòng"], "status": ["unknown"], "geometry_quality": ["approximate"],
         "source_id": ["test-doc"], "as_of": ["2026-11-22"]},
        geometry=[Point(106.6 + i / 1000, 20.8)], crs="EPSG:4326",
    )


def append_zones(location: str, tag: str, n: int) -> None:
    """Append ``n`` zones one update at a time (run in a process of its own)."""
    store = open_store(location)
    for i in range(n):
        store.update(lambda reg, i=i: reg.with_zones(pd.concat([reg.zones, new_zone(i, tag)])))
    dispose = getattr(store, "dispose", None)
    if dispose is not None:
        dispose()


def hold_write_lock(location: str, ready: str, seconds: float) -> None:
    """Take the store's write lock inside an update and keep it (run in a process of its own).

    Touches ``ready`` once the lock is held, then sleeps ``seconds`` inside the change,
    so that a test can stop (SIGSTOP) or kill the process while it holds the lock.
    """
    import time

    store = open_store(location)

    def change(reg: Register) -> Register:
        Path(ready).touch()
        time.sleep(seconds)
        return reg.with_audit("2026-11-22T10:00:00", "holder", "edit", "held the lock")

    store.update(change)
    dispose = getattr(store, "dispose", None)
    if dispose is not None:
        dispose()


def wait_for_file(path: Path, timeout: float = 60.0) -> None:
    """Wait until ``path`` exists (a child process says it is ready)."""
    import time

    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear in {timeout} s")
        time.sleep(0.02)


def write_consistently(location: str, tag: str, n: int) -> None:
    """Make ``n`` writes that each add a zone, its source and an audit entry together.

    A reader that sees a different number of new zones, sources and audit entries
    has mixed two versions of the register (run in a process of its own).
    """
    store = open_store(location)
    for i in range(n):
        def change(reg: Register, i: int = i) -> Register:
            zone = new_zone(i, tag)
            source = f"src-{tag}-{i}"
            zone["source_id"] = source
            sources = pd.concat([reg.sources, pd.DataFrame([{
                "source_id": source, "document": f"Document {i}", "issuer": "tester",
                "date": "2026-11-22", "tier": "editors"}])], ignore_index=True)
            return replace(reg.with_zones(pd.concat([reg.zones, zone])), sources=sources) \
                .with_audit("2026-11-22T10:00:00", "tester", "edit", f"{tag} {i}")
        store.update(change)
    dispose = getattr(store, "dispose", None)
    if dispose is not None:
        dispose()


def assert_not_torn(reg: Register, base: Register) -> int:
    """Assert that a register read during :func:`write_consistently` is one version."""
    new_zones = len(reg.zones) - len(base.zones)
    new_sources = len(reg.sources) - len(base.sources)
    new_audit = len(reg.audit) - len(base.audit)
    assert new_zones == new_sources == new_audit, (new_zones, new_sources, new_audit)
    return new_zones
