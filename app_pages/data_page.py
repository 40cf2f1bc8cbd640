"""The Data page: upload a file, read its report and preview, merge it, undo an import."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import load_register, md, register_or_stop
from geo.i18n import number, t, zone_name
from geo.importer import ImportReport, read_import
from geo.merge import (
    IMPORT_ACTION,
    UNDO_ACTION,
    NothingToUndo,
    apply_merge,
    plan_merge,
    undo_last_import,
)
from geo.store import open_store
from geo.vntext import ENCODINGS
from layers.base import MapContext
from layers.geojson import FeatureSet
from layers.map import build_map
from layers.state import LANGS, MapState
from layers.zones import zone_features

S = st.session_state
UPLOAD_TYPES = ["zip", "gpkg", "geojson", "json", "kml", "kmz", "fgb", "parquet", "csv", "xlsx"]


@st.cache_resource(show_spinner=False, max_entries=8)
def _read(digest: str, name: str, layer: str | None, crs: str | None, encoding: str | None,
          _data: bytes) -> ImportReport:
    return read_import(_data, name, layer=layer, crs=crs, encoding=encoding)


def _report(report: ImportReport, lang: str) -> None:
    box = {"accept": st.success, "accept_with_warnings": st.warning, "reject": st.error}
    box[report.outcome](t(f"data.outcome.{report.outcome}", lang))
    cols = st.columns(2)
    cols[0].metric(t("data.features", lang), report.features)
    area = number(report.total_area_ha, lang) if report.total_area_ha is not None else "—"
    cols[1].metric(t("data.area", lang), area)
    st.markdown(f"**{md(t('data.crs', lang))}**: {md(report.crs or '—')} · "
                f"**{md(t('data.encoding', lang))}**: {md(report.encoding or '—')}")
    if report.layers:
        st.dataframe(pd.DataFrame([{
            t("data.layer", lang): layer.name,
            t("data.features", lang): layer.features,
            t("data.geometry", lang): layer.geometry_type or "—",
            t("data.imported", lang): "✓" if layer.imported else (layer.reason or "—"),
        } for layer in report.layers]), hide_index=True, width="stretch")
    for error in report.errors:
        st.error(error)
    if report.warnings:
        with st.expander(t("data.warnings", lang, n=len(report.warnings)),
                         expanded=len(report.warnings) <= 5):
            for warning in report.warnings:
                st.markdown(f"- {md(warning)}")


def _preview(report: ImportReport, lang: str) -> None:
    state = MapState(lang=lang, basemap="osm", period="2030")
    zones = report.zones
    ctx = MapContext(state=state, zones=zones, projects=zones.iloc[0:0],
                     zone_json=zone_features(zones, lang, "status"),
                     project_json=FeatureSet({}, ()))
    st.markdown(f"**{md(t('data.preview', lang))}**")
    st_folium(build_map(ctx), key="preview", height=420, use_container_width=True,
              returned_objects=[])


def _plan(report: ImportReport, lang: str, filename: str) -> None:
    handle = load_register()
    plan = plan_merge(handle.register, report.zones)
    names = report.zones.set_index("id")
    st.markdown(f"**{md(t('data.plan', lang))}**")
    st.markdown(md(t("data.plan.counts", lang, a=len(plan.added), c=len(plan.changed),
                     u=len(plan.unchanged))))
    rows = [{t("data.change", lang): t("data.added", lang), "id": zid,
             t("attr.name_vi", lang): zone_name(names.loc[zid].to_dict(), lang), "": ""}
            for zid in plan.added]
    rows += [{t("data.change", lang): t("data.changed", lang), "id": zid,
              t("attr.name_vi", lang): zone_name(names.loc[zid].to_dict(), lang),
              "": ", ".join(t(f"attr.{f}", lang) if f != "geometry" else t("data.geometry", lang)
                            for f in fields)}
             for zid, fields in plan.changed.items()]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    who = st.text_input(t("data.who", lang), key="who", help=t("data.who.help", lang))
    left, right = st.columns(2)
    merge = left.button(t("data.merge", lang), type="primary", key="merge",
                        disabled=not plan.writes or not who.strip())
    if right.button(t("data.cancel", lang), key="cancel"):
        S["upload_round"] = S.get("upload_round", 0) + 1
        st.rerun()
    if merge:
        apply_merge(open_store(handle.location), plan, filename=filename, who=who.strip())
        S["upload_round"] = S.get("upload_round", 0) + 1
        first = (plan.added or tuple(plan.changed))[0]
        S["merged"] = (filename, len(plan.added), len(plan.changed), first)
        st.rerun()


def _history(lang: str) -> None:
    handle = load_register()
    audit = handle.register.audit
    imports = audit[audit["action"].isin([IMPORT_ACTION, UNDO_ACTION])]
    st.subheader(t("data.history", lang))
    if imports.empty:
        st.caption(t("data.history.none", lang))
        return
    st.dataframe(pd.DataFrame([{
        t("data.when", lang): row.at, t("data.who", lang): row.who,
        t("data.action", lang): t(f"data.action.{row.action}", lang),
        t("data.file", lang): json.loads(row.detail).get("file", ""),
    } for row in imports.iloc[::-1].itertuples(index=False)]), hide_index=True, width="stretch")
    if st.button(t("data.undo", lang), key="undo"):
        try:
            done = undo_last_import(open_store(handle.location), who=S.get("who") or "KCN Atlas")
        except NothingToUndo:
            st.info(t("data.undo.none", lang))
        else:
            S["undone"] = done
            st.rerun()


def render() -> None:
    """Draw the Data page."""
    lang = S.get("lang") or st.query_params.get("lang", "vi")
    lang = lang if lang in LANGS else "vi"
    register_or_stop(lang)
    st.title(t("data.title", lang))
    st.caption(t("data.intro", lang))
    if "merged" in S:
        filename, added, changed, first = S.pop("merged")
        st.success(t("data.merged", lang, file=filename, a=added, c=changed))
        st.page_link("app_pages/map.py", label=t("data.open_map", lang),
                     query_params={"zone": first, "lang": lang, "period": "2030"})
    if "undone" in S:
        done = S.pop("undone")
        st.success(t("data.undone", lang, file=done["file"], r=len(done["removed"]),
                     s=len(done["restored"])))

    upload = st.file_uploader(t("data.upload", lang), type=UPLOAD_TYPES,
                              key=f"upload_{S.get('upload_round', 0)}",
                              help=t("data.upload.help", lang))
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        first = _read(digest, upload.name, None, None, None, data)
        cols = st.columns(3)
        layer_names = [layer.name for layer in first.layers]
        layer = cols[0].selectbox(t("data.layer", lang), [None, *layer_names], key="layer",
                                  format_func=lambda v: t("data.all_layers", lang) if v is None
                                  else v)
        encoding = cols[1].selectbox(t("data.encoding", lang), [None, *ENCODINGS],
                                     key="encoding",
                                     format_func=lambda v: t("data.auto", lang) if v is None
                                     else v)
        crs = cols[2].text_input(t("data.crs", lang), key="crs", placeholder="EPSG:9210",
                                 help=t("data.crs.help", lang)).strip() or None
        report = _read(digest, upload.name, layer, crs, encoding, data)
        _report(report, lang)
        if report.outcome != "reject" and len(report.zones):
            _preview(report, lang)
            _plan(report, lang, upload.name)
    _history(lang)


render()
