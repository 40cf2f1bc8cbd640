"""Geometry repair: decode what can be decoded, close rings, mend invalid polygons.

Every repair that changes an area is reported with the area before and after,
measured on the ground in VN-2000 / UTM 48N (EPSG:3405).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.crs import STORE_CRS, VN2000_UTM48N, area_ha, inside_vietnam
from geo.importer.model import Collector, Feature

__all__ = [
    "CLOSED_RING",
    "flag_duplicate_geometries",
    "geometry_type",
    "geoms_from_wkb",
    "measure_src",
    "outside_reason",
    "place",
    "polygonal",
    "prepare_geometry",
]


# Closing a ring changes nothing the user must check: a note, not a warning.
CLOSED_RING = "a ring of its boundary was not closed; closed it"


def geoms_from_wkb(wkbs: Sequence[bytes | None]) -> tuple[list[BaseGeometry | None],
                                                            dict[int, str]]:
    """Decode WKB one by one so that one broken geometry does not sink the layer."""
    arr = np.array(list(wkbs), dtype=object)
    strict = shapely.from_wkb(arr, on_invalid="ignore")
    geoms: list[BaseGeometry | None] = list(strict)
    notes: dict[int, str] = {}
    for i, (raw, geom) in enumerate(zip(arr, strict, strict=True)):
        if raw is not None and geom is None:
            fixed = shapely.from_wkb(raw, on_invalid="fix")
            geoms[i] = fixed
            notes[i] = CLOSED_RING if fixed is not None else "its geometry cannot be read"
    return geoms, notes


def geometry_type(geoms: Sequence[BaseGeometry | None]) -> str | None:
    """Name the geometry types of a layer, e.g. ``"MultiPolygon/Polygon"``."""
    kinds = sorted({g.geom_type for g in geoms if g is not None})
    return "/".join(kinds) if kinds else None


def polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """Keep the polygonal parts of a geometry (as from make_valid), or None."""
    if isinstance(geom, Polygon | MultiPolygon):
        return None if geom.is_empty else geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if isinstance(merged, Polygon | MultiPolygon) and not merged.is_empty \
        else None


def _fmt_ha(value: float) -> str:
    return f"{value:,.1f} ha"


def measure_src(geom: BaseGeometry, crs: CRS) -> float:
    """Area in hectares of a geometry in its source CRS, measured in EPSG:3405."""
    projected = gpd.GeoSeries([geom], crs=crs).to_crs(VN2000_UTM48N).iloc[0]
    return float(projected.area) / 10_000.0


def outside_reason(label: str, geom_src: BaseGeometry, crs: CRS, geom: BaseGeometry | None,
                   finite: bool) -> str:
    """Say why a feature does not lie in Vietnam: swapped axes, bad numbers or elsewhere."""
    swapped_src = shapely.transform(geom_src, lambda xy: xy[:, ::-1])
    with warnings.catch_warnings(record=True):
        swapped = gpd.GeoSeries([swapped_src], crs=crs).to_crs(STORE_CRS)
    if bool(inside_vietnam(swapped).iloc[0]):
        return (f"{label}: lies outside Vietnam; latitude and longitude seem swapped. Fix the "
                "file (longitude is x, about 102–110 in Vietnam) and import again.")
    if not finite or geom is None:
        return f"{label}: its coordinates cannot be placed on the earth in {crs.name}; skipped it."
    x0, y0, x1, y1 = geom.bounds
    return (f"{label}: lies outside Vietnam (longitude {x0:.4f}–{x1:.4f}, latitude "
            f"{y0:.4f}–{y1:.4f}); skipped it. Check the coordinates or the CRS.")


def prepare_geometry(geom: BaseGeometry | None, note: str | None, label: str, crs: CRS,
                     out: Collector) -> BaseGeometry | None:
    """Return a polygonal or point geometry in the source CRS, repaired, or None."""
    if geom is None or geom.is_empty:
        reason = note or "it has no geometry"
        out.dropped.append(f"{label}: {reason}; skipped it.")
        return None
    if note:
        (out.notes if note == CLOSED_RING else out.warnings).append(f"{label}: {note}.")
    geom = shapely.force_2d(geom)
    if isinstance(geom, MultiPoint) and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if isinstance(geom, Point | MultiPoint):
        return geom
    if not isinstance(geom, Polygon | MultiPolygon):
        poly = polygonal(geom)
        if poly is None:
            points = [g for g in getattr(geom, "geoms", []) if isinstance(g, Point)]
            if points:
                return points[0] if len(points) == 1 else MultiPoint(points)
            out.dropped.append(f"{label}: it is a {geom.geom_type}, not a polygon or point; "
                               "skipped it.")
            return None
        geom = poly
    if geom.is_valid:
        return geom
    with np.errstate(all="ignore"):  # garbage coordinates overflow; the checks say so
        why = re.sub(r"\s*\[.*\]$", "", str(shapely.is_valid_reason(geom))).lower()
        repaired = polygonal(shapely.make_valid(geom))
    if repaired is None:
        out.dropped.append(f"{label}: its polygon has no area ({why}); skipped it.")
        return None
    before, after = measure_src(geom, crs), measure_src(repaired, crs)
    out.warnings.append(f"{label}: its boundary was invalid ({why}); repaired it "
                        f"({_fmt_ha(before)} before, {_fmt_ha(after)} after).")
    return repaired


def flag_duplicate_geometries(features: list[Feature], out: Collector) -> None:
    """Warn about features that share exactly the same geometry."""
    first: dict[bytes, str] = {}
    for f in features:
        key = shapely.to_wkb(shapely.normalize(f.geom))
        if key in first:
            out.warnings.append(f"{f.label} has exactly the same geometry as {first[key]}.")
        else:
            first[key] = f.label


def place(feats: list[Feature], out: Collector) -> None:
    """Reproject features to WGS 84, keep those that lie in Vietnam, measure polygons.

    A feature outside Vietnam is refused with the reason (swapped axes, numbers no
    coordinate system can place, or simply elsewhere); areas are measured on the
    ground in EPSG:3405.
    """
    todo = [f for f in feats if f.refused is None and f.geom_src is not None]
    by_crs: dict[int, list[Feature]] = {}
    for f in todo:  # a layer's features share its CRS object; joined ones may not
        by_crs.setdefault(id(f.crs), []).append(f)
    for group in by_crs.values():
        src = gpd.GeoSeries([f.geom_src for f in group], crs=group[0].crs)
        with warnings.catch_warnings(record=True):
            wgs = src.to_crs(STORE_CRS)
        finite = np.array([g is not None and not g.is_empty
                           and bool(np.isfinite(g.bounds).all()) for g in wgs])
        inside = inside_vietnam(wgs).to_numpy() & finite
        for f, geom, ok in zip(group, wgs, inside, strict=True):
            if ok:
                f.geom = geom
                continue
            f.refused = "outside"
            assert f.geom_src is not None and f.crs is not None
            out.dropped.append(outside_reason(
                f.where, f.geom_src, f.crs, geom,
                bool(np.isfinite(geom.bounds).all()) if geom is not None else False))
    placed = [f for f in todo if f.geom is not None]
    if placed:
        areas = area_ha(gpd.GeoSeries([f.geom for f in placed], crs=STORE_CRS))
        for f, a in zip(placed, areas, strict=True):
            f.area = None if pd.isna(a) else float(a)
