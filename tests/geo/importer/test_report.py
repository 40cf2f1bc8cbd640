"""Tests of geo.importer.report: the --json object, zones with their ids after the plan."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, box

from geo.importer import read_import
from geo.importer.report import centroid, rejected
from tests.geo.importer.helpers import accepted, zones_gdf


def test_zone_summaries_with_plan_ids(tmp_path):
    report = accepted(read_import(zones_gdf(dien_tich=[50, 60]).to_json().encode(),
                                  "z.geojson"))
    zones = report.zone_list({"kcn-dinh-vu": "kcn-dinh-vu-cu"})
    assert [z["id"] for z in zones] == ["kcn-dinh-vu-cu", "kcn-trang-due"]
    first = zones[0]
    assert list(first) == ["id", "name", "kind", "status", "declared_area_ha",
                           "measured_area_ha", "geometry_type", "centroid", "layer"]
    assert (first["name"], first["kind"], first["status"], first["layer"]) == (
        "KCN Đình Vũ", "KCN", "operating", "z")
    assert first["declared_area_ha"] == 50 and first["measured_area_ha"] == pytest.approx(50, 1e-3)
    lon, lat = first["centroid"]
    assert (round(lon, 6), round(lat, 6)) == (lon, lat)
    assert abs(lon - 106.70) < 1e-4 and abs(lat - 20.85) < 1e-4
    doc = report.to_json({"kcn-dinh-vu": "kcn-dinh-vu-cu"})
    assert json.loads(json.dumps(doc)) == doc and doc["zones"] == zones


def test_centroid_is_found_on_the_ground():
    assert centroid(Point(106.7, 20.85)) == (106.7, 20.85)
    lon, lat = centroid(box(106.70, 20.84, 106.71, 20.86))
    assert lon == pytest.approx(106.705, abs=1e-6) and lat == pytest.approx(20.85, abs=1e-5)


def test_a_rejected_report_has_every_member():
    doc = rejected(["No."]).to_json()
    assert doc["outcome"] == "reject" and doc["zones"] == [] and doc["notes"] == []
