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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.register import Register, ordered_values
from geo.tiles import TileLayer

__all__ = [
    "COORD_DECIMALS",
    "PLOT_MIN_ZOOM",
    "chosen_values",
    "data_tile_layers",
    "features_payload",
    "pack_indices",
    "plot_area",
    "value_display",
]

# From this zoom plots are drawn one by one (a 1 ha plot is about 6 px wide at 21° N);
# below it, one circle per zone says how much of its plotted land is vacant.
PLOT_MIN_ZOOM = 13
PLOT_STATUS_CODES = {"leased": "l", "vacant": "v", "reserved": "r", "negotiation": "n",
                     "unavailable": "u", "unknown": "?"}

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
        (GeoJSON geometry, WGS 84, 5 decimals), "np" (how many plots it has, when
        any)}``. A project is ``{"i", "id",
        "k", "s", "q", "nv", "ne", "per" (period), "g"}``.
    """
    chosen = chosen_values(reg)
    plot_counts = reg.plots["zone_id"].value_counts().to_dict() if len(reg.plots) else {}
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
            "np": int(plot_counts.get(zid, 0)) or None,
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


def plot_area(plots: pd.DataFrame) -> pd.Series:
    """Each plot's area in ha: the declared area, else the measured one (NaN if neither)."""
    return plots["area_declared_ha"].fillna(plots["area_measured_ha"])


def _plot_summary(reg: Register, zone_index: dict[str, int]) -> gpd.GeoDataFrame:
    """One point per zone with plots: plot count and hectares leased and vacant."""
    plots = reg.plots
    if plots.empty:
        return gpd.GeoDataFrame({"zone_id": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    frame = pd.DataFrame({"zone_id": plots["zone_id"], "status": plots["status"],
                          "area": plot_area(plots)})
    grouped = frame.groupby("zone_id")
    summary = pd.DataFrame({
        "n": grouped.size(),
        "vacant": frame[frame["status"] == "vacant"].groupby("zone_id")["area"].sum(),
        "leased": frame[frame["status"] == "leased"].groupby("zone_id")["area"].sum(),
    }).fillna(0.0)
    # Where to put the circle: the mean of the zone's plot centres (plots are packed
    # inside their zone, so this falls within it for any compact zone).
    centres = shapely.centroid(np.asarray(plots.geometry.values))
    xy = pd.DataFrame({"zone_id": plots["zone_id"], "x": shapely.get_x(centres),
                       "y": shapely.get_y(centres)})
    mean = xy.groupby("zone_id")[["x", "y"]].mean()
    summary["geometry"] = gpd.points_from_xy(mean.loc[summary.index, "x"],
                                             mean.loc[summary.index, "y"])
    summary["zi"] = [zone_index.get(z, -1) for z in summary.index]
    return gpd.GeoDataFrame(summary.reset_index(), geometry="geometry", crs=plots.crs)


def data_tile_layers(reg: Register) -> list[TileLayer]:
    """The register's layers drawn from vector tiles: plots, and their summary per zone.

    ``plots`` (from zoom :data:`PLOT_MIN_ZOOM`) carry ``id``, ``c`` (plot code),
    ``s`` (status, one letter: see ``PLOT_STATUS_CODES``), ``a`` (area, ha) and ``zi``
    (the zone's index in :func:`features_payload`). On PostGIS the store draws the
    plot tiles itself (:meth:`geo.postgis.PostgisStore.plot_tile`), with the same
    properties.
    ``plot_summary`` (below that zoom) has one point per zone with ``zi``, ``n``
    (plots), ``vac`` and ``lea`` (hectares vacant and leased). Tooltips are built
    in the browser from these, when hovered.
    """
    zone_index = {zid: i for i, zid in enumerate(reg.zones["id"])}
    plots = reg.plots.assign(_area=plot_area(reg.plots))

    def plot_props(row: dict[str, Any]) -> dict[str, Any]:
        area = row["_area"]
        return {"id": row["id"], "c": row["code"],
                "s": PLOT_STATUS_CODES.get(row["status"] or "unknown", "?"),
                "a": None if area is None or area != area else round(float(area), 2),
                "zi": zone_index.get(row["zone_id"], -1)}

    def summary_props(row: dict[str, Any]) -> dict[str, Any]:
        return {"zi": int(row["zi"]), "n": int(row["n"]), "vac": round(float(row["vacant"]), 2),
                "lea": round(float(row["leased"]), 2)}

    return [
        TileLayer("plots", plots, plot_props, min_zoom=PLOT_MIN_ZOOM),
        TileLayer("plot_summary", _plot_summary(reg, zone_index), summary_props,
                  max_zoom=PLOT_MIN_ZOOM - 1),
    ]
