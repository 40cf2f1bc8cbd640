"""Base maps: OpenStreetMap, a light map, satellite imagery, or none.

Tiles are the only thing the map fetches from outside; when they fail, the
data layers, legend and tooltips still work.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium

from layers.base import LegendSection, MapContext

__all__ = ["BASEMAP_TILES", "BaseMapLayer", "Tiles"]


@dataclass(frozen=True)
class Tiles:
    """A tile service and its required attribution."""

    url: str
    attribution: str
    max_zoom: int = 19


BASEMAP_TILES = {
    "osm": Tiles(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "light": Tiles(
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
        ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
        20,
    ),
    "satellite": Tiles(
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
        "{z}/{y}/{x}",
        "Tiles &copy; Esri — Source: Esri, Maxar, Earthstar Geographics, and the GIS User "
        "Community",
    ),
}


class BaseMapLayer:
    """The base map the state names."""

    key = "basemap"

    def add_to(self, fmap: folium.Map, ctx: MapContext) -> None:
        tiles = BASEMAP_TILES.get(ctx.state.basemap)
        if tiles is None:
            return
        folium.TileLayer(
            tiles=tiles.url, attr=tiles.attribution, name=ctx.state.basemap,
            max_zoom=tiles.max_zoom, control=False,
        ).add_to(fmap)

    def legend(self, ctx: MapContext) -> LegendSection | None:
        return None
