"""The live map's data: what the page sends the browser component on every run.

The component (``static/map/kcn-map.js``) draws the features it fetched once
per register version; this module builds the small message that says how to
show them: language and its labels, colour tables, the legend, which zones and
projects are shown (bitmaps over the register's rows), the selection and a
camera command. Nothing here reads files or stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.i18n import label_group, t
from geo.mapdata import pack_indices
from geo.style import (
    KIND_COLORS,
    OCCUPANCY_CLASSES,
    PLOT_COLORS,
    PROJECT_COLORS,
    STATUS_COLORS,
    UNKNOWN_COLOR,
)
from layers.base import LegendItem, LegendSection
from layers.basemaps import BASEMAP_TILES
from layers.legend import sections_html
from layers.state import MapState
from layers.zones import colour_items

__all__ = ["ASSETS", "Camera", "MapView", "color_tables", "legend_sections", "map_labels",
           "component_data"]

# Where Streamlit serves ./static (``[server] enableStaticServing = true``).
STATIC = "/app/static"
ASSETS = {
    "leaflet_js": f"{STATIC}/vendor/leaflet.js",
    "leaflet_css": f"{STATIC}/vendor/leaflet.css",
    "protomaps_js": f"{STATIC}/vendor/protomaps-leaflet.js",
    "images": f"{STATIC}/vendor/images/",
    # Loaded only when an editor draws (Leaflet-Geoman: drawing, snapping, vertex editing).
    "geoman_js": f"{STATIC}/vendor/leaflet-geoman.js",
    "geoman_css": f"{STATIC}/vendor/leaflet-geoman.css",
}


@dataclass(frozen=True)
class Camera:
    """A command to move the map, applied once by the browser (``seq`` tells new from old).

    Either ``fit`` bounds ``[[south, west], [north, east]]`` or a ``center``
    ``(lat, lon)`` with a ``zoom``.
    """

    seq: int
    fit: tuple[tuple[float, float], tuple[float, float]] | None = None
    center: tuple[float, float] | None = None
    zoom: int | None = None
    max_zoom: int = 13

    def to_json(self) -> dict[str, Any]:
        """Return the command as the component reads it."""
        out: dict[str, Any] = {"seq": self.seq, "max_zoom": self.max_zoom}
        if self.fit is not None:
            out["fit"] = [list(self.fit[0]), list(self.fit[1])]
        if self.center is not None:
            out["center"] = list(self.center)
            out["zoom"] = self.zoom if self.zoom is not None else 12
        return out


@dataclass(frozen=True)
class MapView:
    """What one run of the map page shows.

    ``zones_shown`` and ``projects_shown`` are boolean masks over the register's
    zones and projects (in register order), after filters and layers.
    """

    state: MapState
    key: str  # the register version the browser fetches features of
    zones_shown: pd.Series
    projects_shown: pd.Series
    project_kinds: Sequence[str]
    linked_zones: Sequence[str] = ()
    linked_projects: Sequence[str] = ()
    camera: Camera | None = None
    reference_tiles: str = ""
    reference_attribution: str = ""
    reference_max_zoom: int = 12
    plot_tiles: str = ""  # empty when the register has no plots
    plot_min_zoom: int = 13
    plot_highlight: Sequence[str] = ()  # plots to outline: the site finder's results


def map_labels(lang: str) -> dict[str, str]:
    """Return the labels the component writes itself (tooltips, list, notices)."""
    labels = label_group(lang, "kind.", "status.", "pkind.", "tier.", "list.", "map.",
                         "quality.", "plot.", "draw.")
    for key in ("unknown", "legend.title", "attr.area_total_ha", "attr.occupancy_pct"):
        labels[key] = t(key, lang)
    return labels


def color_tables() -> dict[str, Any]:
    """Return the colours the component styles features with (see :mod:`geo.style`)."""
    return {
        "status": dict(STATUS_COLORS),
        "kind": dict(KIND_COLORS),
        "occupancy": [[lo, None if hi == float("inf") else hi, color]
                      for _, lo, hi, color in OCCUPANCY_CLASSES],
        "project": dict(PROJECT_COLORS),
        "plot": dict(PLOT_COLORS),
        "unknown": UNKNOWN_COLOR,
    }


def legend_sections(state: MapState, project_kinds: Sequence[str],
                    has_plots: bool = False) -> list[LegendSection]:
    """Return the legend of what the state shows: zones by colour mode, symbols, tiers."""
    lang, mode = state.lang, state.color
    sections: list[LegendSection] = []
    if any(k in state.layers for k in ("kkt", "kcn", "ccn", "study")):
        items = (
            *colour_items(mode, lang),
            LegendItem(t("legend.area_circle", lang), "#7a8699", "circle"),
            LegendItem(t("legend.point", lang), "#7a8699", "dot"),
            LegendItem(t("legend.approximate", lang), "#555555", "outline"),
        )
        if "study" in state.layers:
            items += (LegendItem(t("kind.study_area", lang), "#555555", "outline"),)
        sections.append(LegendSection(f"{t('legend.zones', lang)} – {t(f'color.{mode}', lang)}",
                                      items))
    if "plots" in state.layers and has_plots:
        items = tuple(LegendItem(t(f"plot.{k}", lang), c) for k, c in PLOT_COLORS.items())
        items += (LegendItem(t("legend.plot_summary", lang), PLOT_COLORS["vacant"], "circle"),)
        sections.append(LegendSection(t("legend.plots", lang), items))
    if "infra" in state.layers and project_kinds:
        items = tuple(LegendItem(t(f"pkind.{k}", lang), c, "line")
                      for k, c in PROJECT_COLORS.items() if k in set(project_kinds))
        sections.append(LegendSection(t("legend.infra", lang), items,
                                      note=t("legend.infra_status", lang)))
    # The reference map may appear whatever the choice: when base-map tiles cannot load.
    sections.append(LegendSection(t("legend.reference", lang), (
        LegendItem(t("legend.provinces", lang), "#8a94a6", "line"),)))
    tiers = ("legal", "official", "press", "developer", "editors")
    sections.append(LegendSection(t("legend.tiers", lang), tuple(
        LegendItem(f"{t(f'tier.{k}', lang)}: {t(f'tier.{k}.long', lang)}", "#8a94a6", "tier")
        for k in tiers)))
    return sections


def _basemap(state: MapState) -> dict[str, Any] | None:
    tiles = BASEMAP_TILES.get(state.basemap)
    if tiles is None:
        return None
    return {"url": tiles.url, "attribution": tiles.attribution, "max_zoom": tiles.max_zoom}


def component_data(view: MapView, *, features_url: str) -> dict[str, Any]:
    """Return the message for the browser component (JSON-serialisable, small).

    Zones and projects travel as bitmaps of the rows shown, never as features.
    """
    state = view.state
    lang = state.lang
    zones_all = bool(view.zones_shown.all())
    projects_all = bool(view.projects_shown.all())
    return {
        "version": view.key,
        "features_url": features_url,
        "assets": ASSETS,
        "lang": lang,
        "text": map_labels(lang),
        "colors": color_tables(),
        "color_mode": state.color,
        "layers": list(state.layers),
        "basemap_id": state.basemap,
        "basemap": _basemap(state),
        "reference": {"tiles": view.reference_tiles, "attribution": view.reference_attribution,
                      "max_zoom": view.reference_max_zoom},
        "shown_zones": None if zones_all else pack_indices(view.zones_shown),
        "shown_projects": None if projects_all else pack_indices(view.projects_shown),
        "selection": {"zone": state.zone, "project": state.project, "plot": state.plot,
                      "linked_zones": list(view.linked_zones),
                      "linked_projects": list(view.linked_projects)},
        "camera": view.camera.to_json() if view.camera is not None else None,
        "legend_html": sections_html(legend_sections(state, view.project_kinds,
                                                     bool(view.plot_tiles))),
        "plots": {"tiles": view.plot_tiles, "min_zoom": view.plot_min_zoom, "max_zoom": 16,
                  "status": list(state.pstatus), "highlight": list(view.plot_highlight)}
        if view.plot_tiles else None,
        "present": state.view == "present",
        # Set by the page for a signed-in editor: what to draw or edit, and a drawn preview.
        "edit": None,
        "drawn": None,
    }
