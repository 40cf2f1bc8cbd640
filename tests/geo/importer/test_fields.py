"""Tests of geo.importer.fields: headers onto register fields, and reading values."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.importer.fields import (
    ColumnMap,
    check_mapping,
    clean,
    join_key,
    make_id,
    map_columns,
    map_header,
    read_row,
    text_date,
)
from geo.importer.model import Layer, Refusal


@pytest.mark.parametrize(("header", "field"), [
    ("Tên khu", "name_vi"),
    ("Diện tích (ha)", "area_total_ha"),
    ("Diện tích đất CN", "area_industrial_ha"),
    ("Tỷ lệ lấp đầy (%)", "occupancy_pct"),
    ("Chủ đầu tư", "developer"),
    ("Xã/phường", "commune"),
    ("Diện tích / Đất CN", "area_industrial_ha"),  # a header over two rows
    ("Diện tích / Tổng", "area_total_ha"),  # the group label when the part names nothing
    ("nam_thanh_", "year_established"),  # DBF's 10-character cut
    ("Số lao động", None),
])
def test_headers_map_onto_fields(header, field):
    assert map_header(header) == field


def _layer(columns: list[str], rows: list[dict]) -> Layer:
    return Layer(name="a", columns=columns, rows=rows, geoms=[], crs=None, encoding=None,
                 geometry_type=None)


def test_the_callers_mapping_wins_and_extra_columns_go_to_the_notes():
    lyr = _layer(["Tên", "STT", "Quỹ đất CN", "Điện thoại", "Trống"],
                 [{"Tên": "KCN A", "STT": 1, "Quỹ đất CN": 80, "Điện thoại": "0225",
                   "Trống": None}])
    guessed = map_columns(lyr)
    assert guessed.fields == {"name_vi": "Tên"}
    assert guessed.notes == ["Quỹ đất CN", "Điện thoại"]
    assert guessed.ignored == ["STT", "Trống"]
    chosen = map_columns(lyr, {"Quỹ đất CN": "area_industrial_ha", "Điện thoại": None})
    assert chosen.fields == {"name_vi": "Tên", "area_industrial_ha": "Quỹ đất CN"}
    assert chosen.notes == ["Điện thoại"]


def test_the_callers_column_wins_a_field_over_a_guess():
    lyr = _layer(["Tên", "Tên đầy đủ"], [{"Tên": "A", "Tên đầy đủ": "KCN A mở rộng"}])
    assert map_columns(lyr).fields == {"name_vi": "Tên"}
    chosen = map_columns(lyr, {"Tên đầy đủ": "name_vi"})
    assert chosen.fields == {"name_vi": "Tên đầy đủ"} and chosen.notes == ["Tên"]


def test_a_mapping_onto_an_unknown_field_is_refused():
    assert check_mapping({"A": "", "B": "lat"}) == {"A": None, "B": "lat"}
    with pytest.raises(Refusal, match="cannot be mapped onto 'area'"):
        check_mapping({"A": "area"})


@pytest.mark.parametrize(("value", "text"), [
    (dt.datetime(2024, 12, 31), "2024-12-31"),
    (dt.date(2024, 12, 31), "2024-12-31"),
    (dt.datetime(2024, 12, 31, 8, 30), "2024-12-31 08:30"),
    ("2024-12-31T00:00:00", "2024-12-31"),
    ("31/12/2024", "2024-12-31"),
    ("31.12.2024", "2024-12-31"),
    ("hôm qua", None),
])
def test_a_date_stays_a_date(value, text):
    assert text_date(value) == text


def test_clean_writes_dates_as_dates():
    assert clean(dt.datetime(2024, 12, 31)) == "2024-12-31"
    assert clean("2024-12-31T00:00:00") == "2024-12-31"
    assert clean(1997.0) == "1997"


def test_read_row():
    cmap = ColumnMap({"name_vi": "Tên", "status": "TT", "area_total_ha": "DT", "id": "Mã",
                      "as_of": "Ngày", "kind": "Loại", "year_established": "Năm"},
                     ["Khác"], [])
    row = {"Tên": "KCN A", "TT": "sắp mở", "DT": "1.079,92", "Mã": "7", "Khác": "x",
           "Ngày": dt.datetime(2024, 6, 30), "Loại": "khu công nghiệp", "Năm": "12/05/1997"}
    read = read_row(row, cmap)
    assert read.values == {"kind": "KCN", "area_total_ha": 1079.92,
                           "year_established": 1997.0, "as_of": "2024-06-30"}
    assert read.bad == ["status 'sắp mở'"]
    assert read.notes == ["TT=sắp mở", "Mã=7", "Khác=x"]


def test_ids_and_join_keys():
    assert make_id("CCN", "Cụm công nghiệp Tân Liên") == "ccn-tan-lien"
    assert make_id("KCN", "KCN Đình Vũ") == "kcn-dinh-vu"
    assert len(make_id("KCN", "KCN " + "rất dài " * 30)) <= 80
    assert join_key("KCN Nam Cầu Kiền") == join_key("Khu công nghiệp Nam Cầu Kiền") \
        == join_key("Nam Cầu Kiền")


@pytest.mark.parametrize(("header", "field"), [
    ("Mã lô", "code"),
    ("Ký hiệu lô", "code"),
    ("Lô", "code"),
    ("plot_id", "code"),
    ("Diện tích (ha)", "area_declared_ha"),
    ("Diện tích (m2)", "area_declared_m2"),
    ("Diện tích (m²)", "area_declared_m2"),
    ("Diện tích lô đất (m2)", "area_declared_m2"),
    ("Tình trạng", "status"),
    ("Trạng thái cho thuê", "status"),
    ("Nhà đầu tư", "lessee"),
    ("Doanh nghiệp thuê", "lessee"),
    ("Ngành nghề", "sector"),
    ("Thời hạn thuê", "lease_end"),
    ("Tên KCN", "zone_id"),
    ("Khu", "zone_id"),
    ("Ngày cập nhật", "as_of"),
    ("ky_hieu_lo", "code"),  # a DBF field of 10 characters
    ("Số lao động", None),
])
def test_plot_headings_map_onto_plot_fields(header, field):
    assert map_header(header, "plots") == field


def test_a_weak_heading_names_the_code_only_when_no_other_column_does():
    lyr = _layer(["Tên", "Mã lô", "Tình trạng"],
                 [{"Tên": "Nhà máy A", "Mã lô": "CN-01", "Tình trạng": "đã cho thuê"}])
    assert map_columns(lyr, target="plots").fields == {"code": "Mã lô", "status": "Tình trạng"}
    alone = _layer(["Tên", "Tình trạng"], [{"Tên": "Lô A1", "Tình trạng": "còn trống"}])
    assert map_columns(alone, target="plots").fields == {"code": "Tên", "status": "Tình trạng"}


@pytest.mark.parametrize(("header", "scale"), [
    ("Diện tích (m2)", 1e-4), ("Diện tích (m²)", 1e-4), ("Diện tích (km2)", 100.0),
    ("Diện tích (ha)", None), ("Diện tích", None),
])
def test_an_area_heading_in_square_metres_is_read_into_hectares(header, scale):
    lyr = _layer(["Tên khu", header], [{"Tên khu": "KCN A", header: "12.500"}])
    cmap = map_columns(lyr)
    assert cmap.fields["area_total_ha"] == header
    assert cmap.scale.get("area_total_ha") == scale
    expected = 12500 * (scale or 1.0)
    assert read_row(lyr.rows[0], cmap).values["area_total_ha"] == pytest.approx(expected)


def test_a_plot_mapping_onto_a_zone_field_is_refused():
    assert check_mapping({"Diện tích": "area_declared_m2"}, "plots") == {
        "Diện tích": "area_declared_m2"}
    with pytest.raises(Refusal, match="cannot be mapped onto 'area_total_ha'"):
        check_mapping({"Diện tích": "area_total_ha"}, "plots")
