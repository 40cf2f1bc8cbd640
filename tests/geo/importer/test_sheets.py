"""Tests of geo.importer.sheets: headers, numbering, totals and headings in a grid."""

from __future__ import annotations

from shapely.geometry import Point

from geo.importer.model import ImportLimits, Options
from geo.importer.sheets import table_layer


def _opts(**mapping: str | None) -> Options:
    return Options(filename="f", layer=None, crs=None, crs_label=None, encoding=None,
                   limits=ImportLimits(), source_id="import", as_of=None, mapping=mapping)


def test_a_title_then_a_two_row_header_with_merged_cells():
    grid = [["DANH MỤC KHU CÔNG NGHIỆP", None, None, None, None],
            [None] * 5,
            ["STT", "Tên khu", "Diện tích (ha)", "Tọa độ trung tâm", None],
            [None, None, None, "Vĩ độ", "Kinh độ"],
            [1, "KCN A", 100, 20.85, 106.7]]
    merges = [(0, 0, 0, 4), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 4)]
    lyr = table_layer("Sheet1", grid, _opts(), merges)
    assert lyr.columns == ["STT", "Tên khu", "Diện tích (ha)", "Tọa độ trung tâm / Vĩ độ",
                           "Tọa độ trung tâm / Kinh độ"]
    assert lyr.first_row == 5
    assert lyr.geoms == [Point(106.7, 20.85)]


def test_a_group_label_typed_once_over_its_columns_as_a_csv_keeps_it():
    grid = [["Tên KCN", "Tọa độ", None, "Diện tích"],
            [None, "Vĩ độ", "Kinh độ", None],
            ["KCN A", "20,85", "106,7", "100"]]
    lyr = table_layer("a", grid, _opts())
    assert lyr.columns[1:3] == ["Tọa độ / Vĩ độ", "Tọa độ / Kinh độ"]
    assert lyr.geoms == [Point(106.7, 20.85)]


def test_three_header_rows_and_a_row_numbering_the_columns():
    grid = [["Tên khu", "Vị trí", None, "Diện tích", None],
            [None, "Tọa độ", None, "Tổng", "Đất CN"],
            [None, "Vĩ độ", "Kinh độ", None, None],
            ["(1)", "(2)", "(3)", "(4)", "(5)"],
            ["KCN A", 20.85, 106.7, 100, 80]]
    lyr = table_layer("a", grid, _opts())
    assert lyr.columns[1] == "Vị trí / Tọa độ / Vĩ độ"
    assert lyr.columns[4] == "Diện tích / Đất CN"
    assert len(lyr.rows) == 1 and lyr.first_row == 5
    assert lyr.geoms == [Point(106.7, 20.85)]


def test_totals_headings_and_blank_rows_are_no_zones():
    grid = [["STT", "Tên khu", "Vĩ độ", "Kinh độ", "Diện tích"],
            ["I", "KHU CÔNG NGHIỆP", None, None, None],
            [1, "Đình Vũ", 20.85, 106.7, 100],
            [None, "Cộng I", None, None, 100],
            [None] * 5,
            ["II", "CỤM CÔNG NGHIỆP", None, None, None],
            [2, "Tân Liên", 20.86, 106.71, 20],
            [None, "Tổng cộng toàn tỉnh", None, None, 120],
            [3, "Cộng Hòa", 20.9, 106.6, 30]]
    lyr = table_layer("a", grid, _opts())
    assert sorted(lyr.skipped) == [0, 2, 3, 4, 6]
    assert "is a heading" in lyr.skipped[0] and "is a total" in lyr.skipped[2]
    assert "is a total" in lyr.skipped[6]
    assert lyr.kind_hints == {1: "KCN", 5: "CCN", 7: "CCN"}  # a zone named Cộng Hòa stays


def test_the_mapping_can_name_coordinate_columns():
    grid = [["Ten", "Toa do X", "Toa do Y"], ["KCN A", 106.7, 20.85]]
    assert table_layer("a", grid, _opts()).attributes_only
    lyr = table_layer("a", grid, _opts(**{"Toa do X": "lon", "Toa do Y": "lat"}))
    assert lyr.geoms == [Point(106.7, 20.85)]


def test_unreadable_coordinates_keep_the_reason():
    grid = [["Tên", "Vĩ độ", "Kinh độ"], ["KCN A", "20°61'", "106°42'"]]
    lyr = table_layer("a", grid, _opts())
    assert lyr.geoms == [None] and "61 minutes" in lyr.geom_notes[0]
