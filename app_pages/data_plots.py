"""The Data page for a file of plots (lô đất): zone, report, mapping, preview, plan, merge.

:mod:`app_pages.data_page` hands the spooled upload here when the file holds plots
(told from its headings, or chosen by the user). Reading, planning and merging are
:func:`geo.importer.read_plots` and :mod:`geo.plotmerge`; this module only renders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import load_register, md
from app_pages.import_report import (
    PLOT_MAPPING,
    forget_upload,
    merge_controls,
    merge_outcome,
    report_details,
)
from geo import live
from geo.edit import local_today
from geo.errors import VersionConflict
from geo.i18n import number, t, zone_name
from geo.importer import ImportReport, PlotImportReport, read_plots
from geo.importer.fields import COORD_ROLES, PLOTS
from geo.importer.plots import looks_like_plots
from geo.importer.spool import Spooled
from geo.merge import MergeRefused
from geo.plotmerge import PlotMergePlan, apply_plot_merge, plan_plot_merge
from geo.schema import PlotStatus
from geo.settings import SettingError
from geo.store import StoreError
from layers.base import MapContext
from layers.basemaps import BaseMapLayer
from layers.geojson import FeatureSet
from layers.map import build_map
from layers.plots import PlotPreviewLayer, plot_features
from layers.state import MapState
from layers.zones import ZoneLayer, zone_features

__all__ = ["file_kind", "merged_note", "plots_import"]

S = st.session_state
MERGED = "merged_plots"
NOTES = ""
TABLE_ROWS = 2_000  # rows of a plan table the page shows


def file_kind(report: ImportReport, digest: str, lang: str) -> str:
    """Ask whether the upload holds zones or plots; the guess comes from its headings."""
    columns: dict[str, list[str]] = {}
    for m in report.mapping:
        columns.setdefault(m.layer, []).append(m.column)
    plots = any(looks_like_plots(cols) for cols in columns.values())
    options = ["zones", "plots"]
    return str(st.radio(t("data.kind", lang), options, index=1 if plots else 0,
                        key=f"kind_{digest[:16]}", horizontal=True,
                        help=t("data.kind.help", lang),
                        format_func=lambda v: t(f"data.kind.{v}", lang)))


@st.cache_resource(show_spinner=False, max_entries=4)
def _read(digest: str, name: str, zone: str | None, layer: str | None, crs: str | None,
          encoding: str | None, mapping: tuple[tuple[str, str | None], ...],
          as_of: str | None, version: str, _path: str, _zones: Any) -> PlotImportReport:
    # ``version``: zones are found in the register, so a new version reads the file again.
    return read_plots(_path, name, zones=_zones, zone=zone, layer=layer, crs=crs,
                      encoding=encoding, mapping=dict(mapping), as_of=as_of)


def _mapping_state(digest: str) -> dict[str, str | None]:
    state = S.get(PLOT_MAPPING) or {}
    return dict(state.get("map", {})) if state.get("digest") == digest else {}


def _field_label(value: str, lang: str) -> str:
    if value == NOTES:
        return t("data.mapping.notes", lang)
    if value in COORD_ROLES:
        return t(f"data.mapping.{value}", lang)
    labels = {"code": "plot.code", "zone_id": "data.plots.zone_col", "status": "plot.status",
              "area_declared_ha": "plot.area_declared", "area_declared_m2": "data.plots.area_m2",
              "lessee": "plot.lessee", "sector": "plot.sector", "lease_end": "plot.lease_end",
              "as_of": "attr.as_of", "source_section": "attr.source_section",
              "notes": "attr.notes"}
    return f"{t(labels[value], lang)} ({value})" if value in labels else value


def _report(report: PlotImportReport, lang: str) -> None:
    box = {"accept": st.success, "accept_with_warnings": st.warning, "reject": st.error}
    box[report.outcome](t(f"data.outcome.{report.outcome}", lang))
    cols = st.columns(3)
    cols[0].metric(t("data.plots.count", lang), number(len(report.plots), lang, 0) or "0")
    area = number(report.total_area_ha, lang) if report.total_area_ha is not None else "—"
    cols[1].metric(t("data.plots.area", lang), area)
    cols[2].metric(t("data.plots.left_out", lang),
                   number(report.unmatched + report.ambiguous, lang, 0) or "0")
    report_details(report, lang)


def _summary(report: PlotImportReport, lang: str) -> None:
    """Plots and hectares per status, and per zone they were given."""
    left, right = st.columns(2)
    left.markdown(f"**{md(t('data.plots.by_status', lang))}**")
    left.dataframe(pd.DataFrame([{
        t("plot.status", lang): t(f"plot.{s.value}", lang),
        t("data.plots.count", lang): report.statuses[s.value]["plots"],
        t("data.plots.area_ha", lang): round(report.statuses[s.value]["area_ha"], 2),
    } for s in PlotStatus if report.statuses.get(s.value, {}).get("plots")]),
        hide_index=True, width="stretch")
    right.markdown(f"**{md(t('data.plots.by_zone', lang))}**")
    right.dataframe(pd.DataFrame([{
        "id": zid, t("data.plots.zone_col", lang): z["name"] or zid,
        t("data.plots.count", lang): z["plots"],
        t("data.plots.area_ha", lang): round(z["area_ha"], 2),
    } for zid, z in report.zones.items()]), hide_index=True, width="stretch")


def _mapping(report: PlotImportReport, digest: str, lang: str) -> None:
    """How the file's columns map onto the plots' fields; let the user change any."""
    if not report.mapping:
        return
    chosen = _mapping_state(digest)
    options = [NOTES, *PLOTS.fields, *COORD_ROLES]
    with st.expander(t("data.mapping", lang), expanded=report.outcome == "reject"):
        st.caption(t("data.plots.mapping.help", lang))
        for m in report.mapping:
            current = m.field if m.field in options else NOTES
            label = m.column if m.example is None else f"{m.column} — {m.example}"
            key = "pmap_" + hashlib.sha1(f"{digest}|{m.layer}|{m.column}".encode(),
                                         usedforsecurity=False).hexdigest()[:16]
            picked = st.selectbox(label, options, index=options.index(current), key=key,
                                  format_func=lambda v: _field_label(v, lang))
            if picked != current:
                chosen[m.column] = picked or None
    if chosen != _mapping_state(digest):
        S[PLOT_MAPPING] = {"digest": digest, "map": chosen}
        st.rerun()


def _preview(report: PlotImportReport, zones: pd.DataFrame, lang: str) -> None:
    """The file's plots over the zones they were given, on a folium map."""
    state = MapState(lang=lang, basemap="osm", period="2030")
    shown = zones[zones["id"].isin(list(report.zones))]
    names = {str(z): zone_name(r, lang) for z, r in zip(shown["id"],
                                                        shown.to_dict("records"), strict=True)}
    ctx = MapContext(state=state, zones=shown, projects=shown.iloc[0:0],
                     zone_json=zone_features(shown, lang, "status"),
                     project_json=FeatureSet({}, ()))
    layer = PlotPreviewLayer(report.plots, plot_features(report.plots, lang, names))
    layers = (BaseMapLayer(), ZoneLayer("KKT"), ZoneLayer("KCN"), ZoneLayer("CCN"), layer)
    fmap = build_map(ctx, layers=layers)
    x0, y0, x1, y1 = report.plots.total_bounds
    fmap.fit_bounds([[y0, x0], [y1, x1]], padding=(20, 20))
    st.markdown(f"**{md(t('data.preview', lang))}**")
    st_folium(fmap, key="plot_preview", height=420, use_container_width=True,
              returned_objects=[])


def _field_name(field: str, lang: str) -> str:
    if field == "geometry":
        return t("data.geometry", lang)
    return _field_label(field, lang).split(" (")[0]


def _plan_tables(plan: PlotMergePlan, lang: str) -> None:
    codes = dict(zip(plan.plots["id"], plan.plots["code"], strict=True))
    rows: list[dict[str, Any]] = [
        {t("data.change", lang): t("data.added", lang), "id": pid,
         t("plot.code", lang): codes.get(pid), "": ""} for pid in plan.added]
    rows += [{t("data.change", lang): t("data.changed", lang), "id": pid,
              t("plot.code", lang): codes.get(pid),
              "": ", ".join(_field_name(f, lang) for f in fields)}
             for pid, fields in plan.changed.items()]
    rows += [{t("data.change", lang): t("data.removed", lang), "id": pid,
              t("plot.code", lang): None, "": ""} for pid in plan.removed]
    if rows:
        st.dataframe(pd.DataFrame(rows[:TABLE_ROWS]), hide_index=True, width="stretch")
        if len(rows) > TABLE_ROWS:
            st.caption(t("data.plots.plan.cut", lang, n=number(TABLE_ROWS, lang, 0)))
    losses = [{"id": pid, t("data.field", lang): _field_name(fld, lang),
               t("data.why", lang): why,
               "": t("data.worse.replaced" if plan.replace_worse else "data.worse.kept", lang)}
              for pid, fields in plan.worse.items() for fld, why in fields.items()]
    if losses:
        st.markdown(f"**{md(t('data.worse', lang))}**")
        st.dataframe(pd.DataFrame(losses[:TABLE_ROWS]), hide_index=True, width="stretch")


def _plan(report: PlotImportReport, spooled: Spooled, lang: str,
          choices: dict[str, Any]) -> str:
    """Show the merge plan and merge on request; return the signed-in importer's name."""
    handle = load_register()
    replace_worse = st.checkbox(t("data.replace_worse", lang), key="replace_worse",
                                help=t("data.replace_worse.help", lang))
    replace_zones = st.checkbox(t("data.plots.replace_zone", lang), key="replace_zone_plots",
                                help=t("data.plots.replace_zone.help", lang))
    plan = plan_plot_merge(handle.register, report.plots, replace_worse=replace_worse,
                           replace_zones=replace_zones, covered=report.covered)
    st.markdown(f"**{md(t('data.plan', lang))}**")
    st.markdown(md(t("data.plots.plan.counts", lang, a=len(plan.added), c=len(plan.changed),
                     r=len(plan.removed), u=len(plan.unchanged))))
    _plan_tables(plan, lang)
    actor, merge = merge_controls(handle.register, bool(plan.writes), tuple(plan.problems),
                                  lang)
    who = actor.name if actor is not None else ""
    if merge:
        version = handle.version[len(handle.location) + 1:]
        try:
            with st.spinner(t("data.writing", lang)):
                # Refused if the register moved on since the plan shown was made.
                result = apply_plot_merge(live.store(handle.location), plan,
                                          filename=spooled.name, actor=actor,
                                          sha256=spooled.digest, choices=choices,
                                          expect_version=version)
        except VersionConflict:
            st.warning(t("data.plots.moved_on", lang))
            return who
        except (MergeRefused, StoreError, SettingError, PermissionError) as exc:
            st.error(str(exc))
            return who
        if merge_outcome(result, lang):
            applied = result.plan
            S[MERGED] = {"file": spooled.name, "a": len(applied.added),
                         "c": len(applied.changed), "r": len(applied.removed),
                         "view": _view(applied)}
        forget_upload()
        st.rerun()
    return who


def _view(plan: PlotMergePlan) -> dict[str, str]:
    """The map link that shows the plots written: their first zone, zoomed in on them."""
    zone = plan.plots["zone_id"].iloc[0]
    mine = plan.plots[plan.plots["zone_id"] == zone]
    x0, y0, x1, y1 = mine.total_bounds
    return {"zone": str(zone), "lat": f"{(y0 + y1) / 2:.5f}", "lon": f"{(x0 + x1) / 2:.5f}",
            "z": "15", "period": "2030"}


def plots_import(spooled: Spooled, lang: str, layer: str | None, crs: str | None,
                 encoding: str | None) -> str | None:
    """Read the spooled upload as plots: zone, report, mapping, preview and plan.

    Returns the signed-in importer's name, when the plan (which shows it) is drawn.
    """
    handle = load_register()
    zones = handle.register.zones
    names = {str(r["id"]): zone_name(r, lang) for r in zones.to_dict("records")}
    order = sorted(names, key=lambda z: (names[z].casefold(), z))
    left, right = st.columns([3, 1])
    zone = left.selectbox(t("data.plots.zone", lang), [None, *order], key="plot_zone",
                          help=t("data.plots.zone.help", lang),
                          format_func=lambda z: t("data.plots.zone.auto", lang) if z is None
                          else f"{names.get(z, z)} ({z})")
    as_of_date = right.date_input(t("data.plots.as_of", lang), value=None, key="plot_as_of",
                                  help=t("data.plots.as_of.help", lang),
                                  max_value=local_today(),
                                  format="DD/MM/YYYY")
    as_of = as_of_date.isoformat() if isinstance(as_of_date, dt.date) else None
    mapping = tuple(sorted(_mapping_state(spooled.digest).items()))
    report = _read(spooled.digest, spooled.name, zone, layer, crs, encoding, mapping, as_of,
                   handle.version, spooled.path, zones)
    _report(report, lang)
    if report.outcome != "reject":
        _summary(report, lang)
    _mapping(report, spooled.digest, lang)
    if report.outcome == "reject" or report.plots.empty:
        return None
    _preview(report, zones, lang)
    choices = {k: v for k, v in (("layer", layer), ("crs", crs), ("encoding", encoding),
                                 ("zone", report.zone), ("as_of", as_of)) if v}
    return _plan(report, spooled, lang, choices)


def merged_note(lang: str) -> None:
    """After a merge of plots: what was written, and a link to the map at them."""
    if MERGED not in S:
        return
    done = S.pop(MERGED)
    st.success(t("data.plots.merged", lang, file=done["file"], a=done["a"], c=done["c"],
                 r=done["r"]))
    st.page_link("app_pages/map.py", label=t("data.plots.open_map", lang),
                 query_params={**done["view"], "lang": lang})
