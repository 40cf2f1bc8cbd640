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

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Template

from layers.elements import RawMacroElement, script_json

__all__ = ["GRID", "SIMPLIFY_TOLERANCE", "FastGeoJson", "serialise_features"]

GRID = 1e-5  # degrees: about 1.1 m
SIMPLIFY_TOLERANCE = 2e-5  # degrees: about 2 m, below any plan's precision


def _props_json(props: Mapping[str, Any]) -> str:
    return script_json(props)


def serialise_features(
    gdf: gpd.GeoDataFrame,
    properties: Callable[[dict[str, Any]], Mapping[str, Any]],
    *,
    tolerance: float = SIMPLIFY_TOLERANCE,
) -> dict[str, str]:
    """Return each feature of ``gdf`` (EPSG:4326, with an ``id`` column) as a JSON string.

    Parameters
    ----------
    gdf
        Features to serialise; rows without a geometry are left out.
    properties
        Builds the GeoJSON properties of a row (given as a dict).
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
    out = {}
    for rec, geom in zip(records, geo_json, strict=True):
        out[str(rec["id"])] = (
            '{"type":"Feature","geometry":' + geom
            + ',"properties":' + _props_json(properties(rec)) + "}"
        )
    return out


def collection(features: Iterable[str]) -> str:
    """Join serialised features into one FeatureCollection string."""
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


class FastGeoJson(RawMacroElement):
    """A GeoJSON layer whose styles and tooltips travel in the feature properties.

    Each feature carries ``_s`` (Leaflet path options) and ``_t`` (escaped
    tooltip HTML). Points are drawn as circle markers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
            style: function (f) { return f.properties._s; },
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, f.properties._s); },
            onEachFeature: function (f, layer) {
                if (f.properties._t) {
                    layer.bindTooltip(f.properties._t, {sticky: true, direction: "top"});
                }
            },
            smoothFactor: 1.5
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: str, name: str = "geojson") -> None:
        super().__init__()
        self._name = name
        self.data = data
