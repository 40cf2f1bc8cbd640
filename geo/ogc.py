"""OGC API – Features (Part 1: Core, GeoJSON) documents of the public register.

GIS clients (QGIS, GDAL's ``OAPIF`` driver, ArcGIS) add the live register as a
layer from ``/ogc``: collections ``zones``, ``projects`` and ``plots``, each
readable by bounding box, page (``limit``/``offset``) and simple equality on a
property (``?status=vacant``). Read only; every property is one the public map
shows. The documents are built from one register snapshot, so a client paging
through items never mixes two versions within a page.

This module builds the JSON; :mod:`api.routes` serves it. Coordinates are
WGS 84 longitude/latitude (CRS84), as the standard's default requires.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.register import Register

__all__ = ["COLLECTIONS", "CONFORMANCE", "ItemsQuery", "OgcError", "collection",
           "collections", "conformance", "item", "items", "landing", "parse_items_query"]

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class Collection:
    """One collection: the register table it shows and the properties it publishes."""

    id: str
    title: str
    description: str
    table: str
    properties: tuple[str, ...]


COLLECTIONS: dict[str, Collection] = {c.id: c for c in (
    Collection("zones", "Zones (KKT, KCN, CCN)",
               "Economic zones, industrial zones and clusters, each value as the register "
               "shows it (higher source tier, then newer); sources on the app's Sources page.",
               "zones",
               ("kind", "name_vi", "name_en", "parent_id", "province", "province_current",
                "district", "commune", "status", "area_total_ha", "area_industrial_ha",
                "leased_ha", "occupancy_pct", "year_established", "plan_period", "developer",
                "sectors", "geometry_quality", "source_id", "as_of")),
    Collection("projects", "Infrastructure projects",
               "Roads, bridges, sea dikes, ports, airports and railways serving the zones.",
               "projects",
               ("kind", "name_vi", "name_en", "status", "period", "serves", "province",
                "geometry_quality", "source_id", "as_of")),
    Collection("plots", "Plots (lô đất)",
               "Plots inside the zones with their status (leased, vacant, reserved, under "
               "negotiation, unavailable) and areas in hectares.",
               "plots",
               ("zone_id", "code", "status", "area_declared_ha", "area_measured_ha", "lessee",
                "sector", "lease_end", "source_id", "as_of")),
)}


class OgcError(ValueError):
    """A request the API refuses: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ItemsQuery:
    """What a client asked of a collection's items."""

    bbox: tuple[float, float, float, float] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    equals: tuple[tuple[str, str], ...] = ()


def parse_items_query(coll: Collection, params: Mapping[str, str]) -> ItemsQuery:
    """Read ``bbox``, ``limit``, ``offset`` and property filters; OgcError 400 when malformed."""
    bbox = None
    if "bbox" in params:
        try:
            parts = [float(p) for p in params["bbox"].split(",")]
        except ValueError:
            raise OgcError(400, "bbox must be four numbers: minlon,minlat,maxlon,maxlat") from None
        if len(parts) == 6:  # 3D boxes: ignore the heights
            parts = [parts[0], parts[1], parts[3], parts[4]]
        if len(parts) != 4 or not all(math.isfinite(p) for p in parts) \
                or parts[0] > parts[2] or parts[1] > parts[3]:
            raise OgcError(400, "bbox must be four numbers: minlon,minlat,maxlon,maxlat")
        bbox = (parts[0], parts[1], parts[2], parts[3])
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
        offset = int(params.get("offset", 0))
    except ValueError:
        raise OgcError(400, "limit and offset must be whole numbers") from None
    if limit < 1 or offset < 0:
        raise OgcError(400, "limit must be at least 1 and offset at least 0")
    known = {"bbox", "limit", "offset", "f", "datetime", "crs", "bbox-crs"}
    equals = []
    for key, value in params.items():
        if key in known:
            continue
        if key not in coll.properties:
            raise OgcError(400, f"unknown parameter {key!r}; filters: {', '.join(coll.properties)}")
        equals.append((key, value))
    if params.get("crs") not in (None, CRS84) or params.get("bbox-crs") not in (None, CRS84):
        raise OgcError(400, "only CRS84 (WGS 84 longitude, latitude) is offered")
    return ItemsQuery(bbox, min(limit, MAX_LIMIT), offset, tuple(sorted(equals)))


def _link(href: str, rel: str, media: str = "application/json", title: str = "") -> dict[str, Any]:
    out = {"href": href, "rel": rel, "type": media}
    if title:
        out["title"] = title
    return out


def landing(base: str) -> dict[str, Any]:
    """The landing page: where the API, its conformance and its collections are."""
    return {
        "title": "KCN Atlas",
        "description": "Vietnam's economic zones, industrial zones, clusters and plots, "
                       "with their sources.",
        "links": [
            _link(f"{base}", "self"),
            _link(f"{base}/conformance", "conformance"),
            _link(f"{base}/collections", "data"),
        ],
    }


def conformance() -> dict[str, Any]:
    """The conformance classes implemented."""
    return {"conformsTo": CONFORMANCE}


def _frame(reg: Register, coll: Collection) -> gpd.GeoDataFrame:
    frame: gpd.GeoDataFrame = getattr(reg, coll.table)
    return frame[frame.geometry.notna() & ~frame.geometry.is_empty]


def collection(reg: Register, coll: Collection, base: str) -> dict[str, Any]:
    """One collection's description, with its spatial extent."""
    frame = _frame(reg, coll)
    extent = [float(v) for v in frame.total_bounds] if len(frame) else [102.0, 8.0, 110.0, 23.5]
    return {
        "id": coll.id, "title": coll.title, "description": coll.description,
        "itemType": "feature", "crs": [CRS84],
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "links": [
            _link(f"{base}/collections/{coll.id}", "self"),
            _link(f"{base}/collections/{coll.id}/items", "items", GEOJSON),
        ],
    }


def collections(reg: Register, base: str) -> dict[str, Any]:
    """Every collection."""
    return {"collections": [collection(reg, c, base) for c in COLLECTIONS.values()],
            "links": [_link(f"{base}/collections", "self")]}


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _features(frame: gpd.GeoDataFrame, coll: Collection) -> list[dict[str, Any]]:
    geoms = shapely.to_geojson(np.asarray(frame.geometry.values))
    rows = frame[list(coll.properties)].to_dict("records")
    return [{"type": "Feature", "id": fid, "geometry": json.loads(g),
             "properties": {k: _plain(v) for k, v in row.items()}}
            for fid, g, row in zip(frame["id"], geoms, rows, strict=True)]


def items(reg: Register, coll: Collection, query: ItemsQuery, base: str) -> dict[str, Any]:
    """A page of a collection's items as a GeoJSON FeatureCollection with paging links."""
    frame = _frame(reg, coll)
    if query.bbox is not None:
        box = shapely.box(*query.bbox)
        frame = frame[frame.geometry.intersects(box)]
    for key, value in query.equals:
        column = frame[key]
        as_text = column.map(lambda v: "" if _plain(v) is None else str(_plain(v)))
        numeric = pd.to_numeric(column, errors="coerce")
        try:
            wanted = float(value)
        except ValueError:
            wanted = math.nan
        frame = frame[(as_text == value) | (numeric == wanted)]
    total = len(frame)
    page = frame.iloc[query.offset:query.offset + query.limit]

    def href(offset: int) -> str:
        params: dict[str, Any] = dict(query.equals)
        if query.bbox is not None:
            params["bbox"] = ",".join(repr(v) for v in query.bbox)
        params.update(limit=query.limit, offset=offset)
        return f"{base}/collections/{coll.id}/items?{urlencode(params)}"

    links = [_link(href(query.offset), "self", GEOJSON)]
    if query.offset + query.limit < total:
        links.append(_link(href(query.offset + query.limit), "next", GEOJSON))
    if query.offset > 0:
        links.append(_link(href(max(0, query.offset - query.limit)), "prev", GEOJSON))
    return {"type": "FeatureCollection", "features": _features(page, coll),
            "numberMatched": total, "numberReturned": len(page), "links": links}


def item(reg: Register, coll: Collection, fid: str, base: str) -> dict[str, Any]:
    """One feature by id; OgcError 404 when there is none."""
    frame = _frame(reg, coll)
    row = frame[frame["id"] == fid]
    if row.empty:
        raise OgcError(404, f"no {coll.id} item {fid!r}")
    feature = _features(row, coll)[0]
    feature["links"] = [_link(f"{base}/collections/{coll.id}/items/{fid}", "self", GEOJSON),
                        _link(f"{base}/collections/{coll.id}", "collection")]
    return feature
