"""What the live map downloads: compact, language-neutral features of one register version.

The browser fetches :func:`features_payload` once per register version (from the
app's own endpoint, never embedded in the page's script) and styles, filters,
labels and describes the features itself; later changes of filters, colours or
selection send only a few bytes.

Every zone and project gets an index ``i``: its row in the register (zones and
projects are sorted by id). The map page names the zones it shows by these
indices (see :func:`pack_indices`).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.register import Register, ordered_values

__all__ = [
    "COORD_DECIMALS",
    "chosen_values",
    "features_payload",
    "pack_indices",
    "value_display",
]

COORD_DECIMALS = 5  # about 1 m
_SIMPLIFY = 2e-5  # degrees, about 2 m: below any plan's precision


def chosen_values(reg: Register) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the value the register shows for each (zone id, field), with its source row.

    Each entry has ``value``, ``value_max``, ``comparison``, ``source_id``,
    ``source_section``, ``as_of``, ``tier`` and ``others`` (how many other
    sources give the same attribute).
    """
    rows = ordered_values(reg.zone_values, reg.sources)
    counts = rows.groupby(["zone_id", "field"]).size()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows[rows["chosen"]].itertuples(index=False):
        key = (row.zone_id, row.field)
        out[key] = {
            "value": row.value, "value_max": row.value_max, "comparison": row.comparison,
            "source_id": row.source_id, "source_section": row.source_section,
            "as_of": row.as_of, "tier": row.tier, "others": int(counts[key]) - 1,
        }
    return out


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def value_display(entry: dict[str, Any] | None, column_value: Any) -> dict[str, Any]:
    """Return the compact description of a numeric attribute for the browser.

    ``v`` the stated number (the lower bound of a range), ``x`` the upper bound,
    ``c`` the comparison (omitted when equal), ``t`` the source tier. An
    attribute no source gives has no keys at all.
    """
    if entry is None:
        number = _num(column_value)
        return {} if number is None else {"v": number}
    out: dict[str, Any] = {}
    low, high = _num(entry["value"]), _num(entry["value_max"])
    if low is not None:
        out["v"] = low
    if high is not None:
        out["x"] = high
    if entry["comparison"] and entry["comparison"] != "equal":
        out["c"] = entry["comparison"]
    if entry["tier"]:
        out["t"] = entry["tier"]
    return out


def _geometries(geoms: Any) -> list[Any]:
    arr = np.asarray(geoms)
    present = np.array([g is not None and not shapely.is_empty(g) for g in arr], dtype=bool)
    out: list[Any] = [None] * len(arr)
    if present.any():
        simple = shapely.simplify(arr[present], _SIMPLIFY, preserve_topology=True)
        simple = shapely.set_precision(simple, 10 ** -COORD_DECIMALS)
        texts = shapely.to_geojson(simple)
        for pos, text in zip(np.flatnonzero(present), texts, strict=True):
            out[pos] = json.loads(text)
    return out


def _radius_m(geom: Any, area_ha: float | None) -> float | None:
    """Radius (metres) of the circle whose area is the zone's stated area, for point zones."""
    if area_ha is None or geom is None or geom.geom_type != "Point":
        return None
    return round(math.sqrt(area_ha * 10_000 / math.pi), 1)


def features_payload(reg: Register) -> dict[str, Any]:
    """Return the zones and projects of ``reg`` as the live map reads them.

    Returns
    -------
    dict
        ``{"zones": [...], "projects": [...]}``. A zone is ``{"i", "id", "k"
        (kind), "s" (status, "unknown" when no source states it), "q" (1 when the
        location is approximate), "pv" (province today), "nv", "ne" (names),
        "a" and "o" (area in ha and occupancy in %, see :func:`value_display`),
        "r" (radius in metres of a point zone's area-true circle), "g"
        (GeoJSON geometry, WGS 84, 5 decimals)}``. A project is ``{"i", "id",
        "k", "s", "q", "nv", "ne", "per" (period), "g"}``.
    """
    chosen = chosen_values(reg)
    zones = []
    geoms = _geometries(reg.zones.geometry.values)
    for i, (row, geom, shape) in enumerate(zip(
            reg.zones.to_dict("records"), reg.zones.geometry.values, geoms, strict=True)):
        zid = row["id"]
        area = value_display(chosen.get((zid, "area_total_ha")), row["area_total_ha"])
        occ = value_display(chosen.get((zid, "occupancy_pct")), row["occupancy_pct"])
        item = {
            "i": i, "id": zid, "k": row["kind"], "s": row["status"] or "unknown",
            "q": 1 if row["geometry_quality"] == "approximate" else 0,
            "pv": row["province_current"] or row["province"], "nv": row["name_vi"],
            "ne": row["name_en"], "a": area, "o": occ,
            "r": _radius_m(geom, _num(row["area_total_ha"])), "g": shape,
        }
        zones.append({k: v for k, v in item.items() if v not in (None, {})})
    projects = []
    pgeoms = _geometries(reg.projects.geometry.values)
    for i, (row, shape) in enumerate(zip(reg.projects.to_dict("records"), pgeoms, strict=True)):
        item = {
            "i": i, "id": row["id"], "k": row["kind"], "s": row["status"] or "unknown",
            "q": 1 if row["geometry_quality"] == "approximate" else 0,
            "nv": row["name_vi"], "ne": row["name_en"], "per": row["period"], "g": shape,
        }
        projects.append({k: v for k, v in item.items() if v is not None})
    return {"zones": zones, "projects": projects}


def pack_indices(mask: Iterable[bool] | pd.Series) -> str:
    """Return a boolean mask as a base64 bitmap (bit ``i`` of byte ``i // 8``, LSB first).

    The map page sends which zones (or projects) it shows in a few bytes:
    200 zones take 36 characters.
    """
    bits = np.asarray(list(mask) if not isinstance(mask, pd.Series) else mask.to_numpy(),
                      dtype=bool)
    return base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode("ascii")
