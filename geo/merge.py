"""Merging imported zones into the register, with an audit trail and undo.

A merge is planned first (:func:`plan_merge`: what will be added, changed and
left as is), then written in one store transaction (:func:`apply_merge`) with
an audit entry that records who imported which file and the rows it replaced,
so that :func:`undo_last_import` can put the register back exactly.

Nothing is lost without a word. By default a merge never replaces a better
geometry with a worse one (a surveyed or digitised boundary with a point or an
approximate location) and never replaces a value with an empty one (or a known
status with ``unknown``): the plan lists each such case in ``worse`` and keeps
what the register has. Asked to (``replace_worse=True``), it replaces them, and
still lists each. Every value an import writes becomes a ``zone_values`` row
citing the import's source, as bundled values cite theirs; undo removes those
rows and restores the ones they replaced. A merge that would make
:func:`geo.validate.validate` fail is refused with the problems it would create.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import wkt
from shapely.geometry.base import BaseGeometry

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
from geo.text import name_key, slugify
from geo.validate import validate

__all__ = [
    "IMPORT_ACTION",
    "UNDO_ACTION",
    "MergePlan",
    "MergeRefused",
    "NothingToUndo",
    "apply_merge",
    "import_source",
    "plan_merge",
    "undo_last_import",
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
    """There is no import left to undo."""


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


def import_source(filename: str, who: str, at: datetime) -> dict[str, str]:
    """Return the sources row that imported records cite."""
    stamp = at.strftime("%Y%m%dT%H%M%S")
    return {
        "source_id": f"import-{slugify(filename)[:40]}-{stamp}",
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


def apply_merge(store: Store, plan: MergePlan, *, filename: str, who: str,
                at: datetime | None = None) -> Register:
    """Write the plan in one transaction, citing the file as a new source, with an audit entry.

    The incoming zones' ``source_id`` is replaced by the new import source, and
    every value written gets a ``zone_values`` row citing it.

    Raises
    ------
    MergeRefused
        If the merge would make :func:`geo.validate.validate` report a problem.
    """
    at = at or datetime.now(UTC)
    source = import_source(filename, who, at)
    zones = plan.zones.copy()
    zones["source_id"] = source["source_id"]
    zones["as_of"] = zones["as_of"].fillna(source["date"])
    plan = replace(plan, zones=zones)

    def change(register: Register) -> Register:
        # The register may have moved on: plan again, with the same choices.
        fresh = plan_merge(register, plan.zones, replace_worse=plan.replace_worse,
                           covered=plan.covered)
        if fresh.problems:
            raise MergeRefused("the merge would leave the register with problems: "
                               + "; ".join(fresh.problems))
        merged, undo = _merged(register, fresh, source["source_id"])
        sources = pd.concat([register.sources, pd.DataFrame([source])[SOURCE_COLUMNS]],
                            ignore_index=True)
        detail = json.dumps({"file": filename, "source_id": source["source_id"],
                             **fresh.to_json(), "undo": undo}, ensure_ascii=False, default=str)
        return replace(merged, sources=sources).with_audit(
            at.isoformat(timespec="seconds"), who, IMPORT_ACTION, detail)

    return store.update(change)


def _last_import(audit: pd.DataFrame) -> tuple[int, dict[str, Any]]:
    undone = set()
    for i in range(len(audit) - 1, -1, -1):
        row = audit.iloc[i]
        if row["action"] == UNDO_ACTION:
            undone.add(json.loads(row["detail"])["undoes"])
        elif row["action"] == IMPORT_ACTION and _key(row) not in undone:
            return i, json.loads(row["detail"])
    raise NothingToUndo("no import to undo")


def _key(row: pd.Series) -> str:
    return f"{row['at']}|{json.loads(row['detail'])['source_id']}"


def undo_last_import(store: Store, *, who: str, at: datetime | None = None) -> dict[str, Any]:
    """Put the register back as it was before the last import that is not yet undone.

    Returns what was undone (file, added and restored ids).

    Raises
    ------
    NothingToUndo
        If every import has been undone, or there was none.
    """
    at = at or datetime.now(UTC)
    done: dict[str, Any] = {}

    def change(register: Register) -> Register:
        index, detail = _last_import(register.audit)
        undo = detail["undo"]
        zones = register.zones[~register.zones["id"].isin(undo["added"])].set_index("id",
                                                                                   drop=False)
        for zid, row in undo["before"].items():
            for col in ZONE_COLUMNS:
                zones.loc[zid, col] = row[col]
            zones.loc[zid, "geometry"] = None if row["geometry"] is None \
                else wkt.loads(row["geometry"])
        # The values the import wrote cite its source; those it replaced come back.
        values = register.zone_values[register.zone_values["source_id"] != detail["source_id"]]
        values = pd.concat([values, pd.DataFrame(undo["zone_values"])],
                           ignore_index=True) if undo["zone_values"] else values
        sources = register.sources[register.sources["source_id"] != detail["source_id"]]
        key = _key(register.audit.iloc[index])
        done.update(file=detail["file"], removed=undo["added"], restored=list(undo["before"]))
        restored = replace(register.with_zones(gpd.GeoDataFrame(
            zones.reset_index(drop=True), geometry="geometry", crs=register.zones.crs)),
            zone_values=values, sources=sources)
        return restored.with_audit(at.isoformat(timespec="seconds"), who, UNDO_ACTION,
                                   json.dumps({"undoes": key, "file": detail["file"]},
                                              ensure_ascii=False))

    store.update(change)
    return done

