"""Tests of geo.importer.crs: VN-2000 in every form offices write it, and unknown datums."""

from __future__ import annotations

import pytest
from pyproj import CRS

from geo.importer.crs import UnknownDatum, identify_crs, spelled_shift

# The seven VN-2000 parameters as MapInfo spells them in a datum name ("_" for ".").
MIF_7 = ("D_MIF_9999_28_-191_90441429_-39_30318279_-111_45032835_-0_00928836_0_01975479_"
         "-0_00427372_0_252906278_0")
MIF_3 = "D_MIF_999_28_-191_904_-39_303_-111_45_0"


def _tm(datum: str, cm: float, k: float, *, geogcs: str = "GCS_unnamed",
        projcs: str = "unnamed", towgs84: str = "") -> str:
    extra = f",TOWGS84[{towgs84}]" if towgs84 else ""
    return (f'PROJCS["{projcs}",GEOGCS["{geogcs}",DATUM["{datum}",'
            f'SPHEROID["WGS_1984",6378137.0,298.257223563]{extra}],PRIMEM["Greenwich",0.0],'
            'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
            'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
            f'PARAMETER["Central_Meridian",{cm}],PARAMETER["Scale_Factor",{k}],'
            'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')


def _geog(datum: str) -> str:
    return (f'GEOGCS["GCS_unnamed",DATUM["{datum}",SPHEROID["WGS_1984",6378137.0,'
            '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')


def test_mapinfo_spells_the_shift_in_the_name():
    assert spelled_shift(MIF_7)[:3] == [-191.90441429, -39.30318279, -111.45032835]
    assert len(spelled_shift(MIF_7)) == 8
    assert spelled_shift(MIF_3)[:3] == [-191.904, -39.303, -111.45]
    assert spelled_shift("D_WGS_1984") is None
    assert spelled_shift("Hanoi_1972") is None


@pytest.mark.parametrize(("wkt", "code"), [
    (_tm(MIF_7, 105.0, 0.9996), 3405),  # MapInfo table saved as a shapefile, UTM 48N
    (_tm(MIF_7, 105.75, 0.9999), 9210),  # MapInfo, Hải Phòng's TM-3
    (_tm(MIF_3, 107.75, 0.9999), 5899),  # MapInfo's 3-parameter form, Quảng Ninh's TM-3
    (_tm("D_Vietnam_2000", 111.0, 0.9996), 3406),  # ArcGIS
    (_tm("VN-2000", 105.75, 0.9999), 9210),  # QGIS and GDAL
    (_tm("VN_2000", 105.0, 0.9996), 3405),
    (_tm("Vietnam 2000", 105.0, 0.9996), 3405),
    (_tm("Datum_custom", 105.75, 0.9999, geogcs="VN2000 (custom)"), 9210),  # custom names
    (_tm("D_unnamed", 105.75, 0.9999, projcs="VN-2000 Hai Phong"), 9210),
    (_tm("D_Vietnam_2000_old", 105.0, 0.9996,  # an older published shift
         towgs84="-192.873,-39.382,-111.202,0.00205,0.0005,-0.00335,0.0188"), 3405),
    (_geog(MIF_7), 4756),
])
def test_vn2000_in_any_form_becomes_its_epsg_code(wkt, code):
    crs, label, warning = identify_crs(CRS(wkt))
    assert crs.to_epsg() == code, label
    assert label.startswith(f"EPSG:{code} (")
    assert warning is None


@pytest.mark.parametrize(("wkt", "likely"), [
    (_tm("D_unnamed", 105.0, 0.9996), ["EPSG:3405", "EPSG:32648"]),
    (_tm("Datum_custom", 105.75, 0.9999), ["EPSG:9210"]),
    (_tm("D_MIF_9999_28_-17_51_-108_32_-62_39_0_0_0_0_0", 105.0, 0.9996),
     ["EPSG:3405", "EPSG:32648"]),  # a spelled shift that is not VN-2000's
    (_geog("D_unnamed"), ["EPSG:4756", "EPSG:4326"]),
])
def test_a_datum_that_cannot_be_identified_is_never_passed(wkt, likely):
    with pytest.raises(UnknownDatum) as caught:
        identify_crs(CRS(wkt))
    message = str(caught.value)
    assert "cannot identify" in message and 'crs="EPSG:' in message
    for code in likely:
        assert code in message


@pytest.mark.parametrize(("wkt", "code"), [
    (_tm("D_WGS_1984", 105.0, 0.9996), 32648),
    (_tm("WGS84", 105.0, 0.9996), 32648),
    ("EPSG:4326", 4326),
])
def test_known_datums_pass(wkt, code):
    assert identify_crs(CRS(wkt))[0].to_epsg() == code
