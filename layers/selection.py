"""The selection overlay: the selected zone or project and what it is linked to.

It is a separate feature group so that st_folium can swap it in without
reloading the map when the selection changes.
"""

from __future__ import annotations

import json

import folium

from layers.base import MapContext
from layers.elements import script_json
from layers.geojson import FastGeoJson, FeatureSet, collection

__all__ = ["selection_group"]

_SELECTED = {"weight": 5, "color": "#000000", "opacity": 1, "fillOpacity": 0.15,
             "dashArray": None, "className": "kcn-selected"}
_LINKED = {"weight": 7, "opacity": 1, "className": "kcn-linked"}


def _restyle(features: FeatureSet, fid: str, overrides: dict) -> str:
    """Return a serialised feature with its own style, overridden (the string stays escaped)."""
    feature = json.loads(features[fid])
    style = features.style_of(fid)
    style.update(overrides)  # className too: selection paths are not counted as zones
    feature["properties"]["_s"] = style
    return script_json(feature)


def selection_group(
    ctx: MapContext, linked_projects: list[str], linked_zones: list[str]
) -> folium.FeatureGroup:
    """Return a feature group drawing the selection above every other layer.

    Parameters
    ----------
    ctx
        The map context; ``ctx.state.zone`` or ``ctx.state.project`` is the selection.
    linked_projects, linked_zones
        Ids of the projects serving the selected zone, or of the zones the
        selected project serves.
    """
    group = folium.FeatureGroup(name="selection", control=False)
    features: list[str] = []
    zone_ids = list(linked_zones)
    project_ids = list(linked_projects)
    if ctx.state.zone:
        zone_ids = [ctx.state.zone, *zone_ids]
    if ctx.state.project:
        project_ids = [ctx.state.project, *project_ids]
    for zid in dict.fromkeys(zone_ids):
        if zid in ctx.zone_json:
            selected = zid == ctx.state.zone
            features.append(_restyle(ctx.zone_json, zid, _SELECTED if selected else _LINKED))
    for pid in dict.fromkeys(project_ids):
        if pid in ctx.project_json:
            selected = pid == ctx.state.project
            features.append(_restyle(ctx.project_json, pid, _SELECTED if selected else _LINKED))
    if features:
        FastGeoJson(collection(features), name="selection").add_to(group)
    return group
