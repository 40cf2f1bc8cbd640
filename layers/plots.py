"""Plots (lô đất) on a folium map: the Data page's preview of a file of plots.

The live map draws the register's plots from vector tiles (``static/map``); this
layer draws the plots of a file about to be imported, coloured by status, each
with an escaped tooltip. A preview shows at most :data:`PREVIEW_MAX` plots (the
first of each zone), and says how many it leaves out.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd

from geo.i18n import number, t
from geo.schema import PlotStatus
from geo.style import PLOT_COLORS
from layers.base import HTML, LegendItem, LegendSection, MapContext
from layers.geojson import FastGeoJson, FeatureSet, collection, serialise_features

__all__ = ["PREVIEW_MAX", "PlotPreviewLayer", "plot_features", "plot_tooltip"]

PREVIEW_MAX = 5_000  # a folium page of more polygons takes seconds to draw

_TOOLTIP = HTML.from_string(
    """<div class="kcn-tip"><b>{{ code_label }} {{ code }}</b><br>{{ status }}
{% if area %}<br>{{ area_label }}: {{ area }} ha{% endif %}
{% if lessee %}<br>{{ lessee_label }}: {{ lessee }}{% endif %}
{% if zone %}<br>{{ zone }}{% endif %}</div>"""
)


def plot_tooltip(row: dict[str, Any], lang: str, zone: str | None = None) -> str:
    """Return the escaped tooltip HTML of a plot."""
    area = row.get("area_declared_ha")
    if area is None or area != area:
        area = row.get("area_measured_ha")
    return _TOOLTIP.render(
        code_label=t("plot.code", lang), code=row.get("code"),
        status=t(f"plot.{row.get('status') or 'unknown'}", lang),
        area_label=t("plot.area_declared", lang),
        area=number(area, lang, 2) if area is not None and area == area else "",
        lessee_label=t("plot.lessee", lang), lessee=row.get("lessee") or "", zone=zone)


def plot_features(plots: gpd.GeoDataFrame, lang: str,
                  zone_names: dict[str, str] | None = None) -> FeatureSet:
    """Serialise plots once, coloured by status, each with its tooltip."""
    names = zone_names or {}

    def props(row: dict[str, Any]) -> dict[str, Any]:
        colour = PLOT_COLORS.get(row.get("status") or "unknown", PLOT_COLORS["unknown"])
        return {"id": row["id"], "_t": plot_tooltip(row, lang, names.get(row["zone_id"])),
                "_s": {"color": "#333333", "weight": 0.6, "fillColor": colour,
                       "fillOpacity": 0.8, "radius": 4}}

    return serialise_features(plots, props)


class PlotPreviewLayer:
    """The plots of a file about to be imported, over the zones (a MapLayer)."""

    key = "plots"

    def __init__(self, plots: gpd.GeoDataFrame, features: FeatureSet) -> None:
        self.plots = plots
        self.features = features

    def add_to(self, fmap: folium.Map, ctx: MapContext) -> None:
        """Draw the plots (at most :data:`PREVIEW_MAX` of them)."""
        ids = [i for i in self.plots["id"].head(PREVIEW_MAX) if i in self.features]
        if ids:
            FastGeoJson(collection(self.features[i] for i in ids),
                        self.features.styles_json(), name="plots").add_to(fmap)

    def legend(self, ctx: MapContext) -> LegendSection | None:
        """The plot statuses, and how many plots the preview leaves out."""
        lang = ctx.state.lang
        shown = set(self.plots["status"].head(PREVIEW_MAX))
        items = tuple(LegendItem(t(f"plot.{s.value}", lang), PLOT_COLORS[s.value])
                      for s in PlotStatus if s.value in shown)
        left = len(self.plots) - min(len(self.plots), PREVIEW_MAX)
        note = t("data.plots.preview_cut", lang, n=number(PREVIEW_MAX, lang, 0),
                 m=number(len(self.plots), lang, 0)) if left else ""
        return LegendSection(t("legend.plots", lang), items, note)
