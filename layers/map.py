"""Assembling the map: local assets, the registered layers and the legend."""

from __future__ import annotations

from collections.abc import Sequence

import folium

from geo.i18n import t
from layers.base import LegendSection, MapContext, MapLayer
from layers.basemaps import BaseMapLayer
from layers.infrastructure import InfrastructureLayer
from layers.legend import Legend
from layers.zones import ZoneLayer

__all__ = ["ASSET_BASE", "DEFAULT_CENTER", "DEFAULT_ZOOM", "LAYERS", "build_map", "view_of"]

# Where Streamlit serves ./static (``[server] enableStaticServing = true``).
ASSET_BASE = "/app/static/vendor"

# Northern Vietnam, from Bắc Kạn to Móng Cái.
DEFAULT_CENTER = (21.2, 106.8)
DEFAULT_ZOOM = 8

# Every layer of the map, bottom to top. The app walks this list; nothing else
# needs to know which layers exist.
LAYERS: tuple[MapLayer, ...] = (
    BaseMapLayer(),
    ZoneLayer("KKT"),
    ZoneLayer("KCN"),
    ZoneLayer("CCN"),
    ZoneLayer("study_area", key="study"),  # areas a plan asks to study, drawn as on the live map
    InfrastructureLayer(),
)


def view_of(ctx: MapContext) -> tuple[tuple[float, float], int, list[list[float]] | None]:
    """Return the map's centre, zoom and, when no camera is stated, the bounds to fit."""
    s = ctx.state
    if s.lat is not None and s.lon is not None:
        return (s.lat, s.lon), s.z if s.z is not None else 12, None
    shown = ctx.zones[ctx.zones.geometry.notna()]
    if shown.empty:
        return DEFAULT_CENTER, s.z if s.z is not None else DEFAULT_ZOOM, None
    x0, y0, x1, y1 = shown.total_bounds
    centre = ((y0 + y1) / 2, (x0 + x1) / 2)
    return centre, s.z if s.z is not None else DEFAULT_ZOOM, [[y0, x0], [y1, x1]]


def _local_assets(fmap: folium.Map, asset_base: str) -> None:
    # New lists on the instance: folium's class-level lists are shared by every map.
    fmap.default_js = [("leaflet", f"{asset_base}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{asset_base}/leaflet.css")]


def build_map(
    ctx: MapContext,
    *,
    asset_base: str = ASSET_BASE,
    layers: Sequence[MapLayer] = LAYERS,
    height: str | int = "100%",
) -> folium.Map:
    """Return the folium map of a context, every asset served from ``asset_base``."""
    centre, zoom, bounds = view_of(ctx)
    fmap = folium.Map(location=list(centre), zoom_start=zoom, tiles=None, control_scale=True,
                      prefer_canvas=False, height=height, max_zoom=19)
    _local_assets(fmap, asset_base)
    sections: list[LegendSection] = []
    for layer in layers:
        layer.add_to(fmap, ctx)
        section = layer.legend(ctx)
        if section is not None:
            sections.append(section)
    if bounds is not None and ctx.state.z is None:
        fmap.fit_bounds(bounds, padding=(20, 20), max_zoom=13)
    Legend(sections, title=t("legend.title", ctx.state.lang)).add_to(fmap)
    return fmap
