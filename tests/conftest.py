"""Shared fixtures: the small register every unit test builds on."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.register import Register, read_source_dir
from geo.store import GeoPackageStore, build, open_store

FIXTURES = Path(__file__).parent / "fixtures"
REGISTER_SRC = FIXTURES / "register"


@pytest.fixture
def fixture_register() -> Register:
    """The fixture register read from its CSVs."""
    return read_source_dir(REGISTER_SRC)


@pytest.fixture
def fixture_store(tmp_path: Path) -> GeoPackageStore:
    """A GeoPackage store holding the fixture register."""
    return build(tmp_path / "atlas.gpkg", REGISTER_SRC)


def new_zone(i: int, tag: str) -> gpd.GeoDataFrame:
    """One small, valid zone for append tests (Vietnamese name, approximate point)."""
    return gpd.GeoDataFrame(
        {"id": [f"ccn-{tag}-{i}"], "kind": ["CCN"], "name_vi": [f"CCN {tag} {i} Đồ Sơn"],
         "province": ["Hải Phòng"], "status": ["planned"], "geometry_quality": ["approximate"],
         "source_id": ["test-editors"], "as_of": ["2026-11-22"]},
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
