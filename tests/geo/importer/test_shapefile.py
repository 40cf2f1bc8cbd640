"""Tests of geo.importer.shapefile: encodings that lie, VN-2000 .prj forms, null bytes."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pytest

from geo import vntext
from geo.importer import read_import
from geo.importer.gdal import dbf_text_with_nulls
from tests.geo.importer.helpers import (
    HAI_PHONG,
    accepted,
    legacy_text,
    write_shapefile,
    zip_folder,
    zones_gdf,
)

NAMES = ("KCN Đình Vũ", "KCN Nam Cầu Kiền")
MIF_TM3 = (
    'PROJCS["unnamed",GEOGCS["GCS_unnamed",DATUM["D_MIF_9999_28_-191_90441429_-39_30318279_'
    '-111_45032835_-0_00928836_0_01975479_-0_00427372_0_252906278_0",SPHEROID["WGS_1984",'
    '6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.75],'
    'PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def _utf8_shapefile(tmp_path, cpg: str):
    write_shapefile(tmp_path / "s", "kcn", zones_gdf("EPSG:9210", names=NAMES))
    (tmp_path / "s" / "kcn.cpg").write_text(cpg)
    return zip_folder(tmp_path / "s")


def _legacy_shapefile(tmp_path, encoding: str, cpg: str | None = None, ldid: int = 0):
    write_shapefile(tmp_path / "s", "kcn", zones_gdf("EPSG:9210", names=NAMES),
                    encoding=encoding)
    if cpg is not None:
        (tmp_path / "s" / "kcn.cpg").write_text(cpg)
    dbf = tmp_path / "s" / "kcn.dbf"
    data = bytearray(dbf.read_bytes())
    data[29] = ldid
    dbf.write_bytes(bytes(data))
    return zip_folder(tmp_path / "s")


@pytest.mark.parametrize("cpg", ["1258", "ANSI 1258", "1252"])
def test_utf8_text_under_a_legacy_cpg(tmp_path, cpg):
    report = accepted(read_import(_utf8_shapefile(tmp_path, cpg), "kcn.zip"))
    assert report.names == list(NAMES) and report.encoding == "utf-8"
    assert sorted(report.zones["id"]) == ["kcn-dinh-vu", "kcn-nam-cau-kien"]
    assert any(w.startswith("Layer kcn: its .cpg") and "it is UTF-8" in w
               for w in report.warnings)


@pytest.mark.parametrize(("encoding", "cpg", "ldid"), [
    ("tcvn3", "UTF-8", 0),  # TCVN3 text labelled UTF-8
    ("vni", None, 0x57),  # VNI text, the DBF's code-page byte says Windows-1252
    ("tcvn3", "1252", 0),
])
def test_legacy_text_under_a_wrong_declaration(tmp_path, encoding, cpg, ldid):
    report = accepted(read_import(_legacy_shapefile(tmp_path, encoding, cpg, ldid), "k.zip"))
    assert report.names == list(NAMES) and report.encoding == encoding
    assert any(w.startswith("Layer kcn:") and "says the text is" in w for w in report.warnings)


def test_a_true_cpg_is_quiet(tmp_path):
    report = accepted(read_import(_legacy_shapefile(tmp_path, "cp1258", "1258"), "k.zip"))
    assert report.names == list(NAMES) and report.encoding == "cp1258"
    assert not any("says the text" in w for w in report.warnings)


def test_a_mapinfo_prj_for_hai_phongs_tm3_lands_where_it_was_drawn(tmp_path):
    drawn = zones_gdf("EPSG:9210", names=NAMES)
    write_shapefile(tmp_path / "s", "kcn", drawn, prj=MIF_TM3)
    report = accepted(read_import(zip_folder(tmp_path / "s"), "kcn.zip"))
    assert report.crs == "EPSG:9210 (VN-2000 / TM-3 105-45)"
    expected = dict(zip(drawn["ten_khu"], drawn.to_crs("EPSG:4326").geometry, strict=True))
    for name, got in zip(report.zones["name_vi"], report.zones.geometry, strict=True):
        pair = gpd.GeoSeries([got.centroid, expected[name].centroid], crs=4326).to_crs(3405)
        assert pair.iloc[0].distance(pair.iloc[1]) < 1.0  # not the 224 m of a lost shift


def test_an_unidentified_datum_stops_and_asks_then_crs_settles_it(tmp_path):
    prj = MIF_TM3.replace("D_MIF_9999_28_-191_90441429_-39_30318279_-111_45032835_-0_00928836"
                          "_0_01975479_-0_00427372_0_252906278_0", "D_unnamed")
    write_shapefile(tmp_path / "s", "kcn", zones_gdf("EPSG:9210", names=NAMES), prj=prj)
    data = zip_folder(tmp_path / "s")
    refused = read_import(data, "kcn.zip")
    assert refused.outcome == "reject"
    assert any("'D_unnamed'" in e and "EPSG:9210" in e for e in refused.errors)
    fixed = accepted(read_import(data, "kcn.zip", crs="EPSG:9210"))
    assert fixed.crs.startswith("EPSG:9210") and len(fixed.zones) == 2


def test_a_null_byte_in_a_name_is_recovered_and_reported(tmp_path):
    write_shapefile(tmp_path / "s", "kcn", zones_gdf("EPSG:9210", names=("KCN Dinh#Vu",
                                                                          "KCN Trang Due")))
    dbf = tmp_path / "s" / "kcn.dbf"
    dbf.write_bytes(dbf.read_bytes().replace(b"Dinh#Vu", b"Dinh\x00Vu"))
    assert list(dbf_text_with_nulls(dbf).values()) == ["KCN Dinh\x00Vu"]
    report = accepted(read_import(zip_folder(tmp_path / "s"), "kcn.zip"))
    assert report.names == ["KCN Dinh Vu", "KCN Trang Due"]  # not "KCN Dinh"
    assert any("control characters" in w and "KCN Dinh Vu" in w for w in report.warnings)


@pytest.mark.parametrize("encoding", ["utf-8", "tcvn3"])
def test_zip_member_names_written_without_the_utf8_flag(tmp_path, encoding):
    write_shapefile(tmp_path / "s", "kcn", zones_gdf("EPSG:9210", names=NAMES))
    raw = vntext.encode("Hải Phòng/Khu công nghiệp", encoding)
    placeholder = b"N" * len(raw)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in sorted((tmp_path / "s").iterdir()):
            zf.writestr(placeholder.decode() + part.suffix, part.read_bytes())
    # The raw bytes in place of the ASCII name, and no UTF-8 flag: as older tools write.
    data = buf.getvalue().replace(placeholder, raw)
    report = accepted(read_import(data, "ban_do.zip"))
    assert [lyr.name for lyr in report.layers] == ["Khu công nghiệp"]
    assert any("file names" in n for n in report.notes)
    one = accepted(read_import(data, "ban_do.zip", layer="khu cong nghiep"))
    assert one.names == list(NAMES)


def test_legacy_helper_is_what_a_dbf_holds():
    assert legacy_text("Hải Phòng", "tcvn3").encode("latin1") == vntext.encode("Hải Phòng",
                                                                                 "tcvn3")
    assert HAI_PHONG == (106.70, 20.85)
