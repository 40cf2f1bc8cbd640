"""Infrastructure projects: lines and points coloured by kind, dashed by status."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd

from geo.i18n import project_name, t
from geo.style import PROJECT_COLORS, project_style
from layers.base import HTML, LegendItem, LegendSection, MapContext
from layers.geojson import FastGeoJson, FeatureSet, collection, serialise_features

__all__ = ["InfrastructureLayer", "project_features", "project_tooltip"]

_TOOLTIP = HTML.from_string(
    """<div class="kcn-tip"><b>{{ name }}</b><br>{{ kind }} · {{ status }}
{% if period %} · {{ period }}{% endif %}
{% if approximate %}<br><i>{{ approximate }}</i>{% endif %}</div>"""
)


def project_tooltip(row: dict[str, Any], lang: str) -> str:
    """Return the escaped tooltip HTML of an infrastructure project."""
    return _TOOLTIP.render(
        name=project_name(row, lang),
        kind=t(f"pkind.{row.get('kind')}", lang),
        status=t(f"status.{row.get('status')}", lang),
        period=row.get("period"),
        approximate=t("quality.approximate", lang)
        if row.get("geometry_quality") == "approximate" else "",
    )


def project_features(projects: gpd.GeoDataFrame, lang: str) -> FeatureSet:
    """Serialise every project once for a language."""
    def props(row: dict[str, Any]) -> dict[str, Any]:
        return {"id": row["id"], "kind": row["kind"], "_s": project_style(row),
                "_t": project_tooltip(row, lang)}
    return serialise_features(projects, props)


class InfrastructureLayer:
    """Roads, bridges, dikes, ports, airports and railways linked to the zones."""

    key = "infra"

    def add_to(self, fmap: folium.Map, ctx: MapContext) -> None:
        if self.key not in ctx.state.layers:
            return
        ids = [i for i in ctx.projects["id"] if i in ctx.project_json]
        if ids:
            data = collection(ctx.project_json[i] for i in ids)
            FastGeoJson(data, ctx.project_json.styles_json(), name="infrastructure").add_to(fmap)

    def legend(self, ctx: MapContext) -> LegendSection | None:
        if self.key not in ctx.state.layers or ctx.projects.empty:
            return None
        lang = ctx.state.lang
        shown = set(ctx.projects["kind"])
        items = tuple(
            LegendItem(t(f"pkind.{k}", lang), c, "line")
            for k, c in PROJECT_COLORS.items() if k in shown
        )
        return LegendSection(t("legend.infra", lang), items, note=t("legend.infra_status", lang))
