"""The map explorer page."""

from __future__ import annotations

import io
import math
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import segno
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import (
    load_register,
    md,
    project_json,
    register_or_stop,
    vendor_asset,
    zone_json,
)
from geo.analysis import (
    citation,
    filter_zones,
    find_provinces,
    hectares_by_period,
    nearest_projects,
    projects_serving,
    search_zones,
    zones_served,
)
from geo.brief import fonts_available, province_brief_pdf, zone_brief_pdf
from geo.export import EXPORT_FORMATS, MIME_TYPES, export_selection
from geo.i18n import number, project_name, sectors_label, t, zone_name
from geo.register import Register
from geo.schema import VALUE_FIELDS
from geo.text import slugify
from layers.base import MapContext
from layers.map import build_map
from layers.selection import selection_group
from layers.standalone import standalone_html
from layers.state import (
    BASEMAPS,
    COLOR_MODES,
    KINDS,
    LANGS,
    LAYER_KEYS,
    PERIODS,
    STATUSES,
    MapState,
)

S = st.session_state
NEAREST_KINDS = ("seaport", "airport", "expressway")


# --- state ------------------------------------------------------------------

def _seed_from_url(reg: Register) -> None:
    """Put a link's state into the widgets: on a session's first run, and when the map is
    entered from another page (whose links carry their own view)."""
    if S.get("_seeded") and not S.pop("_map_entered", False):
        return
    state = MapState.from_query(st.query_params.to_dict())
    ignored = list(state.ignored)
    zone_ids, project_ids = set(reg.zones["id"]), set(reg.projects["id"])
    provinces = set(find_provinces(reg, None)) | set(reg.zones["province_current"].dropna())
    if state.zone and state.zone not in zone_ids:
        ignored.append("zone")
        state = state.with_(zone=None)
    if state.project and state.project not in project_ids:
        ignored.append("project")
        state = state.with_(project=None)
    if any(p not in provinces for p in state.prov):
        ignored.append("prov")
        state = state.with_(prov=tuple(p for p in state.prov if p in provinces))
    S.update({
        "q": state.q, "prov": list(state.prov), "occ": state.occ,
        "zone": state.zone, "camera": (state.lat, state.lon, state.z),
        "_ignored": sorted(set(ignored)), "_seeded": True,
    })
    for name, value in (("period", state.period), ("color", state.color),
                        ("basemap", state.basemap), ("project", state.project),
                        ("kind", list(state.kind)), ("status", list(state.status))):
        _put(name, value)
    if state.area is not None:
        S["area"] = state.area
    else:
        S.pop("area", None)  # the slider starts again from the whole range
    for key in LAYER_KEYS:
        S[f"layer_{key}"] = key in state.layers


def _current_state(area_bounds: tuple[float, float] | None) -> MapState:
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
        occ=(float(S["occ"][0]), float(S["occ"][1])),
        area=None if area is None else (float(area[0]), float(area[1])),
        q=S["q"].strip(), lat=lat, lon=lon, z=z,
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


def _select_zone(zone_id: str | None) -> None:
    S["zone"] = zone_id
    _put("project", None)
    S["camera"] = (None, None, None)


def _select_project(project_id: str | None) -> None:
    S["zone"] = None
    _put("project", project_id)
    S["camera"] = (None, None, None)


def _on_search() -> None:
    reg = load_register().register
    hits = search_zones(reg.zones, S["q"])
    if hits:
        _select_zone(hits[0])


def _on_project() -> None:
    if S.get("project"):
        S["zone"] = None


# --- sidebar ------------------------------------------------------------------

def _sidebar(reg: Register) -> tuple[float, float] | None:
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
                sb.button(md(label), key=f"hit_{zid}", on_click=_select_zone, args=(zid,),
                          type="primary" if zid == S.get("zone") else "secondary",
                          width="stretch")
    _bound(sb.radio, t("period", lang), PERIODS, "period", lang, horizontal=True,
           format_func=lambda v: t(f"period.{v}", lang))
    _bound(sb.radio, t("color", lang), COLOR_MODES, "color", lang, horizontal=True,
           format_func=lambda v: t(f"color.{v}", lang))
    sb.markdown(f"**{md(t('layers', lang))}**")
    for key in LAYER_KEYS:
        sb.checkbox(t(f"layer.{key}", lang), key=f"layer_{key}")
    _bound(sb.selectbox, t("basemap", lang), BASEMAPS, "basemap", lang,
           format_func=lambda v: t(f"basemap.{v}", lang))
    projects = reg.projects.set_index("id")
    _bound(sb.selectbox, t("project.select", lang), [None, *projects.index], "project", lang,
           then=_on_project, placeholder=t("project.none", lang),
           format_func=lambda v: t("project.none", lang) if v is None
           else project_name(projects.loc[v].to_dict(), lang))

    with sb.expander(t("filters", lang), expanded=bool(S["prov"] or S["kind"] or S["status"])):
        provinces = sorted(set(reg.zones["province"].dropna()))
        anything = t("filter.any", lang)
        st.multiselect(t("province", lang), provinces, key="prov", placeholder=anything)
        _bound(st.multiselect, t("kind", lang), KINDS, "kind", lang, placeholder=anything,
               format_func=lambda v: f"{v} – {t(f'kind.{v}', lang)}")
        _bound(st.multiselect, t("status", lang), STATUSES, "status", lang,
               placeholder=anything, format_func=lambda v: t(f"status.{v}", lang))
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


# --- panels ------------------------------------------------------------------

def _cite(reg: Register, source_id: str | None, section: str | None) -> str:
    c = citation(reg, source_id, section)
    if not c["document"]:
        return str(source_id or "")
    parts = [c["document"], c["issuer"], c["date"]]
    text = ", ".join(str(p) for p in parts if p)
    return f"{text}, §{section}" if section else text


def _display(field: str, value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if field == "status":
        return t(f"status.{value}", lang)
    if field == "kind":
        return f"{value} – {t(f'kind.{value}', lang)}"
    if field == "geometry_quality":
        return t(f"quality.{value}", lang)
    if field == "sectors":
        return sectors_label(str(value), lang)
    if isinstance(value, float):
        return number(value, lang) or "—"
    return str(value)


_RECORD_FIELDS = ("name_vi", "name_en", "kind", "province", "province_current", "district")
_PANEL_FIELDS = (*_RECORD_FIELDS, "status", "area_total_ha", "area_industrial_ha", "leased_ha",
                 "occupancy_pct", "year_established", "plan_period", "developer", "sectors",
                 "geometry_quality")


def _attribute_table(reg: Register, zone: pd.Series, lang: str) -> pd.DataFrame:
    values = reg.zone_values[reg.zone_values["zone_id"] == zone["id"]].set_index("field")
    record_cite = _cite(reg, zone["source_id"], zone["source_section"])
    rows = []
    for field in _PANEL_FIELDS:
        value = zone[field]
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        if field in VALUE_FIELDS and field in values.index:
            v = values.loc[field]
            source, as_of = _cite(reg, v["source_id"], v["source_section"]), v["as_of"]
        elif missing:
            source, as_of = t("panel.missing", lang), ""
        else:
            source, as_of = record_cite, zone["as_of"]
        rows.append({
            t("panel.attribute", lang): t(f"attr.{field}", lang),
            t("panel.value", lang): _display(field, value, lang),
            t("panel.source", lang): source,
            t("panel.as_of", lang): as_of or "",
        })
    return pd.DataFrame(rows)


def _zone_panel(reg: Register, zone_id: str, lang: str) -> list[str]:
    """Show a zone; return the ids of the projects that serve it."""
    zone = reg.zones.set_index("id", drop=False).loc[zone_id]
    st.subheader(md(zone_name(zone.to_dict(), lang)))
    st.caption(md(" · ".join([t(f"kind.{zone['kind']}", lang),
                              _display("status", zone["status"], lang),
                              str(zone["province_current"] or zone["province"] or "")])))
    if zone["geometry_quality"] == "approximate":
        st.warning(t("panel.approximate", lang), icon="⚠️")
    if zone["parent_id"]:
        parent = reg.zones[reg.zones["id"] == zone["parent_id"]]
        if len(parent):
            st.button(md(f"{t('panel.parent', lang)}: {zone_name(parent.iloc[0].to_dict(), lang)}"),
                      key="goto_parent", on_click=_select_zone, args=(zone["parent_id"],))
    st.dataframe(_attribute_table(reg, zone, lang), hide_index=True, width="stretch")
    quotes = reg.zone_values[(reg.zone_values["zone_id"] == zone_id)
                             & reg.zone_values["quote"].notna()]
    if len(quotes):
        with st.expander(t("quote", lang)):
            for q in quotes.itertuples(index=False):
                st.markdown(f"- **{md(t(f'attr.{q.field}', lang))}**: “{md(q.quote)}” "
                            f"({md(_cite(reg, q.source_id, q.source_section))})")

    st.markdown(f"**{md(t('panel.by_period', lang))}**")
    one = reg.zones[reg.zones["id"] == zone_id]
    periods = hectares_by_period(one)
    st.dataframe(pd.DataFrame([{
        t("period", lang): t(f"period.{p}", lang),
        t("attr.area_total_ha", lang): (
            "—" if not v["zones"] else
            (_display("area_total_ha", v["area_ha"], lang) if v["area_ha"] is not None
             else t("unknown", lang))),
    } for p, v in periods.items()]), hide_index=True, width="stretch")

    serving = projects_serving(reg.projects, zone_id)
    st.markdown(f"**{md(t('panel.projects', lang))}**")
    if serving.empty:
        st.caption(t("panel.no_projects", lang))
    for row in serving.to_dict("records"):
        detail = " · ".join(x for x in (t(f"pkind.{row['kind']}", lang),
                                        t(f"status.{row['status']}", lang),
                                        row.get("period") or "") if x)
        st.button(md(f"{project_name(row, lang)} — {detail}"), key=f"proj_{row['id']}",
                  on_click=_select_project, args=(row["id"],), width="stretch")

    st.markdown(f"**{md(t('panel.nearest', lang))}**")
    near = nearest_projects(zone.geometry, reg.projects, NEAREST_KINDS)
    names = reg.projects.set_index("id")
    for kind in NEAREST_KINDS:
        hit = near[kind]
        text = (t("panel.nearest.none", lang) if hit is None else
                f"{project_name(names.loc[hit[0]].to_dict(), lang)}: {number(hit[1], lang, 1)} km")
        st.markdown(f"- {md(t(f'pkind.{kind}', lang))}: {md(text)}")
    st.caption(t("panel.nearest.note", lang))

    children = reg.zones[reg.zones["parent_id"] == zone_id]
    if len(children):
        st.markdown(f"**{md(t('panel.children', lang))}**")
        for child in children.to_dict("records"):
            st.button(md(zone_name(child, lang)), key=f"child_{child['id']}",
                      on_click=_select_zone, args=(child["id"],))
    st.button(t("panel.clear", lang), key="clear_zone", on_click=_select_zone, args=(None,))
    return serving["id"].tolist()


def _project_panel(reg: Register, project_id: str, lang: str) -> list[str]:
    """Show a project; return the ids of the zones it serves."""
    row = reg.projects.set_index("id", drop=False).loc[project_id]
    st.subheader(md(project_name(row.to_dict(), lang)))
    st.caption(md(" · ".join(x for x in [t(f"pkind.{row['kind']}", lang),
                                         t(f"status.{row['status']}", lang),
                                         row["period"] or ""] if x)))
    if row["geometry_quality"] == "approximate":
        st.warning(t("panel.approximate", lang), icon="⚠️")
    cite = _cite(reg, row["source_id"], row["source_section"])
    st.markdown(f"{md(t('panel.source', lang))}: {md(cite)}"
                f" ({md(t('panel.as_of', lang))} {md(row['as_of'] or '—')})")
    if row["quote"]:
        st.markdown(f"> {md(row['quote'])}")
    served = zones_served(reg.projects, project_id)
    st.markdown(f"**{md(t('project.serves', lang))}**")
    zones = reg.zones.set_index("id", drop=False)
    for zid in served:
        if zid in zones.index:
            st.button(md(zone_name(zones.loc[zid].to_dict(), lang)), key=f"served_{zid}",
                      on_click=_select_zone, args=(zid,))
    return served


# --- page --------------------------------------------------------------------

def _anchored_camera(state: MapState) -> tuple[float | None, float | None, int | None]:
    """Return the camera the map script is built with.

    The script's initial view changes only when the map's content does, so that
    panning (which updates the URL's lat/lon/z) never reloads the map.
    """
    key = state.without_camera()
    anchor = S.get("_anchor")
    if anchor is None or anchor[0] != key:
        anchor = (key, (state.lat, state.lon, state.z))
        S["_anchor"] = anchor
    return anchor[1]


def _handle_camera(out: dict[str, Any] | None) -> None:
    """Remember where the user has moved the map; the URL follows."""
    if not out:
        return
    center, zoom = out.get("center"), out.get("zoom")
    if not center or zoom is None:
        return
    camera = (round(float(center["lat"]), 5), round(float(center["lng"]), 5), int(zoom))
    if camera != S.get("camera"):
        S["camera"] = camera


def _base_url() -> str:
    url = st.context.url
    return url if url else "http://localhost:8501/"


def _qr_png(text: str) -> bytes:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=5, border=2)
    return buf.getvalue()


def _share(state: MapState) -> None:
    lang = state.lang
    link = state.link(_base_url())
    with st.popover(t("share", lang), icon=None):
        st.caption(t("share.help", lang))
        st.code(link, language=None, wrap_lines=True)
        st.image(_qr_png(link), caption=t("share.qr", lang), width=200)


def _cited_sources(reg: Register, zones: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """Short citations of the documents behind what is shown."""
    ids = set(zones["source_id"].dropna()) | set(projects["source_id"].dropna())
    values = reg.zone_values[reg.zone_values["zone_id"].isin(zones["id"])]
    ids |= set(values["source_id"].dropna())
    docs = reg.sources[reg.sources["source_id"].isin(ids)].sort_values("date")
    return [f"{r.document} ({r.date})" for r in docs.itertuples(index=False)]


def _export_bytes(reg: Register, zone_ids: list[str], project_ids: list[str], fmt: str,
                  lang: str, link: str, today: str) -> bytes:
    return export_selection(reg, zone_ids, project_ids, fmt, lang=lang, link=link,
                            generated=today).data


def _brief_province(ctx: MapContext, reg: Register) -> str | None:
    """The province a province brief is about: the filtered one, else the selected zone's."""
    if len(ctx.state.prov) == 1:
        return ctx.state.prov[0]
    if ctx.state.zone:
        row = reg.zones[reg.zones["id"] == ctx.state.zone]
        if len(row):
            return str(row["province"].iloc[0])
    return None


def _brief_buttons(ctx: MapContext, reg: Register, link: str, today: str) -> None:
    lang = ctx.state.lang
    if not fonts_available():
        st.warning(t("brief.fonts_missing", lang))
        return
    if ctx.state.zone:
        st.download_button(
            t("export.zone_brief", lang), key="dl_zone_brief", on_click="ignore",
            file_name=f"kcn-atlas-{ctx.state.zone}-{lang}.pdf", mime="application/pdf",
            data=partial(zone_brief_pdf, reg, ctx.state.zone, lang, link, generated=today),
        )
    provinces = find_provinces(reg, None)
    default = _brief_province(ctx, reg)
    province = st.selectbox(t("export.province", lang), provinces, key="brief_province",
                            index=provinces.index(default) if default in provinces else 0)
    if province:
        st.download_button(
            t("export.province_brief", lang), key="dl_province_brief", on_click="ignore",
            file_name=f"kcn-atlas-{slugify(province)}-{lang}.pdf", mime="application/pdf",
            data=partial(province_brief_pdf, reg, province, lang, link, generated=today),
        )


def _exports(ctx: MapContext, reg: Register, linked: tuple[list[str], list[str]]) -> None:
    """The export menu: the map as one HTML file."""
    lang = ctx.state.lang
    today = date.today().isoformat()
    link = ctx.state.link(_base_url())
    sources = _cited_sources(reg, ctx.zones, ctx.projects)
    zone_ids, project_ids = list(ctx.zones["id"]), list(ctx.projects["id"])
    with st.popover(t("export", lang), icon=None):
        st.caption(t("export.help", lang))
        for fmt in EXPORT_FORMATS:
            st.download_button(
                t(f"export.{fmt}", lang), key=f"dl_{fmt}", on_click="ignore",
                file_name=f"kcn-atlas-{today}.{fmt}", mime=MIME_TYPES[fmt],
                data=partial(_export_bytes, reg, zone_ids, project_ids, fmt, lang, link, today),
            )
        _brief_buttons(ctx, reg, link, today)
        st.download_button(
            t("export.html", lang), key="dl_html", on_click="ignore",
            file_name=f"kcn-atlas-map-{today}.html", mime="text/html",
            data=lambda: standalone_html(
                ctx, leaflet_js=vendor_asset("leaflet.js"),
                leaflet_css=vendor_asset("leaflet.css"), live_link=link, generated=today,
                sources=sources, linked_projects=linked[0], linked_zones=linked[1]),
        )


def _handle_click(out: dict[str, Any] | None, reg: Register) -> None:
    """Select what the user clicked on the map, once per click."""
    if not out:
        return
    drawing = out.get("last_active_drawing") or {}
    clicked = out.get("last_object_clicked")
    marker = (repr(clicked), (drawing.get("properties") or {}).get("id"))
    if marker == S.get("_last_click") or marker[1] is None:
        return
    S["_last_click"] = marker
    fid = marker[1]
    # The project selectbox is already drawn in this run, so its key cannot change
    # now: the selection is applied at the top of the next run.
    if fid in set(reg.zones["id"]) and fid != S.get("zone"):
        S["_pending"] = (fid, None)
        st.rerun()
    elif fid in set(reg.projects["id"]) and fid != S.get("project"):
        S["_pending"] = (None, fid)
        st.rerun()


def render() -> None:
    """Draw the map page."""
    url_lang = st.query_params.get("lang", "vi")
    handle = register_or_stop(S.get("lang") or (url_lang if url_lang in LANGS else "vi"))
    reg = handle.register
    _seed_from_url(reg)
    if "_pending" in S:
        zone, project = S.pop("_pending")
        (_select_zone if zone else _select_project)(zone or project)
    area_bounds = _sidebar(reg)
    state = _current_state(area_bounds)
    lang = state.lang

    if S.get("_ignored"):
        st.info(t("ignored_params", lang, names=", ".join(S["_ignored"])))

    mask = filter_zones(reg.zones, provinces=state.prov, kinds=state.kind, statuses=state.status,
                        occupancy=state.occ if state.occ_filtered else None, area=state.area,
                        period=state.period)
    shown_zones = reg.zones[mask & reg.zones["kind"].str.lower().isin(state.layers)]
    projects = reg.projects
    if state.prov:
        projects = projects[projects["province"].isin(state.prov)]
    if "infra" not in state.layers:
        projects = projects.iloc[0:0]
    lat, lon, z = _anchored_camera(state)
    ctx = MapContext(state=state.with_(lat=lat, lon=lon, z=z), zones=shown_zones,
                     projects=projects,
                     zone_json=zone_json(handle, lang, state.color),
                     project_json=project_json(handle, lang))

    map_col, panel_col = st.columns([3, 2], gap="medium")
    with panel_col:
        if state.zone:
            st.markdown(f"#### {md(t('panel.title', lang))}")
            linked_projects, linked_zones = _zone_panel(reg, state.zone, lang), []
        elif state.project:
            st.markdown(f"#### {md(t('project.title', lang))}")
            linked_projects, linked_zones = [], _project_panel(reg, state.project, lang)
        else:
            st.info(t("panel.none", lang))
            linked_projects, linked_zones = [], []

    with map_col:
        st.caption(t("shown", lang, n=len(shown_zones), p=len(projects)) + " · "
                   + t("map.hint", lang))
        center, zoom = None, None
        target = state.zone or state.project
        if target and state.lat is None:
            frame = reg.zones if state.zone else reg.projects
            geom = frame.loc[frame["id"] == target].geometry.iloc[0]
            if geom is not None and not geom.is_empty:
                c = geom.centroid
                center, zoom = (c.y, c.x), 12
        out = st_folium(
            build_map(ctx),
            key="map",
            height=640,
            use_container_width=True,
            returned_objects=["last_active_drawing", "last_object_clicked", "center", "zoom"],
            feature_group_to_add=selection_group(ctx, linked_projects, linked_zones),
            center=center,
            zoom=zoom,
        )
        _handle_click(out, reg)
        _handle_camera(out)
        state = _current_state(area_bounds)
        st.query_params.from_dict(state.to_query())
        share_col, export_col, _ = st.columns([1, 1, 3])
        with share_col:
            _share(state)
        with export_col:
            _exports(ctx, reg, (linked_projects, linked_zones))
        # Every zone of the filters, whatever its period ("2030" holds them all).
        periods = hectares_by_period(reg.zones[filter_zones(
            reg.zones, provinces=state.prov, kinds=state.kind, statuses=state.status,
            period="2030")])
        st.caption(md(t("hectares_by_period", lang)) + ": " + " · ".join(
            f"{t(f'period.{p}', lang)}: "
            + t("ha_known", lang, n=v["zones"],
                ha=_display("area_total_ha", v["area_ha"] or 0.0, lang), u=v["area_unknown"])
            for p, v in periods.items()))
        st.caption(t("tiles.note", lang))


render()
