"""Colours and line styles of the map, chosen to be told apart with colour-blindness.

Status and kind colours come from the Okabe–Ito palette; occupancy classes use
a sequential ColorBrewer YlGnBu ramp with a neutral grey for "unknown".
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "KIND_COLORS",
    "PLOT_COLORS",
    "OCCUPANCY_CLASSES",
    "PROJECT_COLORS",
    "STATUS_COLORS",
    "STATUS_DASH",
    "UNKNOWN_COLOR",
    "occupancy_class",
    "project_style",
    "zone_color",
    "zone_style",
]

STATUS_COLORS = {
    "operating": "#009E73",  # bluish green
    "under_construction": "#E69F00",  # orange
    "planned": "#0072B2",  # blue
    "proposed": "#CC79A7",  # reddish purple
    "unknown": "#9E9E9E",  # grey: no source states the status
}
KIND_COLORS = {"KKT": "#56B4E9", "KCN": "#D55E00", "CCN": "#8B5A2B"}
# Plots: vacant land stands out (the investors' question), the rest recedes.
PLOT_COLORS = {
    "vacant": "#1A9850",  # green
    "reserved": "#E69F00",  # orange
    "negotiation": "#F0E442",  # yellow
    "leased": "#7F8FA6",  # slate
    "unavailable": "#D9D9D9",  # light grey
    "unknown": "#9E9E9E",
}
UNKNOWN_COLOR = "#9E9E9E"

# (key, lower bound inclusive, upper bound exclusive, colour)
OCCUPANCY_CLASSES = [
    ("occ.lt50", 0.0, 50.0, "#C7E9B4"),
    ("occ.50_70", 50.0, 70.0, "#7FCDBB"),
    ("occ.70_90", 70.0, 90.0, "#2C7FB8"),
    ("occ.ge90", 90.0, math.inf, "#253494"),
]

PROJECT_COLORS = {
    "expressway": "#C0392B",
    "national_road": "#E67E22",
    "coastal_road": "#8E6C3A",
    "bridge": "#6C3483",
    "sea_dike": "#138D75",
    "seaport": "#1F3A93",
    "airport": "#7D3C98",
    "railway": "#2C2C2C",
    "power": "#B7950B",
    "water": "#2E86C1",
}
# Leaflet dashArray per status: solid, dashed, dotted.
STATUS_DASH = {"operating": None, "under_construction": "8 6", "planned": "2 6",
               "proposed": "2 6"}
APPROXIMATE_DASH = "4 4"


def occupancy_class(value: float | None) -> str:
    """Return the legend key of an occupancy value; ``occ.unknown`` when not known."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "occ.unknown"
    for key, lo, hi, _ in OCCUPANCY_CLASSES:
        if lo <= value < hi:
            return key
    return "occ.ge90"


def zone_color(row: dict[str, Any], mode: str) -> str:
    """Return the fill colour of a zone in colour ``mode`` (status, kind or occupancy)."""
    if mode == "kind":
        return KIND_COLORS.get(row.get("kind") or "", UNKNOWN_COLOR)
    if mode == "occupancy":
        key = occupancy_class(row.get("occupancy_pct"))
        return next((c for k, _, _, c in OCCUPANCY_CLASSES if k == key), UNKNOWN_COLOR)
    return STATUS_COLORS.get(row.get("status") or "", UNKNOWN_COLOR)


def zone_style(row: dict[str, Any], mode: str) -> dict[str, Any]:
    """Return the Leaflet path options of a zone.

    KKT are drawn as outlines so that the zones inside them stay visible; an
    approximate location gets a dashed outline; planned and proposed zones a
    lighter fill than existing ones.
    """
    color = zone_color(row, mode)
    kind = row.get("kind") or ""
    status = row.get("status") or ""
    approximate = row.get("geometry_quality") == "approximate"
    existing = status in ("operating", "under_construction")
    style: dict[str, Any] = {
        "color": color,
        "fillColor": color,
        "weight": 3 if kind == "KKT" else 2,
        "opacity": 0.95,
        "fillOpacity": 0.08 if kind == "KKT" else (0.55 if existing else 0.25),
        "radius": {"KKT": 14, "KCN": 8, "CCN": 6}.get(kind, 6),
        "className": f"kcn-zone kcn-kind-{kind} kcn-status-{status}"
                     + (" kcn-approximate" if approximate else ""),
    }
    if approximate:
        style["dashArray"] = APPROXIMATE_DASH
    return style


def project_style(row: dict[str, Any]) -> dict[str, Any]:
    """Return the Leaflet path options of an infrastructure project (line or point)."""
    kind = row.get("kind") or ""
    status = row.get("status") or ""
    color = PROJECT_COLORS.get(kind, UNKNOWN_COLOR)
    style: dict[str, Any] = {
        "color": color,
        "fillColor": color,
        "weight": 4,
        "opacity": 0.9,
        "fillOpacity": 0.9 if status == "operating" else 0.2,
        "radius": 6,
        "className": f"kcn-project kcn-pkind-{kind} kcn-status-{status}",
    }
    dash = STATUS_DASH.get(status)
    if dash:
        style["dashArray"] = dash
    return style
