"""The Data page: upload a file, read its report and preview, merge it, undo an import.

An upload is spooled to disk at once and dropped from the session (Streamlit keeps
an ``UploadedFile`` in memory per session); the spooled copy is removed when the
import is merged or cancelled, or another file is chosen.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.account import current_actor, signed_in_editor
from app_pages.common import load_register, md, register_or_stop
from app_pages.data_plots import file_kind, merged_note, plots_import
from app_pages.history import recent_changes
from app_pages.import_report import (
    FILE,
    MAPPING,
    forget_upload,
    merge_controls,
    merge_outcome,
    report_details,
)
from geo import live
from geo.auth import Actor, Role
from geo.bundled import pending_update
from geo.edit import local_time
from geo.i18n import number, t, zone_name
from geo.importer import ImportLimits, ImportReport, read_import
from geo.importer.fields import COORD_ROLES, MAPPABLE_FIELDS
from geo.importer.spool import Spooled, release, spool, sweep
from geo.merge import (
    IMPORT_ACTION,
    UNDO_ACTION,
    ImportRecord,
    MergePlan,
    MergeRefused,
    NothingToUndo,
    NotYourImport,
    UndoConflict,
    apply_merge,
    imports,
    plan_merge,
    undo_import,
)
from geo.settings import SettingError
from geo.store import DEFAULT_STORE, StoreError, default_location
from geo.vntext import ENCODINGS
from layers.base import MapContext
from layers.geojson import FeatureSet
from layers.map import build_map
from layers.state import LANGS, MapState
from layers.zones import zone_features

S = st.session_state
UPLOAD_TYPES = ["zip", "gpkg", "geojson", "json", "kml", "kmz", "fgb", "parquet", "csv", "xlsx"]
NOTES = ""  # the choice "keep the column in the notes"


@st.cache_resource(show_spinner=False, max_entries=8)
def _read(digest: str, name: str, layer: str | None, crs: str | None, encoding: str | None,
          mapping: tuple[tuple[str, str | None], ...], prefer: str | None,
          _path: str) -> ImportReport:
    return read_import(_path, name, layer=layer, crs=crs, encoding=encoding,
                       mapping=dict(mapping), prefer=prefer)


def _spooled() -> Spooled | None:
    state = S.get(FILE)
    return Spooled.from_state(state) if state else None


def _receive(lang: str) -> None:
    """Take a new upload: spool it to disk and drop it from the session."""
    key = f"upload_{S.get('upload_round', 0)}"
    upload = st.file_uploader(t("data.upload", lang), type=UPLOAD_TYPES, key=key,
                              help=t("data.upload.help", lang))
    if upload is None:
        return
    release(_spooled())
    limit = ImportLimits().max_file_bytes
    if upload.size > limit:  # refused from its size: not a byte more is copied
        S.pop(key, None)
        S["upload_round"] = S.get("upload_round", 0) + 1
        S["too_big"] = (upload.name, upload.size / 1024**2, limit / 1024**2)
        st.rerun()
    spooled = spool(upload, upload.name, limit=limit)
    S.pop(MAPPING, None)
    S[FILE] = spooled.to_state()
    # A widget of a new key replaces the uploader: the old one, and its bytes, are gone.
    S.pop(key, None)
    S["upload_round"] = S.get("upload_round", 0) + 1
    st.rerun()


def _report(report: ImportReport, lang: str) -> None:
    box = {"accept": st.success, "accept_with_warnings": st.warning, "reject": st.error}
    box[report.outcome](t(f"data.outcome.{report.outcome}", lang))
    cols = st.columns(2)
    cols[0].metric(t("data.features", lang), report.features)
    area = number(report.total_area_ha, lang) if report.total_area_ha is not None else "—"
    cols[1].metric(t("data.area", lang), area)
    report_details(report, lang)


def _field_label(value: str, lang: str) -> str:
    if value == NOTES:
        return t("data.mapping.notes", lang)
    if value in COORD_ROLES:
        return t(f"data.mapping.{value}", lang)
    label = t(f"attr.{value}", lang)
    return f"{label} ({value})" if label != f"attr.{value}" else value


def _mapping(report: ImportReport, digest: str, lang: str) -> None:
    """Show how the file's columns map onto the register's fields; let the user change it."""
    if not report.mapping:
        return
    chosen: dict[str, str | None] = dict(S.get(MAPPING, {}))
    options = [NOTES, *MAPPABLE_FIELDS, *COORD_ROLES]
    with st.expander(t("data.mapping", lang), expanded=True):
        st.caption(t("data.mapping.help", lang))
        for layer in dict.fromkeys(m.layer for m in report.mapping):
            if len({m.layer for m in report.mapping}) > 1:
                st.markdown(f"**{md(layer)}**")
            for m in (m for m in report.mapping if m.layer == layer):
                current = m.field if m.field in options else NOTES
                label = m.column if m.example is None else f"{m.column} — {m.example}"
                key = "map_" + hashlib.sha1(f"{digest}|{m.layer}|{m.column}".encode(),
                                            usedforsecurity=False).hexdigest()[:16]
                picked = st.selectbox(label, options, index=options.index(current), key=key,
                                      format_func=lambda v: _field_label(v, lang))
                if picked != current:
                    chosen[m.column] = picked or None
    if chosen != S.get(MAPPING, {}):
        S[MAPPING] = chosen
        st.rerun()


def _preview(report: ImportReport, lang: str) -> None:
    state = MapState(lang=lang, basemap="osm", period="2030")
    zones = report.zones
    ctx = MapContext(state=state, zones=zones, projects=zones.iloc[0:0],
                     zone_json=zone_features(zones, lang, "status"),
                     project_json=FeatureSet({}, ()))
    st.markdown(f"**{md(t('data.preview', lang))}**")
    st_folium(build_map(ctx), key="preview", height=420, use_container_width=True,
              returned_objects=[])


def _field_name(field: str, lang: str) -> str:
    return t("data.geometry", lang) if field == "geometry" else t(f"attr.{field}", lang)


def _losses(plan: MergePlan, names: pd.DataFrame, lang: str) -> None:
    rows: list[dict[str, Any]] = []
    verdict = t("data.worse.replaced" if plan.replace_worse else "data.worse.kept", lang)
    for found, what in ((plan.worse, verdict), (plan.conflicts, t("data.worse.kept", lang))):
        for zid, fields in found.items():
            name = zone_name(names.loc[zid].to_dict(), lang) if zid in names.index else zid
            for fld, why in fields.items():
                rows.append({"id": zid, t("attr.name_vi", lang): name,
                             t("data.field", lang): _field_name(fld, lang),
                             t("data.why", lang): why, "": what})
    if rows:
        st.markdown(f"**{md(t('data.worse', lang))}**")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _plan(report: ImportReport, lang: str, spooled: Spooled) -> str:
    """Show the merge plan and merge on request; return the name typed in "Imported by"."""
    handle = load_register()
    replace_worse = st.checkbox(t("data.replace_worse", lang), key="replace_worse",
                                help=t("data.replace_worse.help", lang))
    plan = plan_merge(handle.register, report.zones, replace_worse=replace_worse,
                      covered=report.covered)
    names = plan.zones.set_index("id")
    st.markdown(f"**{md(t('data.plan', lang))}**")
    st.markdown(md(t("data.plan.counts", lang, a=len(plan.added), c=len(plan.changed),
                     u=len(plan.unchanged))))
    rows = [{t("data.change", lang): t("data.added", lang), "id": zid,
             t("attr.name_vi", lang): zone_name(names.loc[zid].to_dict(), lang), "": ""}
            for zid in plan.added]
    rows += [{t("data.change", lang): t("data.changed", lang), "id": zid,
              t("attr.name_vi", lang): zone_name(names.loc[zid].to_dict(), lang),
              "": ", ".join(_field_name(f, lang) for f in fields)}
             for zid, fields in plan.changed.items()]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    _losses(plan, names, lang)
    actor, merge = merge_controls(load_register().register, bool(plan.writes),
                                  tuple(plan.problems), lang)
    who = actor.name if actor is not None else ""
    if merge:
        try:
            with st.spinner(t("data.writing", lang)):
                # Planned again under the write lock: what is reported is what was applied.
                result = apply_merge(live.store(handle.location), plan, filename=spooled.name,
                                     actor=actor, sha256=spooled.digest)
        except (MergeRefused, StoreError, SettingError, PermissionError) as exc:
            st.error(str(exc))
            return who
        if merge_outcome(result, lang):
            applied = result.plan
            first = (applied.added or tuple(applied.changed))[0]
            S["merged"] = (spooled.name, len(applied.added), len(applied.changed), first)
        forget_upload()
        st.rerun()
    return who


def _import(spooled: Spooled, lang: str) -> str | None:
    """The report, the column mapping, the preview and the plan of the spooled upload.

    Returns the name typed in "Imported by", when the plan (which shows it) is drawn.
    """
    top = st.columns([3, 1])
    top[0].markdown(f"**{md(t('data.file', lang))}**: {md(spooled.name)} "
                    f"({number(spooled.size / 1024**2, lang, 1)} MB)")
    if top[1].button(t("data.other_file", lang), key="other_file"):
        forget_upload()
        st.rerun()
    digest = spooled.digest
    mapping = tuple(sorted(S.get(MAPPING, {}).items()))
    first = _read(digest, spooled.name, None, None, None, mapping, None, spooled.path)
    cols = st.columns(3)
    layer_names = [layer.name for layer in first.layers]
    layer = cols[0].selectbox(t("data.layer", lang), [None, *layer_names], key="layer",
                              format_func=lambda v: t("data.all_layers", lang) if v is None
                              else v)
    encoding = cols[1].selectbox(t("data.encoding", lang), [None, *ENCODINGS], key="encoding",
                                 format_func=lambda v: t("data.auto", lang) if v is None else v)
    crs = cols[2].text_input(t("data.crs", lang), key="crs", placeholder="EPSG:9210",
                             help=t("data.crs.help", lang)).strip() or None
    if file_kind(first, digest, lang) == "plots":  # a file of plots (lô đất) of zones
        return plots_import(spooled, lang, layer, crs, encoding)
    prefer = None
    if len(layer_names) > 1:
        prefer = st.selectbox(t("data.prefer", lang), [None, *layer_names], key="prefer",
                              help=t("data.prefer.help", lang),
                              format_func=lambda v: "—" if v is None else v)
    report = _read(digest, spooled.name, layer, crs, encoding, mapping, prefer, spooled.path)
    _report(report, lang)
    _mapping(report, digest, lang)
    if report.outcome != "reject" and len(report.zones):
        _preview(report, lang)
        return _plan(report, lang, spooled)
    return None


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _history(lang: str, who: str | None) -> None:
    handle = load_register()
    audit = handle.register.audit
    rows = audit[audit["action"].isin([IMPORT_ACTION, UNDO_ACTION])]
    st.subheader(t("data.history", lang))
    if rows.empty:
        st.caption(t("data.history.none", lang))
        return
    st.dataframe(pd.DataFrame([{
        t("data.when", lang): local_time(row.at), t("data.who", lang): row.who,
        t("data.action", lang): t(f"data.action.{row.action}", lang),
        t("data.file", lang): json.loads(row.detail).get("file", ""),
        t("data.import_id", lang): (json.loads(row.detail).get("import_id")
                                    or json.loads(row.detail).get("undoes", "")),
    } for row in rows.iloc[::-1].itertuples(index=False)]), hide_index=True, width="stretch")
    _undo(handle.location, imports(handle.register), lang,
          signed_in_editor(handle.register, lang) if who is None
          else current_actor(handle.register))


def _undo(location: str, records: list[ImportRecord], lang: str, actor: Actor | None) -> None:
    """Undo one import, named and confirmed: by default this session's or this person's last."""
    st.subheader(t("data.undo.title", lang))
    in_effect = [r for r in reversed(records) if r.in_effect]  # newest first
    if not in_effect:
        st.caption(t("data.undo.none", lang))
        return
    who = actor.name if actor is not None else ""
    admin = actor is not None and actor.can(Role.ADMIN)
    mine = set(S.get("my_imports", []))
    default = next((i for i, r in enumerate(in_effect) if r.import_id in mine), None)
    if default is None and who:
        default = next((i for i, r in enumerate(in_effect) if _same_person(r.who, who)), None)
    by_id = {r.import_id: r for r in in_effect}
    if S.get("undo_choice") not in by_id:  # nothing chosen yet, or undone meanwhile
        S["undo_choice"] = None if default is None else in_effect[default].import_id
    choice = st.selectbox(
        t("data.undo.which", lang), list(by_id), key="undo_choice",
        placeholder=t("data.undo.choose", lang),
        format_func=lambda i: t("data.undo.option", lang, file=by_id[i].file, who=by_id[i].who,
                                at=local_time(by_id[i].at)))
    if choice is None:
        return
    record = by_id[choice]
    what = "data.undo.what_plots" if record.table == "plots" else "data.undo.what"
    st.caption(md(t(what, lang, file=record.file, who=record.who,
                    at=local_time(record.at), a=len(record.added), c=len(record.changed),
                    r=len(record.removed), id=record.import_id)))
    allowed = bool(who) and (_same_person(record.who, who) or admin)
    if who and not allowed:
        st.warning(t("data.undo.not_yours", lang, who=record.who))
    confirmed = st.checkbox(t("data.undo.confirm", lang, file=record.file, who=record.who,
                              at=local_time(record.at)),
                            key=f"undo_confirm_{record.import_id}",
                            disabled=not allowed)
    if st.button(t("data.undo", lang), key="undo", disabled=not (allowed and confirmed)):
        try:
            with st.spinner(t("data.writing", lang)):
                # The account's role decides whether another person's import may go.
                done = undo_import(live.store(location), record.import_id, actor=actor)
        except (NothingToUndo, NotYourImport, UndoConflict, StoreError, SettingError,
                PermissionError) as exc:
            st.error(str(exc))
        else:
            S["undone"] = done
            S.pop("undo_choice", None)
            st.rerun()


def render() -> None:
    """Draw the Data page."""
    lang = S.get("lang") or st.query_params.get("lang", "vi")
    lang = lang if lang in LANGS else "vi"
    register_or_stop(lang)
    sweep()  # uploads that sessions which went away left behind
    st.title(t("data.title", lang))
    st.caption(t("data.intro", lang))
    if default_location() == str(DEFAULT_STORE) and pending_update():
        st.warning(t("data.bundled_newer", lang))
    if "merged" in S:
        filename, added, changed, first = S.pop("merged")
        st.success(t("data.merged", lang, file=filename, a=added, c=changed))
        st.page_link("app_pages/map.py", label=t("data.open_map", lang),
                     query_params={"zone": first, "lang": lang, "period": "2030"})
    merged_note(lang)
    if "undone" in S:
        done = S.pop("undone")
        plots = "plots_removed" in done
        st.success(t("data.undone_plots" if plots else "data.undone", lang, file=done["file"],
                     who=done["who"], at=local_time(done["at"]),
                     r=len(done["plots_removed" if plots else "removed"]),
                     s=len(done["plots_restored" if plots else "restored"])))
    if S.get("_notice"):
        st.success(S.pop("_notice"))
    if "merge_note" in S:
        st.info(S.pop("merge_note"))
    if "too_big" in S:
        name, size, limit = S.pop("too_big")
        st.error(t("data.too_big", lang, file=name, mb=number(size, lang, 1),
                   limit=number(limit, lang, 0)))
    spooled = _spooled()
    if spooled is not None and not _exists(spooled):
        forget_upload()  # swept, or removed by another tab of this session
        spooled = None
    who = None
    if spooled is None:
        _receive(lang)
    else:
        who = _import(spooled, lang)
    _history(lang, who)
    recent_changes(lang)


def _exists(spooled: Spooled) -> bool:
    return Path(spooled.path).exists()


render()
