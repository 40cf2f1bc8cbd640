"""Tests of geo.importer.zones: defaults, checks as validation makes them, ids."""

from __future__ import annotations

from shapely.geometry import Point, box

from geo.i18n import local_today
from geo.importer.model import Collector, Feature, ImportLimits, Options
from geo.importer.zones import assign_ids, finish, flag_shared_geometries


def _opts(as_of: str | None = None) -> Options:
    return Options(filename="f", layer=None, crs=None, crs_label=None, encoding=None,
                   limits=ImportLimits(), source_id="import", as_of=as_of)


def _feature(name: str, geom=None, area=None, kind_hint=None, **values) -> Feature:
    f = Feature("kcn", 0, 2, name, name, where=name, values=dict(values), kind_hint=kind_hint)
    f.geom, f.area = geom or Point(106.7, 20.85), area
    return f


def test_defaults_fill_what_the_file_leaves_open():
    feats = [_feature("Đình Vũ"), _feature("Tân Liên", kind_hint="CCN"),
             _feature("KCN Nam Cầu Kiền", box(106.7, 20.8, 106.71, 20.81), 115.9,
                      status="planned", province="Hải Phòng")]
    out = Collector()
    finish(feats, _opts(), out)
    first, second, third = (f.values for f in feats)
    assert (first["kind"], second["kind"], third["kind"]) == ("KCN", "CCN", "KCN")
    assert (first["status"], third["status"]) == ("unknown", "planned")
    assert first["geometry_quality"] == "approximate" and third["geometry_quality"] == "digitised"
    assert third["area_measured_ha"] == 115.9 and first["area_measured_ha"] is None
    assert third["province_current"] == "Hải Phòng"
    assert first["as_of"] == local_today().isoformat()  # today in Vietnam (GMT+7)
    assert out.warnings == [
        "No kind (KCN, CCN or KKT) for Đình Vũ: recorded them as KCN.",
        "No status for Đình Vũ, Tân Liên: recorded the status as unknown, which the map "
        "shows as such; add it to the file or the register when a source gives it."]


def test_numbers_the_register_cannot_hold_are_left_out():
    f = _feature("KCN A", status="operating", area_total_ha=100.0, area_industrial_ha=120.0,
                 occupancy_pct=130.0)
    out = Collector()
    finish([f], _opts("2024-06-30"), out)
    assert f.values["area_industrial_ha"] is None and f.values["occupancy_pct"] is None
    assert f.values["notes"] == "occupancy_pct=130; area_industrial_ha=120"
    assert f.values["as_of"] == "2024-06-30" and len(out.warnings) == 2


def test_ids_are_unique_and_short_and_shared_geometries_are_flagged():
    feats = [_feature("KCN A"), _feature("KCN A"), _feature("KCN B")]
    out = Collector()
    finish(feats, _opts(), out)
    assign_ids(feats, out)
    assert [f.values["id"] for f in feats] == ["kcn-a", "kcn-a-2", "kcn-b"]
    flag_shared_geometries(feats, out)
    assert sum("same geometry" in w for w in out.warnings) == 2
