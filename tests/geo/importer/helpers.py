"""Fixture builders shared by the importer's tests: small files made in tmp_path."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point, Polygon, box

from geo import vntext
from geo.importer import ImportReport

HAI_PHONG = (106.70, 20.85)
QUANG_NINH = (107.05, 20.97)

# A VN-2000 TM-3 105°45' projection as a Vietnamese office writes it: custom names,
# the VN-2000 7-parameter shift as TOWGS84.
CUSTOM_VN2000_WKT = (
    'PROJCS["VN2000 Hai Phong KT 105-45",GEOGCS["VN2000 (custom)",DATUM["Datum_custom",'
    'SPHEROID["WGS 84",6378137,298.257223563],TOWGS84[-191.90441429,-39.30318279,'
    '-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105.75],'
    'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],'
    'PARAMETER["false_northing",0],UNIT["metre",1]]'
)
ESRI_VN2000_WKT = (
    'PROJCS["VN_2000_QN_107_45",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",107.75],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def rect_around(crs: str, centre: tuple[float, float], width: float, height: float,
          dx: float = 0.0) -> Polygon:
    """A width × height metre rectangle drawn in ``crs`` around a lon/lat centre."""
    c = gpd.GeoSeries([Point(centre)], crs="EPSG:4326").to_crs(crs).iloc[0]
    x, y = c.x + dx, c.y
    return box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def zones_gdf(crs: str = "EPSG:4326", names: tuple[str, ...] = ("KCN Đình Vũ", "KCN Tràng Duệ"),
           centre: tuple[float, float] = HAI_PHONG, status: str | None = "đang hoạt động",
           **columns: list) -> gpd.GeoDataFrame:
    """Zones of 1000 m × 500 m (50 ha) each, drawn in VN-2000 / TM-3 and written in ``crs``.

    Each has a status (``trang_thai``) unless ``status`` is None.
    """
    tm3 = "EPSG:9210" if centre == HAI_PHONG else "EPSG:5899"
    if status is not None:
        columns = {"trang_thai": [status] * len(names), **columns}
    geoms = [rect_around(tm3, centre, 1000, 500, dx=3000 * i) for i in range(len(names))]
    gdf = gpd.GeoDataFrame({"ten_khu": list(names), **columns}, geometry=geoms, crs=tm3)
    return gdf.to_crs(crs)


def legacy_text(text: str, encoding: str) -> str:
    """Text whose Latin-1 bytes are ``text`` in a legacy encoding, as a DBF holds it."""
    return vntext.encode(text, encoding).decode("latin1")


def write_shapefile(folder: Path, stem: str, gdf: gpd.GeoDataFrame, *,
                     encoding: str | None = None, prj: str | bool = True,
                     cpg: bool = True) -> None:
    """Write a shapefile; ``encoding`` writes legacy text; ``prj`` False drops the .prj."""
    folder.mkdir(parents=True, exist_ok=True)
    if encoding:
        gdf = gdf.rename(columns={c: legacy_text(c, encoding) for c in gdf.columns
                                  if c != "geometry"})
        for c in gdf.columns:
            if c != "geometry" and pd.api.types.is_string_dtype(gdf[c]):
                gdf[c] = [legacy_text(v, encoding) for v in gdf[c]]
        pyogrio.write_dataframe(gdf, folder / f"{stem}.shp", encoding="latin1")
    else:
        pyogrio.write_dataframe(gdf, folder / f"{stem}.shp", encoding="UTF-8")
    if not cpg or encoding:
        (folder / f"{stem}.cpg").unlink(missing_ok=True)
    if prj is False:
        (folder / f"{stem}.prj").unlink()
    elif isinstance(prj, str):
        (folder / f"{stem}.prj").write_text(prj)


def zip_folder(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def zip_members(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def write_file(tmp_path: Path, gdf: gpd.GeoDataFrame, suffix: str, **kwargs) -> bytes:
    path = tmp_path / f"zones{suffix}"
    pyogrio.write_dataframe(gdf, path, **kwargs)
    return path.read_bytes()


def shapefile_zip(tmp_path: Path, gdf: gpd.GeoDataFrame, **kwargs) -> bytes:
    write_shapefile(tmp_path / "src", "kcn", gdf, **kwargs)
    return zip_folder(tmp_path / "src")


def accepted(report: ImportReport) -> ImportReport:
    assert report.outcome != "reject", report.errors
    return report


def workbook(path: Path, sheets: dict[str, list[list[object]]],
             merges: dict[str, list[str]] | None = None) -> bytes:
    """Write an .xlsx with openpyxl: rows per sheet, merged ranges such as ``"D3:E3"``."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        for ref in (merges or {}).get(title, []):
            sheet.merge_cells(ref)
    book.save(path)
    return path.read_bytes()


def kml(placemarks: str, *, document: str = "Bản đồ", schema: str = "") -> bytes:
    """A KML document around placemark (and folder) markup."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>{document}</name>'
            f'{schema}{placemarks}</Document></kml>').encode()


def square_kml(lon: float, lat: float, size: float = 0.005) -> str:
    """A KML Polygon of a small square with its south-west corner at lon, lat."""
    ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size),
            (lon, lat)]
    coords = " ".join(f"{x},{y},0" for x, y in ring)
    return (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon>")
