"""The map page's controls: the link's state into widgets, the sidebar, selection."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import load_register, md
from geo.analysis import search_zones
from geo.i18n import project_name, t, zone_name
from geo.register import Register
from geo.sitefinder import NEAR_KINDS
from geo.text import fold
from layers.share import known_from_register
from layers.state import (
    BASEMAPS,
    COLOR_MODES,
    KINDS,
    LANGS,
    LAYER_KEYS,
    PERIODS,
    PLOT_STATUSES,
    STATUSES,
    MapState,
)

__all__ = ["current_state", "seed_from_url", "select_plot", "select_project", "select_zone",
           "sidebar"]

S = st.session_state


# --- state ------------------------------------------------------------------

def seed_from_url(reg: Register) -> None:
    """Put a link's state into the widgets: on a session's first run, and when the map is
    entered from another page (whose links carry their own view)."""
    if S.get("_seeded") and not S.pop("_map_entered", False):
        return
    # Checked against the register: what is dropped or cut to fit is named in the notice.
    state = MapState.from_query(st.query_params.to_dict()).resolve(known_from_register(reg))
    S.update({
        "q": state.q, "prov": list(state.prov), "occ": state.occ,
        "zone": state.zone, "plot": state.plot, "camera": (state.lat, state.lon, state.z),
        "_ignored": list(state.ignored), "_adjusted": list(state.adjusted), "_seeded": True,
        "view": state.view,
        # A link that states a camera keeps it until the user changes what is shown.
        "_camera_from_link": state.lat is not None,
    })
    for name, value in (("period", state.period), ("color", state.color),
                        ("basemap", state.basemap), ("project", state.project),
                        ("kind", list(state.kind)), ("status", list(state.status)),
                        ("pstatus", list(state.pstatus))):
        _put(name, value)
    S.update({"site_on": state.site is not None, "site_target": state.site or "plots",
              "site_min": state.smin})
    near = dict(state.snear)
    for kind in NEAR_KINDS:
        S[f"near_{kind}"] = kind in near
        S[f"near_{kind}_km"] = float(near.get(kind, 30.0))
    if state.area is not None:
        S["area"] = state.area
    else:
        S.pop("area", None)  # the slider starts again from the whole range
    for key in LAYER_KEYS:
        S[f"layer_{key}"] = key in state.layers


def current_state(area_bounds: tuple[float, float] | None) -> MapState:
    """Return the map state the widgets and the session hold now."""
    area = S.get("area")
    if area is not None and area_bounds is not None and tuple(area) == area_bounds:
        area = None
    lat, lon, z = S.get("camera", (None, None, None))
    return MapState(
        lang=S["lang"], zone=S.get("zone"), project=S.get("project"), period=S["period"],
        color=S["color"], layers=tuple(k for k in LAYER_KEYS if S.get(f"layer_{k}")),
        basemap=S["basemap"], prov=tuple(sorted(S["prov"])),
        kind=tuple(k for k in KINDS if k in S["kind"]),
        status=tuple(s for s in STATUSES if s in S["status"]),
        pstatus=tuple(s for s in PLOT_STATUSES if s in S.get("pstatus", [])),
        plot=S.get("plot"),
        occ=(float(S["occ"][0]), float(S["occ"][1])),
        area=None if area is None else (float(area[0]), float(area[1])),
        q=S["q"].strip(), lat=lat, lon=lon, z=z, view=S.get("view", "map"),
        site=S.get("site_target", "plots") if S.get("site_on") else None,
        smin=float(S.get("site_min", 0.0)) if S.get("site_on") else 0.0,
        snear=tuple(sorted((k, float(S[f"near_{k}_km"])) for k in NEAR_KINDS
                           if S.get(f"near_{k}"))) if S.get("site_on") else (),
    )


def _put(name: str, value: Any) -> None:
    """Set a value and every widget that shows it (in both languages).

    Streamlit 1.67 hands a choice widget's value back by its formatted label, so after
    a language switch a stale label could overwrite the choice. Widgets whose labels
    depend on the language therefore have a key per language (``w_<name>_<lang>``),
    and the value itself lives under ``name``.
    """
    S[name] = value
    for lang in LANGS:
        S[f"w_{name}_{lang}"] = value


def _bound(widget: Any, label: str, options: list[Any] | tuple[Any, ...], name: str,
           lang: str, then: Any = None, **kwargs: Any) -> None:
    """Draw ``widget`` for the value ``name`` in ``lang``; its changes go to ``S[name]``."""
    wkey = f"w_{name}_{lang}"
    if wkey not in S:
        S[wkey] = S[name]

    def sync() -> None:
        S[name] = S[wkey]
        if then is not None:
            then()

    widget(label, options, key=wkey, on_change=sync, **kwargs)


def select_zone(zone_id: str | None, move: bool = True) -> None:
    """Select a zone (None clears); ``move`` brings it into view."""
    S["zone"] = zone_id
    S["plot"] = None
    _put("project", None)
    if zone_id and move:
        S["_fly_to"] = ("zone", zone_id)


def select_plot(plot_id: str | None, zone_id: str | None = None) -> None:
    """Select a plot (and its zone, whose panel it belongs to)."""
    S["plot"] = plot_id
    if zone_id:
        S["zone"] = zone_id
    _put("project", None)


def select_project(project_id: str | None, move: bool = True) -> None:
    """Select an infrastructure project; ``move`` brings it into view."""
    S["zone"] = None
    S["plot"] = None
    _put("project", project_id)
    if project_id and move:
        S["_fly_to"] = ("project", project_id)


def _on_search() -> None:
    reg = load_register().register
    hits = search_zones(reg.zones, S["q"])
    if hits:
        select_zone(hits[0])


def _site_finder(sb: Any, lang: str) -> None:
    """The investors' question: vacant land of at least X ha within Y km of a port..."""
    with sb.expander(t("site.title", lang), expanded=bool(S.get("site_on"))):
        st.toggle(t("site.on", lang), key="site_on", help=t("site.help", lang))
        _bound(st.radio, t("site.target", lang), ("plots", "zones"), "site_target", lang,
               format_func=lambda v: t(f"site.target.{v}", lang), horizontal=True)
        st.number_input(t("site.min", lang), min_value=0.0, max_value=100_000.0, step=1.0,
                        key="site_min")
        for kind in NEAR_KINDS:
            left, right = st.columns([3, 2])
            left.checkbox(t(f"site.near.{kind}", lang), key=f"near_{kind}")
            right.number_input("km", min_value=1.0, max_value=2000.0, step=5.0,
                               key=f"near_{kind}_km", label_visibility="collapsed",
                               disabled=not S.get(f"near_{kind}"))


def _on_present() -> None:
    S["view"] = "present" if S.get("present_toggle") else "map"


def _on_project() -> None:
    if S.get("project"):
        S["zone"] = None
        S["_fly_to"] = ("project", S["project"])


# --- sidebar ------------------------------------------------------------------

def sidebar(reg: Register) -> tuple[float, float] | None:
    """Draw the controls; return the area slider's bounds (None without known areas)."""
    sb = st.sidebar
    lang = S["lang"]
    sb.text_input(t("search", lang), key="q", help=t("search.help", lang), on_change=_on_search)
    if S["q"].strip():
        hits = search_zones(reg.zones, S["q"])
        if not hits:
            sb.info(t("search.none", lang, q=S["q"].strip()))
        else:
            names = reg.zones.set_index("id")
            sb.caption(t("search.results", lang, n=len(hits)))
            for zid in hits[:8]:
                label = zone_name(names.loc[zid].to_dict() | {"id": zid}, lang)
                sb.button(md(label), key=f"hit_{zid}", on_click=select_zone, args=(zid,),
                          type="primary" if zid == S.get("zone") else "secondary",
                          width="stretch")
    _bound(sb.radio, t("period", lang), PERIODS, "period", lang, horizontal=True,
           format_func=lambda v: t(f"period.{v}", lang))
    _bound(sb.radio, t("color", lang), COLOR_MODES, "color", lang, horizontal=True,
           format_func=lambda v: t(f"color.{v}", lang))
    sb.markdown(f"**{md(t('layers', lang))}**")
    for key in LAYER_KEYS:
        if key == "plots" and reg.plots.empty:
            continue  # nothing to show until plots are imported
        sb.checkbox(t(f"layer.{key}", lang), key=f"layer_{key}")
    _bound(sb.selectbox, t("basemap", lang), BASEMAPS, "basemap", lang,
           format_func=lambda v: t(f"basemap.{v}", lang))
    projects = reg.projects.set_index("id")
    _bound(sb.selectbox, t("project.select", lang), [None, *projects.index], "project", lang,
           then=_on_project, placeholder=t("project.none", lang),
           format_func=lambda v: t("project.none", lang) if v is None
           else project_name(projects.loc[v].to_dict(), lang))

    sb.toggle(t("present.toggle", lang), key="present_toggle", value=S.get("view") == "present",
              help=t("present.help", lang), on_change=_on_present)
    _site_finder(sb, lang)
    with sb.expander(t("filters", lang), expanded=bool(S["prov"] or S["kind"] or S["status"])):
        # Today's provinces (after the 2025 mergers); a zone matches by either name.
        provinces = sorted(set(reg.zones["province_current"].dropna()) | set(S["prov"]),
                           key=fold)
        anything = t("filter.any", lang)
        st.multiselect(t("province", lang), provinces, key="prov", placeholder=anything)
        _bound(st.multiselect, t("kind", lang), KINDS, "kind", lang, placeholder=anything,
               format_func=lambda v: f"{v} – {t(f'kind.{v}', lang)}")
        _bound(st.multiselect, t("status", lang), STATUSES, "status", lang,
               placeholder=anything, format_func=lambda v: t(f"status.{v}", lang))
        if not reg.plots.empty:
            _bound(st.multiselect, t("plot.status_filter", lang), PLOT_STATUSES, "pstatus", lang,
                   placeholder=anything, format_func=lambda v: t(f"plot.{v}", lang))
        st.slider(t("occupancy_range", lang), 0.0, 100.0, key="occ", step=5.0,
                  help=t("occupancy_range.help", lang))
        top = reg.zones["area_total_ha"].max()
        if pd.isna(top):
            return None
        bounds = (0.0, float(math.ceil(top)))
        if "area" not in S:
            S["area"] = bounds
        else:
            lo, hi = S["area"]
            S["area"] = (max(bounds[0], min(lo, bounds[1])), max(bounds[0], min(hi, bounds[1])))
        st.slider(t("area_range", lang), bounds[0], bounds[1], key="area",
                  help=t("area_range.help", lang))
        return bounds
