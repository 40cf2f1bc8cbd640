"""Mapbox vector tiles of the register's layers, encoded on demand and cached per version.

A tile is addressed by zoom ``z`` and column/row ``x``/``y`` of the Web Mercator
quad tree (``WebMercatorQuad``, the XYZ scheme of OpenStreetMap and Leaflet).
Each :class:`TileLayer` holds one layer's features already projected to
EPSG:3857 with a spatial index, so a tile only touches the features it covers.
Geometries are clipped to the tile plus a buffer, simplified to a fraction of
a pixel and quantised to the tile extent (4096) by ``mapbox-vector-tile``.

Web Mercator is used here for display only: areas and distances are never
measured in it (see :mod:`geo.crs`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import mapbox_vector_tile
import morecantile
import numpy as np
import shapely
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid
from shapely.strtree import STRtree

__all__ = [
    "EXTENT",
    "MAX_ZOOM",
    "TileLayer",
    "TileRequestError",
    "encode_tile",
    "tile_bounds",
    "check_tile",
]

EXTENT = 4096  # tile units per side
BUFFER = 64  # tile units drawn beyond each edge, so strokes do not break at tile seams
MAX_ZOOM = 16  # deeper zooms reuse (over-zoom) these tiles in the browser
_TMS = morecantile.tms.get("WebMercatorQuad")


class TileRequestError(ValueError):
    """A tile address that does not exist (bad zoom, column or row)."""


def check_tile(z: int, x: int, y: int, max_zoom: int = MAX_ZOOM) -> None:
    """Raise :class:`TileRequestError` unless ``z/x/y`` is a tile of the quad tree."""
    if not 0 <= z <= max_zoom:
        raise TileRequestError(f"zoom {z} is outside 0–{max_zoom}")
    size = 1 << z
    if not (0 <= x < size and 0 <= y < size):
        raise TileRequestError(f"tile {x}/{y} does not exist at zoom {z}")


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the tile's bounds in EPSG:3857 metres: (minx, miny, maxx, maxy)."""
    b = _TMS.xy_bounds(morecantile.Tile(x, y, z))
    return (b.left, b.bottom, b.right, b.top)


@dataclass
class TileLayer:
    """One layer of features for tiles.

    Parameters
    ----------
    name
        Layer name inside the tile (the browser's paint rules select by it).
    frame
        Features in any CRS with a geometry column; rows without geometry are
        left out.
    properties
        Builds a feature's tile properties from its row (a dict); values must be
        str, int, float or bool (None values are dropped).
    min_zoom, max_zoom
        Zooms at which the layer appears in tiles.
    """

    name: str
    frame: gpd.GeoDataFrame
    properties: Callable[[dict[str, Any]], Mapping[str, Any]]
    min_zoom: int = 0
    max_zoom: int = MAX_ZOOM
    _geoms: np.ndarray = field(init=False, repr=False)
    _props: list[dict[str, Any]] = field(init=False, repr=False)
    _tree: STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        frame = self.frame[self.frame.geometry.notna() & ~self.frame.geometry.is_empty]
        projected = frame.to_crs(3857) if frame.crs is not None else frame.set_crs(3857)
        self._geoms = np.asarray(projected.geometry.values)
        # Column lists zipped into rows: several times faster than DataFrame.to_dict.
        columns = [c for c in frame.columns if c != frame.geometry.name]
        records = ([dict(zip(columns, row, strict=True))
                    for row in zip(*(frame[c].tolist() for c in columns), strict=True)]
                   if columns else [{} for _ in range(len(frame))])
        self._props = [
            {k: v for k, v in self.properties(rec).items() if v is not None
             and not (isinstance(v, float) and math.isnan(v))}
            for rec in records
        ]
        self._tree = STRtree(self._geoms)

    def __len__(self) -> int:
        return len(self._geoms)

    def features(self, z: int, bounds: tuple[float, float, float, float]) -> list[dict[str, Any]]:
        """Return the layer's features clipped to ``bounds`` (EPSG:3857) for zoom ``z``."""
        if not self.min_zoom <= z <= self.max_zoom or not len(self._geoms):
            return []
        minx, miny, maxx, maxy = bounds
        pad = (maxx - minx) * BUFFER / EXTENT
        box = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
        hits = self._tree.query(box, predicate="intersects")
        if not len(hits):
            return []
        hits = np.sort(hits)
        # A quarter of a tile unit: finer detail is lost to quantisation anyway.
        scale = EXTENT / (maxx - minx)
        geoms = shapely.simplify(self._geoms[hits], 0.25 / scale, preserve_topology=True)
        geoms = shapely.clip_by_rect(geoms, minx - pad, miny - pad, maxx + pad, maxy + pad)
        # To tile units, y down, in one vectorised pass (the encoder then only rounds).
        origin = np.array([minx, maxy])
        flip = np.array([scale, -scale])
        geoms = shapely.transform(geoms, lambda xy: (xy - origin) * flip)
        # Snapping to whole tile units here (topology kept, slivers gone) leaves the
        # encoder nothing to round: a polygon never turns invalid and is never dropped.
        geoms = shapely.set_precision(geoms, 1.0)
        out = []
        for i, geom in zip(hits, geoms, strict=True):
            if geom is None or shapely.is_empty(geom):
                continue
            out.append({"geometry": geom, "properties": self._props[i]})
        return out


def encode_tile(layers: Sequence[TileLayer], z: int, x: int, y: int) -> bytes:
    """Return the MVT bytes of tile ``z/x/y`` holding every layer that has features there.

    Raises
    ------
    TileRequestError
        If ``z/x/y`` is not a tile of the quad tree.
    """
    check_tile(z, x, y)
    bounds = tile_bounds(z, x, y)  # features() puts geometries in tile units
    encoded = []
    for layer in layers:
        features = layer.features(z, bounds)
        if features:
            encoded.append({"name": layer.name, "features": features})
    if not encoded:
        return b""
    options = {"extents": EXTENT, "y_coord_down": True,
               "on_invalid_geometry": on_invalid_geometry_make_valid}
    return bytes(mapbox_vector_tile.encode(encoded, default_options=options))
