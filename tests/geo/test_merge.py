import hashlib
import json
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from shapely.geometry import Point, box

from geo.merge import MergeRefused, NothingToUndo, apply_merge, plan_merge, undo_last_import
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
    area = back.zone_values[(back.zone_values.zone_id == "kcn-alpha")
                            & (back.zone_values.field == "area_total_ha")]
    assert area[["value", "source_id"]].values.tolist() == [["150", alpha.source_id]]
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


# --------------------------------------------------------------------------- never a silent loss


def _zone(register, zid, **changes):
    zone = register.zones[register.zones.id == zid].copy()
    for column, value in changes.items():
        if column == "geometry":
            zone = zone.set_geometry([value], crs="EPSG:4326")
        else:
            zone[column] = zone[column].astype(object)
            zone[column] = [value]
    return gpd.GeoDataFrame(zone, crs="EPSG:4326")


@pytest.mark.parametrize(("geometry", "quality"), [
    (Point(106.755, 20.835), "approximate"),  # a point for a surveyed boundary
    (box(106.75, 20.83, 106.761, 20.841), "digitised"),  # a traced one for a surveyed one
])
def test_a_worse_geometry_never_replaces_a_better_one_unless_asked(
        fixture_store, geometry, quality):
    register = fixture_store.read()
    incoming = _zone(register, "kcn-alpha", geometry=geometry, geometry_quality=quality,
                     area_measured_ha=None if quality == "approximate" else 130.0)
    plan = plan_merge(register, incoming)
    assert plan.changed == {} and plan.unchanged == ("kcn-alpha",)
    assert plan.worse == {"kcn-alpha": {"geometry": pytest.approx(
        plan.worse["kcn-alpha"]["geometry"])}}
    assert "surveyed" in plan.worse["kcn-alpha"]["geometry"]
    assert plan.to_json()["worse"] == plan.worse
    asked = plan_merge(register, incoming, replace_worse=True)
    assert "geometry" in asked.changed["kcn-alpha"]
    assert "geometry_quality" in asked.changed["kcn-alpha"]
    assert asked.worse == plan.worse
    apply_merge(fixture_store, asked, filename="x.csv", who="p", at=AT)
    alpha = fixture_store.read().zones.set_index("id").loc["kcn-alpha"]
    assert alpha.geometry_quality == quality
    assert alpha.geometry_source_id == "import-x-csv-20261122T093000"


def test_a_better_geometry_replaces_a_worse_one(fixture_register):
    incoming = _zone(fixture_register, "kcn-beta", geometry=box(106.77, 20.81, 106.79, 20.83),
                     geometry_quality="digitised", area_measured_ha=4.6)
    plan = plan_merge(fixture_register, incoming)
    assert plan.changed["kcn-beta"] == ("geometry_quality", "area_measured_ha", "geometry")
    assert plan.worse == {}


def test_an_empty_value_clears_nothing_unless_asked(fixture_store):
    register = fixture_store.read()
    incoming = _zone(register, "kcn-alpha", occupancy_pct=float("nan"), status="unknown",
                     area_total_ha=120.0)
    covered = {"kcn-alpha": ("occupancy_pct", "status", "area_total_ha")}
    plan = plan_merge(register, incoming, covered=covered)
    assert plan.changed == {"kcn-alpha": ("area_total_ha",)}
    assert set(plan.worse["kcn-alpha"]) == {"occupancy_pct", "status"}
    assert "the register has 50" in plan.worse["kcn-alpha"]["occupancy_pct"]
    # Without the file saying it has those columns, an empty value is no claim at all.
    assert plan_merge(register, incoming).worse == {}
    asked = plan_merge(register, incoming, covered=covered, replace_worse=True)
    assert asked.changed == {"kcn-alpha": ("status", "area_total_ha", "occupancy_pct")}
    apply_merge(fixture_store, asked, filename="x.csv", who="p", at=AT)
    back = fixture_store.read()
    alpha = back.zones.set_index("id").loc["kcn-alpha"]
    assert alpha.status == "unknown" and pd.isna(alpha.occupancy_pct)
    rows = back.zone_values[back.zone_values.zone_id == "kcn-alpha"]
    assert "occupancy_pct" not in set(rows.field) and "status" not in set(rows.field)
    assert validate(back) == []
    undo_last_import(fixture_store, who="p", at=AT)
    assert_frame_equal(fixture_store.read().zone_values, register.zone_values)


def test_values_that_break_a_rule_beside_the_registers_are_kept(fixture_register):
    incoming = _zone(fixture_register, "kcn-alpha", area_total_ha=60.0, leased_ha=10.0)
    plan = plan_merge(fixture_register, incoming)
    assert plan.changed == {"kcn-alpha": ("leased_ha",)}
    assert "industrial land above the total area (80 > 60); kept 100" in \
        plan.conflicts["kcn-alpha"]["area_total_ha"]
    assert plan.problems == ()


def test_every_imported_value_cites_the_import_and_undo_takes_them_back(fixture_store):
    original = fixture_store.read()
    plan = plan_merge(original, _incoming(original))
    apply_merge(fixture_store, plan, filename="ban-do.zip", who="planner", at=AT)
    back = fixture_store.read()
    source = "import-ban-do-zip-20261122T093000"
    rows = back.zone_values[back.zone_values.source_id == source]
    assert sorted(zip(rows.zone_id, rows.field, rows.value, strict=True)) == [
        ("ccn-moi", "area_total_ha", "12.5"), ("ccn-moi", "status", "planned"),
        ("kcn-alpha", "area_total_ha", "150")]
    assert set(rows.as_of) == {"2026-11-01", "2022-04-07"}
    new = back.zones.set_index("id").loc["ccn-moi"]
    assert new.geometry_source_id == source
    undo_last_import(fixture_store, who="planner", at=AT)
    assert not (fixture_store.read().zone_values.source_id == source).any()


def test_a_zone_the_register_holds_under_another_id_is_found_by_kind_and_name(
        fixture_register):
    incoming = gpd.GeoDataFrame(
        {"id": ["kcn-dinh-vu"], "kind": ["KCN"], "name_vi": ["Khu công nghiệp Đình Vũ"],
         "status": ["operating"], "geometry_quality": ["approximate"], "source_id": ["import"],
         "as_of": ["2026-11-01"], "occupancy_pct": [55.0]},
        geometry=[Point(106.755, 20.835)], crs="EPSG:4326")
    plan = plan_merge(fixture_register, incoming)
    assert plan.ids == {"kcn-dinh-vu": "kcn-alpha"}
    assert plan.added == () and plan.changed == {"kcn-alpha": ("occupancy_pct",)}
    assert "geometry" in plan.worse["kcn-alpha"]


def test_a_merge_that_would_fail_validation_is_refused(fixture_store):
    register = fixture_store.read()
    incoming = _zone(register, "kcn-beta", parent_id="kkt-nowhere")
    plan = plan_merge(register, incoming)
    assert plan.problems == ("zones kcn-beta: parent 'kkt-nowhere' does not exist",)
    before = _sha(fixture_store.path)
    with pytest.raises(MergeRefused, match="kkt-nowhere"):
        apply_merge(fixture_store, plan, filename="x.csv", who="p", at=AT)
    assert _sha(fixture_store.path) == before
