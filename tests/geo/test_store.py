import hashlib
import multiprocessing as mp
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from shapely.geometry import Point

import geo.store as store_mod
from geo.store import GeoPackageStore, StoreError, build, open_store
from tests.conftest import REGISTER_SRC, append_zones, new_zone


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_keeps_every_table(fixture_register, fixture_store):
    back = fixture_store.read()
    assert_geodataframe_equal(back.zones, fixture_register.zones)
    assert_geodataframe_equal(back.projects, fixture_register.projects)
    for table in ("figures", "sources", "zone_values"):
        assert_frame_equal(getattr(back, table), getattr(fixture_register, table))
    assert back.zones.loc[back.zones.id == "kcn-alpha", "name_vi"].item() == "KCN Đình Vũ"
    assert back.zones["parent_id"].tolist().count(None) == 2


def test_build_is_byte_for_byte_reproducible(tmp_path):
    a = build(tmp_path / "a.gpkg", REGISTER_SRC).path
    b = build(tmp_path / "b.gpkg", REGISTER_SRC).path
    assert _sha(a) == _sha(b)


def test_two_concurrent_writers_lose_no_rows(fixture_store):
    n = 15
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=append_zones, args=(str(fixture_store.path), tag, n))
             for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    zones = fixture_store.read().zones
    assert len(zones) == 4 + 2 * n
    assert zones["id"].is_unique
    # The feature count GDAL caches must match what is really there.
    assert pyogrio.read_info(fixture_store.path, layer="zones")["features"] == 4 + 2 * n


def test_failed_write_leaves_the_store_untouched(fixture_store, monkeypatch):
    before = _sha(fixture_store.path)

    def boom(register, path):
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(store_mod, "_write_gpkg", boom)
    with pytest.raises(OSError, match="disk full"):
        fixture_store.update(lambda reg: reg.with_zones(pd.concat([reg.zones, new_zone(0, "x")])))
    assert _sha(fixture_store.path) == before
    leftovers = [p for p in fixture_store.path.parent.iterdir() if p.name.startswith(".atlas-")]
    assert leftovers == []


def test_update_records_audit(fixture_store):
    fixture_store.update(lambda reg: reg.with_audit("2026-11-22T10:00:00", "tester", "edit", "x"))
    audit = fixture_store.read().audit
    assert audit.to_dict("records") == [
        {"at": "2026-11-22T10:00:00", "who": "tester", "action": "edit", "detail": "x"}
    ]


def test_missing_store_says_how_to_create_it(tmp_path):
    with pytest.raises(StoreError, match="kcn-atlas build"):
        GeoPackageStore(tmp_path / "none.gpkg").read()


def test_a_foreign_geopackage_is_refused(tmp_path):
    path = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326").to_file(path)
    with pytest.raises(StoreError, match="not a KCN Atlas register"):
        GeoPackageStore(path).read()


def test_open_store_uses_the_environment(tmp_path, monkeypatch, fixture_store):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))
    assert open_store().description == str(fixture_store.path)
    with pytest.raises(StoreError, match="not supported"):
        open_store("mysql://localhost/atlas")
