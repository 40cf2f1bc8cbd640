"""End-to-end tests of geo.importer.read_import: every fixture is built here, in tmp_path."""

from __future__ import annotations

import io
import json
import struct
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from pyproj import CRS
from shapely.geometry import Point, Polygon

from geo import vntext
from geo.crs import area_ha
from geo.importer import ImportLimits, ImportReport, LayerReport, read_import
from geo.schema import ZONE_COLUMNS
from tests.geo.importer.helpers import (
    CUSTOM_VN2000_WKT,
    ESRI_VN2000_WKT,
    HAI_PHONG,
    QUANG_NINH,
    accepted,
    legacy_text,
    rect_around,
    shapefile_zip,
    write_file,
    write_shapefile,
    zip_folder,
    zip_members,
    zones_gdf,
)

# --------------------------------------------------------------------------- formats


def test_zipped_shapefile_nested_in_folders(tmp_path):
    write_shapefile(tmp_path / "src" / "Hai Phong" / "2024" / "ranh gioi", "kcn", zones_gdf())
    report = accepted(read_import(zip_folder(tmp_path / "src"), "kcn.zip"))
    assert report.outcome == "accept"
    assert report.features == 2
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]
    assert report.total_area_ha == pytest.approx(100.0, rel=2e-3)
    assert report.crs == "EPSG:4326 (WGS 84)"
    assert report.encoding == "utf-8"
    assert [lyr.name for lyr in report.layers] == ["kcn"]


def test_zip_with_two_shapefiles_gives_two_layers_and_layer_picks_one(tmp_path):
    write_shapefile(tmp_path / "src" / "a", "kcn", zones_gdf())
    write_shapefile(tmp_path / "src" / "b", "ccn", zones_gdf(
        names=("Cụm công nghiệp Tân Liên",), centre=QUANG_NINH))
    data = zip_folder(tmp_path / "src")
    both = accepted(read_import(data, "two.zip"))
    assert sorted(lyr.name for lyr in both.layers) == ["ccn", "kcn"]
    assert all(lyr.imported for lyr in both.layers)
    assert both.features == 3
    assert sorted(both.zones["kind"]) == ["CCN", "KCN", "KCN"]
    one = accepted(read_import(data, "two.zip", layer="ccn"))
    assert one.names == ["Cụm công nghiệp Tân Liên"]
    assert one.total_area_ha == pytest.approx(50.0, rel=2e-3)
    skipped = next(lyr for lyr in one.layers if lyr.name == "kcn")
    assert not skipped.imported and "not selected" in skipped.reason


def test_unknown_layer_is_refused_with_the_layers_listed(tmp_path):
    gpkg = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(zones_gdf(), gpkg, layer="kcn")
    report = read_import(gpkg.read_bytes(), "z.gpkg", layer="khu")
    assert report.outcome == "reject"
    assert "no layer 'khu'" in report.errors[0] and "kcn" in report.errors[0]


def test_geopackage_with_kcn_and_ccn_layers(tmp_path):
    gpkg = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(zones_gdf(), gpkg, layer="kcn")
    pyogrio.write_dataframe(zones_gdf(names=("Tân Liên",), centre=QUANG_NINH), gpkg, layer="ccn",
                            append=False)
    pyogrio.write_dataframe(pd.DataFrame({"a": [1]}), gpkg, layer="metadata")
    report = accepted(read_import(gpkg.read_bytes(), "z.gpkg"))
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ", "Tân Liên"]
    assert dict(zip(report.zones["name_vi"], report.zones["kind"], strict=True)) == {
        "KCN Đình Vũ": "KCN", "KCN Tràng Duệ": "KCN", "Tân Liên": "CCN"}
    assert "ccn-tan-lien" in set(report.zones["id"])
    meta = next(lyr for lyr in report.layers if lyr.name == "metadata")
    assert not meta.imported and "without geometry" in meta.reason
    only = accepted(read_import(gpkg.read_bytes(), "z.gpkg", layer="ccn"))
    assert only.names == ["Tân Liên"] and only.features == 1


def _geojson(tmp_path, gdf):
    return write_file(tmp_path, gdf, ".geojson")


def _kml(tmp_path, gdf):
    return write_file(tmp_path, gdf.rename(columns={"ten_khu": "Name"}), ".kml", driver="LIBKML")


def _kmz(tmp_path, gdf):
    return write_file(tmp_path, gdf.rename(columns={"ten_khu": "Name"}), ".kmz", driver="LIBKML")


def _fgb(tmp_path, gdf):
    return write_file(tmp_path, gdf, ".fgb", SPATIAL_INDEX="NO")


def _parquet(tmp_path, gdf):
    gdf.to_parquet(tmp_path / "zones.parquet")
    return (tmp_path / "zones.parquet").read_bytes()


@pytest.mark.parametrize(("writer", "filename", "crs"), [
    (_geojson, "zones.geojson", "EPSG:4326 (WGS 84)"),
    (_kml, "zones.kml", "EPSG:4326 (WGS 84)"),
    (_kmz, "zones.kmz", "EPSG:4326 (WGS 84)"),
    (_fgb, "zones.fgb", "EPSG:9210 (VN-2000 / TM-3 105-45)"),
    (_parquet, "zones.parquet", "EPSG:9210 (VN-2000 / TM-3 105-45)"),
])
def test_single_file_formats(tmp_path, writer, filename, crs):
    source_crs = "EPSG:4326" if "4326" in crs else "EPSG:9210"
    gdf = zones_gdf(source_crs, dien_tich=[50.0, 50.0])
    report = accepted(read_import(writer(tmp_path, gdf), filename))
    assert report.outcome == "accept", report.warnings
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]
    assert report.features == 2
    assert report.total_area_ha == pytest.approx(100.0, rel=2e-3)
    assert report.crs == crs
    assert report.encoding is None
    assert report.zones["area_total_ha"].tolist() == [50.0, 50.0]


def test_csv_with_lat_lon_and_vietnamese_numbers(tmp_path):
    text = ("Tên khu;Vĩ độ;Kinh độ;Diện tích (ha);Tỷ lệ lấp đầy;Trạng thái;Năm thành lập\n"
            "KCN Đình Vũ;20,8500;106,7000;1.079,92;63%;đang hoạt động;1997\n"
            "Cụm công nghiệp Tân Liên;20.86;106.71;52,5;;Quy hoạch;\n")
    report = accepted(read_import(text.encode("utf-8-sig"), "kcn.csv"))
    assert report.outcome == "accept", report.warnings
    assert report.names == ["KCN Đình Vũ", "Cụm công nghiệp Tân Liên"]
    assert report.encoding == "utf-8"
    assert report.crs == "EPSG:4326 (WGS 84)"
    assert report.total_area_ha == pytest.approx(1079.92 + 52.5)
    z = report.zones.set_index("name_vi")
    assert z.loc["KCN Đình Vũ", "area_total_ha"] == pytest.approx(1079.92)
    assert z.loc["KCN Đình Vũ", "occupancy_pct"] == 63.0
    assert z.loc["KCN Đình Vũ", "status"] == "operating"
    assert z.loc["KCN Đình Vũ", "year_established"] == 1997.0
    assert z.loc["Cụm công nghiệp Tân Liên", "kind"] == "CCN"
    assert z.loc["Cụm công nghiệp Tân Liên", "status"] == "planned"
    assert z.loc["KCN Đình Vũ", "geometry_quality"] == "approximate"
    assert z.loc["KCN Đình Vũ", "geometry"].equals(Point(106.7, 20.85))


def test_csv_with_wkt(tmp_path):
    poly = zones_gdf().geometry.iloc[0].wkt
    text = f'name,kind,wkt\n"KCN Đình Vũ",KCN,"{poly}"\n'
    report = accepted(read_import(text.encode(), "kcn.csv"))
    assert report.names == ["KCN Đình Vũ"]
    assert report.total_area_ha == pytest.approx(50.0, rel=2e-3)
    assert report.zones["geometry_quality"].tolist() == ["digitised"]


def test_csv_in_tcvn3_is_detected(tmp_path):
    text = "ten_khu,lat,lon,tinh\nKCN Đình Vũ,20.85,106.7,Hải Phòng\n"
    report = accepted(read_import(vntext.encode(text, "tcvn3"), "kcn.csv"))
    assert report.encoding == "tcvn3"
    assert report.names == ["KCN Đình Vũ"]
    assert report.zones["province"].tolist() == ["Hải Phòng"]


def test_excel_with_vietnamese_headers_under_a_title(tmp_path):
    rows = [["DANH SÁCH CÁC KHU CÔNG NGHIỆP", None, None, None, None],
            ["Tên khu", "Vĩ độ", "Kinh độ", "Diện tích (ha)", "Chủ đầu tư"],
            ["KCN Đình Vũ", 20.85, 106.70, 1079.92, "Công ty CP Đầu tư & Phát triển <Đình Vũ>"],
            ["KCN Tràng Duệ", 20.86, 106.71, "687,4", None]]
    path = tmp_path / "kcn.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="KCN", header=False, index=False)
        pd.DataFrame([["ghi chú"]]).to_excel(writer, sheet_name="Ghi chú", header=False,
                                             index=False)
    report = accepted(read_import(path.read_bytes(), "kcn.xlsx"))
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]
    assert report.total_area_ha == pytest.approx(1079.92 + 687.4)
    assert report.zones.set_index("name_vi").loc["KCN Đình Vũ", "developer"] == \
        "Công ty CP Đầu tư & Phát triển <Đình Vũ>"
    notes = next(lyr for lyr in report.layers if lyr.name == "Ghi chú")
    assert not notes.imported
    assert report.encoding is None


@pytest.mark.parametrize("unicode_header", [False, True])
def test_excel_with_tcvn3_text_stored_as_latin1(tmp_path, unicode_header):
    header = ["Tên khu", "Tỉnh"] if unicode_header else [legacy_text("Tên khu", "tcvn3"), "tinh"]
    rows = [[*header, "lat", "lon"],
            [legacy_text("KCN Đình Vũ", "tcvn3"), legacy_text("Hải Phòng", "tcvn3"), 20.85, 106.70],
            [legacy_text("Cụm công nghiệp Tân Liên", "tcvn3"), "", 20.86, 106.71]]
    path = tmp_path / "kcn.xlsx"
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    report = accepted(read_import(path.read_bytes(), "kcn.xlsx"))
    assert report.names == ["KCN Đình Vũ", "Cụm công nghiệp Tân Liên"]
    assert report.zones.set_index("name_vi").loc["KCN Đình Vũ", "province"] == "Hải Phòng"
    assert report.encoding == "tcvn3"
    assert any("tcvn3 stored as Latin-1" in w for w in report.warnings)


def test_unicode_text_with_latin1_letters_is_left_alone(tmp_path):
    rows = [["Tên khu", "Vĩ độ", "Kinh độ", "Ghi chú"], ["KCN Cà Mau", 9.1, 105.1, "Ý Yên, 5 m²"]]
    path = tmp_path / "kcn.xlsx"
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    report = accepted(read_import(path.read_bytes(), "kcn.xlsx"))
    assert report.names == ["KCN Cà Mau"] and report.encoding is None
    assert report.zones["notes"].tolist() == ["Ý Yên, 5 m²"]


# --------------------------------------------------------------------------- legacy text, VN-2000


@pytest.mark.parametrize(("encoding", "crs", "centre", "label"), [
    ("tcvn3", "EPSG:9210", HAI_PHONG, "EPSG:9210 (VN-2000 / TM-3 105-45)"),
    ("vni", "EPSG:5899", QUANG_NINH, "EPSG:5899 (VN-2000 / TM-3 107-45)"),
])
def test_legacy_shapefile_without_cpg_in_tm3(tmp_path, encoding, crs, centre, label):
    names = ("KCN Đình Vũ", "Cụm công nghiệp Tân Liên", "KCN Nam Cầu Kiền")
    gdf = zones_gdf(crs, names=names, centre=centre)
    gdf = gdf.rename(columns={"ten_khu": "Tên khu"})
    gdf["Tỉnh"] = ["Hải Phòng", "Quảng Ninh", "Hải Phòng"]
    gdf["Diện tích"] = [50.0, 50.0, 50.0]
    data = shapefile_zip(tmp_path, gdf, encoding=encoding)
    report = accepted(read_import(data, "kcn.zip"))
    assert report.outcome == "accept", report.warnings
    assert report.names == list(names)
    assert report.encoding == encoding
    assert report.crs == label
    assert report.total_area_ha == pytest.approx(150.0, rel=2e-3)
    z = report.zones.set_index("name_vi")
    assert z.loc["Cụm công nghiệp Tân Liên", "province"] == "Quảng Ninh"
    assert z.loc["Cụm công nghiệp Tân Liên", "kind"] == "CCN"
    assert z.loc["KCN Đình Vũ", "area_total_ha"] == 50.0


def test_encoding_option_forces_the_decoding(tmp_path):
    gdf = zones_gdf("EPSG:9210", names=("KCN Đình Vũ",))
    data = shapefile_zip(tmp_path, gdf, encoding="vni")
    forced = accepted(read_import(data, "kcn.zip", encoding="VNI-Windows"))
    assert forced.names == ["KCN Đình Vũ"] and forced.encoding == "vni"
    wrong = read_import(data, "kcn.zip", encoding="tcvn3")
    assert wrong.names != ["KCN Đình Vũ"]
    bad = read_import(data, "kcn.zip", encoding="latin-9")
    assert bad.outcome == "reject" and "utf-8, cp1258, tcvn3, vni" in bad.errors[0]


def test_cpg_naming_utf8_or_1258_is_trusted(tmp_path):
    data = shapefile_zip(tmp_path, zones_gdf("EPSG:9210"))
    report = accepted(read_import(data, "kcn.zip"))
    assert report.encoding == "utf-8" and report.names[0] == "KCN Đình Vũ"
    write_shapefile(tmp_path / "cp", "kcn", zones_gdf("EPSG:9210"), encoding="cp1258")
    (tmp_path / "cp" / "kcn.cpg").write_text("ANSI 1258")
    report = accepted(read_import(zip_folder(tmp_path / "cp"), "kcn.zip"))
    assert report.encoding == "cp1258"
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]


@pytest.mark.parametrize(("prj", "centre", "label"), [
    (CUSTOM_VN2000_WKT, HAI_PHONG, "EPSG:9210 (VN-2000 / TM-3 105-45)"),
    (ESRI_VN2000_WKT, QUANG_NINH, "EPSG:5899 (VN-2000 / TM-3 107-45)"),
])
def test_custom_named_vn2000_prj_is_recognised(tmp_path, prj, centre, label):
    code = label.split(" ")[0]
    gdf = zones_gdf(code, names=("KCN Đình Vũ",), centre=centre)
    report = accepted(read_import(shapefile_zip(tmp_path, gdf, prj=prj), "kcn.zip"))
    assert report.crs == label
    assert report.total_area_ha == pytest.approx(50.0, rel=1e-3)
    # The 7-parameter shift was applied: the zone lands where it was drawn.
    expected = zones_gdf("EPSG:4326", names=("KCN Đình Vũ",), centre=centre).geometry.iloc[0]
    assert report.zones.geometry.iloc[0].centroid.distance(expected.centroid) < 1e-6


def test_custom_vn2000_projection_without_an_epsg_code_keeps_the_shift(tmp_path):
    wkt = CUSTOM_VN2000_WKT.replace("105.75", "104.25")  # no EPSG zone has this meridian
    expected = zones_gdf(names=("KCN Đình Vũ",))
    data = shapefile_zip(tmp_path, expected.to_crs(CRS(wkt)), prj=wkt)
    report = accepted(read_import(data, "kcn.zip"))
    assert report.crs == "VN2000 Hai Phong KT 105-45 (VN-2000)"
    assert report.total_area_ha == pytest.approx(50.0, rel=1e-3)
    assert report.zones.geometry.iloc[0].centroid.distance(
        expected.geometry.iloc[0].centroid) < 1e-6


def test_vn2000_geographic_is_recognised(tmp_path):
    report = accepted(read_import(shapefile_zip(tmp_path, zones_gdf("EPSG:4756")), "kcn.zip"))
    assert report.crs == "EPSG:4756 (VN-2000)"
    assert report.total_area_ha == pytest.approx(100.0, rel=1e-3)


def test_wgs84_datum_with_a_tm3_projection_is_flagged(tmp_path):
    wkt = (CUSTOM_VN2000_WKT.split("TOWGS84")[0].rstrip(",") + "]"
           + CUSTOM_VN2000_WKT.split("0.252906278]]")[1]).replace("Datum_custom", "WGS_1984")
    assert CRS(wkt).datum.name == "World Geodetic System 1984"
    data = shapefile_zip(tmp_path, zones_gdf("EPSG:9210"), prj=wkt)
    report = accepted(read_import(data, "k.zip"))
    assert any('crs="EPSG:9210"' in w and "not the VN-2000 datum" in w for w in report.warnings)


def test_rectangle_drawn_in_tm3_measures_50_ha(tmp_path):
    rect = rect_around("EPSG:9210", HAI_PHONG, 1000, 500)
    gdf = gpd.GeoDataFrame({"ten": ["KCN Thử"]}, geometry=[rect], crs="EPSG:9210")
    report = accepted(read_import(shapefile_zip(tmp_path, gdf), "kcn.zip"))
    assert report.total_area_ha == pytest.approx(50.0, rel=1e-3)
    assert area_ha(report.zones.geometry).iloc[0] == pytest.approx(50.0, rel=1e-3)


def test_shapefile_without_prj_is_refused_with_a_hint_then_accepted_with_crs(tmp_path):
    data = shapefile_zip(tmp_path, zones_gdf("EPSG:9210"), prj=False)
    report = read_import(data, "kcn.zip")
    assert report.outcome == "reject"
    text = " ".join(report.errors)
    assert "metres" in text and "EPSG:3405" in text and "EPSG:9210" in text
    assert report.zones.empty
    fixed = accepted(read_import(data, "kcn.zip", crs="EPSG:9210"))
    assert fixed.outcome == "accept", fixed.warnings
    assert fixed.crs == "EPSG:9210 (VN-2000 / TM-3 105-45)"
    assert fixed.total_area_ha == pytest.approx(100.0, rel=1e-3)


def test_crs_option_overrides_a_declared_crs_with_a_warning(tmp_path):
    gdf = zones_gdf("EPSG:9210").set_crs("EPSG:32648", allow_override=True)  # a wrong .prj
    report = accepted(read_import(shapefile_zip(tmp_path, gdf), "kcn.zip", crs="9210"))
    assert report.crs.startswith("EPSG:9210")
    assert any("declares EPSG:32648" in w and "EPSG:9210" in w for w in report.warnings)
    assert report.total_area_ha == pytest.approx(100.0, rel=1e-3)


def test_proj_string_crs_is_refused():
    report = read_import(b"name,lat,lon\nA,20.8,106.7\n", "a.csv", crs="+proj=utm +zone=48")
    assert report.outcome == "reject" and "PROJ string" in report.errors[0]


def test_swapped_coordinates_are_refused():
    text = "name,lat,lon\nKCN Đình Vũ,106.7,20.85\nKCN Tràng Duệ,106.71,20.86\n"
    report = read_import(text.encode(), "kcn.csv")
    assert report.outcome == "reject"
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]
    assert any("swapped" in e and "KCN Đình Vũ" in e for e in report.errors)


def test_feature_outside_vietnam_is_dropped_with_its_reason():
    text = "name,lat,lon\nKCN Đình Vũ,20.85,106.7\nBangkok,13.75,100.5\n"
    report = accepted(read_import(text.encode(), "kcn.csv"))
    assert report.zones["name_vi"].tolist() == ["KCN Đình Vũ"]
    assert report.features == 2
    assert any(w.startswith("Bangkok (row 3): lies outside Vietnam") for w in report.warnings)


# --------------------------------------------------------------------------- geometry


def test_bow_tie_polygon_is_repaired_with_areas_reported(tmp_path):
    c = gpd.GeoSeries([Point(HAI_PHONG)], crs="EPSG:4326").to_crs("EPSG:9210").iloc[0]
    x, y = c.x, c.y
    bow = Polygon([(x, y), (x + 1000, y + 1000), (x + 1000, y), (x, y + 1000)])
    gdf = gpd.GeoDataFrame({"ten": ["KCN Nơ"]}, geometry=[bow], crs="EPSG:9210")
    report = accepted(read_import(shapefile_zip(tmp_path, gdf), "kcn.zip"))
    assert report.outcome == "accept_with_warnings"
    warning = next(w for w in report.warnings if w.startswith("KCN Nơ"))
    assert "repaired" in warning and "before" in warning and "50.0 ha after" in warning
    assert report.total_area_ha == pytest.approx(50.0, rel=1e-3)
    assert report.zones.geometry.iloc[0].is_valid


def test_unclosed_ring_is_closed_and_a_degenerate_one_dropped(tmp_path):
    ring = [[106.70, 20.85], [106.71, 20.85], [106.71, 20.86], [106.70, 20.86]]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "KCN Hở"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"name": "KCN Gãy"},
         "geometry": {"type": "Polygon", "coordinates": [ring[:2]]}},
    ]}
    report = accepted(read_import(json.dumps(fc).encode(), "kcn.geojson"))
    assert report.zones["name_vi"].tolist() == ["KCN Hở"]
    assert any(n.startswith("KCN Hở") and "not closed" in n for n in report.notes)
    assert any(w.startswith("KCN Gãy") and "skipped" in w for w in report.warnings)
    assert report.total_area_ha == pytest.approx(
        area_ha(gpd.GeoSeries([Polygon(ring)], crs="EPSG:4326")).iloc[0])


def test_identical_geometries_and_duplicate_ids_are_flagged():
    text = ("name,ma,lat,lon\nKCN Đình Vũ,kcn-dinh-vu,20.85,106.7\n"
            "KCN Đình Vũ Mới,kcn-dinh-vu,20.85,106.7\nKCN Tràng Duệ,7,20.9,106.6\n")
    report = accepted(read_import(text.encode(), "kcn.csv"))
    assert sorted(report.zones["id"]) == ["kcn-dinh-vu", "kcn-dinh-vu-2", "kcn-trang-due"]
    assert any("same id 'kcn-dinh-vu'" in w for w in report.warnings)
    assert any("same geometry" in w for w in report.warnings)
    trang = report.zones.set_index("name_vi").loc["KCN Tràng Duệ"]
    assert trang["notes"] == "ma=7"


def test_declared_and_measured_areas_that_differ_are_flagged(tmp_path):
    gdf = zones_gdf("EPSG:9210", names=("KCN X", "KCN Y"), dien_tich=[300.0, 51.0])
    report = accepted(read_import(shapefile_zip(tmp_path, gdf), "kcn.zip"))
    assert "KCN X: declares 300 ha, measures 50.0 ha." in report.warnings
    assert not any(w.startswith("KCN Y") for w in report.warnings)


def test_points_register_totals_declared_areas():
    text = "name,lat,lon,area_ha\nKCN A,20.85,106.7,120\nKCN B,20.9,106.6,\n"
    report = accepted(read_import(text.encode(), "kcn.csv"))
    assert report.total_area_ha == 120.0
    none = accepted(read_import(b"name,lat,lon\nKCN A,20.85,106.7\n", "kcn.csv"))
    assert none.total_area_ha is None


# --------------------------------------------------------------------------- fields


def test_unknown_columns_are_kept_in_notes(tmp_path):
    gdf = zones_gdf("EPSG:9210", names=("KCN Đình Vũ",), ghi_chu=["cảng biển"],
                 so_ld=[12000], phone=["0225 3769"])
    report = accepted(read_import(shapefile_zip(tmp_path, gdf), "kcn.zip"))
    assert report.unknown_columns == ["so_ld", "phone"]
    assert report.zones["notes"].iloc[0] == "cảng biển; so_ld=12000; phone=0225 3769"
    # Kept columns need nothing from the user: a note, not a warning.
    assert any("so_ld, phone" in n for n in report.notes)
    assert report.outcome == "accept", report.warnings


def test_truncated_dbf_headers_and_values_are_mapped(tmp_path):
    gdf = zones_gdf("EPSG:9210", names=("KCN Đình Vũ",), loai_khu=["khu công nghiệp"],
                 ty_le_lap_=["63%"], trang_thai=["Đang xây dựng"], chu_dau_tu=["DVIZ"],
                 nam_thanh_=["12/05/1997"], dt_dat_cn=["1.079,92"])
    report = accepted(read_import(shapefile_zip(tmp_path, gdf), "kcn.zip",
                             source_id="hp-2024", as_of="2024-06-30"))
    assert report.outcome == "accept", report.warnings
    z = report.zones.iloc[0]
    assert z["kind"] == "KCN" and z["occupancy_pct"] == 63.0
    assert z["status"] == "under_construction" and z["developer"] == "DVIZ"
    assert z["year_established"] == 1997.0 and z["area_industrial_ha"] == 1079.92
    assert (z["source_id"], z["as_of"], z["id"]) == ("hp-2024", "2024-06-30", "kcn-dinh-vu")


def test_unknown_kind_defaults_to_kcn_with_a_warning():
    report = accepted(read_import(b"name,lat,lon\nDinh Vu,20.85,106.7\n", "z.csv"))
    assert report.zones["kind"].tolist() == ["KCN"]
    assert report.zones["id"].tolist() == ["kcn-dinh-vu"]
    assert any("Dinh Vu" in w and "KCN" in w for w in report.warnings)


def test_zones_have_the_store_columns():
    report = accepted(read_import("tên,lat,lon,tỉnh\nKCN A,20.85,106.7,Hải Phòng\n".encode(),
                             "z.csv", as_of="2025-01-01"))
    z = report.zones
    assert list(z.columns) == [*ZONE_COLUMNS, "geometry"]
    assert z.crs == CRS("EPSG:4326")
    row = z.iloc[0]
    assert (row["province"], row["province_current"]) == ("Hải Phòng", "Hải Phòng")
    assert (row["source_id"], row["as_of"]) == ("import", "2025-01-01")


def test_html_in_names_stays_literal(tmp_path):
    names = ("<script>alert('x')</script>", "KCN &amp; <b>Đình Vũ</b>")
    report = accepted(read_import(_geojson(tmp_path, zones_gdf(names=names)), "x.geojson"))
    assert report.names == list(names)
    assert sorted(report.zones["name_vi"]) == sorted(names)


# --------------------------------------------------------------------------- refusals


def test_zip_holding_one_geojson_is_read(tmp_path):
    data = zip_members({"exports/kcn.geojson": _geojson(tmp_path, zones_gdf())})
    report = accepted(read_import(data, "kcn.zip"))
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]
    assert report.layers[0].name == "kcn"


def test_geojson_in_metres_is_refused_with_a_hint(tmp_path):
    gdf = zones_gdf("EPSG:9210").set_crs(None, allow_override=True)
    report = read_import(gdf.to_json().encode(), "m.geojson")
    assert report.outcome == "reject"
    assert "degrees" in report.errors[0] and "metres" in report.errors[0]


def test_one_broken_shapefile_does_not_sink_the_others(tmp_path):
    write_shapefile(tmp_path / "src", "kcn", zones_gdf())
    (tmp_path / "src" / "hong.shp").write_bytes(b"not a shapefile")
    (tmp_path / "src" / "hong.shx").write_bytes(b"nope")
    (tmp_path / "src" / "hong.dbf").write_bytes(b"nope")
    report = accepted(read_import(zip_folder(tmp_path / "src"), "kcn.zip"))
    assert report.names == ["KCN Đình Vũ", "KCN Tràng Duệ"]
    broken = next(lyr for lyr in report.layers if lyr.name == "hong")
    assert not broken.imported and "Could not read the shapefile hong.shp" in broken.reason


def test_empty_feature_collection_is_refused():
    report = read_import(b'{"type": "FeatureCollection", "features": []}', "e.geojson")
    assert report.outcome == "reject" and "empty" in report.errors[0]


def test_occupancy_written_as_fractions_is_read_as_percent():
    text = "name,lat,lon,occupancy\nKCN A,20.85,106.7,0.63\nKCN B,20.9,106.6,0.5\n"
    report = accepted(read_import(text.encode(), "k.csv"))
    assert sorted(report.zones["occupancy_pct"]) == [50.0, 63.0]
    assert any("fractions" in w and "KCN A" in w for w in report.warnings)


def test_degrees_minutes_seconds_are_read():
    text = "name;lat;lon\nKCN A;20°51'00\"N;106°42'00\"E\n"
    report = accepted(read_import(text.encode(), "k.csv"))
    assert report.zones.geometry.iloc[0].equals(Point(106.7, 20.85))


def _samples(tmp_path: Path) -> dict[str, bytes]:
    gdf = zones_gdf("EPSG:9210", dien_tich=[50.0, 51.0])
    gpkg = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(gdf, gpkg, layer="kcn")
    xlsx = tmp_path / "z.xlsx"
    pd.DataFrame([["ten", "lat", "lon"], ["KCN A", 20.8, 106.7]]).to_excel(
        xlsx, header=False, index=False)
    return {
        "a.zip": shapefile_zip(tmp_path / "a", gdf, encoding="tcvn3"),
        "z.gpkg": gpkg.read_bytes(),
        "z.geojson": _geojson(tmp_path, zones_gdf()),
        "z.kmz": _kmz(tmp_path, zones_gdf()),
        "z.fgb": _fgb(tmp_path, gdf),
        "z.parquet": _parquet(tmp_path, gdf),
        "z.xlsx": xlsx.read_bytes(),
        "z.csv": "Tên khu;Vĩ độ;Kinh độ\nKCN Đình Vũ;20,85;106,7\n".encode(),
    }


def test_damaged_files_never_raise(tmp_path):
    import random

    rng = random.Random(7)
    for name, data in _samples(tmp_path).items():
        assert read_import(data, name).outcome != "reject", name
        for cut in (0.1, 0.5, 0.9):
            report = read_import(data[: int(len(data) * cut)], name)
            assert isinstance(report, ImportReport)
        for _ in range(4):
            damaged = bytearray(data)
            for _ in range(8):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            report = read_import(bytes(damaged), name)
            json.dumps(report.to_json())
            if report.outcome == "reject":
                assert report.errors and report.zones.empty


def test_zip_with_paths_leaving_its_folder_is_refused(tmp_path, monkeypatch):
    sandbox = tmp_path / "sys-tmp"
    sandbox.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandbox))
    shp = shapefile_zip(tmp_path, zones_gdf())
    members = {n: zipfile.ZipFile(io.BytesIO(shp)).read(n)
               for n in zipfile.ZipFile(io.BytesIO(shp)).namelist()}
    members["../../evil.txt"] = b"owned"
    members["a/../../evil.shp"] = b"owned"
    report = read_import(zip_members(members), "kcn.zip")
    assert report.outcome == "reject"
    assert "leaves its folder" in report.errors[0]
    assert not list(tmp_path.rglob("evil*"))
    assert not list(sandbox.iterdir())  # the private temp dir is gone too


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Set every member's uncompressed size, in local and central headers, to ``size``."""
    buf = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = buf.find(sig)
        while at >= 0:
            struct.pack_into("<I", buf, at + offset, size)
            at = buf.find(sig, at + 4)
    return bytes(buf)


def test_zip_declaring_more_than_1_gb_is_refused_before_unpacking():
    data = _lie_about_size(zip_members({"kcn.shp": b"\0" * 100}), 1_100_000_000)
    start = time.perf_counter()
    report = read_import(data, "bomb.zip")
    assert time.perf_counter() - start < 1.0
    assert report.outcome == "reject"
    assert "unpack to 1,049.0 MB" in report.errors[0] and "not unpacked" in report.errors[0]


def test_zip_with_a_huge_ratio_is_refused():
    data = zip_members({"kcn.shp": b"\0" * (4 * 1024**2)})
    report = read_import(data, "bomb.zip")
    assert report.outcome == "reject" and "times its size" in report.errors[0]


def test_zip_whose_header_understates_a_member_is_refused():
    real = zip_members({"kcn.shp": b"\0" * (3 * 1024**2), "kcn.dbf": b"x"})
    report = read_import(_lie_about_size(real, 1000), "liar.zip")
    assert report.outcome == "reject"
    assert "kcn.shp" in report.errors[0]


def test_zip_with_too_many_members_is_refused():
    data = zip_members({f"f{i}.txt": b"x" for i in range(30)})
    report = read_import(data, "many.zip", limits=ImportLimits(max_members=20))
    assert report.outcome == "reject" and "30 members" in report.errors[0]


def test_file_over_the_size_limit_is_refused():
    report = read_import(b"x" * 2000, "big.csv", limits=ImportLimits(max_file_bytes=1000))
    assert report.outcome == "reject" and "more than" in report.errors[0]


def test_too_many_features_are_refused(tmp_path):
    report = read_import(_geojson(tmp_path, zones_gdf()), "z.geojson",
                         limits=ImportLimits(max_features=1))
    assert report.outcome == "reject" and "2 features" in report.errors[0]


@pytest.mark.parametrize(("data", "filename", "phrase"), [
    (b"", "kcn.zip", "is empty"),
    (b"hello, this is not json\n", "kcn.geojson", "not a GEOJSON file"),
    (b"SQLite format 3\x00" + b"\x01" * 200, "kcn.gpkg", "Could not read"),
    (b"\x00\x01\x02garbage", "kcn.bin", "cannot read"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "kcn.xls", "save it as .xlsx"),
    (b'{"type": "FeatureCollection", "features": [', "kcn.geojson", "Could not read"),
    (b"a,b\n1,2\n", "kcn.csv", "no coordinates"),
])
def test_bad_files_are_refused_with_a_sentence(data, filename, phrase):
    report = read_import(data, filename)
    assert report.outcome == "reject"
    assert report.zones.empty
    assert any(phrase in e for e in report.errors), report.errors
    assert all(e.endswith(".") for e in report.errors)


def test_shapefile_without_dbf_is_refused(tmp_path):
    write_shapefile(tmp_path / "src", "kcn", zones_gdf())
    (tmp_path / "src" / "kcn.dbf").unlink()
    report = read_import(zip_folder(tmp_path / "src"), "kcn.zip")
    assert report.outcome == "reject" and "without its .dbf" in report.errors[0]


def test_layer_without_a_name_column_is_listed_not_imported(tmp_path):
    gpkg = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(zones_gdf(), gpkg, layer="kcn")
    pyogrio.write_dataframe(zones_gdf().rename(columns={"ten_khu": "so_hieu"}), gpkg,
                            layer="ranh_gioi")
    report = accepted(read_import(gpkg.read_bytes(), "z.gpkg"))
    other = next(lyr for lyr in report.layers if lyr.name == "ranh_gioi")
    assert not other.imported and "no name column" in other.reason and "so_hieu" in other.reason


# --------------------------------------------------------------------------- report


def test_to_json_has_exactly_the_cli_keys(tmp_path):
    report = read_import(_geojson(tmp_path, zones_gdf()), "z.geojson")
    out = report.to_json()
    assert list(out) == ["outcome", "features", "names", "total_area_ha", "crs", "encoding",
                         "layers", "warnings", "errors", "notes", "mapping", "zones"]
    assert list(out["layers"][0]) == ["name", "features", "geometry_type", "crs", "encoding",
                                      "imported", "reason"]
    assert json.loads(json.dumps(out)) == out
    assert isinstance(report.layers[0], LayerReport)


# --------------------------------------------------------------------------- the same zone twice


def test_a_row_given_twice_is_one_zone_with_a_note():
    text = ("Tên khu,Vĩ độ,Kinh độ,Trạng thái,Chủ đầu tư\n"
            "KCN Đình Vũ,20.85,106.7,đang hoạt động,\n"
            "KCN Tràng Duệ,20.86,106.71,quy hoạch,\n"
            "KCN Đình Vũ,20.85,106.7,đang hoạt động,DVIZ\n")
    report = accepted(read_import(text.encode(), "k.csv"))
    assert report.outcome == "accept", report.warnings
    assert report.features == 2 and sorted(report.zones["id"]) == ["kcn-dinh-vu",
                                                                    "kcn-trang-due"]
    assert report.zones.set_index("id").loc["kcn-dinh-vu", "developer"] == "DVIZ"
    assert any("appears twice" in n and "(2 and 4)" in n for n in report.notes)


def test_a_boundary_given_twice_across_layers_is_one_zone(tmp_path):
    gpkg = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(zones_gdf(), gpkg, layer="kcn_2023")
    pyogrio.write_dataframe(zones_gdf(names=("KCN Đình Vũ",), dien_tich=[50.0]), gpkg,
                            layer="kcn_2024")
    report = accepted(read_import(gpkg.read_bytes(), "z.gpkg"))
    assert sorted(report.zones["id"]) == ["kcn-dinh-vu", "kcn-trang-due"]
    assert report.zones.set_index("id").loc["kcn-dinh-vu", "area_total_ha"] == 50.0
    assert report.total_area_ha == pytest.approx(100.0, rel=2e-3)
    assert any("appears twice" in n for n in report.notes)


def test_the_same_name_in_two_places_stays_two_zones_with_a_warning():
    text = "name,lat,lon\nKCN Đình Vũ,20.85,106.7\nKCN Đình Vũ,20.95,106.6\n"
    report = accepted(read_import(text.encode(), "k.csv"))
    assert sorted(report.zones["id"]) == ["kcn-dinh-vu", "kcn-dinh-vu-2"]
    assert any("same id 'kcn-dinh-vu'" in w for w in report.warnings)


def test_a_repeat_with_different_values_keeps_the_first_and_says_so():
    text = ("name,lat,lon,status\nKCN A,20.85,106.7,operating\nKCN A,20.85,106.7,planned\n")
    report = accepted(read_import(text.encode(), "k.csv"))
    assert report.zones["status"].tolist() == ["operating"]
    assert any("different values" in w and "status 'planned'" in w for w in report.warnings)


# --------------------------------------------------------------------------- what validation needs


def test_a_zone_without_status_is_unknown_with_a_warning():
    report = accepted(read_import(b"name,lat,lon\nKCN A,20.85,106.7\n", "k.csv"))
    assert report.zones["status"].tolist() == ["unknown"]
    assert any(w.startswith("No status for KCN A") for w in report.warnings)


def test_values_validation_would_refuse_are_left_out_with_a_word():
    text = ("name,lat,lon,status,dien_tich,dt_dat_cn,da_cho_thue,ty_le_lap_day\n"
            "KCN A,20.85,106.7,operating,-5,10,20,150\n"
            "KCN B,20.86,106.71,operating,100,120,30,50\n")
    report = accepted(read_import(text.encode(), "k.csv"))
    z = report.zones.set_index("name_vi")
    assert pd.isna(z.loc["KCN A", "area_total_ha"]) and pd.isna(z.loc["KCN A", "occupancy_pct"])
    assert pd.isna(z.loc["KCN A", "leased_ha"])  # 20 ha leased of 10 ha industrial land
    assert pd.isna(z.loc["KCN B", "area_industrial_ha"]) and z.loc["KCN B", "leased_ha"] == 30
    assert "area_total_ha=-5" in z.loc["KCN A", "notes"]
    assert sum("left" in w and "empty" in w for w in report.warnings) == 4


# --------------------------------------------------------------------------- mapping and paths


def test_the_callers_mapping_reaches_the_zones():
    text = "Tên,Vĩ độ,Kinh độ,Quỹ đất CN,Điện thoại\nKCN A,20.85,106.7,80,0225\n"
    guessed = accepted(read_import(text.encode("utf-8"), "k.csv"))
    assert pd.isna(guessed.zones["area_industrial_ha"].iloc[0])
    assert {m.column: (m.field, m.in_notes) for m in guessed.mapping} == {
        "Tên": ("name_vi", False), "Vĩ độ": ("lat", False), "Kinh độ": ("lon", False),
        "Quỹ đất CN": (None, True), "Điện thoại": (None, True)}
    chosen = accepted(read_import(text.encode("utf-8"), "k.csv",
                                  mapping={"Quỹ đất CN": "area_industrial_ha"}))
    assert chosen.zones["area_industrial_ha"].tolist() == [80.0]
    assert chosen.zones["notes"].tolist() == ["Điện thoại=0225"]
    assert read_import(text.encode(), "k.csv", mapping={"Tên": "ten"}).outcome == "reject"


def test_a_path_is_read_in_place(tmp_path):
    path = tmp_path / "Danh sách KCN.csv"
    path.write_text("name,lat,lon,status\nKCN A,20.85,106.7,operating\n", encoding="utf-8")
    report = accepted(read_import(path))
    assert report.names == ["KCN A"] and report.layers[0].name == "Danh sách KCN"


def test_a_huge_file_is_refused_from_its_size_alone(tmp_path, monkeypatch):
    path = tmp_path / "big.zip"
    with path.open("wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: 3 GB on paper, nothing on disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    start = time.perf_counter()
    report = read_import(path)
    assert time.perf_counter() - start < 2.0
    assert report.outcome == "reject" and "3,072.0 MB" in report.errors[0]
    missing = read_import(tmp_path / "nope.zip")
    assert missing.outcome == "reject" and "Could not open nope.zip" in missing.errors[0]


def test_every_id_fits_a_link_even_a_5000_character_name():
    name = "KCN " + "Đình Vũ mở rộng " * 320
    text = (f"name,lat,lon,status\n\"{name}\",20.85,106.7,operating\n"
            f"\"{name}\",20.9,106.6,operating\n")
    report = accepted(read_import(text.encode(), "k.csv"))
    ids = report.zones["id"].tolist()
    assert len(set(ids)) == 2 and all(len(i) <= 80 for i in ids)
    assert report.names[0] == name.strip()
