"""GeoJSON serialised once per feature and drawn by one small Leaflet template.

folium's own ``GeoJson`` serialises the whole collection on every render and
evaluates the style function per feature in Python. Here each feature becomes
a JSON string once (coordinates simplified and rounded to 1e-5°, about 1 m);
a layer is then just the join of the strings it shows. Properties pass through
:func:`layers.elements.script_json`, so no text from the data can close the
``<script>`` it lands in or be read as a template, and tooltips are HTML
escaped when they are built.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Template

from layers.elements import RawMacroElement, script_json

__all__ = [
    "GRID", "SIMPLIFY_TOLERANCE", "FastGeoJson", "FeatureSet", "collection", "serialise_features",
]

GRID = 1e-5  # degrees: about 1.1 m
SIMPLIFY_TOLERANCE = 2e-5  # degrees: about 2 m, below any plan's precision


@dataclass(frozen=True)
class FeatureSet:
    """Features serialised once, and the distinct path styles they refer to.

    Each feature's ``properties._s`` is an index into :attr:`styles`: thousands
    of zones share a handful of styles, so sending each style once keeps the
    page small.
    """

    features: Mapping[str, str]
    styles: tuple[Mapping[str, Any], ...]

    def __contains__(self, fid: object) -> bool:
        return fid in self.features

    def __getitem__(self, fid: str) -> str:
        return self.features[fid]

    def __len__(self) -> int:
        return len(self.features)

    def style_of(self, fid: str) -> dict[str, Any]:
        """Return the path style of feature ``fid``."""
        index = json.loads(self.features[fid])["properties"]["_s"]
        return dict(self.styles[index])

    def styles_json(self) -> str:
        """Return the style table as script-safe JSON."""
        return script_json(list(self.styles))


def serialise_features(
    gdf: gpd.GeoDataFrame,
    properties: Callable[[dict[str, Any]], Mapping[str, Any]],
    *,
    tolerance: float = SIMPLIFY_TOLERANCE,
) -> FeatureSet:
    """Serialise each feature of ``gdf`` (EPSG:4326, with an ``id`` column) once.

    Parameters
    ----------
    gdf
        Features to serialise; rows without a geometry are left out.
    properties
        Builds the GeoJSON properties of a row (given as a dict); its ``_s``
        (Leaflet path options) is replaced by an index into the style table.
    tolerance
        Simplification tolerance in degrees; topology is preserved.
    """
    has_geom = gdf.geometry.notna() & ~gdf.geometry.is_empty
    rows = gdf[has_geom]
    geoms = np.asarray(rows.geometry.values)
    geoms = shapely.set_precision(shapely.simplify(geoms, tolerance, preserve_topology=True),
                                  GRID)
    geo_json = shapely.to_geojson(geoms)
    records = rows.drop(columns=rows.geometry.name).to_dict("records")
    styles: dict[str, int] = {}
    table: list[Mapping[str, Any]] = []
    out = {}
    for rec, geom in zip(records, geo_json, strict=True):
        props = dict(properties(rec))
        style = props.get("_s")
        if isinstance(style, Mapping):
            key = json.dumps(style, sort_keys=True)
            if key not in styles:
                styles[key] = len(table)
                table.append(style)
            props["_s"] = styles[key]
        out[str(rec["id"])] = (
            '{"type":"Feature","geometry":' + geom
            + ',"properties":' + script_json(props) + "}"
        )
    return FeatureSet(out, tuple(table))


def collection(features: Iterable[str]) -> str:
    """Join serialised features into one FeatureCollection string."""
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


class FastGeoJson(RawMacroElement):
    """A GeoJSON layer whose styles and tooltips travel in the feature properties.

    Each feature carries ``_s`` (an index into ``styles``, or the Leaflet path
    options themselves), ``_t`` (escaped tooltip HTML) and optionally ``_p``
    (escaped panel HTML, opened by a click). Points are drawn as circle markers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var styles = {{ this.styles }};
          function styleOf(f) {
            var s = f.properties._s;
            return typeof s === "number" ? styles[s] : s;
          }
          return L.geoJSON({{ this.data }}, {
            style: styleOf,
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, styleOf(f)); },
            onEachFeature: function (f, layer) {
                if (f.properties._t) {
                    layer.bindTooltip(f.properties._t, {sticky: true, direction: "top"});
                }
                if (f.properties._p) {
                    layer.bindPopup(f.properties._p, {maxWidth: 340});
                }
            },
            smoothFactor: 1.5
          });
        })().addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: str, styles: str = "[]", name: str = "geojson") -> None:
        super().__init__()
        self._name = name
        self.data = data
        self.styles = styles
