"""Tests of geo.importer.join: a zone from several sheets, or given twice, is one zone."""

from __future__ import annotations

from pyproj import CRS
from shapely.geometry import Point, box

from geo.importer.join import fold_repeats, join_sheets
from geo.importer.model import Collector, Feature, ImportLimits, Layer, Options

WGS84 = CRS.from_epsg(4326)


def _opts(prefer: str | None = None) -> Options:
    return Options(filename="b.xlsx", layer=None, crs=None, crs_label=None, encoding=None,
                   limits=ImportLimits(), source_id="import", as_of=None, prefer=prefer)


def _sheet(name: str, attributes_only: bool = False) -> Layer:
    return Layer(name=name, columns=[], rows=[], geoms=[], crs=None, encoding=None,
                 geometry_type=None, row_word="row", table=True, sheet=True,
                 attributes_only=attributes_only)


def _feature(layer: str, name: str, number: int, geom=None, **values) -> Feature:
    return Feature(layer, number - 2, number, name, name, where=name, values=dict(values),
                   geom_src=geom, crs=WGS84 if geom is not None else None, layers=[layer])


def test_rows_join_by_code_else_by_name_without_the_kind_word():
    a = [_feature("A", "KCN Nam Cầu Kiền", 2, Point(106.62, 20.93), area_total_ha=263.5),
         _feature("A", "KCN An Dương", 3, Point(106.57, 20.89), id="kcn-ad")]
    b = [_feature("B", "Khu công nghiệp Nam Cầu Kiền", 2, occupancy_pct=75.0),
         _feature("B", "An Dương (mở rộng)", 3, id="kcn-ad", developer="Công ty B"),
         _feature("B", "KCN Khác", 4)]
    out = Collector()
    join_sheets([(_sheet("A"), a), (_sheet("B", attributes_only=True), b)], _opts(), out)
    assert a[0].values == {"area_total_ha": 263.5, "occupancy_pct": 75.0}
    assert a[1].values["developer"] == "Công ty B" and a[0].layers == ["A", "B"]
    assert [f.refused for f in b] == ["joined", "joined", "no coordinates"]
    assert out.dropped == ["KCN Khác: sheet B gives no coordinates for it and no other sheet "
                           "has it; skipped it."]
    assert out.errors == []


def test_sheets_that_disagree_are_reported_unless_one_is_preferred():
    def pair():
        return ([_feature("A", "KCN X", 2, Point(106.6, 20.9), area_total_ha=100.0)],
                [_feature("B", "KCN X", 2, Point(106.6, 20.9), area_total_ha=110.0)])
    a, b = pair()
    out = Collector()
    join_sheets([(_sheet("A"), a), (_sheet("B"), b)], _opts(), out)
    assert "KCN X: the sheets give different area_total_ha" in out.errors[0]
    a, b = pair()
    out = Collector()
    join_sheets([(_sheet("A"), a), (_sheet("B"), b)], _opts(prefer="b"), out)
    assert out.errors == [] and a[0].values["area_total_ha"] == 110.0


def test_a_sheet_that_locates_nothing_another_has_is_no_zone_sheet():
    a = [_feature("A", "KCN X", 2, Point(106.6, 20.9))]
    notes = [_feature("Ghi chú", "Số liệu đến 30/6", 1)]
    out = Collector()
    join_sheets([(_sheet("A"), a), (_sheet("Ghi chú", attributes_only=True), notes)],
                _opts(), out)
    assert notes[0].refused == "not a zone sheet" and out.dropped == []


def test_a_zone_given_twice_is_folded_with_a_note():
    square = box(106.70, 20.84, 106.71, 20.85)
    first = _feature("kcn", "KCN A", 2, square, status="operating")
    again = _feature("kcn", "KCN A", 5, square, developer="DVIZ")
    other = _feature("kcn", "KCN A", 6, box(106.8, 20.9, 106.81, 20.91))
    for f in (first, again, other):
        f.geom = f.geom_src
    out = Collector()
    kept = fold_repeats([first, again, other], out)
    assert kept == [first, other] and again.refused == "repeat"
    assert first.values == {"status": "operating", "developer": "DVIZ"}
    assert out.notes == ["KCN A appears twice with the same name and boundary (2 and 5); "
                         "imported it once."]
