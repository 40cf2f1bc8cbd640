"""The map explorer page: controls, the live map with its zone list, the panel, sharing.

Thin glue: the state comes from the link and the widgets (``map_controls``),
what is shown is computed by ``geo.analysis``, the browser component draws it
(``map_component``, ``layers.live``), and the panel, share link and exports
have modules of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from api import views
from app_pages.account import current_actor
from app_pages.common import download_table, md, register_or_stop
from app_pages.history import zone_history
from app_pages.map_component import atlas_map, share_box
from app_pages.map_controls import (
    current_state,
    seed_from_url,
    select_plot,
    select_project,
    select_zone,
    sidebar,
)
from app_pages.map_edit import (
    add_zone_form,
    drawing_instruction,
    on_drawn,
    project_editor,
    start_adding,
    zone_editor,
)
from app_pages.map_panel import PANEL_CSS, plot_panel, project_panel, zone_panel
from app_pages.map_share import exports, public_base, share, share_text
from geo.analysis import filter_zones, hectares_by_period
from geo.auth import Actor, Role
from geo.i18n import number, t, year_text, zone_name
from geo.mapdata import PLOT_MIN_ZOOM
from geo.reference import REFERENCE_ATTRIBUTION, REFERENCE_MAX_ZOOM, reference_key
from geo.register import Register
from geo.sitefinder import NEAR_KINDS
from layers.live import Camera, MapView, component_data
from layers.share import link_notices
from layers.shown import shown
from layers.state import LANGS, MapState

S = st.session_state

_FEATURES_URL = "/api/v1/map/{key}/features.json"
_REFERENCE_TILES = "/api/v1/ref/{key}/{{z}}/{{x}}/{{y}}.mvt"
_DATA_TILES = "/api/v1/map/{key}/{{z}}/{{x}}/{{y}}.mvt"
# The map and the panel side by side on wide screens, the panel below on narrow ones.
_LAYOUT_CSS = """<style>
.block-container {padding-top: 2.2rem; padding-left: 1.6rem; padding-right: 1.6rem;}
@media (max-width: 1279px) {
  .st-key-map_row [data-testid="stHorizontalBlock"] {flex-wrap: wrap;}
  .st-key-map_row [data-testid="stColumn"] {min-width: 100%; flex: 1 1 100%;}
}
</style>"""
_PRESENT_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display:none}
</style>"""


# --- what is shown ------------------------------------------------------------

def _site_results(reg: Register, sites: pd.DataFrame, lang: str) -> None:
    """The site finder's ranked results: selectable, downloadable."""
    st.markdown(f"#### {md(t('site.title', lang))}")
    if sites.empty:
        st.info(t("site.none", lang))
        return
    st.caption(t("site.results", lang, n=len(sites)) + " · " + t("site.note", lang))
    names = reg.zones.set_index("id")
    table = pd.DataFrame({
        t("site.rank", lang): sites["rank"],
        t("site.zone", lang): [zone_name(names.loc[z].to_dict() | {"id": z}, lang)
                               for z in sites["zone_id"]],
        t("site.plot", lang): [c or "—" for c in sites["code"].fillna("")],
        t("site.area", lang): [number(v, lang) for v in sites["area_ha"]],
        t("site.basis", lang): [t(f"site.basis.{b}", lang) for b in sites["basis"]],
        t("province", lang): sites["province"],
        **{t(f"site.km.{k}", lang): [number(v, lang, 1) or "—" for v in sites[f"{k}_km"]]
           for k in NEAR_KINDS},
    })
    event = st.dataframe(table, hide_index=True, width="stretch", key="site_table",
                         on_select="rerun", selection_mode="single-row")
    rows = event.selection.rows if event is not None else []
    if rows:
        chosen = sites.iloc[rows[0]]
        if chosen["kind"] == "plot" and chosen["id"] != S.get("plot"):
            select_plot(str(chosen["id"]), str(chosen["zone_id"]))
            S["_fly_to"] = ("plot", str(chosen["id"]))
            st.rerun()
        elif chosen["kind"] == "zone" and chosen["id"] != S.get("zone"):
            select_zone(str(chosen["id"]))
            st.rerun()
    download_table(table, f"kcn-atlas-sites-{lang}", lang)


def _bounds(geoms: Any) -> tuple[tuple[float, float], tuple[float, float]] | None:
    present = geoms[geoms.notna() & ~geoms.is_empty]
    if present.empty:
        return None
    x0, y0, x1, y1 = present.total_bounds
    return (float(y0), float(x0)), (float(y1), float(x1))


def _camera(reg: Register, state: MapState, zones_shown: pd.Series) -> Camera | None:
    """Decide whether to move the map on this run, and where.

    A link's camera holds until the user changes what is shown; then filters,
    search and period zoom to their results; a selection made outside the map
    (list, search, panel) brings the selected feature into view.
    """
    seq = S.get("_camera_seq", 0)
    content = (state.prov, state.kind, state.status, state.occ, state.area, state.period,
               state.layers, state.site, state.smin, state.snear)
    first = "_content" not in S
    changed = not first and S["_content"] != content
    S["_content"] = content
    command: Camera | None = None
    fly = S.pop("_fly_to", None)
    if first and S.get("_camera_from_link") and state.lat is not None and state.lon is not None:
        command = Camera(seq + 1, center=(state.lat, state.lon), zoom=state.z or 12)
    elif fly is not None:
        frame = {"zone": reg.zones, "project": reg.projects, "plot": reg.plots}[fly[0]]
        geom = frame.loc[frame["id"] == fly[1]].geometry
        bounds = _bounds(geom)
        if bounds is not None:
            command = Camera(seq + 1, fit=bounds, max_zoom=16 if fly[0] == "plot" else 12)
    elif first or changed:
        if changed:
            S["_camera_from_link"] = False
        if first and state.zone:
            bounds = _bounds(reg.zones.loc[reg.zones["id"] == state.zone].geometry)
            command = Camera(seq + 1, fit=bounds, max_zoom=12) if bounds else None
        else:
            bounds = _bounds(reg.zones.loc[zones_shown.to_numpy()].geometry)
            if bounds is not None:
                command = Camera(seq + 1, fit=bounds, max_zoom=13)
    if command is not None:
        S["_camera_seq"] = command.seq
        S["_camera_cmd"] = command
    return S.get("_camera_cmd")


def _hidden_selection(reg: Register, zones_shown: pd.Series, lang: str) -> None:
    """Clear a selected zone that the filters hide, and say so."""
    zone = S.get("zone")
    if not zone:
        return
    row = reg.zones["id"] == zone
    if row.any() and not bool(zones_shown[row].iloc[0]):
        name = zone_name(reg.zones[row].iloc[0].to_dict(), lang)
        S["zone"] = None
        S["_notice"] = t("notice.selection_hidden", lang, name=name)


# --- events from the map --------------------------------------------------------

def _on_select() -> None:
    value = S.get("atlas_map") or {}
    what = value.get("select") if isinstance(value, dict) else getattr(value, "select", None)
    if not what:
        return
    if what.get("t") == "zone":
        S["_pending"] = ("zone", what.get("id"), what.get("from") == "list")
    elif what.get("t") == "project":
        S["_pending"] = ("project", what.get("id"), False)
    elif what.get("t") == "plot":
        S["_pending"] = ("plot", what.get("id"), False)


def _apply_pending(reg: Register) -> None:
    pending = S.pop("_pending", None)
    if not pending:
        return
    kind, fid, move = pending
    if kind == "zone" and fid in set(reg.zones["id"]):
        select_zone(fid, move=move)
    elif kind == "project" and fid in set(reg.projects["id"]):
        select_project(fid, move=move)
    elif kind == "plot":
        row = reg.plots[reg.plots["id"] == fid]
        if len(row):
            select_plot(fid, str(row["zone_id"].iloc[0]))


def _exports_row(state: MapState, reg: Register) -> None:
    """Share and export: the view the browser last reported is the one exported."""
    seen = views.view_of(S.get("_view_token"))
    if seen is not None:
        state = state.with_(lat=seen.lat, lon=seen.lon, z=seen.z)
    share_col, export_col, _ = st.columns([1, 1, 1])
    with share_col:
        share(state)
    with export_col:
        exports(state, reg, S.get("_view_token"))


# --- page ------------------------------------------------------------------------

def _present_panel(reg: Register, state: MapState) -> None:
    """The investor view beside the map: the selected zone's key figures and a large QR."""
    lang = state.lang
    if state.zone:
        zone = reg.zones.set_index("id", drop=False).loc[state.zone].to_dict()
        st.header(md(zone_name(zone, lang)))
        st.caption(md(" · ".join(str(x) for x in (t(f"kind.{zone['kind']}", lang),
                                                  zone["province_current"] or "") if x)))
        for field, unit in (("area_total_ha", "ha"), ("area_industrial_ha", "ha"),
                            ("occupancy_pct", "%"), ("year_established", "")):
            value = zone.get(field)
            shown = year_text(value) if field == "year_established" else number(value, lang)
            st.metric(t(f"attr.{field}", lang),
                      f"{shown} {unit}".strip() if shown else t("unknown", lang))
    share_box(key="present_share", public_base=public_base(),
              text=share_text(lang) | {"caption": t("present.scan", lang)}, size=300)
    st.button(t("present.leave", lang), key="leave_present",
              on_click=lambda: S.update(view="map", present_toggle=False))


def _record_tabs(lang: str, editor: bool, table: str, record: str) -> Sequence[Any]:
    """A record's Details, History and (for editors) Edit tabs, kept across reruns.

    The tab shown survives the reruns an edit makes (a drawn shape coming back from
    the map opens the Edit tab); another language or a viewer starts on Details.
    """
    labels = [t(n, lang) for n in ("tab.details", "tab.history",
                                   *(["tab.edit"] if editor else []))]
    drawn = S.get("_drawn") or S.get("_edit") or {}
    if editor and drawn.get("kind") == table and drawn.get("id") == record:
        S["record_tab"] = labels[-1]
    elif S.get("record_tab") not in labels:
        S["record_tab"] = labels[0]
    return st.tabs(labels, key="record_tab", on_change="rerun")


def _zone_tabs(handle: Any, state: MapState, actor: Actor | None) -> None:
    """The selected zone: details, history, and (for editors) the editor."""
    reg, lang, zone = handle.register, state.lang, state.zone
    assert zone is not None
    editor = actor is not None and actor.can(Role.EDITOR)
    tabs = _record_tabs(lang, editor, "zones", zone)
    with tabs[0]:
        if state.plot:
            plot_panel(reg, state.plot, lang)
        zone_panel(reg, zone, lang)
    with tabs[1]:
        zone_history(zone, lang)
    if editor:
        assert actor is not None
        with tabs[2]:
            zone_editor(reg, handle.location, zone, lang, actor)


def _project_tabs(handle: Any, state: MapState, actor: Actor | None) -> None:
    reg, lang, project = handle.register, state.lang, state.project
    assert project is not None
    editor = actor is not None and actor.can(Role.EDITOR)
    tabs = _record_tabs(lang, editor, "projects", project)
    with tabs[0]:
        project_panel(reg, project, lang)
    with tabs[1]:
        from layers.history import history_html, history_rows

        rows = history_rows(reg, lang, table="projects", record=project)
        if rows:
            st.html(history_html(rows, lang))
        else:
            st.caption(t("hist.none", lang))
    if editor:
        assert actor is not None
        with tabs[2]:
            project_editor(reg, handle.location, project, lang, actor)


def render() -> None:
    """Draw the map page."""
    url_lang = st.query_params.get("lang", "vi")
    handle = register_or_stop(S.get("lang") or (url_lang if url_lang in LANGS else "vi"))
    reg = handle.register
    seed_from_url(reg)
    _apply_pending(reg)
    present = S.get("view") == "present"
    actor = current_actor(reg)
    if actor is not None and actor.can(Role.EDITOR) and not present:
        st.sidebar.button(t("add.start", S["lang"]), key="add_zone", on_click=start_adding)
    elif actor is None:
        for key in ("_edit", "_drawn", "_adding"):
            S.pop(key, None)  # signed out: no drawing, no edit control
    area_bounds = sidebar(reg) if not present else None
    state = current_state(area_bounds)
    lang = state.lang
    seen = shown(reg, state)  # with the site finder on, only the zones its results lie in
    zones_shown, projects_shown, sites = seen.zones, seen.projects, seen.sites
    _hidden_selection(reg, zones_shown, lang)
    state = current_state(area_bounds)

    for note in link_notices(MapState(ignored=tuple(S.get("_ignored", ())),
                                      adjusted=tuple(S.get("_adjusted", ()))), lang):
        st.info(note)  # every link parameter dropped or cut to fit, by name
    if S.get("_notice"):
        st.info(S.pop("_notice"))
    st.html(_LAYOUT_CSS + (_PRESENT_CSS if present else ""))

    linked_projects, linked_zones = seen.linked_projects, seen.linked_zones
    camera = _camera(reg, state, zones_shown)
    ref_key = reference_key()
    view = MapView(
        state=state, key=handle.key, zones_shown=zones_shown, projects_shown=projects_shown,
        project_kinds=sorted(set(reg.projects.loc[projects_shown.to_numpy(), "kind"])),
        linked_zones=linked_zones, linked_projects=linked_projects, camera=camera,
        reference_tiles=_REFERENCE_TILES.format(key=ref_key),
        reference_attribution=REFERENCE_ATTRIBUTION, reference_max_zoom=REFERENCE_MAX_ZOOM,
        plot_tiles="" if reg.plots.empty else _DATA_TILES.format(key=handle.key),
        plot_min_zoom=PLOT_MIN_ZOOM,
        plot_highlight=[] if sites is None else
        sites.loc[sites["kind"] == "plot", "id"].head(500).tolist(),
    )
    if "_view_token" not in S:
        S["_view_token"] = views.new_token()
    data = component_data(view, features_url=_FEATURES_URL.format(key=handle.key))
    data["view_url"] = f"/api/v1/view/{S['_view_token']}"
    data["edit"], data["drawn"] = drawing_instruction(reg) if actor is not None else (None, None)

    with st.container(key="map_row"):
        map_col, panel_col = st.columns([2, 1], gap="medium")
        with map_col:
            if not present:
                st.caption(t("shown", lang, n=int(zones_shown.sum()),
                             p=int(projects_shown.sum())) + " · " + t("map.hint", lang))
            atlas_map(data, key="atlas_map", on_select=_on_select, on_drawn=on_drawn)
            if not present:
                _exports_row(state, reg)
        with panel_col, st.container(key="side_panel"):
            if present:
                _present_panel(reg, state)
            elif S.get("_adding") and actor is not None and actor.can(Role.EDITOR):
                add_zone_form(reg, handle.location, lang, actor)
            elif state.zone:
                st.markdown(f"#### {md(t('panel.title', lang))}")
                _zone_tabs(handle, state, actor)
            elif state.project:
                st.markdown(f"#### {md(t('project.title', lang))}")
                _project_tabs(handle, state, actor)
            else:
                st.info(t("panel.none", lang))
                st.html(PANEL_CSS)
    if sites is not None and not present:
        _site_results(reg, sites, lang)
    if not present:
        periods = hectares_by_period(reg.zones[filter_zones(
            reg.zones, provinces=state.prov, kinds=state.kind, statuses=state.status,
            period="2030")])
        st.caption(md(t("hectares_by_period", lang)) + ": " + " · ".join(
            f"{t(f'period.{p}', lang)}: "
            + t("ha_known", lang, n=v["zones"], ha=number(v["area_ha"] or 0.0, lang) or "0",
                u=v["area_unknown"])
            for p, v in periods.items()))
    # The browser keeps the map's camera in the address itself (see kcn-map.js).
    st.query_params.from_dict(state.with_(lat=None, lon=None, z=None).to_query())


render()
