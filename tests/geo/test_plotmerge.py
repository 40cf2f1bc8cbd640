"""Tests of geo.plotmerge: plots merged by (zone, code), written through the store, undone.

Every test that writes runs on both stores: the GeoPackage and PostGIS.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from shapely.geometry import Point

from geo.errors import VersionConflict
from geo.importer import read_plots
from geo.merge import (
    MergeRefused,
    UndoConflict,
    apply_merge,
    imports,
    plan_merge,
    undo_import,
    undo_last_import,
)
from geo.plotmerge import apply_plot_merge, plan_plot_merge
from geo.sitefinder import plot_occupancy
from geo.store import GeoPackageStore
from geo.validate import validate
from tests.conftest import actor, add_team
from tests.pgcluster import needs_postgres
from tests.plot_files import LOT_HA, plots_gdf, tcvn3_shapefile_zip

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
DINH_VU = (106.755, 20.835)


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=needs_postgres)])
def store(request, tmp_path, fixture_register):
    """The fixture register in a GeoPackage, or in PostGIS."""
    if request.param == "gpkg":
        s = GeoPackageStore(tmp_path / "atlas.gpkg")
        s.write(fixture_register)
        return add_team(s)
    s = request.getfixturevalue("pg_store")
    s.write(fixture_register)
    return add_team(s)


def _read(store, data: bytes, name: str = "lo_dat.zip", **kwargs):
    report = read_plots(data, name, zones=store.read().zones, **kwargs)
    assert report.outcome != "reject", report.errors
    return report


def _gj(frame: gpd.GeoDataFrame) -> bytes:
    """A GeoJSON file of the frame, as a GIS program writes it (no feature ids)."""
    return frame.to_json(drop_id=True).encode()


def _shp(tmp_path) -> bytes:
    return tcvn3_shapefile_zip(tmp_path, DINH_VU)


def _import(store, report, name="lo_dat.zip", who="planner-hp", at=AT, **kwargs):
    plan = plan_plot_merge(store.read(), report.plots, covered=report.covered, **{
        k: kwargs.pop(k) for k in ("replace_worse", "replace_zones") if k in kwargs})
    return apply_plot_merge(store, plan, filename=name, actor=actor(who), at=at, **kwargs)


def test_an_import_adds_the_plots_with_a_source_and_an_audit_entry(store, tmp_path):
    before = store.read()
    version = store.version()
    report = _read(store, _shp(tmp_path))
    result = _import(store, report, sha256="a" * 64)
    assert result.written and result.plan.added == tuple(report.plots["id"])
    back = store.read()
    assert store.version() != version  # the map's tiles follow the version
    assert len(back.plots) == 6 and set(back.plots["zone_id"]) == {"kcn-alpha"}
    assert set(back.plots["source_id"]) == {result.import_id}
    source = back.sources.set_index("source_id").loc[result.import_id]
    assert (source["document"], source["issuer"], source["tier"]) == (
        "lo_dat.zip", "planner-hp", "official")
    (record,) = imports(back)
    assert (record.table, record.file, record.who, record.added) == (
        "plots", "lo_dat.zip", "planner-hp", result.plan.added)
    detail = json.loads(back.audit["detail"].iloc[-1])
    assert detail["table"] == "plots" and detail["choices"] == {"table": "plots"}
    assert_geodataframe_equal(back.zones, before.zones)
    assert validate(back) == validate(before)
    occupancy = plot_occupancy(back.plots).loc["kcn-alpha"]
    assert occupancy["plots"] == 6
    assert occupancy["leased_ha"] == pytest.approx(2 * LOT_HA)
    assert occupancy["leasable_ha"] == pytest.approx(5 * LOT_HA)  # CN-05 is not for lease


def test_a_plot_import_is_one_checked_change_with_a_history_row_per_zone(store, tmp_path):
    from geo.auth import PermissionDenied
    from geo.edit import history

    report = _read(store, _shp(tmp_path))
    plan = plan_plot_merge(store.read(), report.plots, covered=report.covered)
    version = store.version()
    for nobody in (None, actor("viewer")):
        with pytest.raises(PermissionDenied):
            apply_plot_merge(store, plan, filename="lo_dat.zip", actor=nobody)
    assert store.version() == version and store.read().plots.empty
    made = apply_plot_merge(store, plan, filename="lo_dat.zip", actor=actor("planner-hp"))
    rows = history(store.read(), "plots")
    assert len(rows) == 1  # one row for the zone, not one per plot
    row = rows.iloc[0]
    assert (row["who"], row["record"], row["batch_id"]) == ("planner-hp", "kcn-alpha",
                                                           made.import_id)
    assert json.loads(row["detail"])["added"] == 6
    undo_last_import(store, actor=actor("planner-hp"))
    rows = history(store.read(), "plots")
    assert list(rows["action"]) == ["undo_import", "import"]  # newest first
    assert (json.loads(rows.iloc[0]["before"]), json.loads(rows.iloc[0]["after"])) == (
        "6 plots", "0 plots")


def test_undo_puts_the_register_back_exactly(store, tmp_path):
    original = store.read()
    made = _import(store, _read(store, _shp(tmp_path)))
    done = undo_last_import(store, actor=actor("planner-hp"), at=LATER)
    assert done["import_id"] == made.import_id
    assert done["plots_removed"] == list(made.plan.added) and done["plots_restored"] == []
    back = store.read()
    assert back.plots.empty
    assert_frame_equal(back.sources, original.sources)
    assert_geodataframe_equal(back.zones, original.zones)
    assert list(back.audit["action"]) == ["import", "undo_import"]


def test_a_second_file_updates_plots_by_zone_and_code_and_says_what_changed(store, tmp_path):
    first = _import(store, _read(store, _shp(tmp_path)))
    src = plots_gdf(DINH_VU).to_crs(4326).rename(columns={"code": "Ký hiệu lô",
                                                          "status": "Tình trạng"})
    src["Ký hiệu lô"] = ["cn 01", "CN.02", "CN-03", "CN-04", "CN-05", "CN-07"]  # codes rewritten
    src["Tình trạng"] = ["Đã cho thuê", "Đã cho thuê", "Đang đàm phán", "Đã đặt cọc",
                         "Không cho thuê", "Còn trống"]
    src = src[["Ký hiệu lô", "Tình trạng", "geometry"]]
    report = _read(store, _gj(src), "cap_nhat.geojson", as_of="2026-12-31")
    plan = plan_plot_merge(store.read(), report.plots, covered=report.covered)
    assert plan.ids == {}  # "cn 01" is CN-01's id already: the same code written another way
    assert plan.changed == {"kcn-alpha--cn-02": ("status",)}
    assert plan.added == ("kcn-alpha--cn-07",)
    assert set(plan.unchanged) == {f"kcn-alpha--cn-0{i}" for i in (1, 3, 4, 5)}
    assert plan.removed == ()  # CN-06 is not in the file: kept
    second = apply_plot_merge(store, plan, filename="cap_nhat.geojson", actor=actor("planner-hp"),
                              at=LATER)
    back = store.read().plots.set_index("id")
    assert back.loc["kcn-alpha--cn-02", "status"] == "leased"
    assert back.loc["kcn-alpha--cn-02", "source_id"] == second.import_id
    assert back.loc["kcn-alpha--cn-02", "as_of"] == "2026-12-31"
    assert back.loc["kcn-alpha--cn-01", "source_id"] == first.import_id  # unchanged
    assert back.loc["kcn-alpha--cn-06", "source_id"] == first.import_id
    assert len(back) == 7


def test_a_kept_value_keeps_its_own_source_in_the_notes(store, tmp_path):
    first = _import(store, _read(store, _shp(tmp_path), as_of="2026-06-30"))
    src = plots_gdf(DINH_VU).to_crs(4326).iloc[[0]].rename(columns={"code": "Mã lô"})
    src["Tình trạng"] = "Còn trống"  # the lessee left: the file has no lessee column
    report = _read(store, _gj(src[["Mã lô", "Tình trạng", "geometry"]]), "cap_nhat.geojson",
                   as_of="2026-12-31")
    second = _import(store, report, "cap_nhat.geojson", at=LATER)
    plot = store.read().plots.set_index("id").loc["kcn-alpha--cn-01"]
    assert plot["status"] == "vacant" and plot["source_id"] == second.import_id
    assert plot["lessee"] == "Công ty TNHH điện tử Hải An"  # the file says nothing of it
    assert plot["notes"] == "; ".join(f"source of {f}: {first.import_id}, as of 2026-06-30"
                                      for f in ("area_declared_ha", "lease_end", "lessee",
                                                "sector"))
    # The next file leases it again and states the lessee: that rests on the file now.
    src["Nhà đầu tư"] = "Công ty TNHH điện tử Hải An"
    src["Tình trạng"] = "Đã cho thuê"
    report = _read(store, _gj(src[["Mã lô", "Tình trạng", "Nhà đầu tư", "geometry"]]),
                   "lan_3.geojson", as_of="2027-01-31")
    _import(store, report, "lan_3.geojson", at=datetime(2027, 2, 1, tzinfo=UTC))
    plot = store.read().plots.set_index("id").loc["kcn-alpha--cn-01"]
    assert "source of lessee" not in plot["notes"]
    assert f"source of sector: {first.import_id}, as of 2026-06-30" in plot["notes"]


def test_nothing_worse_replaces_the_registers_unless_asked(store, tmp_path):
    _import(store, _read(store, _shp(tmp_path)), at=AT)
    reg = store.read()
    src = plots_gdf(DINH_VU).to_crs(4326).iloc[[0, 1, 2]].rename(
        columns={"code": "Mã lô", "lessee": "Nhà đầu tư"})
    src["Nhà đầu tư"] = [None, None, None]  # the file has the column, but empty
    src["Tình trạng"] = ["Chưa rõ", "còn trống", "còn trống"]
    src.loc[2, "geometry"] = src.geometry.iloc[2].centroid  # a point for a boundary
    report = _read(store, _gj(src[["Mã lô", "Nhà đầu tư", "Tình trạng", "geometry"]]),
                   "kem.geojson")
    plan = plan_plot_merge(reg, report.plots, covered=report.covered)
    assert plan.worse["kcn-alpha--cn-01"] == {
        "status": "the register has 'leased'; the file leaves it empty",
        "lessee": "the register has 'Công ty TNHH điện tử Hải An'; the file leaves it empty"}
    assert plan.worse["kcn-alpha--cn-03"]["geometry"] == ("the register has a boundary; the "
                                                          "file has a point")
    assert "kcn-alpha--cn-01" not in plan.changed
    assert plan.changed["kcn-alpha--cn-03"] == ("status",)
    forced = plan_plot_merge(reg, report.plots, covered=report.covered, replace_worse=True)
    assert set(forced.changed["kcn-alpha--cn-01"]) == {"status", "lessee"}
    assert "geometry" in forced.changed["kcn-alpha--cn-03"]


def test_an_older_file_never_overwrites_a_newer_plot_unless_asked(store, tmp_path):
    _import(store, _read(store, _shp(tmp_path), as_of="2026-06-30"))
    src = plots_gdf(DINH_VU).to_crs(4326).iloc[[1]].rename(columns={"code": "Mã lô"})
    src["Tình trạng"] = "đã cho thuê"
    report = _read(store, _gj(src[["Mã lô", "Tình trạng", "geometry"]]),
                   "cu.geojson", as_of="2025-12-31")
    plan = plan_plot_merge(store.read(), report.plots, covered=report.covered)
    assert plan.changed == {} and plan.unchanged == ("kcn-alpha--cn-02",)
    assert plan.worse == {"kcn-alpha--cn-02": {
        "as_of": "the register's plot is as of 2026-06-30; the file's as of 2025-12-31"}}
    assert not plan.writes
    forced = plan_plot_merge(store.read(), report.plots, covered=report.covered,
                             replace_worse=True)
    assert forced.changed == {"kcn-alpha--cn-02": ("status",)}


def test_replacing_a_zones_plots_removes_only_when_asked_and_undo_brings_them_back(
        store, tmp_path):
    _import(store, _read(store, _shp(tmp_path)))
    after_first = store.read()
    src = plots_gdf(DINH_VU).to_crs(4326).iloc[:2].rename(columns={"code": "Mã lô",
                                                                   "status": "Tình trạng"})
    report = _read(store, _gj(src[["Mã lô", "Tình trạng", "geometry"]]),
                   "hai_lo.geojson")
    assert plan_plot_merge(after_first, report.plots).removed == ()
    result = _import(store, report, "hai_lo.geojson", at=LATER, replace_zones=True)
    assert result.plan.removed == tuple(f"kcn-alpha--cn-0{i}" for i in range(3, 7))
    assert sorted(store.read().plots["id"]) == ["kcn-alpha--cn-01", "kcn-alpha--cn-02"]
    (_, second) = imports(store.read())
    assert second.removed == result.plan.removed
    done = undo_import(store, result.import_id, actor=actor("planner-hp"))
    assert sorted(done["plots_restored"]) == list(result.plan.removed)
    assert_geodataframe_equal(store.read().plots, after_first.plots)


def test_the_same_file_twice_is_imported_once(store, tmp_path):
    data = _shp(tmp_path)
    first = _import(store, _read(store, data), sha256="b" * 64)
    second = _import(store, _read(store, data), sha256="b" * 64, at=LATER)
    assert not second.written and second.duplicate_of.import_id == first.import_id
    again = _import(store, _read(store, data), sha256="b" * 64, at=LATER, again=True)
    assert not again.written and again.duplicate_of is None  # nothing would change


def test_an_import_changed_by_a_later_one_is_undone_only_after_it(store, tmp_path):
    first = _import(store, _read(store, _shp(tmp_path)))
    src = plots_gdf(DINH_VU).to_crs(4326).iloc[[1]].rename(columns={"code": "Mã lô"})
    src["Tình trạng"] = "đã cho thuê"
    report = _read(store, _gj(src[["Mã lô", "Tình trạng", "geometry"]]), "b.geojson",
                   as_of="2026-12-31")
    second = _import(store, report, "b.geojson", at=LATER)
    with pytest.raises(UndoConflict, match=f"kcn-alpha--cn-02 changed since by b.geojson .*"
                                           f"{second.import_id}"):
        undo_import(store, first.import_id, actor=actor("planner-hp"))
    undo_import(store, second.import_id, actor=actor("planner-hp"))
    undo_import(store, first.import_id, actor=actor("planner-hp"))
    assert store.read().plots.empty


def test_a_zone_import_is_not_undone_while_plots_lie_in_a_zone_it_added(store, tmp_path):
    zone = gpd.GeoDataFrame(
        {"id": ["kcn-moi"], "kind": ["KCN"], "name_vi": ["KCN Mới"], "status": ["unknown"],
         "geometry_quality": ["digitised"], "source_id": ["import"], "as_of": ["2026-11-01"]},
        geometry=[Point(106.65, 20.9).buffer(0.01)], crs="EPSG:4326")
    zones = apply_merge(store, plan_merge(store.read(), zone), filename="kcn.geojson",
                        actor=actor("lan"), at=AT)
    report = _read(store, _gj(plots_gdf((106.65, 20.9)).to_crs(4326).rename(
        columns={"code": "Mã lô"})), "lo.geojson")
    assert set(report.plots["zone_id"]) == {"kcn-moi"}
    plots = _import(store, report, "lo.geojson", who="lan", at=LATER)
    with pytest.raises(UndoConflict, match=rf"6 plot\(s\) lie in zones it added \(kcn-moi\); "
                                           rf"undo lo.geojson .*{plots.import_id}"):
        undo_import(store, zones.import_id, actor=actor("lan"))
    undo_import(store, plots.import_id, actor=actor("lan"))
    undo_import(store, zones.import_id, actor=actor("lan"))
    assert "kcn-moi" not in set(store.read().zones["id"])


def test_a_plan_made_on_an_older_version_is_refused_when_asked(store, tmp_path):
    version = store.version()
    report = _read(store, _shp(tmp_path))
    plan = plan_plot_merge(store.read(), report.plots)
    store.update(lambda reg: reg.with_audit("2026-11-22T09:00:00", "x", "edit", "moved on"))
    with pytest.raises(VersionConflict):
        apply_plot_merge(store, plan, filename="lo_dat.zip", actor=actor("p"),
                         expect_version=version)
    assert store.read().plots.empty


def test_plots_of_a_zone_removed_meanwhile_are_refused(store, tmp_path):
    report = _read(store, _shp(tmp_path))
    plan = plan_plot_merge(store.read(), report.plots)
    store.update(lambda reg: reg.with_zones(reg.zones[reg.zones["id"] != "kcn-alpha"]))
    with pytest.raises(MergeRefused, match="the register has no zone kcn-alpha"):
        apply_plot_merge(store, plan, filename="lo_dat.zip", actor=actor("p"))
    assert store.read().plots.empty


def test_zone_imports_are_listed_as_zone_imports(store):
    zone = gpd.GeoDataFrame(
        {"id": ["ccn-x"], "kind": ["CCN"], "name_vi": ["CCN X"], "status": ["unknown"],
         "geometry_quality": ["approximate"], "source_id": ["import"], "as_of": ["2026-11-01"]},
        geometry=[Point(106.6, 20.8)], crs="EPSG:4326")
    apply_merge(store, plan_merge(store.read(), zone), filename="x.csv", actor=actor("p"), at=AT)
    (record,) = imports(store.read())
    assert record.table == "zones" and record.removed == ()
