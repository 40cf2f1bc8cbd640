"""Tests of geo.importer.delimited: CSV text in any encoding it arrives in."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from geo import vntext
from geo.importer import read_import
from tests.geo.importer.helpers import accepted

ROWS = "Tên khu;Vĩ độ;Kinh độ\nKCN Đình Vũ;20,85;106,7\nKCN Nam Cầu Kiền;20,86;106,71\n"


@pytest.mark.parametrize("encoding", ["utf-8", "tcvn3", "vni", "cp1258"])
def test_csv_in_each_encoding(encoding):
    report = accepted(read_import(vntext.encode(ROWS, encoding), "kcn.csv"))
    assert report.names == ["KCN Đình Vũ", "KCN Nam Cầu Kiền"]
    assert report.encoding == encoding


def test_utf16_as_excel_saves_unicode_text():
    report = accepted(read_import(ROWS.replace(";", "\t").encode("utf-16"), "kcn.txt"))
    assert report.names == ["KCN Đình Vũ", "KCN Nam Cầu Kiền"]


def test_a_byte_order_mark_that_lies():
    data = b"\xef\xbb\xbf" + vntext.encode(ROWS, "tcvn3")
    report = accepted(read_import(data, "kcn.csv"))
    assert report.names == ["KCN Đình Vũ", "KCN Nam Cầu Kiền"]
    assert any("byte-order mark says the text is UTF-8" in w for w in report.warnings)


def test_tcvn3_opened_in_a_western_program_and_saved_as_utf8():
    western = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                      for b in vntext.encode(ROWS, "tcvn3"))
    report = accepted(read_import(western.encode("utf-8"), "kcn.csv"))
    assert report.names == ["KCN Đình Vũ", "KCN Nam Cầu Kiền"]
    assert any("tcvn3 stored as Latin-1" in w for w in report.warnings)


def test_utf8_read_as_western_and_saved_again():
    # Windows keeps the five bytes Windows-1252 leaves undefined as U+0081 and so on.
    mojibake = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                       for b in ROWS.encode("utf-8"))
    report = accepted(read_import(mojibake.encode("utf-8"), "kcn.csv"))
    assert report.names == ["KCN Đình Vũ", "KCN Nam Cầu Kiền"]
    assert any("UTF-8 read through the wrong code page" in w for w in report.warnings)


def test_dms_rows_and_a_refused_row_that_says_which_and_why():
    text = ("Tên khu,Vĩ độ,Kinh độ\n"
            "KCN A,20°51'00\" N,106°42'00\" E\n"
            "KCN B,20 51 30,106 42 30\n"
            "KCN C,20°61'00\",106°42'\n")
    report = accepted(read_import(text.encode(), "k.csv"))
    z = report.zones.set_index("name_vi")
    assert z.loc["KCN A"].geometry.equals(Point(106.7, 20.85))
    assert z.loc["KCN B"].geometry.x == pytest.approx(106 + 42.5 / 60)
    assert any(w.startswith("KCN C (row 4): its latitude") and "61 minutes" in w
               for w in report.warnings)


def test_a_null_byte_in_a_csv_name():
    report = accepted(read_import(b"name,lat,lon\nKCN Dinh\x00Vu,20.85,106.7\n", "k.csv"))
    assert report.names == ["KCN Dinh Vu"]
    assert any("KCN Dinh Vu (row 2) (name)" in w for w in report.warnings)
