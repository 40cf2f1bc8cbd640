import hashlib
import json
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from shapely.geometry import Point, box

from geo.merge import NothingToUndo, apply_merge, plan_merge, undo_last_import
from geo.validate import validate

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _incoming(register):
    alpha = register.zones[register.zones.id == "kcn-alpha"].copy()
    alpha["area_total_ha"] = 150.0  # changed
    alpha["occupancy_pct"] = float("nan")  # unknown in the file: must not erase 50%
    beta = register.zones[register.zones.id == "kcn-beta"].copy()  # unchanged
    new = gpd.GeoDataFrame(
        {"id": ["ccn-moi"], "kind": ["CCN"], "name_vi": ["CCN Mới <b>&</b>"],
         "province": ["Hải Phòng"], "status": ["planned"], "geometry_quality": ["digitised"],
         "source_id": ["import"], "as_of": ["2026-11-01"], "area_total_ha": [12.5]},
        geometry=[box(106.60, 20.80, 106.61, 20.81)], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat([alpha, beta, new], ignore_index=True), crs="EPSG:4326")


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plan_says_what_is_added_changed_and_left(fixture_register):
    plan = plan_merge(fixture_register, _incoming(fixture_register))
    assert plan.added == ("ccn-moi",)
    assert plan.changed == {"kcn-alpha": ("area_total_ha",)}
    assert plan.unchanged == ("kcn-beta",)
    assert plan.writes


def test_planning_writes_nothing(fixture_store):
    before = _sha(fixture_store.path)
    plan_merge(fixture_store.read(), _incoming(fixture_store.read()))
    assert _sha(fixture_store.path) == before


def test_merge_writes_in_one_go_with_an_audit_entry_and_a_source(fixture_store):
    original = fixture_store.read()
    plan = plan_merge(original, _incoming(original))
    merged = apply_merge(fixture_store, plan, filename="ban-do.zip", who="planner", at=AT)
    back = fixture_store.read()
    assert sorted(back.zones.id) == sorted([*original.zones.id, "ccn-moi"])
    alpha = back.zones.set_index("id").loc["kcn-alpha"]
    assert alpha.area_total_ha == 150.0 and alpha.occupancy_pct == 50.0
    assert alpha.source_id == "import-ban-do-zip-20261122T093000"
    new = back.zones.set_index("id").loc["ccn-moi"]
    assert new.name_vi == "CCN Mới <b>&</b>" and new.source_id == alpha.source_id
    src = back.sources.set_index("source_id").loc[alpha.source_id]
    assert (src.document, src.issuer, src.date) == ("ban-do.zip", "planner", "2026-11-22")
    # The area now rests on the import, not on the old citation.
    assert not ((back.zone_values.zone_id == "kcn-alpha")
                & (back.zone_values.field == "area_total_ha")).any()
    (entry,) = back.audit.to_dict("records")
    assert (entry["who"], entry["action"], entry["at"]) == ("planner", "import",
                                                            "2026-11-22T09:30:00+00:00")
    detail = json.loads(entry["detail"])
    assert detail["file"] == "ban-do.zip" and detail["added"] == ["ccn-moi"]
    assert validate(back) == []
    assert len(merged.zones) == len(back.zones)


def test_undo_puts_the_register_back_exactly(fixture_store):
    original = fixture_store.read()
    apply_merge(fixture_store, plan_merge(original, _incoming(original)),
                filename="ban-do.zip", who="planner", at=AT)
    done = undo_last_import(fixture_store, who="planner", at=AT)
    assert done == {"file": "ban-do.zip", "removed": ["ccn-moi"], "restored": ["kcn-alpha"]}
    back = fixture_store.read()
    assert_geodataframe_equal(back.zones, original.zones)
    assert_frame_equal(back.zone_values, original.zone_values)
    assert_frame_equal(back.sources, original.sources)
    assert list(back.audit.action) == ["import", "undo_import"]
    with pytest.raises(NothingToUndo):
        undo_last_import(fixture_store, who="planner")


def test_undo_takes_the_imports_back_one_by_one(fixture_store):
    original = fixture_store.read()
    apply_merge(fixture_store, plan_merge(original, _incoming(original)),
                filename="a.geojson", who="p", at=AT)
    second = gpd.GeoDataFrame(
        {"id": ["kcn-hai"], "kind": ["KCN"], "name_vi": ["KCN Hai"], "status": ["planned"],
         "geometry_quality": ["approximate"], "source_id": ["import"], "as_of": ["2026-11-02"]},
        geometry=[Point(106.7, 20.9)], crs="EPSG:4326")
    apply_merge(fixture_store, plan_merge(fixture_store.read(), second),
                filename="b.csv", who="p", at=datetime(2026, 11, 22, 10, tzinfo=UTC))
    assert undo_last_import(fixture_store, who="p")["file"] == "b.csv"
    assert undo_last_import(fixture_store, who="p")["file"] == "a.geojson"
    assert_geodataframe_equal(fixture_store.read().zones, original.zones)
