"""KKT, KCN and CCN layers: one layer per kind, coloured by the state's colour mode."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo.i18n import number, t, zone_name
from geo.register import Register, ordered_values
from geo.style import KIND_COLORS, OCCUPANCY_CLASSES, STATUS_COLORS, UNKNOWN_COLOR, zone_style
from layers.base import HTML, LegendItem, LegendSection, MapContext
from layers.geojson import FastGeoJson, FeatureSet, collection, serialise_features
from layers.panel import zone_attributes

TIERS = ("legal", "official", "press", "developer", "editors")

__all__ = ["ZoneLayer", "colour_items", "zone_features", "zone_tooltip"]

_TOOLTIP = HTML.from_string(
    """<div class="kcn-tip"><b>{{ name }}</b><br>{{ kind }} · {{ status }}
{% if province %}<br>{{ province }}{% endif %}
<br>{{ area_label }}: {{ area }}
<br>{{ occ_label }}: {{ occ }}
{% if approximate %}<br><i>{{ approximate }}</i>{% endif %}</div>"""
)


def zone_tooltip(row: dict[str, Any], lang: str) -> str:
    """Return the escaped tooltip HTML of a zone."""
    unknown = t("unknown", lang)
    area = number(row.get("area_total_ha"), lang, 2)
    occ = number(row.get("occupancy_pct"), lang, 1)
    return _TOOLTIP.render(
        name=zone_name(row, lang),
        kind=t(f"kind.{row.get('kind')}", lang),
        status=t(f"status.{row.get('status') or 'unknown'}", lang),
        province=row.get("province_current") or row.get("province"),
        area_label=t("attr.area_total_ha", lang),
        area=f"{area}" if area else unknown,
        occ_label=t("attr.occupancy_pct", lang),
        occ=f"{occ}%" if occ else unknown,
        approximate=t("quality.approximate", lang)
        if row.get("geometry_quality") == "approximate" else "",
    )


_POPUP = HTML.from_string(
    """<div class="kcn-pop"><b>{{ name }}</b><br>{{ kind }} · {{ status }}
{% if province %} · {{ province }}{% endif %}
<table>{% for row in rows if row.shown %}<tr><th>{{ row.label }}</th><td>{{ row.shown.text }}
<div class="kcn-pop-src"><span class="kcn-tier">{{ tiers[row.shown.tier] }}</span> \
{{ row.shown.citation }}{% if row.shown.as_of %} ({{ as_of }} {{ row.shown.as_of }}){% endif %}\
</div></td></tr>{% endfor %}</table>
{% if missing %}<div class="kcn-pop-src">{{ missing_label }}: {{ missing | join(", ") }}</div>\
{% endif %}{% if approximate %}<i>{{ approximate }}</i>{% endif %}</div>"""
)
POPUP_FIELDS = ("status", "area_total_ha", "area_industrial_ha", "occupancy_pct",
                "year_established", "developer")


def zone_popup(reg: Register, row: dict[str, Any], lang: str,
               ordered: pd.DataFrame | None = None) -> str:
    """Return the escaped HTML panel of a zone: key figures, each with tier and source."""
    rows = zone_attributes(reg, row["id"], lang, ordered, POPUP_FIELDS)
    return _POPUP.render(
        name=zone_name(row, lang), kind=t(f"kind.{row.get('kind')}", lang),
        status=t(f"status.{row.get('status') or 'unknown'}", lang),
        province=row.get("province_current") or row.get("province"), rows=rows,
        tiers={k: t(f"tier.{k}", lang) for k in TIERS} | {None: ""},
        as_of=t("panel.as_of", lang), missing_label=t("panel.unknown_fields", lang),
        missing=[r.label for r in rows if r.shown is None],
        approximate=t("quality.approximate", lang)
        if row.get("geometry_quality") == "approximate" else "",
    )


def zone_features(zones: gpd.GeoDataFrame, lang: str, color: str,
                  register: Register | None = None) -> FeatureSet:
    """Serialise every zone once for a language and colour mode.

    With the ``register``, each zone also carries its panel (``_p``: key figures
    with their sources), shown when the zone is clicked in the standalone map.
    """
    ordered = (ordered_values(register.zone_values, register.sources)
               if register is not None else None)

    def props(row: dict[str, Any]) -> dict[str, Any]:
        out = {
            "id": row["id"],
            "kind": row["kind"],
            "_s": zone_style(row, color),
            "_t": zone_tooltip(row, lang),
        }
        if register is not None:
            out["_p"] = zone_popup(register, row, lang, ordered)
        return out
    return serialise_features(zones, props)


def colour_items(mode: str, lang: str) -> tuple[LegendItem, ...]:
    """The legend rows of a colour mode: kinds, occupancy classes (and unknown), or statuses."""
    if mode == "kind":
        return tuple(LegendItem(t(f"kind.{k}", lang), c) for k, c in KIND_COLORS.items())
    if mode == "occupancy":
        return (*(LegendItem(t(key, lang), c) for key, _, _, c in OCCUPANCY_CLASSES),
                LegendItem(t("occ.unknown", lang), UNKNOWN_COLOR))
    return tuple(LegendItem(t(f"status.{s}", lang), c) for s, c in STATUS_COLORS.items())


class ZoneLayer:
    """The zones of one kind."""

    def __init__(self, kind: str, key: str | None = None) -> None:
        self.kind = kind
        self.key = key or kind.lower()

    def _ids(self, ctx: MapContext) -> list[str]:
        if self.key not in ctx.state.layers:
            return []
        return ctx.zones.loc[ctx.zones["kind"] == self.kind, "id"].tolist()

    def add_to(self, fmap: folium.Map, ctx: MapContext) -> None:
        ids = [i for i in self._ids(ctx) if i in ctx.zone_json]
        if ids:
            data = collection(ctx.zone_json[i] for i in ids)
            FastGeoJson(data, ctx.zone_json.styles_json(), name=f"zones_{self.key}").add_to(fmap)

    def legend(self, ctx: MapContext) -> LegendSection | None:
        # One zone section stands for all three kinds: the first shown kind writes it.
        shown = [k for k in ("kkt", "kcn", "ccn") if k in ctx.state.layers]
        if not shown or shown[0] != self.key:
            return None
        lang, mode = ctx.state.lang, ctx.state.color
        items = colour_items(mode, lang)
        items += (LegendItem(t("legend.approximate", lang), "#555555", "outline"),)
        title = f"{t('legend.zones', lang)} – {t(f'color.{mode}', lang)}"
        return LegendSection(title, items)
