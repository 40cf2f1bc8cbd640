"""What every map layer shares: the context it draws from and its small interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import folium
import geopandas as gpd
from jinja2 import Environment

from layers.geojson import FeatureSet
from layers.state import MapState

__all__ = ["HTML", "LegendItem", "LegendSection", "MapContext", "MapLayer"]

# The one Jinja environment for HTML built from data: autoescape is always on.
HTML = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class MapContext:
    """Everything a layer may draw from: the state and the features to show.

    ``zone_json`` and ``project_json`` map ids to features serialised once for
    the state's language and colour mode (see :mod:`layers.geojson`).
    """

    state: MapState
    zones: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    zone_json: FeatureSet = field(repr=False)
    project_json: FeatureSet = field(repr=False)


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a swatch and its label."""

    label: str
    color: str
    shape: str = "fill"  # fill, line, dash, dot or outline


@dataclass(frozen=True)
class LegendSection:
    """A titled group of legend rows, with an optional note."""

    title: str
    items: tuple[LegendItem, ...]
    note: str = ""


class MapLayer(Protocol):
    """A map layer: adds itself to a map and describes itself in the legend."""

    key: str

    def add_to(self, fmap: folium.Map, ctx: MapContext) -> None:
        """Draw the layer on ``fmap`` if the state shows it."""
        ...

    def legend(self, ctx: MapContext) -> LegendSection | None:
        """Return the legend section of the layer, or None when it shows nothing."""
        ...
