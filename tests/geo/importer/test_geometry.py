"""Tests of geo.importer.geometry: repairs reported with the areas before and after."""

from __future__ import annotations

import shapely
from pyproj import CRS
from shapely.geometry import GeometryCollection, LineString, MultiPoint, Point, Polygon

from geo.importer.geometry import geoms_from_wkb, polygonal, prepare_geometry
from geo.importer.model import Collector

WGS84 = CRS.from_epsg(4326)


def test_a_bow_tie_is_repaired_with_both_areas():
    out = Collector()
    bow = Polygon([(106.70, 20.85), (106.71, 20.86), (106.71, 20.85), (106.70, 20.86)])
    fixed = prepare_geometry(bow, None, "KCN Nơ", WGS84, out)
    assert fixed is not None and fixed.is_valid
    assert "repaired it" in out.warnings[0] and "before" in out.warnings[0]


def test_what_cannot_be_a_zone_is_dropped_with_its_reason():
    out = Collector()
    assert prepare_geometry(None, None, "KCN Không", WGS84, out) is None
    assert prepare_geometry(LineString([(106.7, 20.8), (106.8, 20.9)]), None, "Đường", WGS84,
                            out) is None
    assert out.dropped == ["KCN Không: it has no geometry; skipped it.",
                           "Đường: it is a LineString, not a polygon or point; skipped it."]


def test_points_and_collections():
    out = Collector()
    assert prepare_geometry(MultiPoint([(106.7, 20.8)]), None, "a", WGS84, out) == \
        Point(106.7, 20.8)
    mixed = GeometryCollection([Point(106.7, 20.8), LineString([(106.7, 20.8), (106.8, 20.9)])])
    assert prepare_geometry(mixed, None, "b", WGS84, out) == Point(106.7, 20.8)
    assert polygonal(LineString([(0, 0), (1, 1)])) is None


def test_an_unclosed_ring_is_closed_and_noted():
    ring = shapely.to_wkb(Polygon([(0, 0), (1, 0), (1, 1), (0, 0)]))
    unclosed = ring[:-16]  # drop the closing point
    unclosed = unclosed[:9 + 4] + (3).to_bytes(4, "little") + unclosed[17:]
    geoms, notes = geoms_from_wkb([unclosed, None])
    assert geoms[1] is None and 1 not in notes
    assert 0 in notes
