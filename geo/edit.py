"""The one write path: a unit of work that checks, writes and records every change.

Every change to the register — an edit in the app, an import, an undo, a
scripted ``kcn-atlas set``, a change of accounts — goes through :func:`run`,
which, inside one store transaction under the write lock
(:meth:`geo.store.Store.update`):

1. checks the role of the person, in the ``users`` table of the register
   being written (:func:`geo.auth.require`): a write with no one signed in, or
   by too weak a role, raises :class:`geo.auth.PermissionDenied`;
2. checks the version of each record the change was based on: a record
   changed since (by an edit or an import) refuses the write with
   :class:`EditConflict`, naming the other change; nothing is written, and the
   caller still holds what it wanted to write;
3. applies the change;
4. checks the sources: the change may not add any problem
   :func:`geo.validate.validate` finds (a value without a source, a value
   citing the editors, a number out of range...): :class:`EditRefused`;
5. records each changed field in the ``history`` table (who, when in UTC, which
   record and field, before, after, the source cited, and what a revert needs);
6. writes, all or nothing.

A record's version is the id of the last history row about it
(:func:`record_version`): two editors on different zones never refuse each
other (writes are serialised by the lock for the few hundred milliseconds one
takes, never refused); two on the same zone get a conflict for the second.

The edits themselves (:func:`set_zone_values`, :func:`add_zone`,
:func:`set_geometry`, :func:`delete_zone`, :func:`set_project`, :func:`revert`,
:func:`manage_users`) are built on it; :mod:`geo.merge` builds imports and
their undo on it too.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import wkt as shapely_wkt
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo import auth
from geo.auth import Actor, Role
from geo.crs import area_ha
from geo.i18n import LOCAL_TZ, local_today
from geo.register import Register, is_exact, ordered_values
from geo.schema import (
    HISTORY_COLUMNS,
    PROJECT_COLUMNS,
    SOURCE_COLUMNS,
    VALUE_FIELDS,
    ZONE_COLUMNS,
    ZONE_VALUE_COLUMNS,
    Kind,
    ProjectKind,
    Quality,
    SourceTier,
    Status,
)
from geo.store import Store
from geo.text import nfc, slugify
from geo.validate import validate

__all__ = [
    "DRAWN_FROM",
    "LOCAL_TZ",
    "REVERT_ACTION",
    "Citation",
    "EditConflict",
    "EditRefused",
    "Outcome",
    "Work",
    "add_zone",
    "delete_zone",
    "history",
    "local_time",
    "local_today",
    "manage_users",
    "record_version",
    "revert",
    "run",
    "set_geometry",
    "set_project",
    "set_zone_values",
]

# What a drawn boundary or route was traced from.
DRAWN_FROM = {"imagery": "satellite or aerial imagery", "plan": "an approved plan sheet",
              "survey": "a survey"}
# Zone columns that are the record itself (its source_id covers them), not sourced values.
RECORD_FIELDS = ("kind", "name_vi", "province", "province_current", "notes")
PROJECT_FIELDS = ("name_vi", "name_en", "kind", "status", "period", "serves", "province",
                  "notes", "quote")
_MAX_TEXT = 2000
REVERT_ACTION = "revert"


class EditConflict(RuntimeError):
    """The record changed since the caller read it; ``changes`` are the history rows since."""

    def __init__(self, message: str, changes: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.changes = changes


class EditRefused(ValueError):
    """The change would break a rule of the register (no source, a value out of range...)."""


@dataclass(frozen=True)
class Citation:
    """The source a changed value rests on: one in the register, or a new one.

    ``new_source`` holds the new source's ``document`` (title), ``url`` or
    ``doc_number``, ``issuer`` (publisher), ``date`` and ``tier``; its id is
    made from the title and date when none is given.
    """

    source_id: str | None = None
    as_of: str | None = None
    section: str | None = None
    new_source: Mapping[str, Any] | None = None

    def resolve(self, register: Register) -> tuple[str, dict[str, Any] | None]:
        """Return the source id, and the new source row to add (None for an existing one)."""
        if not self.as_of or not str(self.as_of).strip():
            raise EditRefused("every changed value needs its as-of date")
        _check_date(str(self.as_of), "as-of date")
        known = set(register.sources["source_id"])
        if self.new_source is None:
            if not self.source_id:
                raise EditRefused("every changed value needs its source: choose one or add one")
            if self.source_id not in known:
                raise EditRefused(f"no source {self.source_id!r} in the register")
            return self.source_id, None
        row: dict[str, Any] = dict.fromkeys(SOURCE_COLUMNS)
        for key, value in self.new_source.items():
            if key in row and value is not None and str(value).strip():
                row[key] = _text(value, key)
        for key, what in (("document", "a title"), ("issuer", "a publisher"),
                          ("date", "a date"), ("tier", "a tier")):
            if not row[key]:
                raise EditRefused(f"a new source needs {what}")
        _check_date(str(row["date"]), "source date")
        if row["tier"] not in {t.value for t in SourceTier}:
            raise EditRefused(f"tier {row['tier']!r} is not one of "
                              f"{[t.value for t in SourceTier]}")
        if row["tier"] == SourceTier.EDITORS.value:
            raise EditRefused("a value cannot cite the editors' own knowledge: give the "
                              "document that states it")
        if not (row["url"] or row["doc_number"]):
            raise EditRefused("a new source needs its address (URL) or document number")
        if row["url"] and not str(row["url"]).startswith(("http://", "https://")):
            raise EditRefused("a source's URL starts with http:// or https://")
        sid = self.source_id or row.get("source_id") or _source_id(
            str(row["document"]), str(row["date"]), known)
        if sid in known:
            raise EditRefused(f"a source {sid!r} is already in the register: choose it")
        row["source_id"] = sid
        return sid, row


def _source_id(document: str, when: str, known: set[str]) -> str:
    base = slugify(f"{document} {when}", 60) or "source"
    sid, n = base, 2
    while sid in known:
        sid, n = f"{base}-{n}", n + 1
    return sid


def _check_date(text: str, what: str) -> None:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        raise EditRefused(f"the {what} {text!r} is not a date (YYYY-MM-DD)") from None


def _text(value: Any, what: str) -> str:
    text = nfc(str(value)).strip()
    if "\x00" in text or len(text) > _MAX_TEXT:
        raise EditRefused(f"{what}: text of at most {_MAX_TEXT} characters, no null bytes")
    return text


# --- history ---------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def local_time(at: str | None) -> str:
    """Return a stored UTC time as people in Vietnam read it: ``2026-11-30 01:30 (GMT+7)``."""
    if not at:
        return ""
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return at
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M (GMT+7)")


def _json(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, BaseGeometry):
        return json.dumps(value.wkt)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def shown(value: str | None) -> str:
    """Return a history value (JSON text) as plain text for people."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    try:
        decoded = json.loads(value)
    except ValueError:
        return str(value)
    return "—" if decoded is None else str(decoded)


@dataclass
class Work:
    """What a change sees: the register under the lock, who makes it, and its history rows."""

    register: Register
    actor: Actor
    at: datetime
    batch_id: str
    action: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def at_text(self) -> str:
        """The time of the change, UTC, ISO 8601 to the second."""
        return self.at.isoformat()

    def record(self, table: str, record: str, fld: str | None, before: Any, after: Any,
               source_id: str | None = None, detail: Mapping[str, Any] | None = None,
               action: str | None = None) -> None:
        """Add one history row (one record and field) to this change."""
        self.rows.append({
            "change_id": f"c-{self.at:%Y%m%dT%H%M%S}-{secrets.token_hex(5)}",
            "batch_id": self.batch_id, "at": self.at_text, "who": self.actor.name,
            "action": action or self.action, "table_name": table, "record": record,
            "field": fld, "before": _json(before), "after": _json(after),
            "source_id": source_id,
            "detail": json.dumps(dict(detail or {}), ensure_ascii=False, default=str),
        })


@dataclass(frozen=True)
class Outcome:
    """What :func:`run` wrote: the register after, the batch id and the history rows."""

    register: Register
    batch_id: str
    changes: tuple[dict[str, Any], ...]
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def written(self) -> bool:
        """Tell whether anything was written."""
        return bool(self.changes)

    def version(self, table: str, record: str) -> str:
        """The record's version after the write (to base the next edit on)."""
        return record_version(self.register, table, record)


def record_version(register: Register, table: str, record: str) -> str:
    """Return a record's version: the id of the last history row about it ("0" if none)."""
    h = register.history
    if h.empty:
        return "0"
    mine = h[(h["table_name"] == table) & (h["record"] == record)]
    return str(mine["change_id"].iloc[-1]) if len(mine) else "0"


def _since(register: Register, table: str, record: str, version: str) -> list[dict[str, Any]]:
    h = register.history
    mine = h[(h["table_name"] == table) & (h["record"] == record)]
    ids = list(mine["change_id"])
    start = ids.index(version) + 1 if version in ids else 0
    return mine.iloc[start:].to_dict("records")


def describe_change(row: Mapping[str, Any]) -> str:
    """One line about a history row: who changed what, when, from what to what."""
    what = row.get("field") or row.get("action")
    text = (f"{row['who']} ({row['action']}) at {local_time(row['at'])}: {row['record']} "
            f"{what}: {shown(row.get('before'))} → {shown(row.get('after'))}")
    if row.get("source_id"):
        text += f" (source {row['source_id']})"
    return text


def _conflict(table: str, record: str, changes: list[dict[str, Any]]) -> EditConflict:
    lines = "; ".join(describe_change(c) for c in changes[-5:])
    return EditConflict(
        f"{record} was changed by someone else since you opened it, so your change was "
        f"not saved (nothing is lost: your values are kept to try again). The other "
        f"change: {lines}", changes)


def run(store: Store, actor: Actor | None, role: Role, what: str,
        change: Callable[[Work], Register], *,
        expect: Mapping[tuple[str, str], str] | None = None, action: str = "edit",
        batch_id: str | None = None, at: datetime | None = None,
        check_sources: bool = True, bootstrap: str | None = None,
        expect_version: str | None = None) -> Outcome:
    """Make one change in one transaction: role, versions, change, sources, history, write.

    Parameters
    ----------
    actor
        Who makes the change (None: nobody signed in, refused).
    role
        The weakest role allowed to make it.
    what
        What the change is, for messages ("edit a zone").
    change
        Called with a :class:`Work` under the write lock; returns the new register
        (the very register it was given to write nothing) and records history rows
        through :meth:`Work.record`.
    expect
        ``{(table, record): version}``: the versions (:func:`record_version`) the
        change was based on; a record changed since refuses it.
    bootstrap
        The name of the first admin: while the register has no account at all, the
        change is allowed with nobody signed in, and recorded under this name.
    expect_version
        The store version (:meth:`geo.store.Store.version`) the whole change was
        based on, for a change planned from a view of the whole register (a file
        of plots): any write since refuses it with
        :class:`geo.errors.VersionConflict`.

    Raises
    ------
    geo.auth.PermissionDenied
        Nobody signed in, or too weak a role.
    EditConflict
        A record moved since the version expected.
    EditRefused
        The change would add a problem :func:`geo.validate.validate` reports.
    """
    when = at or _now()
    batch = batch_id or f"b-{when:%Y%m%dT%H%M%S}-{secrets.token_hex(5)}"
    holder: dict[str, Any] = {}

    def apply(register: Register) -> Register:
        if bootstrap and register.users.empty:
            # The first admin is recorded as adding themselves.
            checked = Actor(bootstrap, Role.ADMIN, via="bootstrap")
        else:
            checked = auth.require(register, actor, role, what)
        for (table, record), version in (expect or {}).items():
            current = record_version(register, table, record)
            if current != version:
                raise _conflict(table, record, _since(register, table, record, version))
        work = Work(register, checked, when, batch, action)
        holder["work"] = work
        new = change(work)
        if new is register or not work.rows:
            return register
        if check_sources:
            before = {str(p) for p in validate(register)}
            added = [str(p) for p in validate(new) if str(p) not in before]
            if added:
                raise EditRefused("the change would break the register's rules: "
                                  + "; ".join(added[:8]))
        rows = pd.DataFrame(work.rows)[HISTORY_COLUMNS]
        return replace(new, history=pd.concat([new.history, rows], ignore_index=True))

    register = store.update(apply, expect_version=expect_version)
    work = holder.get("work")
    rows = tuple(work.rows) if work is not None else ()
    return Outcome(register, batch, rows, dict(work.result) if work is not None else {})


# --- zones -----------------------------------------------------------------------------

def _zone_index(register: Register, zone_id: str) -> int:
    hits = register.zones.index[register.zones["id"] == zone_id]
    if not len(hits):
        raise EditRefused(f"no zone {zone_id!r} in the register")
    return int(hits[0])


def _parse_value(register: Register, fld: str, value: Any) -> str:
    """Check a new value of a sourced field; return it as zone_values holds it (text)."""
    if fld not in VALUE_FIELDS:
        raise EditRefused(f"{fld!r} is not a zone attribute one can edit")
    if value is None or str(value).strip() == "":
        raise EditRefused(f"{fld}: give a value (an unknown value is left empty, not saved)")
    kind = VALUE_FIELDS[fld]
    if kind in (float, int):
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise EditRefused(f"{fld}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise EditRefused(f"{fld}: {value!r} is not a number")
        if kind is int:
            if not number.is_integer():
                raise EditRefused(f"{fld}: {value!r} is not a whole number")
            return str(int(number))
        return f"{number:g}" if abs(number) < 1e15 else str(number)
    text = _text(value, fld)
    if fld == "status" and text not in {s.value for s in Status}:
        raise EditRefused(f"status {text!r} is not one of {[s.value for s in Status]}")
    if fld == "parent_id":
        parent = register.zones[register.zones["id"] == text]
        if parent.empty or parent["kind"].iloc[0] != Kind.KKT.value:
            raise EditRefused(f"parent {text!r} is not a KKT in the register")
    return text


def _refresh_zone(register: Register, zone_id: str) -> Register:
    """Set a zone's value columns from its sourced rows (the one the register picks)."""
    zones = register.zones.copy()
    i = _zone_index(register, zone_id)
    values = register.zone_values[register.zone_values["zone_id"] == zone_id]
    chosen = ordered_values(values, register.sources)
    chosen = chosen[chosen["chosen"]].set_index("field")
    for fld, kind in VALUE_FIELDS.items():
        if fld not in chosen.index:
            if fld == "name_en":
                continue  # a record field where no row gives it
            zones.at[i, fld] = Status.UNKNOWN.value if fld == "status" else None
            continue
        row = chosen.loc[fld]
        value: Any = row["value"]
        if kind in (float, int):
            value = float(value) if is_exact(row["comparison"]) and value else None
        zones.at[i, fld] = value
    return register.with_zones(zones)


def _with_source(register: Register, new_source: dict[str, Any] | None) -> Register:
    if new_source is None:
        return register
    sources = pd.concat([register.sources, pd.DataFrame([new_source])[SOURCE_COLUMNS]],
                        ignore_index=True)
    return replace(register, sources=sources)


def _zone_value(register: Register, zone_id: str, fld: str) -> Any:
    value = register.zones.loc[_zone_index(register, zone_id), fld]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _change_zone_values(work: Work, register: Register, zone_id: str,
                        changes: Mapping[str, Any],
                        citations: Mapping[str, Citation]) -> Register:
    """Add each changed value as a sourced row, refresh the zone, record each field."""
    index = _zone_index(register, zone_id)
    resolved: dict[int, tuple[str, dict[str, Any] | None]] = {}
    for fld, raw in changes.items():
        cite = citations[fld]
        if id(cite) not in resolved:  # one new source for every value citing it
            resolved[id(cite)] = cite.resolve(register)
            register = _with_source(register, resolved[id(cite)][1])
        source_id, new_source = resolved[id(cite)]
        before = _zone_value(register, zone_id, fld)
        if fld in RECORD_FIELDS:
            zones = register.zones.copy()
            value: Any = _text(raw, fld) if raw is not None and str(raw).strip() else None
            if fld in ("kind", "name_vi") and not value:
                raise EditRefused(f"{fld}: a zone needs one")
            if fld == "kind" and value not in {k.value for k in Kind}:
                raise EditRefused(f"kind {value!r} is not one of {[k.value for k in Kind]}")
            old_source = {c: zones.at[index, c] for c in ("source_id", "source_section", "as_of")}
            zones.at[index, fld] = value
            # The record's own fields rest on the record's source: the new one now.
            zones.at[index, "source_id"] = source_id
            zones.at[index, "source_section"] = cite.section
            zones.at[index, "as_of"] = str(cite.as_of)
            register = register.with_zones(zones)
            if _same(before, value):
                continue
            work.record("zones", zone_id, fld, before, value, source_id,
                        {"kind": "record", "column": fld, "before": before,
                         "source_before": old_source, "new_source": source_id
                         if new_source else None})
            continue
        text = _parse_value(register, fld, raw)
        values = register.zone_values
        same = ((values["zone_id"] == zone_id) & (values["field"] == fld)
                & (values["source_id"] == source_id))
        replaced = values[same].to_dict("records")
        row = {c: None for c in ZONE_VALUE_COLUMNS} | {
            "zone_id": zone_id, "field": fld, "value": text, "source_id": source_id,
            "source_section": cite.section, "as_of": str(cite.as_of),
            "note": f"edited by {work.actor.name}"}
        register = replace(register, zone_values=pd.concat(
            [values[~same], pd.DataFrame([row])[ZONE_VALUE_COLUMNS]], ignore_index=True))
        register = _refresh_zone(register, zone_id)
        after = _zone_value(register, zone_id, fld)
        work.record("zones", zone_id, fld, before, text, source_id,
                    {"kind": "value", "added": row, "replaced": replaced, "shown": after,
                     "new_source": source_id if new_source else None})
        if not _same(after, _typed(fld, text)):
            work.result.setdefault("not_shown", {})[fld] = after
    return register


def _typed(fld: str, text: str) -> Any:
    return float(text) if VALUE_FIELDS.get(fld) in (float, int) else text


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return bool(a == b)


def _citations(changes: Mapping[str, Any],
               citation: Citation | Mapping[str, Citation]) -> dict[str, Citation]:
    if isinstance(citation, Citation):
        return dict.fromkeys(changes, citation)
    missing = [f for f in changes if f not in citation]
    if missing:
        raise EditRefused(f"no source given for {', '.join(missing)}")
    return {f: citation[f] for f in changes}


def set_zone_values(store: Store, actor: Actor | None, zone_id: str,
                    changes: Mapping[str, Any],
                    citation: Citation | Mapping[str, Citation], *,
                    expect: str | None = None) -> Outcome:
    """Change a zone's attributes, each resting on a source (one for all, or one per field).

    A sourced attribute (status, areas, occupancy...) gets a new ``zone_values``
    row citing the source (a row of the same source for the same field is
    replaced); the zone shows the value the register picks (higher tier, then
    newer), so a value from a weaker source than one already there is kept but
    not shown (``result["not_shown"]`` says so). The record's own fields (kind,
    names, provinces, notes) rest on the record's source, which becomes the
    citation's.

    ``expect`` is the zone's version read before editing
    (:func:`record_version`); a zone changed since refuses the edit
    (:class:`EditConflict`).
    """
    if not changes:
        raise EditRefused("nothing to change")
    cites = _citations(changes, citation)

    def change(work: Work) -> Register:
        return _change_zone_values(work, work.register, zone_id, changes, cites)

    return run(store, actor, Role.EDITOR, "edit a zone", change,
               expect=None if expect is None else {("zones", zone_id): expect})


def _drawn_source(work: Work, register: Register, what: str, method: str,
                  note: str | None) -> tuple[Register, str]:
    """A source row naming who drew a geometry, when, and from what."""
    if method not in DRAWN_FROM:
        raise EditRefused(f"say what it was drawn from: one of {sorted(DRAWN_FROM)}")
    known = set(register.sources["source_id"])
    sid = f"drawn-{work.at:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    while sid in known:
        sid = f"drawn-{work.at:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    row = {c: None for c in SOURCE_COLUMNS} | {
        "source_id": sid, "document": f"{what}, digitised from {DRAWN_FROM[method]}",
        "issuer": work.actor.name, "date": work.at.date().isoformat(),
        "tier": SourceTier.EDITORS.value,
        "note": f"drawn in KCN Atlas by {work.actor.name}; from: {method}"
        + (f"; {_text(note, 'note')}" if note else "")}
    return _with_source(register, row), sid


def _geometry(value: BaseGeometry | Mapping[str, Any] | str) -> BaseGeometry:
    if isinstance(value, BaseGeometry):
        geom = value
    elif isinstance(value, str):
        geom = shapely_wkt.loads(value)
    else:
        data = dict(value)
        if data.get("type") == "FeatureCollection":
            feats = data.get("features") or []
            if len(feats) != 1:
                raise EditRefused("draw one shape")
            data = feats[0]
        if data.get("type") == "Feature":
            data = data.get("geometry") or {}
        geom = shape(data)
    if geom.is_empty:
        raise EditRefused("the drawing is empty")
    return geom


def measured_ha(geom: BaseGeometry) -> float | None:
    """The ground area of a polygon in hectares (VN-2000 / UTM 48N), None for others."""
    value = float(area_ha(gpd.GeoSeries([geom], crs="EPSG:4326")).iloc[0])
    return None if math.isnan(value) else round(value, 4)


def set_geometry(store: Store, actor: Actor | None, table: str, record_id: str,
                 geometry: BaseGeometry | Mapping[str, Any] | str, *, drawn_from: str,
                 note: str | None = None, expect: str | None = None) -> Outcome:
    """Store a drawn zone boundary or project route, as digitised, naming who and from what.

    The geometry's source is a new ``sources`` row (tier ``editors``: the
    editors may place and draw, never source a value) naming the person, the
    date and what it was traced from (``imagery``, ``plan``, ``survey``). A
    zone's boundary gets its area measured in VN-2000 (``area_measured_ha``),
    shown beside the declared area.
    """
    geom = _geometry(geometry)
    if table == "zones" and geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise EditRefused("a zone's boundary is a polygon")
    if table == "projects" and geom.geom_type not in ("LineString", "MultiLineString",
                                                      "Point", "Polygon"):
        raise EditRefused("a project's route is a line")
    if not geom.is_valid:
        raise EditRefused("the drawn shape crosses itself: move its vertices apart")

    def change(work: Work) -> Register:
        reg = work.register
        frame = reg.zones if table == "zones" else reg.projects
        hits = frame.index[frame["id"] == record_id]
        if not len(hits):
            raise EditRefused(f"no {table[:-1]} {record_id!r} in the register")
        i = hits[0]
        old_geom = frame.at[i, "geometry"]
        if (old_geom is not None and frame.at[i, "geometry_quality"] == Quality.DIGITISED.value
                and old_geom.equals_exact(geom, 1e-9)):
            return reg  # the same drawing saved again: nothing to record
        name = str(frame.at[i, "name_vi"])
        reg, sid = _drawn_source(work, reg, f"{'Boundary' if table == 'zones' else 'Route'} "
                                 f"of {name}", drawn_from, note)
        frame = (reg.zones if table == "zones" else reg.projects).copy()
        before = {c: frame.at[i, c] for c in ("geometry_quality", "geometry_source_id",
                                              "area_measured_ha") if c in frame.columns}
        old = frame.at[i, "geometry"]
        frame.at[i, "geometry"] = geom
        frame.at[i, "geometry_quality"] = Quality.DIGITISED.value
        area = measured_ha(geom)
        if table == "zones":
            frame.at[i, "geometry_source_id"] = sid
            frame.at[i, "area_measured_ha"] = area if area is not None else float("nan")
            reg = reg.with_zones(frame)
        else:
            reg = replace(reg, projects=frame)
        work.record(table, record_id, "geometry", _summary(old, before.get("geometry_quality")),
                    _summary(geom, Quality.DIGITISED.value), sid,
                    {"kind": "geometry", "before": {**{k: _plain(v) for k, v in before.items()},
                                                    "wkt": old.wkt if old is not None else None},
                     "drawn_from": drawn_from, "area_measured_ha": area})
        work.result["area_measured_ha"] = area
        work.result["geometry_source_id"] = sid
        return reg

    return run(store, actor, Role.EDITOR, f"draw a {table[:-1]}'s geometry", change,
               action="draw", expect=None if expect is None else {(table, record_id): expect})


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _summary(geom: BaseGeometry | None, quality: Any) -> str | None:
    if geom is None or geom.is_empty:
        return None
    kind = {"Polygon": "polygon", "MultiPolygon": "polygon", "Point": "point",
            "LineString": "line", "MultiLineString": "line"}.get(geom.geom_type, "shape")
    text = f"{kind} ({quality})" if quality else kind
    area = measured_ha(geom) if kind == "polygon" else None
    return f"{text}, {area:,.2f} ha measured" if area is not None else text


def add_zone(store: Store, actor: Actor | None, record: Mapping[str, Any],
             geometry: BaseGeometry | Mapping[str, Any] | str, citation: Citation, *,
             drawn_from: str = "imagery", values: Mapping[str, Any] | None = None) -> Outcome:
    """Add a zone: its record (kind, name, province) resting on a source, and a drawn shape.

    ``record`` holds ``kind``, ``name_vi`` and ``province`` (and optionally
    ``id``, ``name_en``, ``province_current``); ``values`` sourced attributes
    (status, areas...) citing the same source. A polygon is stored as
    digitised, a point as an approximate location, both naming who placed them
    and from what. ``result["zone_id"]`` is the new zone's id.
    """
    geom = _geometry(geometry)
    name = _text(record.get("name_vi") or "", "name")
    kind = str(record.get("kind") or "")
    if not name or kind not in {k.value for k in Kind}:
        raise EditRefused("a new zone needs a name and a kind (KKT, KCN, CCN, study_area)")
    if not record.get("province"):
        raise EditRefused("a new zone needs its province")
    slug = slugify(name)  # "KCN Tràng Duệ 3" → kcn-trang-due-3; the kind leads otherwise
    zone_id = str(record.get("id") or (slug if slug.startswith(slugify(kind)) else
                                       slugify(f"{kind} {name}")))

    def change(work: Work) -> Register:
        reg = work.register
        if zone_id in set(reg.zones["id"]):
            raise EditRefused(f"a zone {zone_id!r} is already in the register")
        source_id, new_source = citation.resolve(reg)
        reg = _with_source(reg, new_source)
        reg, geo_source = _drawn_source(work, reg, f"Location of {name}", drawn_from, None)
        polygon = geom.geom_type in ("Polygon", "MultiPolygon")
        row = {c: None for c in ZONE_COLUMNS} | {
            "id": zone_id, "kind": kind, "name_vi": name,
            "name_en": record.get("name_en") or None,
            "province": _text(record["province"], "province"),
            "province_current": record.get("province_current") or record["province"],
            "status": Status.UNKNOWN.value,
            "geometry_quality": Quality.DIGITISED.value if polygon else
            Quality.APPROXIMATE.value,
            "area_measured_ha": measured_ha(geom) if polygon else None,
            "geometry_source_id": geo_source, "source_id": source_id,
            "source_section": citation.section, "as_of": str(citation.as_of)}
        zone = gpd.GeoDataFrame([row], geometry=[geom], crs="EPSG:4326")
        reg = reg.with_zones(pd.concat([reg.zones, zone], ignore_index=True))
        work.record("zones", zone_id, None, None, name, source_id,
                    {"kind": "add", "geometry_source_id": geo_source,
                     "new_source": source_id if new_source else None}, action="add")
        work.result["zone_id"] = zone_id
        if values:
            reg = _change_zone_values(work, reg, zone_id, values,
                                      dict.fromkeys(values, citation))
        return reg

    return run(store, actor, Role.EDITOR, "add a zone", change, action="add")


def delete_zone(store: Store, actor: Actor | None, zone_id: str, *,
                expect: str | None = None) -> Outcome:
    """Delete a zone (admins only): its record, values and plots; it stays in the history.

    Projects that served it stop naming it. A KKT that other zones lie in is
    not deleted until they are moved out. Reverting the deletion
    (:func:`revert`) brings everything back.
    """
    def change(work: Work) -> Register:
        reg = work.register
        i = _zone_index(reg, zone_id)
        children = reg.zones.loc[reg.zones["parent_id"] == zone_id, "id"].tolist()
        if children:
            raise EditRefused(f"{zone_id} holds {', '.join(children[:5])}: move them out first")
        zone = reg.zones.loc[[i]]
        values = reg.zone_values[reg.zone_values["zone_id"] == zone_id]
        plots = reg.plots[reg.plots["zone_id"] == zone_id]
        serves: dict[str, str] = {}
        projects = reg.projects.copy()
        for j, text in zip(projects.index, projects["serves"], strict=True):
            ids = [z.strip() for z in str(text or "").split(";") if z.strip()]
            if zone_id in ids:
                serves[str(projects.at[j, "id"])] = str(text)
                projects.at[j, "serves"] = ";".join(z for z in ids if z != zone_id) or None
        detail = {"kind": "delete", "zone": _records(zone), "values": values.to_dict("records"),
                  "plots": _records(plots), "serves": serves}
        work.record("zones", zone_id, None, str(zone["name_vi"].iloc[0]), None, None, detail,
                    action="delete")
        return replace(reg.with_zones(reg.zones.drop(index=i)), projects=projects,
                       zone_values=reg.zone_values[reg.zone_values["zone_id"] != zone_id],
                       plots=reg.plots[reg.plots["zone_id"] != zone_id])

    return run(store, actor, Role.ADMIN, "delete a zone", change, action="delete",
               expect=None if expect is None else {("zones", zone_id): expect})


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        geom = row.pop("geometry", None)
        row = {k: _plain(v) for k, v in row.items()}
        row["geometry"] = geom.wkt if geom is not None else None
        out.append(row)
    return out


def _frame(records: list[dict[str, Any]], like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = [dict(r) for r in records]
    geoms = [shapely_wkt.loads(r.pop("geometry")) if r.get("geometry") else None for r in rows]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[c for c in like.columns
                                                        if c != "geometry"]),
                            geometry=geoms, crs=like.crs)


# --- projects --------------------------------------------------------------------------

def set_project(store: Store, actor: Actor | None, project_id: str,
                changes: Mapping[str, Any], citation: Citation, *,
                expect: str | None = None) -> Outcome:
    """Change a project's fields, or the zones it serves (``serves``: ids, ';'-separated).

    A project rests on one source: the citation becomes the project's source.
    """
    bad = [f for f in changes if f not in PROJECT_FIELDS]
    if bad or not changes:
        raise EditRefused(f"a project's editable fields are {list(PROJECT_FIELDS)}")

    def change(work: Work) -> Register:
        reg = work.register
        hits = reg.projects.index[reg.projects["id"] == project_id]
        if not len(hits):
            raise EditRefused(f"no project {project_id!r} in the register")
        i = hits[0]
        source_id, new_source = citation.resolve(reg)
        reg = _with_source(reg, new_source)
        projects = reg.projects.copy()
        old_source = {c: projects.at[i, c] for c in ("source_id", "source_section", "as_of")}
        for fld, raw in changes.items():
            value: Any = _text(raw, fld) if raw is not None and str(raw).strip() else None
            if fld == "serves":
                ids = [z.strip() for z in str(value or "").replace(",", ";").split(";")
                       if z.strip()]
                unknown = [z for z in ids if z not in set(reg.zones["id"])]
                if unknown:
                    raise EditRefused(f"no zone {unknown[0]!r} in the register")
                value = ";".join(dict.fromkeys(ids)) or None
            if fld == "kind" and value not in {k.value for k in ProjectKind}:
                raise EditRefused(f"kind {value!r} is not a project kind")
            if fld == "status" and value not in {s.value for s in Status}:
                raise EditRefused(f"status {value!r} is not one of {[s.value for s in Status]}")
            before = _plain(projects.at[i, fld])
            if _same(before, value):
                continue
            projects.at[i, fld] = value
            work.record("projects", project_id, fld, before, value, source_id,
                        {"kind": "record", "column": fld, "before": before,
                         "source_before": old_source})
        projects.at[i, "source_id"] = source_id
        projects.at[i, "source_section"] = citation.section
        projects.at[i, "as_of"] = str(citation.as_of)
        return replace(reg, projects=projects[[*PROJECT_COLUMNS, "geometry"]])

    return run(store, actor, Role.EDITOR, "edit a project", change,
               expect=None if expect is None else {("projects", project_id): expect})


# --- history, revert -------------------------------------------------------------------




def history(register: Register, table: str | Sequence[str] | None = None,
            record: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Return the history, newest first, with ``reverted_by`` for reverted changes.

    ``table`` keeps the rows of one table (``"zones"``) or of several (a zone's own
    rows and its plots': ``("zones", "plots")``).
    """
    h = register.history.copy()
    reverted: dict[str, str] = {}
    for row in h.itertuples(index=False):
        if row.action == REVERT_ACTION and row.detail:
            target = json.loads(row.detail).get("reverts")
            if target:
                reverted[target] = f"{row.who} {row.at}"
    h["reverted_by"] = pd.Series([reverted.get(c) for c in h["change_id"]], index=h.index,
                                 dtype=object)
    if table is not None:
        h = h[h["table_name"].isin([table] if isinstance(table, str) else list(table))]
    if record is not None:
        h = h[h["record"] == record]
    h = h.iloc[::-1]
    return (h.head(limit) if limit else h).reset_index(drop=True)


def revert(store: Store, actor: Actor | None, change_id: str) -> Outcome:
    """Take back one change (one history row; an addition, deletion or import as a whole).

    An editor may revert their own changes, an admin anyone's. A change whose
    record and field were changed again since is reverted only after that later
    change is. The revert is itself a change in the history.
    """
    def change(work: Work) -> Register:
        reg = work.register
        rows = reg.history[reg.history["change_id"] == change_id]
        if rows.empty:
            raise EditRefused(f"no change {change_id!r} in the history")
        row = rows.iloc[0].to_dict()
        if not _mine(row, work.actor):
            raise auth.PermissionDenied(f"the change is {row['who']}'s: only they or an admin "
                                        "may revert it")
        done = history(reg)
        if isinstance(done.loc[done["change_id"] == change_id, "reverted_by"].iloc[0], str):
            raise EditRefused("this change was already reverted")
        if row["action"] in ("import", "undo_import"):
            raise _UndoImport(str(row["batch_id"]))
        _check_latest(reg, row)
        detail = json.loads(row["detail"] or "{}")
        kind = detail.get("kind")
        table, record, fld = row["table_name"], row["record"], row["field"]
        if kind == "value":
            added = detail["added"]
            v = reg.zone_values
            ours = ((v["zone_id"] == added["zone_id"]) & (v["field"] == added["field"])
                    & (v["source_id"] == added["source_id"]) & (v["value"] == added["value"]))
            back = pd.DataFrame(detail["replaced"], columns=ZONE_VALUE_COLUMNS)
            reg = replace(reg, zone_values=pd.concat([v[~ours], back], ignore_index=True))
            before = _zone_value(reg, record, fld)
            reg = _refresh_zone(reg, record)
            after = _zone_value(reg, record, fld)
        elif kind == "record":
            frame = (reg.zones if table == "zones" else reg.projects).copy()
            i = frame.index[frame["id"] == record][0]
            before = _plain(frame.at[i, fld])
            frame.at[i, fld] = detail["before"]
            for col, value in detail.get("source_before", {}).items():
                frame.at[i, col] = value
            after = detail["before"]
            reg = reg.with_zones(frame) if table == "zones" else replace(reg, projects=frame)
        elif kind == "geometry":
            frame = (reg.zones if table == "zones" else reg.projects).copy()
            i = frame.index[frame["id"] == record][0]
            old = detail["before"]
            before = _summary(frame.at[i, "geometry"], frame.at[i, "geometry_quality"])
            frame.at[i, "geometry"] = shapely_wkt.loads(old["wkt"]) if old.get("wkt") else None
            for col in ("geometry_quality", "geometry_source_id", "area_measured_ha"):
                if col in old and col in frame.columns:
                    value = old[col]
                    frame.at[i, col] = float("nan") if value is None and \
                        col == "area_measured_ha" else value
            after = _summary(frame.at[i, "geometry"], frame.at[i, "geometry_quality"])
            reg = reg.with_zones(frame) if table == "zones" else replace(reg, projects=frame)
        elif kind == "add":
            later = reg.history[(reg.history["record"] == record)
                                & (reg.history["batch_id"] != row["batch_id"])]
            if len(later):
                raise EditRefused(f"{record} was changed after it was added: revert those "
                                  "changes first")
            i = _zone_index(reg, record)
            before, after = str(reg.zones.at[i, "name_vi"]), None
            reg = replace(reg.with_zones(reg.zones.drop(index=i)),
                          zone_values=reg.zone_values[reg.zone_values["zone_id"] != record])
        elif kind == "delete":
            if record in set(reg.zones["id"]):
                raise EditRefused(f"a zone {record!r} is in the register again")
            zone = _frame(detail["zone"], reg.zones)
            plots = _frame(detail["plots"], reg.plots) if detail["plots"] else None
            projects = reg.projects.copy()
            for pid, serves in detail["serves"].items():
                projects.loc[projects["id"] == pid, "serves"] = serves
            reg = replace(reg.with_zones(pd.concat([reg.zones, zone], ignore_index=True)),
                          zone_values=pd.concat([reg.zone_values, pd.DataFrame(
                              detail["values"], columns=ZONE_VALUE_COLUMNS)], ignore_index=True),
                          projects=projects)
            if plots is not None:
                reg = reg.with_plots(pd.concat([reg.plots, plots], ignore_index=True))
            before, after = None, str(zone["name_vi"].iloc[0])
        else:
            raise EditRefused(f"a change of kind {kind or row['action']!r} cannot be reverted")
        work.record(table, record, fld, before, after, row["source_id"],
                    {"reverts": change_id, "kind": "revert"})
        work.result["reverted"] = row
        return reg

    try:
        return run(store, actor, Role.EDITOR, "revert a change", change,
                   action=REVERT_ACTION)
    except _UndoImport as signal:
        from geo.merge import undo_import

        done = undo_import(store, signal.import_id, actor=actor)
        register = store.read()
        return Outcome(register, signal.import_id, (), {"undone_import": done})


class _UndoImport(Exception):
    """Raised inside a revert of an import's row: undo the import instead."""

    def __init__(self, import_id: str) -> None:
        super().__init__(import_id)
        self.import_id = import_id


def _mine(row: Mapping[str, Any], actor: Actor) -> bool:
    return actor.role == Role.ADMIN or str(row["who"]).casefold() == actor.name.casefold()


def _check_latest(register: Register, row: Mapping[str, Any]) -> None:
    """Refuse to revert a change that a later, still standing change builds on."""
    h = history(register)  # newest first
    h = h[(h["table_name"] == row["table_name"]) & (h["record"] == row["record"])]
    if row["field"] is not None:
        h = h[(h["field"] == row["field"]) | h["field"].isna()]
    for later in h.to_dict("records"):
        if later["change_id"] == row["change_id"]:
            return
        if later["batch_id"] == row["batch_id"] or isinstance(later["reverted_by"], str):
            continue
        if later["action"] == REVERT_ACTION:
            continue
        raise EditRefused(f"changed again since: {describe_change(later)}; revert that first")


# --- accounts --------------------------------------------------------------------------

def manage_users(store: Store, actor: Actor | None, action: str, name: str, *,
                 role: Role | str | None = None, password: str | None = None,
                 email: str | None = None) -> Outcome:
    """Add, change (role, password, e-mail) or remove an account; admins only.

    While the register has no account at all, anyone who can write the store
    may add the first one, which must be an admin (the bootstrap). Removing or
    demoting the last admin is refused. The history records the change, never
    the password.
    """
    if action not in ("add", "set-role", "password", "remove"):
        raise ValueError(action)

    def change(work: Work) -> Register:
        reg = work.register
        first = reg.users.empty
        if first and (action != "add" or Role(role or "viewer") != Role.ADMIN):
            raise EditRefused("the register has no account yet: add an admin first")
        row = auth.account(reg, name)
        before = None if row is None else row["role"]
        if action == "add":
            if row is not None:
                raise auth.UserError(f"an account named {row['name']!r} exists already")
            if password is None and not email:
                raise auth.UserError("an account needs a password or a single sign-on e-mail")
            reg = auth.upsert_user(reg, name, role or Role.VIEWER, by=work.actor.name,
                                   password=password, email=email)
        elif action == "set-role":
            reg = auth.set_role(reg, name, role or Role.VIEWER, by=work.actor.name)
        elif action == "password":
            if row is None:
                raise auth.UserError(f"no account named {name!r}")
            reg = auth.upsert_user(reg, str(row["name"]), str(row["role"]),
                                   by=work.actor.name, password=password, email=email)
        else:
            reg = auth.remove_user(reg, name)
        admins = reg.users[reg.users["role"] == Role.ADMIN.value]
        if admins.empty:
            raise EditRefused("the register would have no admin left")
        after = auth.account(reg, name)
        work.record("users", str((after or row or {"name": name})["name"]),
                    "password" if action == "password" else "role",
                    before, None if after is None else after["role"], None,
                    {"kind": "user", "action": action})
        return reg

    return run(store, actor, Role.ADMIN, "manage accounts", change, action="user",
               check_sources=False, bootstrap=name)


def zone_changes(register: Register, zone_id: str,
                 limit: int | None = None) -> list[dict[str, Any]]:
    """The history of one zone, newest first, as plain rows for the panel and the CLI."""
    return history(register, "zones", zone_id, limit).to_dict("records")


def ids_changed_since(register: Register, at: str, tables: Sequence[str] = ("zones",)
                      ) -> set[str]:
    """Records of ``tables`` changed at or after ``at`` (UTC ISO)."""
    h = register.history
    return set(h.loc[(h["at"] >= at) & h["table_name"].isin(tables), "record"])
