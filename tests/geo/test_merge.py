import hashlib
import json
import re
import threading
from dataclasses import replace
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from shapely.geometry import Point, box

from geo.merge import (
    MergeRefused,
    NothingToUndo,
    NotYourImport,
    UndoConflict,
    UnknownImport,
    apply_merge,
    imports,
    plan_merge,
    undo_import,
    undo_last_import,
)
from geo.validate import validate
from tests.conftest import actor

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
    result = apply_merge(fixture_store, plan, filename="ban-do.zip", actor=actor("planner"), at=AT)
    merged = result.register
    back = fixture_store.read()
    assert sorted(back.zones.id) == sorted([*original.zones.id, "ccn-moi"])
    alpha = back.zones.set_index("id").loc["kcn-alpha"]
    assert alpha.area_total_ha == 150.0 and alpha.occupancy_pct == 50.0
    assert re.fullmatch(r"import-20261122T093000-[0-9a-f]{12}", alpha.source_id)
    assert alpha.source_id == result.import_id
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
    assert detail["import_id"] == result.import_id
    assert validate(back) == []
    assert len(merged.zones) == len(back.zones)


def test_undo_puts_the_register_back_exactly(fixture_store):
    original = fixture_store.read()
    made = apply_merge(fixture_store, plan_merge(original, _incoming(original)),
                       filename="ban-do.zip", actor=actor("planner"), at=AT)
    done = undo_last_import(fixture_store, actor=actor("planner"), at=AT)
    assert done == {"import_id": made.import_id, "file": "ban-do.zip", "who": "planner",
                    "at": "2026-11-22T09:30:00+00:00", "removed": ["ccn-moi"],
                    "restored": ["kcn-alpha"]}
    back = fixture_store.read()
    assert_geodataframe_equal(back.zones, original.zones)
    assert_frame_equal(back.zone_values, original.zone_values)
    assert_frame_equal(back.sources, original.sources)
    assert list(back.audit.action) == ["import", "undo_import"]
    with pytest.raises(NothingToUndo):
        undo_last_import(fixture_store, actor=actor("planner"))


def test_undo_takes_the_imports_back_one_by_one(fixture_store):
    original = fixture_store.read()
    apply_merge(fixture_store, plan_merge(original, _incoming(original)),
                filename="a.geojson", actor=actor("p"), at=AT)
    second = gpd.GeoDataFrame(
        {"id": ["kcn-hai"], "kind": ["KCN"], "name_vi": ["KCN Hai"], "status": ["planned"],
         "geometry_quality": ["approximate"], "source_id": ["import"], "as_of": ["2026-11-02"]},
        geometry=[Point(106.7, 20.9)], crs="EPSG:4326")
    apply_merge(fixture_store, plan_merge(fixture_store.read(), second),
                filename="b.csv", actor=actor("p"), at=datetime(2026, 11, 22, 10, tzinfo=UTC))
    assert undo_last_import(fixture_store, actor=actor("p"))["file"] == "b.csv"
    assert undo_last_import(fixture_store, actor=actor("p"))["file"] == "a.geojson"
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
    made = apply_merge(fixture_store, asked, filename="x.csv", actor=actor("p"), at=AT)
    alpha = fixture_store.read().zones.set_index("id").loc["kcn-alpha"]
    assert alpha.geometry_quality == quality
    assert alpha.geometry_source_id == made.import_id


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
    apply_merge(fixture_store, asked, filename="x.csv", actor=actor("p"), at=AT)
    back = fixture_store.read()
    alpha = back.zones.set_index("id").loc["kcn-alpha"]
    assert alpha.status == "unknown" and pd.isna(alpha.occupancy_pct)
    rows = back.zone_values[back.zone_values.zone_id == "kcn-alpha"]
    assert "occupancy_pct" not in set(rows.field) and "status" not in set(rows.field)
    assert validate(back) == []
    undo_last_import(fixture_store, actor=actor("p"), at=AT)
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
    made = apply_merge(fixture_store, plan, filename="ban-do.zip", actor=actor("planner"), at=AT)
    back = fixture_store.read()
    source = made.import_id
    rows = back.zone_values[back.zone_values.source_id == source]
    assert sorted(zip(rows.zone_id, rows.field, rows.value, strict=True)) == [
        ("ccn-moi", "area_total_ha", "12.5"), ("ccn-moi", "status", "planned"),
        ("kcn-alpha", "area_total_ha", "150")]
    assert set(rows.as_of) == {"2026-11-01", "2022-04-07"}
    new = back.zones.set_index("id").loc["ccn-moi"]
    assert new.geometry_source_id == source
    undo_last_import(fixture_store, actor=actor("planner"), at=AT)
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
        apply_merge(fixture_store, plan, filename="x.csv", actor=actor("p"), at=AT)
    assert _sha(fixture_store.path) == before


# --- import ids, duplicates and undo by id ----------------------------------------------

def _new_zone(zid: str, name: str, x: float = 106.7) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [zid], "kind": ["KCN"], "name_vi": [name], "province": ["Hải Phòng"],
         "status": ["planned"], "geometry_quality": ["approximate"], "source_id": ["import"],
         "as_of": ["2026-11-02"]},
        geometry=[Point(x, 20.9)], crs="EPSG:4326")


def _import(store, zones, filename, who, at=AT, **kwargs):
    return apply_merge(store, plan_merge(store.read(), zones), filename=filename, actor=actor(who),
                       at=at, **kwargs)


def test_two_files_of_one_name_in_one_second_get_ids_of_their_own(fixture_store):
    sources = len(fixture_store.read().sources)
    a = _import(fixture_store, _new_zone("kcn-a", "KCN A"), "ban_do.zip", "lan")
    b = _import(fixture_store, _new_zone("kcn-b", "KCN B", 106.8), "ban_do.zip", "lan")
    assert a.import_id != b.import_id
    reg = fixture_store.read()
    assert reg.sources["source_id"].is_unique and validate(reg) == []
    # Each can be undone on its own, the earlier one first.
    assert undo_import(fixture_store, a.import_id, actor=actor("lan"))["removed"] == ["kcn-a"]
    assert validate(fixture_store.read()) == []
    assert undo_import(fixture_store, b.import_id, actor=actor("lan"))["removed"] == ["kcn-b"]
    back = fixture_store.read()
    assert validate(back) == [] and len(back.sources) == sources


def test_the_plan_reported_is_the_one_applied_under_the_lock(fixture_store):
    stale = plan_merge(fixture_store.read(), _new_zone("kcn-a", "KCN A"))
    assert stale.added == ("kcn-a",)
    _import(fixture_store, _new_zone("kcn-a", "KCN A"), "first.geojson", "lan")
    # Another import of the zone landed since the plan was made: it is now unchanged.
    moved = _new_zone("kcn-a", "KCN A")
    moved["area_total_ha"] = 42.0
    result = apply_merge(fixture_store, replace(stale, zones=moved), filename="second.csv",
                         actor=actor("minh"), at=AT)
    assert result.plan.added == () and result.plan.changed == {"kcn-a": ("area_total_ha",)}
    assert result.written


def test_an_import_that_changes_nothing_writes_nothing(fixture_store):
    _import(fixture_store, _new_zone("kcn-a", "KCN A"), "a.geojson", "lan")
    version = fixture_store.version()
    again = _import(fixture_store, _new_zone("kcn-a", "KCN A"), "copy-of-a.geojson", "minh")
    assert not again.written and again.plan.unchanged == ("kcn-a",)
    assert fixture_store.version() == version
    assert len(fixture_store.read().audit) == 1


def test_the_same_file_twice_is_imported_once_and_the_second_caller_is_told(fixture_store):
    digest = "ab" * 32
    first = _import(fixture_store, _new_zone("kcn-a", "KCN A"), "a.geojson", "lan", sha256=digest)
    changed = _new_zone("kcn-a", "KCN A")
    changed["area_total_ha"] = 7.0  # even where a plan would now write, the file is known
    second = _import(fixture_store, changed, "a.geojson", "minh", sha256=digest)
    assert not second.written and second.duplicate_of.import_id == first.import_id
    assert second.to_json()["duplicate_of"]["who"] == "lan"
    # Read with other choices, or asked for again, it is a new import.
    other = _import(fixture_store, changed, "a.geojson", "minh", sha256=digest,
                    choices={"layer": "b"})
    assert other.written
    undo_import(fixture_store, other.import_id, actor=actor("minh"))
    undo_import(fixture_store, first.import_id, actor=actor("lan"))
    assert _import(fixture_store, changed, "a.geojson", "minh", sha256=digest).written
    assert validate(fixture_store.read()) == []


def test_undo_takes_back_the_callers_own_last_import(fixture_store):
    a = _import(fixture_store, _new_zone("kcn-a", "KCN A"), "a.geojson", "lan")
    b = _import(fixture_store, _new_zone("kcn-b", "KCN B", 106.8), "b.geojson", "minh",
                at=datetime(2026, 11, 22, 10, tzinfo=UTC))
    done = undo_import(fixture_store, actor=actor("LAN "))  # the same person, however typed
    assert (done["import_id"], done["who"], done["file"]) == (a.import_id, "lan", "a.geojson")
    ids = set(fixture_store.read().zones.id)
    assert "kcn-b" in ids and "kcn-a" not in ids  # minh's import stays
    assert fixture_store.read().audit["who"].iloc[-1] == "lan"  # the account's own name
    with pytest.raises(NothingToUndo, match=f"no import by lan.*{b.import_id}"):
        undo_import(fixture_store, actor=actor("lan"))
    with pytest.raises(NotYourImport, match=r"b\.geojson imported by minh"):
        undo_import(fixture_store, b.import_id, actor=actor("lan"))
    with pytest.raises(UnknownImport):
        undo_import(fixture_store, "import-nope", actor=actor("lan"))
    with pytest.raises(NothingToUndo, match="already undone by lan"):
        undo_import(fixture_store, a.import_id, actor=actor("lan"))
    # An admin may, and the audit says so.
    assert undo_import(fixture_store, b.import_id, actor=actor("admin"))["who"] == "minh"
    last = json.loads(fixture_store.read().audit["detail"].iloc[-1])
    assert last == {"undoes": b.import_id, "file": "b.geojson", "import_by": "minh",
                    "as_admin": True}
    assert [r.undone_by for r in imports(fixture_store.read())] == ["lan", "admin"]
    assert validate(fixture_store.read()) == []


def test_an_import_changed_by_a_later_one_is_undone_only_after_it(fixture_store):
    a = _import(fixture_store, _new_zone("kcn-a", "KCN A"), "a.geojson", "lan")
    bigger = _new_zone("kcn-a", "KCN A")
    bigger["area_total_ha"] = 99.0
    b = _import(fixture_store, bigger, "b.geojson", "minh",
                at=datetime(2026, 11, 22, 10, tzinfo=UTC))
    with pytest.raises(UndoConflict, match=f"kcn-a changed since by b.geojson.*{b.import_id}"):
        undo_import(fixture_store, a.import_id, actor=actor("lan"))
    undo_import(fixture_store, b.import_id, actor=actor("minh"))
    undo_import(fixture_store, a.import_id, actor=actor("lan"))
    assert "kcn-a" not in set(fixture_store.read().zones.id)
    assert validate(fixture_store.read()) == []


def test_concurrent_imports_and_undos_each_take_back_their_own(fixture_store):
    for trial in range(3):
        done: dict[str, str] = {}

        def work(who: str, zid: str, x: float) -> None:
            made = _import(fixture_store, _new_zone(zid, f"KCN {who}", x), f"{who}.geojson", who,
                           at=datetime.now(UTC))
            done[who] = (made.import_id, undo_import(fixture_store, actor=actor(who))["import_id"])

        threads = [threading.Thread(target=work, args=(w, f"kcn-{w}-{trial}", x))
                   for w, x in (("lan", 106.7), ("minh", 106.8))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert all(made == undone for made, undone in done.values()), done
        assert validate(fixture_store.read()) == []
    assert len(fixture_store.read().zones) == 4  # the fixture's, all imports undone
