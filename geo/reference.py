"""The bundled offline reference geography: land, today's 34 provinces and their labels.

The map draws these beneath the zones, with no network and no tiles. They come from
``data/reference/vietnam.gpkg``, built by ``scripts/build_reference.py`` from
registry packages; ``data/reference/ATTRIBUTION.md`` names the sources and licences.

Layers, all in EPSG:4326 (longitude, latitude in degrees), simplified to about
25 m for web-map zooms 5 to 13:

``land``
    One MultiPolygon: the land of Vietnam and its neighbours around it, islands
    included (OpenStreetMap coastline, ODbL). Whatever it does not cover is sea.
``provinces``
    The 34 provinces and centrally-run cities formed by Resolution 202/2025/QH15
    (in force 01/07/2025), one MultiPolygon each, with columns ``code`` (GSO code,
    two digits), ``name_vi`` ("Hải Phòng"), ``name_en`` ("Hai Phong"), ``kind_vi``
    ("tỉnh" or "thành phố") and ``former`` (the pre-2025 provinces merged into
    it, comma-separated). Boundaries are good to about a kilometre on most
    stretches and a few kilometres on some; they are a reference, not a survey.
``province_labels``
    One Point inside each province for its label, same columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import Point

__all__ = [
    "REFERENCE_ATTRIBUTION",
    "REFERENCE_FILE",
    "REFERENCE_LAYERS",
    "Reference",
    "load_reference",
    "province_at",
]

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "vietnam.gpkg"
REFERENCE_LAYERS = ("land", "provinces", "province_labels")

# For the map's attribution control: fixed text, already HTML (no data values in it).
REFERENCE_ATTRIBUTION = (
    'Coast &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors (ODbL); provinces after Resolution 202/2025/QH15, from "
    '<a href="https://www.naturalearthdata.com/">Natural Earth</a> and vietnamadminunits'
)


@dataclass(frozen=True)
class Reference:
    """The reference layers as GeoDataFrames in EPSG:4326 (see the module docstring)."""

    land: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    province_labels: gpd.GeoDataFrame


@lru_cache(maxsize=4)
def _read(path: Path) -> Reference:
    layers = {
        name: pyogrio.read_dataframe(path, layer=name).to_crs("EPSG:4326")
        for name in REFERENCE_LAYERS
    }
    return Reference(**layers)


def load_reference(path: Path | str | None = None) -> Reference:
    """Return the reference layers, read once per file and then served from memory.

    Parameters
    ----------
    path
        A reference GeoPackage; by default the bundled ``data/reference/vietnam.gpkg``.

    Returns
    -------
    Reference
        ``land`` (1 row), ``provinces`` (34 rows) and ``province_labels`` (34 rows),
        in EPSG:4326. Each call returns fresh copies, so callers may modify them.

    Raises
    ------
    pyogrio.errors.DataSourceError
        When the file is missing or is not a GeoPackage with these layers.
    """
    ref = _read(Path(path) if path is not None else REFERENCE_FILE)
    return Reference(
        land=ref.land.copy(), provinces=ref.provinces.copy(),
        province_labels=ref.province_labels.copy(),
    )


@lru_cache(maxsize=4)
def _province_index(path: Path) -> tuple[shapely.STRtree, tuple[str, ...]]:
    provinces = _read(path).provinces
    return shapely.STRtree(provinces.geometry.values), tuple(provinces["name_vi"])


def province_at(lon: float, lat: float, path: Path | str | None = None) -> str | None:
    """Return the name of today's province at a point, or None off Vietnam's land.

    Parameters
    ----------
    lon, lat
        Longitude and latitude in degrees (WGS 84, EPSG:4326).
    path
        A reference GeoPackage; by default the bundled one.

    Returns
    -------
    str or None
        The province's Vietnamese name with diacritics (``"Hải Phòng"``), or None at
        sea, abroad, or for a coordinate that is not a finite number. Points within
        about 25 m of the coast or a boundary follow the simplified lines.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    tree, names = _province_index(Path(path) if path is not None else REFERENCE_FILE)
    hits = tree.query(Point(lon, lat), predicate="intersects")
    return names[min(hits)] if len(hits) else None
