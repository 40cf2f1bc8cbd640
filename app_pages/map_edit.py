"""Editing on the map page, for signed-in editors: thin glue over :mod:`geo.edit`.

- a zone's Edit tab: every attribute, the source of the changed values (one in
  the register or a new one) and their as-of date; no source, no save;
- drawing a zone's boundary or a project's route on the map (the map component
  draws with Leaflet-Geoman and sends the shape back), saved as digitised with
  who drew it and from what, its measured area beside the declared one;
- adding a zone on the map; deleting one (admins, with confirmation);
- a project's fields and the zones it serves.

The version of a record is read when its editor opens; a save based on an
older version is refused by ``geo`` with the other change, and the values typed
stay in the widgets to try again.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from app_pages.common import md
from geo import live
from geo.auth import Actor, Role
from geo.edit import (
    DRAWN_FROM,
    RECORD_FIELDS,
    Citation,
    EditConflict,
    EditRefused,
    add_zone,
    delete_zone,
    local_time,
    local_today,
    measured_ha,
    record_version,
    set_geometry,
    set_project,
    set_zone_values,
    shown,
)
from geo.edit import _geometry as parse_geometry
from geo.i18n import number, project_name, t, zone_name
from geo.register import Register
from geo.schema import VALUE_FIELDS, ProjectKind, SourceTier
from geo.settings import SettingError
from geo.store import StoreError
from layers.state import KINDS, STATUSES

__all__ = ["add_zone_form", "drawing_instruction", "on_drawn", "project_editor",
           "start_adding", "zone_editor"]

S = st.session_state

ZONE_EDIT_FIELDS = ("name_vi", "name_en", "kind", "status", "area_total_ha",
                    "area_industrial_ha", "leased_ha", "occupancy_pct", "year_established",
                    "plan_period", "developer", "sectors", "province", "province_current",
                    "district", "commune", "parent_id", "kcn_count", "notes")
PROJECT_EDIT_FIELDS = ("name_vi", "name_en", "kind", "status", "period", "province", "notes")
_TIERS = [t.value for t in SourceTier if t != SourceTier.EDITORS]
_WRITE_ERRORS = (EditRefused, PermissionError, StoreError, SettingError, ValueError)


# --- small helpers ---------------------------------------------------------------

def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(fld: str, lang: str) -> str:
    label = t(f"attr.{fld}", lang)
    return fld if label == f"attr.{fld}" else label


def _store(location: str) -> Any:
    return live.store(location)  # one pool of connections per server, shared by sessions


def _clear(prefix: str) -> None:
    for key in [k for k in S if str(k).startswith(prefix)]:
        del S[key]


def _conflict(changes: list[dict[str, Any]], lang: str) -> None:
    st.error(t("edit.conflict", lang))
    for row in changes[-5:]:
        st.markdown("- " + md(t("edit.conflict.row", lang, who=row["who"],
                                when=local_time(row["at"]), field=_label(
                                    str(row["field"] or row["action"]), lang),
                                before=shown(row["before"]), after=shown(row["after"]))))


def citation_input(reg: Register, lang: str, key: str) -> Citation | None:
    """The source of the changed values: one in the register, or a new one; and as-of date."""
    st.markdown(f"**{md(t('edit.source', lang))}**")
    how = st.radio(t("edit.source.how", lang), ("existing", "new"), key=f"{key}_how",
                   horizontal=True, format_func=lambda v: t(f"edit.source.{v}", lang))
    sources = reg.sources[reg.sources["tier"] != SourceTier.EDITORS.value]
    docs = dict(zip(sources["source_id"], sources["document"], strict=True))
    new: dict[str, Any] | None = None
    source_id = None
    if how == "existing":
        source_id = st.selectbox(
            t("edit.source.pick", lang), list(docs), index=None, key=f"{key}_source",
            placeholder=t("edit.source.pick", lang),
            format_func=lambda s: f"{docs[s]} ({s})")
    else:
        new = {
            "document": st.text_input(t("edit.new.document", lang), key=f"{key}_doc"),
            "url": st.text_input(t("edit.new.url", lang), key=f"{key}_url",
                                 placeholder="https://"),
            "doc_number": st.text_input(t("edit.new.doc_number", lang), key=f"{key}_number"),
            "issuer": st.text_input(t("edit.new.issuer", lang), key=f"{key}_issuer"),
            "date": str(st.date_input(t("edit.new.date", lang), key=f"{key}_date",
                                      value=local_today(), format="YYYY-MM-DD")),
            # No tier is taken for granted: a press item filed as a legal document by
            # default would claim more than its source does.
            "tier": st.selectbox(t("edit.new.tier", lang), _TIERS, key=f"{key}_tier",
                                 index=None, placeholder=t("edit.new.tier.pick", lang),
                                 format_func=lambda v: f"{t(f'tier.{v}', lang)} – "
                                                       f"{t(f'tier.{v}.long', lang)}"),
        }
    section = st.text_input(t("edit.section", lang), key=f"{key}_section")
    as_of = st.date_input(t("edit.as_of", lang), key=f"{key}_asof", value=local_today(),
                          format="YYYY-MM-DD")
    if how == "existing" and not source_id:
        return None
    if new is not None and not (new["document"] and new["issuer"] and new["tier"]
                                and (new["url"] or new["doc_number"])):
        return None
    return Citation(source_id=source_id, as_of=str(as_of), section=section or None,
                    new_source=new)


# --- zones ----------------------------------------------------------------------

def _zone_widget(fld: str, current: str, key: str, lang: str, reg: Register) -> str:
    if key not in S:
        S[key] = current
    label = _label(fld, lang)
    if fld == "status":
        return str(st.selectbox(label, STATUSES, key=key,
                                format_func=lambda v: t(f"status.{v}", lang)))
    if fld == "kind":
        return str(st.selectbox(label, KINDS, key=key,
                                format_func=lambda v: t(f"kind.{v}", lang)))
    if fld == "parent_id":
        kkt = ["", *reg.zones.loc[reg.zones["kind"] == "KKT", "id"].tolist()]
        names = reg.zones.set_index("id")["name_vi"].to_dict()
        if S[key] not in kkt:
            S[key] = ""
        return str(st.selectbox(label, kkt, key=key,
                                format_func=lambda v: names.get(v, "—") if v else "—"))
    if fld == "notes":
        return str(st.text_area(label, key=key, height=68))
    return str(st.text_input(label, key=key))


def _changed(fld: str, new: str, old: str) -> bool:
    if new.strip() == old.strip():
        return False
    if VALUE_FIELDS.get(fld) in (float, int) and new.strip() and old.strip():
        try:
            return not math.isclose(float(new.replace(",", ".")), float(old), rel_tol=1e-12)
        except ValueError:
            return True
    return True


def zone_editor(reg: Register, location: str, zone_id: str, lang: str, actor: Actor) -> None:
    """The Edit tab of a zone's panel."""
    prefix = f"edit_{zone_id}_"
    vkey = f"{prefix}version"
    if vkey not in S:
        S[vkey] = record_version(reg, "zones", zone_id)
    zone = reg.zones.set_index("id", drop=False).loc[zone_id].to_dict()
    st.caption(t("edit.intro", lang))
    changes: dict[str, str] = {}
    with st.container(key=f"zone_edit_{zone_id}"):
        for fld in ZONE_EDIT_FIELDS:
            old = _as_text(zone.get(fld))
            new = _zone_widget(fld, old, f"{prefix}{fld}", lang, reg)
            if _changed(fld, new, old):
                changes[fld] = new
    if changes:
        st.info(t("edit.changed", lang, fields=", ".join(_label(f, lang) for f in changes)))
    else:
        st.caption(t("edit.nothing", lang))
    citation = citation_input(reg, lang, f"{prefix}cite")
    if changes and citation is None:
        st.warning(t("edit.no_source", lang))
    if st.button(t("edit.save", lang), key=f"{prefix}save", type="primary",
                 disabled=not changes or citation is None):
        assert citation is not None
        try:
            out = set_zone_values(_store(location), actor, zone_id, changes, citation,
                                  expect=S[vkey])
        except EditConflict as exc:
            S[f"{prefix}conflict"] = exc.changes  # shown until reloaded; the values stay
        except _WRITE_ERRORS as exc:
            st.error(md(t("edit.refused", lang, err=str(exc))))
        else:
            _clear(prefix)
            S[vkey] = out.version("zones", zone_id)
            note = t("edit.saved", lang, n=len(out.changes))
            for fld in out.result.get("not_shown", {}):
                note += " " + t("edit.not_shown", lang, field=_label(fld, lang))
            S["_notice"] = note
            st.rerun()
    conflict = S.get(f"{prefix}conflict")
    if conflict:
        _conflict(conflict, lang)
        if st.button(t("edit.reload", lang), key=f"{prefix}reload"):
            _clear(prefix)
            st.rerun()
    _drawing(reg, location, "zones", zone_id, zone, lang, actor)
    if actor.can(Role.ADMIN):
        _delete(location, zone_id, zone, lang, actor)


def _delete(location: str, zone_id: str, zone: dict[str, Any], lang: str, actor: Actor) -> None:
    name = zone_name(zone, lang)
    with st.expander(t("delete.title", lang)):
        sure = st.checkbox(t("delete.confirm", lang, name=name), key=f"delete_sure_{zone_id}")
        if st.button(t("delete.button", lang), key=f"delete_{zone_id}", disabled=not sure):
            try:
                delete_zone(_store(location), actor, zone_id)
            except _WRITE_ERRORS as exc:
                st.error(md(t("edit.refused", lang, err=str(exc))))
            else:
                S["zone"] = None
                S["_notice"] = t("delete.done", lang, name=name)
                st.rerun()


# --- drawing --------------------------------------------------------------------

def _geojson(geom: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    from shapely.geometry import mapping

    return dict(mapping(geom))


def drawing_instruction(reg: Register) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What the map component is asked to draw: the edit in progress, and a drawn preview."""
    edit = S.get("_edit")
    drawn = S.get("_drawn")
    instruction = None
    if edit is not None:
        instruction = dict(edit)
        if edit.get("id") and edit["kind"] in ("zones", "projects"):
            frame = reg.zones if edit["kind"] == "zones" else reg.projects
            rows = frame.loc[frame["id"] == edit["id"]]
            if len(rows):
                geom = rows.geometry.iloc[0]
                if geom is not None and geom.geom_type != "Point":
                    instruction["geometry"] = _geojson(geom)
    preview = {"geometry": drawn["geometry"]} if drawn is not None else None
    return instruction, preview


def on_drawn() -> None:
    """The map sent back a drawn shape (or the drawing was cancelled)."""
    value = S.get("atlas_map") or {}
    got = value.get("drawn") if isinstance(value, dict) else getattr(value, "drawn", None)
    edit = S.get("_edit")
    if not got or edit is None or got.get("seq") != edit.get("seq"):
        return
    S.pop("_edit", None)
    if got.get("cancel"):
        S.pop("_drawn", None)
        return
    S["_drawn"] = {"kind": edit["kind"], "id": edit.get("id"), "geometry": got.get("geometry")}


def _start(kind: str, record_id: str | None, shape: str) -> None:
    S["_edit_seq"] = S.get("_edit_seq", 0) + 1
    S["_edit"] = {"seq": S["_edit_seq"], "kind": kind, "id": record_id, "shape": shape}
    S.pop("_drawn", None)


def _drawing(reg: Register, location: str, table: str, record_id: str,
             record: dict[str, Any], lang: str, actor: Actor) -> None:
    label = t("draw.boundary" if table == "zones" else "draw.route", lang)
    edit = S.get("_edit")
    drawn = S.get("_drawn")
    mine = drawn is not None and drawn["kind"] == table and drawn["id"] == record_id
    st.button(label, key=f"draw_{table}_{record_id}", on_click=_start,
              args=(table, record_id, "Polygon" if table == "zones" else "Line"))
    if edit is not None and edit.get("id") == record_id:
        st.info(t("draw.hint", lang))
    if not mine:
        return
    assert drawn is not None
    try:
        geom = parse_geometry(drawn["geometry"])
    except (EditRefused, ValueError, TypeError, AttributeError) as exc:
        st.error(md(t("edit.refused", lang, err=str(exc))))
        return
    if table == "zones":
        area = measured_ha(geom)
        declared = record.get("area_total_ha")
        st.info(t("draw.measured", lang, m=number(area, lang) if area is not None else "—",
                  d=f"{number(declared, lang)} ha" if declared is not None and
                  declared == declared else t("unknown", lang)))
    method = st.radio(t("draw.from", lang), list(DRAWN_FROM), key=f"draw_from_{record_id}",
                      format_func=lambda v: t(f"draw.from.{v}", lang), horizontal=True)
    left, right = st.columns(2)
    if left.button(t("draw.save", lang), key=f"draw_save_{record_id}", type="primary"):
        vkey = f"edit_{record_id}_version"
        try:
            out = set_geometry(_store(location), actor, table, record_id, geom,
                               drawn_from=str(method), expect=S.get(vkey))
        except EditConflict as exc:
            _conflict(exc.changes, lang)
        except _WRITE_ERRORS as exc:
            st.error(md(t("edit.refused", lang, err=str(exc))))
        else:
            S.pop("_drawn", None)
            S.pop(vkey, None)
            S["_notice"] = t("draw.saved" if out.written else "draw.same", lang)
            st.rerun()
    if right.button(t("draw.discard", lang), key=f"draw_discard_{record_id}"):
        S.pop("_drawn", None)
        st.rerun()


# --- adding a zone ----------------------------------------------------------------

def start_adding() -> None:
    """Begin adding a zone: draw its boundary (or a point) on the map, then fill the form."""
    S["_adding"] = True
    S["zone"] = None
    _start("new", None, "Polygon")


def add_zone_form(reg: Register, location: str, lang: str, actor: Actor) -> None:
    """The panel while a zone is being added."""
    st.markdown(f"#### {md(t('add.title', lang))}")
    drawn = S.get("_drawn")
    if drawn is None or drawn["kind"] != "new":
        st.info(t("add.draw", lang))
    name = st.text_input(_label("name_vi", lang), key="add_name")
    kind = st.selectbox(_label("kind", lang), KINDS, key="add_kind",
                        format_func=lambda v: t(f"kind.{v}", lang))
    province = st.text_input(_label("province", lang), key="add_province")
    citation = citation_input(reg, lang, "add_cite")
    method = st.radio(t("draw.from", lang), list(DRAWN_FROM), key="add_from",
                      format_func=lambda v: t(f"draw.from.{v}", lang), horizontal=True)
    ready = bool(name and province and citation and drawn and drawn["kind"] == "new")
    left, right = st.columns(2)
    if left.button(t("add.save", lang), key="add_save", type="primary", disabled=not ready):
        assert citation is not None and drawn is not None
        try:
            out = add_zone(_store(location), actor, {"name_vi": name, "kind": kind,
                                                     "province": province},
                           drawn["geometry"], citation, drawn_from=str(method))
        except _WRITE_ERRORS as exc:
            st.error(md(t("edit.refused", lang, err=str(exc))))
        else:
            _clear("add_")
            S.pop("_adding", None)
            S.pop("_drawn", None)
            S["zone"] = out.result["zone_id"]
            S["_notice"] = t("add.added", lang, name=name)
            st.rerun()
    if right.button(t("draw.cancel", lang), key="add_cancel"):
        _clear("add_")
        for key in ("_adding", "_drawn", "_edit"):
            S.pop(key, None)
        st.rerun()


# --- projects -------------------------------------------------------------------

def project_editor(reg: Register, location: str, project_id: str, lang: str,
                   actor: Actor) -> None:
    """A project's fields, the zones it serves, and its route."""
    prefix = f"edit_{project_id}_"
    vkey = f"{prefix}version"
    if vkey not in S:
        S[vkey] = record_version(reg, "projects", project_id)
    row = reg.projects.set_index("id", drop=False).loc[project_id].to_dict()
    changes: dict[str, str] = {}
    for fld in PROJECT_EDIT_FIELDS:
        key = f"{prefix}{fld}"
        old = _as_text(row.get(fld))
        if key not in S:
            S[key] = old
        if fld == "kind":
            new = str(st.selectbox(_label(fld, lang), [k.value for k in ProjectKind], key=key,
                                   format_func=lambda v: t(f"pkind.{v}", lang)))
        elif fld == "status":
            new = str(st.selectbox(_label(fld, lang), STATUSES, key=key,
                                   format_func=lambda v: t(f"status.{v}", lang)))
        else:
            new = str(st.text_input(_label(fld, lang), key=key))
        if new.strip() != old.strip():
            changes[fld] = new
    names = reg.zones.set_index("id")["name_vi"].to_dict()
    served = [z.strip() for z in _as_text(row.get("serves")).split(";") if z.strip()]
    skey = f"{prefix}serves"
    if skey not in S:
        S[skey] = [z for z in served if z in names]
    chosen = st.multiselect(_label("serves", lang), list(names), key=skey,
                            format_func=lambda z: names.get(z, z))
    if list(chosen) != served:
        changes["serves"] = ";".join(chosen)
    citation = citation_input(reg, lang, f"{prefix}cite")
    if changes and citation is None:
        st.warning(t("edit.no_source", lang))
    if st.button(t("edit.save", lang), key=f"{prefix}save", type="primary",
                 disabled=not changes or citation is None):
        assert citation is not None
        try:
            out = set_project(_store(location), actor, project_id, changes, citation,
                              expect=S[vkey])
        except EditConflict as exc:
            _conflict(exc.changes, lang)
        except _WRITE_ERRORS as exc:
            st.error(md(t("edit.refused", lang, err=str(exc))))
        else:
            _clear(prefix)
            S["_notice"] = t("edit.saved", lang, n=len(out.changes))
            st.rerun()
    _drawing(reg, location, "projects", project_id, row, lang, actor)
    st.caption(md(project_name(row, lang)))


RECORD_ONLY = RECORD_FIELDS  # re-exported for tests: fields resting on the record's source
