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

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import Point

from geo.tiles import TileLayer, check_tile, encode_tile

__all__ = [
    "REFERENCE_ATTRIBUTION",
    "REFERENCE_FILE",
    "REFERENCE_LAYERS",
    "Reference",
    "load_reference",
    "province_at",
    "province_label_points",
    "reference_key",
    "reference_tile",
]

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "vietnam.gpkg"
REFERENCE_LAYERS = ("land", "provinces", "province_labels")
REFERENCE_MAX_ZOOM = 12  # tiles deeper than this would add no detail to ~25 m lines

# For the map's attribution control: fixed text, already HTML (no data values in it).
REFERENCE_ATTRIBUTION = (
    'Coast &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> (ODbL); '
    "provinces (202/2025/QH15): "
    '<a href="https://www.naturalearthdata.com/">Natural Earth</a>, '
    "vietnamadminunits"
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


@lru_cache(maxsize=1)
def reference_key() -> str:
    """Return a short digest of the bundled reference file (its tiles' cache key)."""
    digest = hashlib.sha256(REFERENCE_FILE.read_bytes()).hexdigest()
    return digest[:12]


@lru_cache(maxsize=1)
def _tile_layers() -> tuple[TileLayer, ...]:
    ref = _read(REFERENCE_FILE)
    # One row per part: a tile then clips only the islands and coasts it covers.
    land = ref.land.explode(index_parts=False).reset_index(drop=True)
    provinces = ref.provinces.explode(index_parts=False).reset_index(drop=True)
    return (
        TileLayer("land", land, lambda row: {}, max_zoom=REFERENCE_MAX_ZOOM),
        TileLayer("provinces", provinces, lambda row: {"code": row["code"]},
                  max_zoom=REFERENCE_MAX_ZOOM),
    )


@lru_cache(maxsize=2048)
def reference_tile(z: int, x: int, y: int) -> bytes:
    """Return the MVT bytes of reference tile ``z/x/y``: layers ``land`` and ``provinces``.

    Tiles exist up to zoom :data:`REFERENCE_MAX_ZOOM` (the data are simplified
    to about 25 m); the browser magnifies them beyond. Empty bytes where the
    tile holds nothing.

    Raises
    ------
    geo.tiles.TileRequestError
        If ``z/x/y`` is not a tile, or is deeper than :data:`REFERENCE_MAX_ZOOM`.
    """
    check_tile(z, x, y, max_zoom=REFERENCE_MAX_ZOOM)
    return encode_tile(_tile_layers(), z, x, y)


def province_label_points() -> list[dict[str, object]]:
    """Return where to write each province's name: ``{"nv", "ne", "lon", "lat"}``."""
    labels = _read(REFERENCE_FILE).province_labels
    return [
        {"nv": row.name_vi, "ne": row.name_en, "lon": round(row.geometry.x, 4),
         "lat": round(row.geometry.y, 4)}
        for row in labels.itertuples(index=False)
    ]
