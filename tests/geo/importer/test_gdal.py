"""Tests of geo.importer.gdal: GeoPackage, GeoJSON and FlatGeobuf as GDAL reads them."""

from __future__ import annotations

import json
import sqlite3

import pyogrio

from geo import vntext
from geo.importer import read_import
from tests.geo.importer.helpers import accepted, zones_gdf


def test_a_null_byte_in_a_geopackage_name_is_recovered(tmp_path):
    path = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(zones_gdf(names=("KCN Dinh#Vu", "KCN B")), path, layer="kcn",
                            SPATIAL_INDEX="NO")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE kcn SET ten_khu = CAST(X'4B434E2044696E68005675' AS TEXT) "
                     "WHERE ten_khu = 'KCN Dinh#Vu'")
    report = accepted(read_import(path.read_bytes(), "z.gpkg"))
    assert report.names == ["KCN Dinh Vu", "KCN B"]
    assert any("KCN Dinh Vu (name)" in w for w in report.warnings)


def test_a_null_byte_in_a_geojson_name_is_recovered():
    doc = json.loads(zones_gdf(names=("KCN Dinh#Vu", "KCN B")).to_json())
    text = json.dumps(doc).replace("Dinh#Vu", "Dinh\\u0000Vu")
    report = accepted(read_import(text.encode(), "z.geojson"))
    assert report.names == ["KCN Dinh Vu", "KCN B"]
    assert any("control characters" in w for w in report.warnings)


def test_legacy_text_stored_in_a_geopackage_as_western_characters(tmp_path):
    gdf = zones_gdf(names=("KCN Đình Vũ", "KCN Nam Cầu Kiền"))
    gdf["ten_khu"] = ["".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                              for b in vntext.encode(n, "vni")) for n in gdf["ten_khu"]]
    path = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="kcn")
    report = accepted(read_import(path.read_bytes(), "z.gpkg"))
    assert report.names == ["KCN Đình Vũ", "KCN Nam Cầu Kiền"] and report.encoding == "vni"


def test_messages_name_the_users_file_never_our_copy(tmp_path):
    gdf = zones_gdf("EPSG:9210").set_crs(None, allow_override=True)
    report = read_import(gdf.to_json().encode(), "ranh giới.geojson")
    text = json.dumps(report.to_json(), ensure_ascii=False)
    assert "ranh giới" in text
    for private in ("upload", "copy0", "kcn-import-", "layer shape", "/tmp/"):
        assert private not in text
    broken = read_import(b'{"type": "FeatureCollection", "features": [', "hỏng.geojson")
    assert "hỏng.geojson" in broken.errors[0] and "copy0" not in broken.errors[0]
