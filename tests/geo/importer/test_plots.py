"""Tests of reading plots (lô đất): geo.importer.read_plots and geo.importer.plots.

The register is the fixture register: KCN Đình Vũ (``kcn-alpha``, a surveyed
polygon 106.75–106.76 E, 20.83–20.84 N) inside KKT Đình Vũ – Cát Hải
(``kkt-test``); KCN Nam Đình Vũ I (``kcn-beta``) is a point.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point, box

from geo.crs import area_ha
from geo.importer import read_plots
from geo.importer.plots import code_key, looks_like_plots, plot_id, plot_status_of
from geo.schema import PLOT_COLUMNS, PlotStatus
from tests.plot_files import (
    LOT_HA,
    PLOTS,
    plots_gdf,
    register_csv,
    register_xlsx,
    tcvn3_shapefile_zip,
)

DINH_VU = (106.755, 20.835)  # the middle of kcn-alpha
OUTSIDE = (106.95, 20.95)  # in no zone of the fixture register


@pytest.fixture
def zones(fixture_register):
    return fixture_register.zones


def _ok(report):
    assert report.outcome != "reject", report.errors
    return report


def _geojson(gdf: gpd.GeoDataFrame) -> bytes:
    return gdf.to_crs("EPSG:4326").to_json().encode()


# --------------------------------------------------------------------------- formats


def test_a_tcvn3_shapefile_in_vn2000_reads_codes_statuses_lessees_and_m2_areas(
        tmp_path, zones):
    data = tcvn3_shapefile_zip(tmp_path, DINH_VU)
    report = _ok(read_plots(data, "lo_dat.zip", zones=zones))
    assert report.crs == "EPSG:9210 (VN-2000 / TM-3 105-45)"
    assert report.encoding == "tcvn3"
    plots = report.plots.set_index("code")
    assert list(plots.index) == [p[0] for p in PLOTS]
    assert plots["status"].tolist() == ["leased", "vacant", "negotiation", "reserved",
                                        "unavailable", "leased"]
    assert plots.loc["CN-01", "lessee"] == "Công ty TNHH điện tử Hải An"
    assert plots.loc["CN-04", "sector"] == "Kho vận"
    assert plots.loc["CN-01", "lease_end"] == "2068-12-31"
    assert plots["area_declared_ha"].tolist() == pytest.approx([LOT_HA] * 6)
    assert plots["area_measured_ha"].tolist() == pytest.approx([LOT_HA] * 6, rel=1e-3)
    assert set(plots["zone_id"]) == {"kcn-alpha"}  # inside the KCN, itself inside the KKT
    assert plots.loc["CN-01", "id"] == "kcn-alpha--cn-01"
    assert any("'dt_m2' as square metres" in n for n in report.notes)
    assert report.statuses["leased"] == {"plots": 2, "area_ha": pytest.approx(2 * LOT_HA)}
    assert report.zones == {"kcn-alpha": {"name": "KCN Đình Vũ", "plots": 6,
                                          "area_ha": pytest.approx(6 * LOT_HA)}}
    assert list(report.plots.columns) == [*PLOT_COLUMNS, "geometry"]


def test_a_csv_register_with_vietnamese_headings_a_zone_column_and_a_total_row(zones):
    report = _ok(read_plots(register_csv(DINH_VU), "danh_sach_lo.csv", zones=zones))
    plots = report.plots.set_index("code")
    assert report.features == 6  # the total row is no plot
    assert any("'Tổng cộng') is a total, not a plot" in n for n in report.notes)
    assert set(plots["zone_id"]) == {"kcn-alpha"}  # "Đình Vũ": the KCN's name, no kind word
    assert plots["area_declared_ha"].tolist() == pytest.approx([LOT_HA] * 6)  # "96.000" m²
    assert plots.loc["CN-05", "status"] == "unknown"
    assert "Tình trạng=sắp bàn giao" in plots.loc["CN-05", "notes"]
    assert any("'sắp bàn giao' of 1 plot(s) (CN-05) is not one KCN Atlas knows" in w
               for w in report.warnings)
    assert plots.loc["CN-06", "lease_end"] == "2070-06-30"
    mapping = {m.column: m.field for m in report.mapping}
    assert mapping["Ký hiệu lô"] == "code" and mapping["Diện tích (m²)"] == "area_declared_m2"
    assert mapping["Tên KCN"] == "zone_id" and mapping["WKT"] == "wkt"


def test_a_workbook_with_a_title_above_its_table(tmp_path, zones):
    path = register_xlsx(tmp_path / "lo_dat.xlsx", DINH_VU, zone="KCN Đình Vũ")
    report = _ok(read_plots(path, zones=zones, as_of="2026-06-30"))
    assert report.plots["code"].tolist() == [p[0] for p in PLOTS]
    assert set(report.plots["as_of"]) == {"2026-06-30"}
    assert report.plots["status"].tolist()[:4] == ["leased", "vacant", "negotiation",
                                                   "reserved"]


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".geojson", "GeoJSON"),
                                                (".fgb", "FlatGeobuf")])
def test_other_gis_formats(tmp_path, zones, suffix, driver):
    src = plots_gdf(DINH_VU).rename(columns={"code": "Mã lô", "status": "Trạng thái",
                                             "m2": "Diện tích (m2)", "lessee": "Nhà đầu tư"})
    path = tmp_path / f"lo{suffix}"
    src.to_crs(9210 if driver == "GPKG" else 4326).to_file(path, driver=driver)
    report = _ok(read_plots(path, zones=zones))
    assert report.plots["code"].tolist() == [p[0] for p in PLOTS]
    assert report.plots["area_declared_ha"].tolist() == pytest.approx([LOT_HA] * 6)


def test_a_kml_of_plots_named_by_their_codes(zones):
    src = plots_gdf(DINH_VU).to_crs(4326)
    marks = "".join(
        f"<Placemark><name>{code}</name><description><![CDATA[Tình trạng: {status}]]>"
        f"</description><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + " ".join(f"{x},{y}" for x, y in geom.exterior.coords)
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for code, status, geom in zip(src["code"], src["status"], src.geometry, strict=True))
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
           f"<Document><name>Lô đất</name>{marks}</Document></kml>").encode()
    report = _ok(read_plots(kml, "lo_dat.kml", zones=zones))
    assert report.plots["code"].tolist() == [p[0] for p in PLOTS]
    assert report.plots["status"].tolist()[:2] == ["leased", "vacant"]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(("text", "status"), [
    ("Đã cho thuê", PlotStatus.LEASED), ("đã thuê", PlotStatus.LEASED),
    ("ĐÃ CHO THUÊ (Công ty A)", PlotStatus.LEASED), ("Leased", PlotStatus.LEASED),
    ("Còn trống", PlotStatus.VACANT), ("Chưa cho thuê", PlotStatus.VACANT),
    ("vacant", PlotStatus.VACANT), ("Đang đàm phán", PlotStatus.NEGOTIATION),
    ("under negotiation", PlotStatus.NEGOTIATION), ("Đã đặt cọc", PlotStatus.RESERVED),
    ("Giữ chỗ", PlotStatus.RESERVED), ("đã đặt cọc 30%", PlotStatus.RESERVED),
    ("Không cho thuê", PlotStatus.UNAVAILABLE), ("Cây xanh", PlotStatus.UNAVAILABLE),
    ("Hạ tầng kỹ thuật", PlotStatus.UNAVAILABLE), ("Chưa rõ", PlotStatus.UNKNOWN),
    ("đã cho thuê một phần", None), ("sắp bàn giao", None), ("cho thuê", None), ("", None),
])
def test_status_words(text, status):
    assert plot_status_of(text) == status


def test_the_measured_area_is_the_ground_area_in_vn2000(zones):
    report = _ok(read_plots(_geojson(plots_gdf(DINH_VU)), "lo.geojson", zones=zones))
    geod = Geod(ellps="WGS84")
    for geom, measured in zip(report.plots.geometry, report.plots["area_measured_ha"],
                              strict=True):
        geodesic = abs(geod.geometry_area_perimeter(geom)[0]) / 10_000
        assert measured == pytest.approx(geodesic, rel=5e-4)
        assert measured == pytest.approx(
            area_ha(gpd.GeoSeries([geom], crs=4326)).iloc[0], abs=1e-4)  # rounded to 1 m²


def test_areas_without_a_unit_that_look_like_square_metres_are_reported(zones):
    src = plots_gdf(DINH_VU).rename(columns={"code": "Mã lô", "m2": "Diện tích"})
    report = _ok(read_plots(_geojson(src), "lo.geojson", zones=zones))
    assert report.plots["area_declared_ha"].iloc[0] == 96_000  # read as stated: no guess
    assert any("look like square metres" in w and "area_declared_m2" in w
               for w in report.warnings)
    fixed = _ok(read_plots(_geojson(src), "lo.geojson", zones=zones,
                           mapping={"Diện tích": "area_declared_m2"}))
    assert fixed.plots["area_declared_ha"].tolist() == pytest.approx([LOT_HA] * 6)


def test_a_plot_without_status_is_unknown_and_a_point_is_reported(zones):
    frame = gpd.GeoDataFrame({"Mã lô": ["A1", "A2"], "Tình trạng": [None, "còn trống"]},
                             geometry=[Point(106.752, 20.832), box(106.753, 20.833, 106.754,
                                                                   20.834)], crs=4326)
    report = _ok(read_plots(_geojson(frame), "lo.geojson", zones=zones))
    a1 = report.plots.set_index("code").loc["A1"]
    assert a1["status"] == "unknown" and pd.isna(a1["area_measured_ha"])
    assert any("No status for 1 plot(s) (A1)" in w for w in report.warnings)
    assert any("1 plot(s) are points, not boundaries (A1)" in w for w in report.warnings)


# --------------------------------------------------------------------------- zones


def _two(zone_col: list[str] | None = None, centre=DINH_VU) -> bytes:
    src = plots_gdf(centre).iloc[:2].rename(columns={"code": "Mã lô"})
    if zone_col is not None:
        src["Khu"] = zone_col
    return _geojson(src)


@pytest.mark.parametrize("ref", ["kcn-alpha", "KCN Đình Vũ", "Khu công nghiệp Đình Vũ",
                                 "dinh vu", "Dinh Vu Industrial Zone"])
def test_a_zone_column_names_the_zone_by_id_or_name(zones, ref):
    report = _ok(read_plots(_two([ref, ref], OUTSIDE), "lo.geojson", zones=zones))
    assert set(report.plots["zone_id"]) == {"kcn-alpha"}
    # Outside the zone's boundary: said, not refused (the column is the file's word).
    assert any("lie outside the boundary the register has for KCN Đình Vũ (kcn-alpha)" in w
               for w in report.warnings)


def test_a_zone_named_by_no_column_is_found_by_location_innermost_first(zones):
    report = _ok(read_plots(_two(), "lo.geojson", zones=zones))
    assert set(report.plots["zone_id"]) == {"kcn-alpha"}  # not the KKT around it
    assert report.outcome == "accept" and report.warnings == []


def test_plots_in_no_zone_are_left_out_and_counted_and_all_of_them_refuse_the_file(zones):
    mixed = pd.concat([gpd.read_file(_two()), gpd.read_file(_two(centre=OUTSIDE))
                       .assign(**{"Mã lô": ["X-1", "X-2"]})], ignore_index=True)
    report = _ok(read_plots(mixed.to_json().encode(), "lo.geojson", zones=zones))
    assert report.plots["code"].tolist() == ["CN-01", "CN-02"] and report.unmatched == 2
    assert any(w.startswith("2 plot(s) lie in no zone of the register") and "X-1, X-2" in w
               and "--zone" in w for w in report.warnings)
    refused = read_plots(_two(centre=OUTSIDE), "lo.geojson", zones=zones)
    assert refused.outcome == "reject" and refused.unmatched == 2
    assert "Nothing in lo.geojson can be imported." in refused.errors


def test_plots_two_overlapping_zones_claim_are_left_out(zones, fixture_register):
    other = zones[zones.id == "kcn-alpha"].copy()
    other["id"], other["name_vi"] = "kcn-chong", "KCN Chồng Lấn"
    other["geometry"] = [box(106.7525, 20.83, 106.7625, 20.84)]  # half over kcn-alpha
    both = pd.concat([zones, other], ignore_index=True)
    report = _ok(read_plots(_two(), "lo.geojson", zones=both))
    assert report.plots["code"].tolist() == ["CN-01"] and report.ambiguous == 1
    assert any(w.startswith("1 plot(s) could belong to several zones and were left out: "
                            "CN-02 (inside KCN Đình Vũ (kcn-alpha) and KCN Chồng Lấn") for w in
               report.warnings)


def test_the_zone_chosen_for_the_file_wins_and_disagreements_are_said(zones):
    report = _ok(read_plots(_two(["kcn-beta", "kcn-beta"]), "lo.geojson", zones=zones,
                            zone="kcn-alpha"))
    assert set(report.plots["zone_id"]) == {"kcn-alpha"} and report.zone == "kcn-alpha"
    assert any("names 'kcn-beta' for 2 plot(s)" in w and "as chosen" in w
               for w in report.warnings)
    by_name = _ok(read_plots(_two(), "lo.geojson", zones=zones, zone="Nam Đình Vũ I"))
    assert set(by_name.plots["zone_id"]) == {"kcn-beta"}  # a point zone: no boundary to check
    unknown = read_plots(_two(), "lo.geojson", zones=zones, zone="kcn-khong-co")
    assert unknown.outcome == "reject"
    assert unknown.errors[0].startswith("There is no zone 'kcn-khong-co' in the register")


def test_a_code_given_twice_is_read_once_when_the_same_and_refused_when_not(zones):
    src = plots_gdf(DINH_VU).rename(columns={"code": "Mã lô", "status": "Tình trạng"})
    same = pd.concat([src, src.iloc[[0]]], ignore_index=True)
    report = _ok(read_plots(_geojson(same), "lo.geojson", zones=zones))
    assert len(report.plots) == 6
    assert any("given twice, the same both times (CN-01)" in n for n in report.notes)
    clash = src.copy()
    clash.loc[1, "Mã lô"] = "cn 01"  # the same code written another way
    report = _ok(read_plots(_geojson(clash), "lo.geojson", zones=zones))
    assert "CN-01" not in set(report.plots["code"]) and len(report.plots) == 4
    assert any("given to plots that differ" in w for w in report.warnings)


# --------------------------------------------------------------------------- refusals


def test_a_layer_without_a_plot_code_column_is_refused_saying_so(zones):
    src = plots_gdf(DINH_VU)[["status", "geometry"]]
    report = read_plots(_geojson(src), "lo.geojson", zones=zones)
    assert report.outcome == "reject"
    assert "it has no plot-code column" in " ".join(report.errors)


def test_a_sheet_without_coordinates_is_refused_for_plots(zones):
    data = "Mã lô,Tình trạng,Diện tích (ha)\nA1,còn trống,2\n".encode()
    report = read_plots(data, "lo.csv", zones=zones)
    assert report.outcome == "reject"
    assert report.layers[0].reason.startswith("it has no coordinates")


def test_bad_input_never_raises(zones):
    for data in (b"", b"not a file", b"PK\x03\x04broken"):
        report = read_plots(data, "lo.zip", zones=zones)
        assert report.outcome == "reject" and report.errors
    json.dumps(report.to_json())


# --------------------------------------------------------------------------- ids


def test_ids_and_code_keys():
    assert code_key("A.1") == code_key("a 1") == "a-1"
    assert plot_id("kcn-alpha", "Lô CN-01") == "kcn-alpha--lo-cn-01"
    long = plot_id("kcn-" + "a" * 76, "Lô " + "rất dài " * 20)
    assert len(long) <= 128 and long.startswith("kcn-")
    assert code_key("①") != code_key("②")  # no letters to slug: a hash of the code


def test_plot_layers_are_told_from_zone_layers():
    assert looks_like_plots(["STT", "Ký hiệu lô", "Diện tích (m2)", "Tình trạng"])
    assert looks_like_plots(["plot_id", "status", "geometry"])
    assert not looks_like_plots(["Tên khu", "Diện tích (ha)", "Trạng thái"])
    assert not looks_like_plots(["Tên", "Trạng thái"])  # a bare "Tên" could be a zone's


def test_the_report_is_json(tmp_path, zones):
    report = _ok(read_plots(tcvn3_shapefile_zip(tmp_path, DINH_VU), "lo_dat.zip", zones=zones))
    doc = json.loads(json.dumps(report.to_json()))
    assert doc["kind"] == "plots" and len(doc["plots"]) == 6
    assert doc["plots"][0] == {
        "id": "kcn-alpha--cn-01", "code": "CN-01", "zone_id": "kcn-alpha", "status": "leased",
        "declared_area_ha": 9.6, "measured_area_ha": pytest.approx(9.6, rel=1e-3),
        "lessee": "Công ty TNHH điện tử Hải An", "sector": "Điện tử",
        "lease_end": "2068-12-31", "as_of": doc["plots"][0]["as_of"]}
    assert Path(tmp_path).exists()
