"""Tests of geo.importer.sniff: the format from the first bytes; zips checked first."""

from __future__ import annotations

import io
import zipfile

import pytest

from geo.importer.model import ImportLimits, Refusal
from geo.importer.sniff import Archive, member_path, sniff, stem


@pytest.mark.parametrize(("head", "name", "kind"), [
    (b"PK\x03\x04rest", "a.zip", "zip"),
    (b"SQLite format 3\x00", "a.gpkg", "gpkg"),
    (b"fgb\x03\x00\x00", "a.fgb", "fgb"),
    (b"PAR1", "a.parquet", "parquet"),
    (b'\xef\xbb\xbf  {"type":', "a.json", "geojson"),
    (b"<?xml version='1.0'?><kml>", "a.kml", "kml"),
    (b"name,lat,lon\n", "a.csv", "csv"),
    (b"name,lat,lon\nKCN A\x00,20,106\n", "a.csv", "csv"),  # one stray null byte: text
])
def test_sniff(head, name, kind):
    assert sniff(head, name) == kind


@pytest.mark.parametrize(("head", "name", "phrase"), [
    (b"\xd0\xcf\x11\xe0", "a.xls", "old Excel"),
    (b"\x00\x00\x27\x0a", "a.shp", "only the .shp part"),
    (b"\x00\x01\x02\x03garbage", "a.bin", "cannot read"),
    (b"<html>", "a.html", "XML but not KML"),
    (b"hello", "a.geojson", "not a GEOJSON file"),
])
def test_sniff_refuses_with_a_sentence(head, name, phrase):
    with pytest.raises(Refusal, match=phrase):
        sniff(head, name)


def test_stem_and_member_paths():
    assert stem("C:\\Bản đồ\\ranh giới.zip") == "ranh giới"
    assert member_path("a/./b/../c.shp") == "a/c.shp"
    assert member_path("../evil") is None and member_path("/etc/passwd") is None
    assert member_path("C:/x") is None


def test_an_archive_names_members_as_written_and_counts_what_it_unpacks():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Bản đồ/kcn.shp", b"x" * 10)
        zf.writestr("__MACOSX/._kcn.shp", b"junk")
    with zipfile.ZipFile(buf) as zf:
        archive = Archive(zf, len(buf.getvalue()), ImportLimits())
        assert [archive.name(i) for i in archive.members] == ["Bản đồ/kcn.shp"]
        out = io.BytesIO()
        archive.copy(archive.members[0], out)
        assert out.getvalue() == b"x" * 10 and archive.budget.used == 10
