"""Merging imported zones into the register, with an audit trail and undo.

A merge is planned first (:func:`plan_merge`: what will be added, changed and
left as is), then written in one store transaction (:func:`apply_merge`) with
an audit entry that records who imported which file and the rows it replaced,
so that :func:`undo_import` can put the register back exactly.

Nothing is lost without a word. By default a merge never replaces a better
geometry with a worse one (a surveyed or digitised boundary with a point or an
approximate location) and never replaces a value with an empty one (or a known
status with ``unknown``): the plan lists each such case in ``worse`` and keeps
what the register has. Asked to (``replace_worse=True``), it replaces them, and
still lists each. Every value an import writes becomes a ``zone_values`` row
citing the import's source, as bundled values cite theirs; undo removes those
rows and restores the ones they replaced. A merge that would make
:func:`geo.validate.validate` fail is refused with the problems it would create.

Each import has an id of its own (``import-20261122T093000-3f9a1c2e7b4d``: the
time and 48 random bits, never the file's name), which is also the id of the
source its records cite. The plan a caller is told about is the one applied:
:func:`apply_merge` plans again under the store's write lock and returns that
plan. A file whose content (SHA-256) was already imported, and not undone, is
not imported again: the caller is told which import holds it. An import that
would change nothing writes nothing.

Undo names what it undoes: by default the caller's own last import still in
effect, or the import whose id is given. Undoing another person's import is an
admin action: the signed-in person's role decides. An import whose zones were
changed since (by a later import, or an edit) is not undone until that later
change is.

Both are written through the unit of work (:func:`geo.edit.run`): an import
needs an editor, and records each zone and field it adds or changes in the
history (its batch is the import's id), so an edit based on a zone as it was
before the import is refused as a conflict, as between two edits.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import geopandas as gpd
import pandas as pd
from shapely import wkt
from shapely.geometry.base import BaseGeometry

from geo.auth import Actor, Role
from geo.edit import Work, run
from geo.register import Register, normalise_zones
from geo.schema import (
    MEASURED_ZONE_COLUMNS,
    SOURCE_COLUMNS,
    VALUE_FIELDS,
    ZONE_COLUMNS,
    ZONE_VALUE_COLUMNS,
    Quality,
    Status,
)
from geo.store import Store
from geo.text import name_key
from geo.validate import validate

__all__ = [
    "IMPORT_ACTION",
    "UNDO_ACTION",
    "ImportRecord",
    "MergePlan",
    "MergeRefused",
    "MergeResult",
    "NotYourImport",
    "NothingToUndo",
    "UndoConflict",
    "UnknownImport",
    "apply_merge",
    "duplicate_import",
    "import_source",
    "imports",
    "new_import_id",
    "plan_merge",
    "undo_import",
    "undo_last_import",
    "with_import",
    "worth_writing",
]

IMPORT_ACTION = "import"
UNDO_ACTION = "undo_import"

# Columns an import may change. Provenance is not compared: it follows the data, so a
# record that only comes from another file is left as it is.
_PROVENANCE = ("source_id", "source_section", "as_of", "geometry_source_id")
_COMPARED = [c for c in ZONE_COLUMNS if c != "id" and c not in _PROVENANCE]
# Fields that follow the geometry: kept or replaced with it.
_WITH_GEOMETRY = ("geometry_quality", *MEASURED_ZONE_COLUMNS)
_QUALITY_RANK = {Quality.SURVEYED.value: 3, Quality.DIGITISED.value: 2,
                 Quality.APPROXIMATE.value: 1}


class NothingToUndo(LookupError):
    """There is no import left to undo (for this person), or it is undone already."""


class UnknownImport(NothingToUndo):
    """No import has the id given."""


class NotYourImport(PermissionError):
    """The import was made by someone else: undoing it is an admin action."""


class UndoConflict(RuntimeError):
    """Records the import wrote have changed since: undoing it would lose that change."""


class MergeRefused(ValueError):
    """The merge would leave the register invalid; the message lists the problems."""


@dataclass(frozen=True)
class MergePlan:
    """What merging a set of zones would do to the register.

    ``worse`` lists, per zone and field, each change that would lose something:
    a better geometry replaced with a worse one, a value replaced with an empty
    one. Unless ``replace_worse``, those fields are kept as the register has them
    (and are not in ``changed``). ``ids`` maps the ids the file's zones came with
    onto the register's, for zones the register holds under another id (the
    same kind and name). ``problems`` are what :func:`geo.validate.validate`
    would find after the merge and not before: a plan with problems is not
    applied.
    """

    added: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]  # zone id -> the fields that change
    unchanged: tuple[str, ...]
    zones: gpd.GeoDataFrame = field(repr=False)  # the incoming zones, store columns
    worse: dict[str, dict[str, str]] = field(default_factory=dict)
    replace_worse: bool = False
    # Values left as the register has them because, beside the register's other values,
    # they would break a rule of the register (industrial land above the total area…).
    conflicts: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    covered: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    problems: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Tell whether the merge would change anything."""
        return bool(self.added or self.changed)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as plain data (for ``--json`` and the app)."""
        return {"added": list(self.added), "changed": {k: list(v) for k, v in
                                                       self.changed.items()},
                "unchanged": list(self.unchanged),
                "worse": {k: dict(v) for k, v in self.worse.items()},
                "replace_worse": self.replace_worse,
                "conflicts": {k: dict(v) for k, v in self.conflicts.items()},
                "ids": dict(self.ids),
                "problems": list(self.problems)}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, BaseGeometry) or isinstance(b, BaseGeometry):
        if a is None or b is None:
            return a is b
        return bool(a.equals_exact(b, 1e-9))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _empty(fld: str, value: Any) -> bool:
    """An empty value; ``unknown`` is the empty status (no source states it)."""
    return _missing(value) or (fld == "status" and value == Status.UNKNOWN.value)


def _rank(geom: BaseGeometry | None, quality: Any) -> tuple[int, int]:
    """How good a geometry is: a polygon beats a point, then by its quality flag."""
    if geom is None or geom.is_empty:
        return (0, 0)
    polygon = geom.geom_type in ("Polygon", "MultiPolygon")
    return (2 if polygon else 1, _QUALITY_RANK.get(str(quality), 0))


def _describe(geom: BaseGeometry | None, quality: Any) -> str:
    if geom is None:
        return "no geometry"
    shape = "a polygon" if geom.geom_type in ("Polygon", "MultiPolygon") else "a point"
    return f"{shape} ({quality})" if isinstance(quality, str) else shape


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def _match_ids(register: Register, zones: gpd.GeoDataFrame) -> dict[str, str]:
    """Map new ids onto register zones of the same kind and name, where that is unique."""
    known = set(register.zones["id"])
    by_name: dict[tuple[str, str], list[str]] = {}
    for zid, kind, name in zip(register.zones["id"], register.zones["kind"],
                               register.zones["name_vi"], strict=True):
        if name:
            by_name.setdefault((str(kind), name_key(str(name))), []).append(str(zid))
    wanted: dict[str, str] = {}
    for zid, kind, name in zip(zones["id"], zones["kind"], zones["name_vi"], strict=True):
        if zid in known or not name:
            continue
        found = by_name.get((str(kind), name_key(str(name))), [])
        if len(found) == 1:
            wanted[str(zid)] = found[0]
    taken = list(wanted.values())
    incoming = set(zones["id"])
    return {a: b for a, b in wanted.items() if taken.count(b) == 1 and b not in incoming}


def plan_merge(register: Register, incoming: gpd.GeoDataFrame, *, replace_worse: bool = False,
               covered: Mapping[str, Sequence[str]] | None = None) -> MergePlan:
    """Compare incoming zones with the register, field by field.

    Parameters
    ----------
    register
        The register as it is.
    incoming
        The zones to merge, in the store's columns.
    replace_worse
        Replace what the register has even with something worse: a better geometry
        with a worse one, a value with an empty one (only for the fields the file
        has a column for, ``covered``). Off by default; the plan lists each case.
    covered
        Per incoming zone id, the fields its file has a column for (see
        :attr:`geo.importer.ImportReport.covered`). Without it, an empty value
        never clears anything.

    A zone whose id is new is added, unless the register holds a zone of the
    same kind and name under another id: it is merged into that one. For a known
    id, a field changes when the incoming value is known and differs.
    """
    zones = normalise_zones(incoming)
    ids = _match_ids(register, zones)
    if ids:
        zones["id"] = [ids.get(z, z) for z in zones["id"]]
        zones = normalise_zones(zones)
    fields_of: dict[str, tuple[str, ...]] = {ids.get(k, k): tuple(v)
                                             for k, v in (covered or {}).items()}
    existing = register.zones.set_index("id", drop=False)
    added, unchanged = [], []
    changed: dict[str, tuple[str, ...]] = {}
    worse: dict[str, dict[str, str]] = {}
    conflicts: dict[str, dict[str, str]] = {}
    for row in zones.to_dict("records"):
        zid = row["id"]
        if zid not in existing.index:
            added.append(zid)
            continue
        old = existing.loc[zid]
        fields, losses = _compare(row, old, fields_of.get(zid, ()), replace_worse)
        if losses:
            worse[zid] = losses
        fields, clashes = _within_rules(row, old, fields)
        if clashes:
            conflicts[zid] = clashes
        if fields:
            changed[zid] = tuple(fields)
        else:
            unchanged.append(zid)
    plan = MergePlan(tuple(added), changed, tuple(unchanged), zones, worse, replace_worse,
                     conflicts, ids, fields_of)
    return replace(plan, problems=_problems(register, plan))


def _compare(row: dict[str, Any], old: pd.Series, covered: Sequence[str],
             replace_worse: bool) -> tuple[list[str], dict[str, str]]:
    """Return the fields that change, and the losses found (kept unless replace_worse)."""
    fields: list[str] = []
    losses: dict[str, str] = {}
    for f in _COMPARED:
        if f in _WITH_GEOMETRY:
            continue
        new, was = row[f], old[f]
        if _empty(f, new):
            if f in covered and not _empty(f, was):
                losses[f] = (f"the register has {_shown(was)}; the file leaves it empty")
                if replace_worse:
                    fields.append(f)
            continue
        if f == "name_vi" and isinstance(was, str) and name_key(new) == name_key(was):
            continue  # "Khu công nghiệp X" for "KCN X": the same name, written out
        if not _same(new, was):
            fields.append(f)
    geom, old_geom = row["geometry"], old.geometry
    if geom is not None and not _same(geom, old_geom):
        if _rank(geom, row["geometry_quality"]) < _rank(old_geom, old["geometry_quality"]):
            losses["geometry"] = (f"the register has {_describe(old_geom, old['geometry_quality'])}"
                                  f"; the file has {_describe(geom, row['geometry_quality'])}")
            take = replace_worse
        else:
            take = True
        if take:
            fields += [f for f in _WITH_GEOMETRY if not _same(row[f], old[f])
                       and not (_missing(row[f]) and _missing(old[f]))]
            fields.append("geometry")
    return fields, losses


# The register's rules between a zone's numbers (as geo.validate checks them): the
# fields involved, and the test that the values pass.
_RULES: tuple[tuple[tuple[str, str], str], ...] = (
    (("area_industrial_ha", "area_total_ha"), "industrial land above the total area"),
    (("leased_ha", "area_industrial_ha"), "leased area above the industrial land"),
)


def _within_rules(row: dict[str, Any], old: pd.Series,
                  fields: list[str]) -> tuple[list[str], dict[str, str]]:
    """Keep the register's value where the file's, beside the register's others, breaks a rule."""
    clashes: dict[str, str] = {}
    for (small, large), what in _RULES:
        if small not in fields and large not in fields:
            continue
        low = row[small] if small in fields else old[small]
        high = row[large] if large in fields else old[large]
        if _missing(low) or _missing(high) or low <= high:
            continue
        for f in (small, large):
            if f in fields:
                clashes[f] = (f"the file's {_shown(row[f])} would leave {what} "
                              f"({_shown(low)} > {_shown(high)}); kept {_shown(old[f])}")
    return [f for f in fields if f not in clashes], clashes


def _problems(register: Register, plan: MergePlan) -> tuple[str, ...]:
    """What validation would find after the merge and not before."""
    if not plan.writes:
        return ()
    probe_source = {c: "" for c in SOURCE_COLUMNS}
    probe_source.update(source_id="import-plan", document="plan", issuer="plan",
                        date="2000-01-01", tier="official", file="plan")
    zones = plan.zones.copy()
    zones["source_id"] = "import-plan"  # as apply_merge cites the import
    zones["as_of"] = zones["as_of"].fillna("2000-01-01")
    merged, _ = _merged(register, replace(plan, zones=zones), "import-plan")
    merged = replace(merged, sources=pd.concat(
        [register.sources, pd.DataFrame([probe_source])[SOURCE_COLUMNS]], ignore_index=True))
    before = {str(p) for p in validate(register)}
    return tuple(str(p) for p in validate(merged) if str(p) not in before)


def new_import_id(at: datetime) -> str:
    """Return a new import id: the time, for people, and 48 random bits, so no two collide."""
    return f"import-{at.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(6)}"


def import_source(filename: str, who: str, at: datetime,
                  import_id: str | None = None) -> dict[str, str]:
    """Return the sources row that imported records cite; its id is the import's id."""
    return {
        "source_id": import_id or new_import_id(at),
        "document": filename,
        "doc_number": "",
        "issuer": who,
        "date": at.date().isoformat(),
        # The importer vouches for the file as an office's own register.
        "tier": "official",
        "url": "",
        "place": "",
        "file": filename,
        "note": f"Imported into KCN Atlas by {who} on {at.isoformat(timespec='seconds')}",
    }


def _row_json(row: pd.Series) -> dict[str, Any]:
    out = {c: (None if _missing(row[c]) else row[c]) for c in ZONE_COLUMNS}
    geom = row.geometry
    out["geometry"] = None if geom is None else geom.wkt
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value_rows(zid: str, zone: pd.Series, fields: Sequence[str],
                source_id: str) -> list[dict[str, Any]]:
    """The zone_values rows that cite the import for the values it writes."""
    rows = []
    for f in fields:
        if f not in VALUE_FIELDS or _empty(f, zone[f]):
            continue
        row: dict[str, Any] = {c: None for c in ZONE_VALUE_COLUMNS}
        row.update(zone_id=zid, field=f, value=_text(zone[f]), source_id=source_id,
                   source_section=zone["source_section"], as_of=zone["as_of"])
        rows.append(row)
    return rows


def _merged(register: Register, plan: MergePlan,
            source_id: str) -> tuple[Register, dict[str, Any]]:
    zones = register.zones.set_index("id", drop=False)
    before = {zid: _row_json(zones.loc[zid]) for zid in plan.changed}
    incoming = plan.zones.set_index("id", drop=False)
    new_values: list[dict[str, Any]] = []
    for zid, fields in plan.changed.items():
        for f in fields:
            if f == "geometry":
                zones.loc[zid, "geometry"] = incoming.loc[zid].geometry
                zones.loc[zid, "geometry_source_id"] = source_id
            elif f == "status" and _empty(f, incoming.loc[zid, f]):
                zones.loc[zid, f] = Status.UNKNOWN.value  # required: never left empty
            else:
                zones.loc[zid, f] = incoming.loc[zid, f]
        # The record now also rests on the import.
        for f in ("source_id", "source_section", "as_of"):
            zones.loc[zid, f] = incoming.loc[zid, f]
        new_values += _value_rows(zid, incoming.loc[zid], fields, source_id)
    added = incoming.loc[list(plan.added)].reset_index(drop=True)
    added["geometry_source_id"] = source_id
    for zone in added.to_dict("records"):
        new_values += _value_rows(zone["id"], pd.Series(zone), list(VALUE_FIELDS), source_id)
    new = pd.concat([zones.reset_index(drop=True), added], ignore_index=True)
    # A value the import replaced (or cleared) no longer rests on its old citation.
    values = register.zone_values
    pairs = {(zid, f) for zid, fields in plan.changed.items() for f in fields}
    replaced = pd.Series([(z, f) in pairs for z, f in zip(values["zone_id"], values["field"],
                                                          strict=True)],
                         index=values.index, dtype=bool)
    removed_values = values[replaced]
    kept = values[~replaced]
    if new_values:
        kept = pd.concat([kept, pd.DataFrame(new_values)[ZONE_VALUE_COLUMNS]],
                         ignore_index=True)
    merged = replace(register.with_zones(gpd.GeoDataFrame(new, geometry="geometry",
                                                          crs=register.zones.crs)),
                     zone_values=kept)
    undo = {"added": list(plan.added), "before": before,
            "zone_values": removed_values.to_dict("records")}
    return merged, undo


@dataclass(frozen=True)
class ImportRecord:
    """One import in the audit trail: which file, who, when, and whether it is undone."""

    import_id: str
    file: str
    who: str
    at: str
    source_id: str
    sha256: str | None = None
    choices: dict[str, Any] = field(default_factory=dict)
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    undone_by: str | None = None
    undone_at: str | None = None
    table: str = "zones"  # what it imported: "zones", or "plots" (geo.plotmerge)
    removed: tuple[str, ...] = ()  # plots it removed (replacing a zone's plots)

    @property
    def in_effect(self) -> bool:
        """Tell whether the import has not been undone."""
        return self.undone_at is None

    def describe(self) -> str:
        """Say which import this is, for messages: file, who, when and id."""
        return f"{self.file} imported by {self.who} at {self.at} ({self.import_id})"

    def to_json(self) -> dict[str, Any]:
        """Return the record as plain data."""
        return {"import_id": self.import_id, "file": self.file, "who": self.who,
                "at": self.at, "source_id": self.source_id, "sha256": self.sha256,
                "added": list(self.added), "changed": list(self.changed),
                "in_effect": self.in_effect, "undone_by": self.undone_by,
                "undone_at": self.undone_at, "table": self.table,
                "removed": list(self.removed)}


class _Plan(Protocol):
    def to_json(self) -> dict[str, Any]: ...


PlanT = TypeVar("PlanT", bound=_Plan)


@dataclass(frozen=True)
class MergeResult(Generic[PlanT]):
    """What :func:`apply_merge` did: the plan applied under the lock, and the import made.

    Generic over the plan: a :class:`MergePlan` of zones, or a
    :class:`geo.plotmerge.PlotMergePlan` of plots.
    """

    plan: PlanT  # planned again under the write lock: what was really applied
    register: Register
    record: ImportRecord | None = None  # the new import, when something was written
    duplicate_of: ImportRecord | None = None  # the import already holding this file

    @property
    def written(self) -> bool:
        """Tell whether the register was written."""
        return self.record is not None

    @property
    def import_id(self) -> str | None:
        """The new import's id (None when nothing was written)."""
        return self.record.import_id if self.record else None

    def to_json(self) -> dict[str, Any]:
        """Return the applied plan and the outcome as plain data (for ``--json``)."""
        return {**self.plan.to_json(), "written": self.written, "import_id": self.import_id,
                "duplicate_of": self.duplicate_of.to_json() if self.duplicate_of else None}


def _same_person(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def imports(register: Register) -> list[ImportRecord]:
    """Return every import in the audit trail, oldest first, with who undid it if anyone."""
    records: dict[str, ImportRecord] = {}
    undone: dict[str, tuple[str, str]] = {}
    for row in register.audit.itertuples(index=False):
        if row.action not in (IMPORT_ACTION, UNDO_ACTION):
            continue
        detail = json.loads(row.detail)
        if row.action == UNDO_ACTION:
            undone[detail["undoes"]] = (row.who, row.at)
            continue
        # Imports written before ids existed are known by their time and source.
        iid = detail.get("import_id") or f"{row.at}|{detail['source_id']}"
        records[iid] = ImportRecord(
            import_id=iid, file=detail.get("file", ""), who=row.who, at=row.at,
            source_id=detail["source_id"], sha256=detail.get("sha256"),
            choices=detail.get("choices") or {}, added=tuple(detail.get("added", ())),
            changed=tuple(detail.get("changed", {})), table=detail.get("table", "zones"),
            removed=tuple(detail.get("removed", ())))
    return [replace(r, undone_by=undone[i][0], undone_at=undone[i][1]) if i in undone else r
            for i, r in records.items()]


def duplicate_import(register: Register, sha256: str | None,
                     choices: dict[str, Any]) -> ImportRecord | None:
    """The import in effect of the same file content read the same way, if any."""
    if not sha256:
        return None
    for record in reversed(imports(register)):
        if record.in_effect and record.sha256 == sha256 and record.choices == choices:
            return record
    return None


def worth_writing(register: Register, plan: Any, sha256: str | None,
                  choices: dict[str, Any], again: bool, outcome: dict[str, Any]) -> bool:
    """Tell whether a merge planned under the write lock is to be written.

    Not when the same file, read the same way, is already imported (unless
    ``again``: ``outcome["duplicate_of"]`` names that import), nor when the plan
    changes nothing.

    Raises
    ------
    MergeRefused
        If the plan has problems.
    """
    duplicate = None if again else duplicate_import(register, sha256, choices)
    if duplicate is not None:
        outcome["duplicate_of"] = duplicate
        return False
    if not plan.writes:
        return False
    if plan.problems:
        raise MergeRefused("the merge would leave the register with problems: "
                           + "; ".join(plan.problems))
    return True


def with_import(work: Work, before: Register, merged: Register, source: dict[str, Any],
                detail: dict[str, Any]) -> Register:
    """The merged register citing the file as a new source, with its ``import`` audit entry.

    ``detail``: what the audit entry keeps (file, SHA-256, choices, the plan, the undo).
    """
    sources = pd.concat([before.sources, pd.DataFrame([source])[SOURCE_COLUMNS]],
                        ignore_index=True)
    text = json.dumps({"import_id": source["source_id"], "source_id": source["source_id"],
                       **detail}, ensure_ascii=False, default=str)
    return replace(merged, sources=sources).with_audit(
        work.at.isoformat(timespec="seconds"), work.actor.name, IMPORT_ACTION, text)


def _record_import(work: Work, before: Register, after: Register, plan: MergePlan,
                   import_id: str, filename: str) -> None:
    """One history row per zone the import adds, and per field it changes."""
    old = before.zones.set_index("id")
    new = after.zones.set_index("id")
    detail = {"import_id": import_id, "file": filename}
    for zid in plan.added:
        work.record("zones", zid, None, None, new.loc[zid, "name_vi"], import_id, detail)
    for zid, fields in plan.changed.items():
        for f in fields:
            if f == "geometry":
                work.record("zones", zid, f, _describe(old.loc[zid].geometry,
                                                       old.loc[zid, "geometry_quality"]),
                            _describe(new.loc[zid].geometry, new.loc[zid, "geometry_quality"]),
                            import_id, detail)
            else:
                work.record("zones", zid, f, old.loc[zid, f], new.loc[zid, f], import_id, detail)


def apply_merge(store: Store, plan: MergePlan, *, filename: str, actor: Actor | None,
                at: datetime | None = None, sha256: str | None = None,
                choices: dict[str, Any] | None = None, again: bool = False,
                import_id: str | None = None) -> MergeResult[MergePlan]:
    """Write the plan in one transaction, citing the file as a new source, with an audit entry.

    The merge is planned again under the store's write lock (the register may
    have moved on since ``plan`` was made), with the same choices
    (``replace_worse``, ``covered``), and that plan is the one written and
    returned. The incoming zones' ``source_id`` is replaced by the new import's
    id, and every value written gets a ``zone_values`` row citing it.

    Parameters
    ----------
    actor
        The signed-in person importing: an editor or admin (checked against the
        register's accounts; anyone else raises :class:`geo.auth.PermissionDenied`).
    sha256
        SHA-256 of the file's bytes. When an import of the same content, read
        with the same ``choices``, is in effect, nothing is written and the
        result names that import (``duplicate_of``), unless ``again``.
    choices
        How the file was read (layer, CRS, encoding), recorded with the import.
    import_id
        The new import's id; a fresh one by default (:func:`new_import_id`).

    Returns
    -------
    MergeResult
        The plan applied, and the import made (none when nothing would change,
        or the file is already imported).

    Raises
    ------
    MergeRefused
        If the merge would make :func:`geo.validate.validate` report a problem.
    """
    at = (at or datetime.now(UTC)).replace(microsecond=0)
    who = actor.name.strip() if actor is not None else ""
    choices = dict(choices or {})
    source = import_source(filename, who, at, import_id)
    zones = plan.zones.copy()
    zones["source_id"] = source["source_id"]
    zones["as_of"] = zones["as_of"].fillna(source["date"])
    plan = replace(plan, zones=zones)
    outcome: dict[str, Any] = {"plan": plan}

    def change(work: Work) -> Register:
        register = work.register
        # The register may have moved on: plan again, with the same choices.
        fresh = plan_merge(register, plan.zones, replace_worse=plan.replace_worse,
                           covered=plan.covered)
        outcome["plan"] = fresh
        if not worth_writing(register, fresh, sha256, choices, again, outcome):
            return register  # nothing written, no empty audit entry
        merged, undo = _merged(register, fresh, source["source_id"])
        outcome["record"] = ImportRecord(
            import_id=source["source_id"], file=filename, who=work.actor.name,
            at=at.isoformat(timespec="seconds"), source_id=source["source_id"], sha256=sha256,
            choices=choices, added=fresh.added, changed=tuple(fresh.changed))
        _record_import(work, register, merged, fresh, source["source_id"], filename)
        return with_import(work, register, merged, source, {
            "file": filename, "sha256": sha256, "choices": choices, **fresh.to_json(),
            "undo": undo})

    # The plan was checked against validate() above (MergeRefused names its problems).
    register = run(store, actor, Role.EDITOR, "import", change, action=IMPORT_ACTION,
                   batch_id=source["source_id"], at=at, check_sources=False).register
    return MergeResult(plan=outcome["plan"], register=register, record=outcome.get("record"),
                       duplicate_of=outcome.get("duplicate_of"))


def _pick(register: Register, import_id: str | None, who: str,
          as_admin: bool) -> tuple[ImportRecord, dict[str, Any]]:
    """Find the import to undo and its audit detail; refuse what may not be undone."""
    records = imports(register)
    if import_id is None:
        mine = [r for r in records if r.in_effect and _same_person(r.who, who)]
        if not mine:
            others = [r for r in records if r.in_effect]
            hint = (f"; imports by others in effect: {', '.join(r.import_id for r in others[-3:])}"
                    " (an admin can undo one with `kcn-atlas undo-import ID --force`)"
                    if others else "")
            raise NothingToUndo(f"no import by {who} to undo{hint}")
        record = mine[-1]
    else:
        found = [r for r in records if r.import_id == import_id]
        if not found:
            raise UnknownImport(f"no import has the id {import_id!r}; "
                                "`kcn-atlas imports` lists them")
        record = found[0]
        if not record.in_effect:
            raise NothingToUndo(f"the import {record.describe()} was already undone by "
                                f"{record.undone_by} at {record.undone_at}")
    if not _same_person(record.who, who) and not as_admin:
        raise NotYourImport(f"the import {record.describe()} is not yours ({who}): only its "
                            "importer or an admin may undo it")
    for row in register.audit.itertuples(index=False):
        if row.action != IMPORT_ACTION:
            continue
        detail = json.loads(row.detail)
        if (detail.get("import_id") or f"{row.at}|{detail['source_id']}") == record.import_id:
            return record, detail
    raise UnknownImport(record.import_id)  # unreachable: the record came from the audit


def _edited_since(register: Register, record: ImportRecord,
                  zones: set[str]) -> list[dict[str, Any]]:
    """Edits (not imports) of these zones after the import that still stand."""
    from geo.edit import REVERT_ACTION, history

    h = history(register).iloc[::-1]  # oldest first
    ids = list(h["batch_id"])
    if record.import_id not in ids:
        return []
    later = h.iloc[ids.index(record.import_id):]
    later = later[(later["table_name"] == "zones") & later["record"].isin(zones)
                  & ~later["action"].isin([IMPORT_ACTION, UNDO_ACTION, REVERT_ACTION])
                  & later["reverted_by"].isna()]
    return later.to_dict("records")


def _check_unchanged(register: Register, record: ImportRecord, undo: dict[str, Any]) -> None:
    """Refuse to undo an import whose zones rest on something newer than it."""
    current = dict(zip(register.zones["id"], register.zones["source_id"], strict=True))
    touched = [*undo["added"], *undo["before"]]
    moved = [z for z in touched if z in current and current[z] != record.source_id]
    moved += [z for z in undo["before"] if z not in current]
    edits = _edited_since(register, record, set(touched))
    if edits:
        from geo.edit import describe_change

        raise UndoConflict(f"cannot undo {record.describe()}: edited since "
                           f"({describe_change(edits[-1])}); revert that edit first")
    if not moved:
        return
    later = [r for r in imports(register) if r.in_effect and r.at >= record.at
             and r.import_id != record.import_id and set(moved) & {*r.added, *r.changed}]
    by = f" by {later[-1].describe()}; undo that first" if later else ""
    raise UndoConflict(f"cannot undo {record.describe()}: {', '.join(sorted(moved)[:5])} "
                       f"changed since{by}")


def _plot_zones(register: Register, undo: dict[str, Any],
                plots_done: dict[str, list[str]]) -> list[str]:
    """The zones whose plots an undo takes back or restores (for its history rows)."""
    if not plots_done:
        return []
    now = dict(zip(register.plots["id"], register.plots["zone_id"], strict=True))
    before = {pid: row.get("zone_id") for pid, row in undo["plots"]["before"].items()}
    ids = [*plots_done["plots_removed"], *plots_done["plots_restored"]]
    return sorted({str(z) for z in (now.get(p) or before.get(p) for p in ids) if z})


def undo_import(store: Store, import_id: str | None = None, *, actor: Actor | None,
                at: datetime | None = None) -> dict[str, Any]:
    """Put the register back as it was before one import, and record who undid it.

    Parameters
    ----------
    import_id
        The import to undo; by default ``who``'s own last import still in effect.
    actor
        The signed-in person undoing (recorded in the audit and the history): an
        editor may undo their own imports, an admin anyone's.

    Returns
    -------
    dict
        What was undone: ``import_id``, ``file``, ``who`` (the importer), ``at``,
        ``removed`` (zone ids) and ``restored`` (zone ids).

    Raises
    ------
    NothingToUndo
        If ``who`` has no import in effect, or the import is already undone.
    UnknownImport
        If no import has ``import_id``.
    NotYourImport
        If the import is someone else's and the person is not an admin.
    geo.auth.PermissionDenied
        If nobody is signed in, or the person is a viewer.
    UndoConflict
        If the import's zones were changed since by something not yet undone.
    """
    at = (at or datetime.now(UTC)).replace(microsecond=0)
    done: dict[str, Any] = {}

    def change(work: Work) -> Register:
        register = work.register
        who = work.actor.name
        record, detail = _pick(register, import_id, who, work.actor.role == Role.ADMIN)
        undo = detail["undo"]
        _check_unchanged(register, record, undo)
        from geo.plotmerge import restore_plots  # plot imports; it builds on this module
        register, plots_done = restore_plots(register, record, undo)
        zones = register.zones[~register.zones["id"].isin(undo["added"])].set_index("id",
                                                                                   drop=False)
        for zid, row in undo["before"].items():
            for col in ZONE_COLUMNS:
                zones.loc[zid, col] = row[col]
            zones.loc[zid, "geometry"] = None if row["geometry"] is None \
                else wkt.loads(row["geometry"])
        # Values the import added cite its source; the ones it replaced come back.
        values = register.zone_values[register.zone_values["source_id"] != record.source_id]
        if undo["zone_values"]:
            values = pd.concat([values, pd.DataFrame(undo["zone_values"])], ignore_index=True)
        sources = register.sources[register.sources["source_id"] != record.source_id]
        done.update(import_id=record.import_id, file=record.file, who=record.who,
                    at=record.at, removed=list(undo["added"]), restored=list(undo["before"]))
        done.update(plots_done)
        restored = replace(register.with_zones(gpd.GeoDataFrame(
            zones.reset_index(drop=True), geometry="geometry", crs=register.zones.crs)),
            zone_values=values, sources=sources)
        entry: dict[str, Any] = {"undoes": record.import_id, "file": record.file,
                                 "import_by": record.who}
        if not _same_person(record.who, who):
            entry["as_admin"] = True
        for zid in [*undo["added"], *undo["before"]]:
            work.record("zones", zid, None, record.import_id, None, record.source_id,
                        {"undoes": record.import_id, "file": record.file})
        had = work.register.plots["zone_id"].value_counts()
        has = restored.plots["zone_id"].value_counts()
        for zid in _plot_zones(work.register, undo, plots_done):
            work.record("plots", zid, "plots", f"{int(had.get(zid, 0))} plots",
                        f"{int(has.get(zid, 0))} plots", record.source_id,
                        {"undoes": record.import_id, "file": record.file})
        return restored.with_audit(at.isoformat(timespec="seconds"), who, UNDO_ACTION,
                                   json.dumps(entry, ensure_ascii=False))

    run(store, actor, Role.EDITOR, "undo an import", change, action=UNDO_ACTION, at=at,
        check_sources=False)
    return done


def undo_last_import(store: Store, *, actor: Actor | None,
                     at: datetime | None = None) -> dict[str, Any]:
    """Undo the person's own last import still in effect (see :func:`undo_import`)."""
    return undo_import(store, None, actor=actor, at=at)
