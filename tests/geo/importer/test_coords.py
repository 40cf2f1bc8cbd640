"""Tests of geo.importer.coords: coordinates as people type them."""

from __future__ import annotations

import pytest

from geo.importer.coords import read_coordinate, vietnamese_letters

DMS_20_51 = 20 + 51 / 60
DMS_106_46_12 = 106 + 46 / 60 + 12 / 3600


@pytest.mark.parametrize(("text", "axis", "vietnamese", "value"), [
    ("20.85", "lat", False, 20.85),
    ("20,85", "lat", False, 20.85),
    (20.85, "lat", False, 20.85),
    ("20°51'00\"N", "lat", False, DMS_20_51),
    ("20°51′00″ N", "lat", False, DMS_20_51),
    ("N 20°51'00''", "lat", False, DMS_20_51),
    ("20º51’00” N", "lat", False, DMS_20_51),
    ("20˚ 51´", "lat", False, DMS_20_51),
    ("20o51'", "lat", False, DMS_20_51),
    ("20 51 00", "lat", False, DMS_20_51),
    ("20°51.0'", "lat", False, DMS_20_51),
    ("20 độ 51 phút 00 giây Bắc", "lat", True, DMS_20_51),
    ("20°51'00\" B", "lat", True, DMS_20_51),
    ("B20°51'", "lat", True, DMS_20_51),
    ("106°46'12\" Đ", "lon", True, DMS_106_46_12),
    ("106°46'12\"E", "lon", False, DMS_106_46_12),
    ("106°46'12,0\"Đ", "lon", True, DMS_106_46_12),
    ("Đông 106°46'12\"", "lon", True, DMS_106_46_12),
    ("106°46'12\" T", "lon", True, -DMS_106_46_12),
    ("106°46'12\" W", "lon", False, -DMS_106_46_12),
    ("20°51' S", "lat", False, -DMS_20_51),
    ("20°51' N", "lat", True, -DMS_20_51),  # Nam: south, in a Vietnamese table
    ("106.77°", "lon", False, 106.77),
])
def test_coordinates_people_write(text, axis, vietnamese, value):
    reading = read_coordinate(text, axis, vietnamese)
    assert reading.error is None
    assert reading.value == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize(("text", "axis", "why"), [
    ("20°61'00\"", "lat", "61 minutes"),
    ("20°51'75\"", "lat", "75 seconds"),
    ("20.5°30'", "lat", "fraction before its last part"),
    ("106°46'12\" B", "lon", "seem swapped"),
    ("20°51' Q", "lat", "hemisphere letter"),
    ("abc", "lat", "not a number"),
    ("1.079,92", "lat", "not a number"),
    ("400", "lon", "beyond"),
    (None, "lat", "no latitude"),
])
def test_unreadable_coordinates_say_why(text, axis, why):
    reading = read_coordinate(text, axis, True)
    assert reading.value is None and why in (reading.error or "")


def test_a_table_with_b_d_or_t_is_read_the_vietnamese_way():
    assert vietnamese_letters(["20°51'00\" B", "106°46'12\" Đ"])
    assert vietnamese_letters(["Bắc 20°51'"])
    assert not vietnamese_letters(["20°51'00\" N", "106°46'12\" E", 20.85])
