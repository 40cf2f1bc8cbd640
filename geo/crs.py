"""Coordinate systems, ground areas and distances.

Areas and distances are always measured on the ground: in VN-2000 / UTM zone 48N
(EPSG:3405), whose scale error over northern Vietnam is far below the precision of
any plan, never in Web Mercator, which overstates areas near Hải Phòng by ~15%.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

__all__ = [
    "STORE_CRS",
    "VIETNAM_BOUNDS",
    "VN2000_GEOGRAPHIC",
    "VN2000_TM3_BY_PROVINCE",
    "VN2000_UTM48N",
    "VN2000_UTM49N",
    "area_ha",
    "distance_km",
    "inside_vietnam",
]

STORE_CRS = "EPSG:4326"
VN2000_GEOGRAPHIC = "EPSG:4756"
VN2000_UTM48N = "EPSG:3405"
VN2000_UTM49N = "EPSG:3406"

# Provincial TM-3 zones of VN-2000, by the province's folded name.
VN2000_TM3_BY_PROVINCE = {
    "hai phong": "EPSG:9210",  # central meridian 105°45'
    "quang ninh": "EPSG:5899",  # central meridian 107°45'
}

# Lon/lat box around the mainland and the offshore islands (Hoàng Sa, Trường Sa).
VIETNAM_BOUNDS = (102.1, 6.0, 117.9, 23.5)


def _measuring_frame(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    if geoms.crs is None:
        raise ValueError("geometries have no CRS; cannot measure them on the ground")
    return geoms.to_crs(VN2000_UTM48N)


def area_ha(geoms: gpd.GeoSeries) -> pd.Series:
    """Return the ground area of each geometry in hectares, in VN-2000 / UTM 48N.

    Points and lines have no area: their value is NaN, not zero, so that a
    register of points is never reported as zero hectares.
    """
    measured = _measuring_frame(geoms)
    areal = measured.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    values = np.where(areal, measured.area.to_numpy() / 10_000.0, np.nan)
    return pd.Series(values, index=geoms.index, name="area_ha")


def distance_km(a: BaseGeometry, b: BaseGeometry, crs: str | CRS = STORE_CRS) -> float:
    """Return the straight-line ground distance between two geometries in kilometres."""
    pair = gpd.GeoSeries([a, b], crs=crs).to_crs(VN2000_UTM48N)
    return float(pair.iloc[0].distance(pair.iloc[1]) / 1000.0)


def inside_vietnam(geoms: gpd.GeoSeries) -> pd.Series:
    """Tell, per geometry, whether its bounds lie within Vietnam's lon/lat box."""
    ll = geoms.to_crs(STORE_CRS) if geoms.crs is not None else geoms
    b = ll.bounds
    x0, y0, x1, y1 = VIETNAM_BOUNDS
    ok = (b.minx >= x0) & (b.maxx <= x1) & (b.miny >= y0) & (b.maxy <= y1)
    return ok.fillna(False)
