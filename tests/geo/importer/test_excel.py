"""Tests of geo.importer.excel, and of workbooks as offices make them, end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.importer import read_import
from geo.importer.excel import read_excel
from geo.importer.model import ImportLimits, Options
from tests.geo.importer.helpers import accepted, workbook


def _opts() -> Options:
    return Options(filename="b.xlsx", layer=None, crs=None, crs_label=None, encoding=None,
                   limits=ImportLimits(), source_id="import", as_of=None)


def test_merged_cells_and_date_cells(tmp_path):
    path = tmp_path / "b.xlsx"
    workbook(path, {"KCN": [
        ["BÁO CÁO TÌNH HÌNH CÁC KCN", None, None, None, None],
        ["Tên KCN", "Tọa độ", None, "Cập nhật", "Tỉnh"],
        [None, "Vĩ độ", "Kinh độ", None, None],
        ["KCN A", 20.85, 106.7, dt.datetime(2024, 6, 30), "Hải Phòng"],
        ["KCN B", 20.86, 106.71, dt.datetime(2024, 6, 30), None],
    ]}, {"KCN": ["A1:E1", "B2:C2", "A2:A3", "D2:D3", "E2:E3", "E4:E5"]})
    (lyr,) = read_excel(path, "b.xlsx", _opts())
    assert lyr.columns == ["Tên KCN", "Tọa độ / Vĩ độ", "Tọa độ / Kinh độ", "Cập nhật", "Tỉnh"]
    assert [r["Tỉnh"] for r in lyr.rows] == ["Hải Phòng", "Hải Phòng"]  # merged down
    assert isinstance(lyr.rows[0]["Cập nhật"], dt.datetime)


def test_an_official_table_three_header_rows_numbering_headings_totals(tmp_path):
    rows = [
        ["UBND TỈNH HẢI PHÒNG", None, None, None, None, None, None],
        ["DANH MỤC KHU, CỤM CÔNG NGHIỆP", None, None, None, None, None, None],
        ["STT", "Tên", "Tọa độ trung tâm", None, "Diện tích (ha)", None, "Ngày cập nhật"],
        [None, None, "Vĩ độ", "Kinh độ", "Tổng", "Đất CN", None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        ["A", "KHU CÔNG NGHIỆP", None, None, None, None, None],
        [1, "Đình Vũ", "20°51'00\" B", "106°46'12\" Đ", 1079.92, 800, dt.date(2024, 12, 31)],
        [2, "Tràng Duệ", "20°46'12,5\" B", "106°32'24,5\" Đ", 687, 500, dt.date(2024, 12, 31)],
        [None, "Cộng A", None, None, 1766.92, 1300, None],
        ["B", "CỤM CÔNG NGHIỆP", None, None, None, None, None],
        [1, "Tân Liên", 20.86, 106.71, 20, None, dt.date(2024, 12, 31)],
        [None, "Tổng cộng", None, None, 1786.92, 1300, None],
    ]
    merges = ["A3:A4", "B3:B4", "C3:D3", "E3:F3", "G3:G4"]
    data = workbook(tmp_path / "dm.xlsx", {"Danh mục": rows}, {"Danh mục": merges})
    report = accepted(read_import(data, "dm.xlsx"))
    assert report.names == ["Đình Vũ", "Tràng Duệ", "Tân Liên"]
    z = report.zones.set_index("name_vi")
    assert dict(z["kind"]) == {"Đình Vũ": "KCN", "Tràng Duệ": "KCN", "Tân Liên": "CCN"}
    assert z.loc["Đình Vũ", "area_industrial_ha"] == 800
    assert z.loc["Đình Vũ", "area_total_ha"] == 1079.92
    assert set(z["as_of"]) == {"2024-12-31"}  # a date cell stays a date
    assert report.total_area_ha == pytest.approx(1786.92)
    assert sum("is a total" in n for n in report.notes) == 2
    assert sum("is a heading" in n for n in report.notes) == 2
    assert not any("Cộng" in w or "Tổng" in w for w in report.warnings)


def _summary_and_detail(tmp_path, detail_area=263.5, detail_lat=20.926):
    return workbook(tmp_path / "hp.xlsx", {
        "Tổng hợp": [["Mã", "Tên khu", "Vĩ độ", "Kinh độ", "Diện tích (ha)"],
                     ["kcn-nck", "KCN Nam Cầu Kiền", 20.926, 106.623, 263.5],
                     ["kcn-ad", "KCN An Dương", 20.889, 106.573, 195],
                     [None, "Tổng cộng", None, None, 458.5]],
        # Another office's sheet: no coordinates, the code and the name written its way.
        "Chi tiết": [["Mã KCN", "Tên KCN", "Diện tích", "Lấp đầy (%)", "Chủ đầu tư",
                      "Vĩ độ", "Kinh độ"],
                     ["kcn-nck", "Khu công nghiệp Nam Cầu Kiền", detail_area, 75, "Công ty A",
                      detail_lat, 106.623],
                     ["kcn-ad", "Khu công nghiệp An Dương", 195, "60%", "Công ty B",
                      20.889, 106.573]],
        "Ghi chú": [["Số liệu đến 30/6/2024"]],
    })


def test_sheets_about_the_same_zones_are_joined_never_counted_twice(tmp_path):
    report = accepted(read_import(_summary_and_detail(tmp_path), "hp.xlsx"))
    assert report.features == 2 and len(report.zones) == 2
    assert report.total_area_ha == pytest.approx(458.5)
    z = report.zones.set_index("id")
    assert sorted(z.index) == ["kcn-ad", "kcn-nck"]
    assert z.loc["kcn-nck", "occupancy_pct"] == 75 and z.loc["kcn-ad", "developer"] == "Công ty B"
    assert not any("-2" in zid for zid in z.index)
    imported = {lyr.name: lyr.imported for lyr in report.layers}
    assert imported == {"Tổng hợp": True, "Chi tiết": True, "Ghi chú": False}


def test_a_sheet_without_coordinates_lends_its_attributes(tmp_path):
    data = workbook(tmp_path / "hp.xlsx", {
        "Vị trí": [["Tên khu", "Vĩ độ", "Kinh độ"], ["KCN A", 20.85, 106.7],
                   ["KCN B", 20.86, 106.71]],
        "Số liệu": [["Tên khu", "Trạng thái", "Diện tích"], ["KCN B", "đang hoạt động", 50],
                    ["KCN C", "quy hoạch", 30]],
    })
    report = accepted(read_import(data, "hp.xlsx"))
    z = report.zones.set_index("name_vi")
    assert z.loc["KCN B", "status"] == "operating" and z.loc["KCN B", "area_total_ha"] == 50
    assert list(z.index) == ["KCN A", "KCN B"]
    assert any("KCN C (row 3)" in w and "no other sheet has it" in w for w in report.warnings)


@pytest.mark.parametrize(("area", "lat", "what"), [(265.0, 20.926, "area_total_ha"),
                                                   (263.5, 20.95, "different places")])
def test_sheets_that_disagree_ask_which_to_trust(tmp_path, area, lat, what):
    data = _summary_and_detail(tmp_path, detail_area=area, detail_lat=lat)
    report = read_import(data, "hp.xlsx")
    assert report.outcome == "reject"
    assert any(what in e and "KCN Nam Cầu Kiền" in e for e in report.errors)
    assert "prefer=" in report.errors[-1]
    trusted = accepted(read_import(data, "hp.xlsx", prefer="Chi tiết"))
    zone = trusted.zones.set_index("id").loc["kcn-nck"]
    assert zone["area_total_ha"] == area and zone.geometry.y == pytest.approx(lat)
    unknown = read_import(data, "hp.xlsx", prefer="Tổng")
    assert unknown.outcome == "reject" and "no sheet 'Tổng'" in unknown.errors[0]
