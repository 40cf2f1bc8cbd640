"""Merging imported zones into the register, with an audit trail and undo.

A merge is planned first (:func:`plan_merge`: what will be added, changed and
left as is), then written in one store transaction (:func:`apply_merge`) with
an audit entry that records who imported which file and the rows it replaced,
so that :func:`undo_last_import` can put the register back exactly.
Imported values never erase known ones: an empty imported value leaves the
register's value as it is.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import wkt
from shapely.geometry.base import BaseGeometry

from geo.register import Register, normalise_zones
from geo.schema import SOURCE_COLUMNS, ZONE_COLUMNS
from geo.store import Store
from geo.text import slugify

__all__ = [
    "IMPORT_ACTION",
    "UNDO_ACTION",
    "MergePlan",
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
_PROVENANCE = ("source_id", "source_section", "as_of")
_COMPARED = [c for c in ZONE_COLUMNS if c != "id" and c not in _PROVENANCE]


class NothingToUndo(LookupError):
    """There is no import left to undo."""


@dataclass(frozen=True)
class MergePlan:
    """What merging a set of zones would do to the register."""

    added: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]  # zone id -> the fields that change
    unchanged: tuple[str, ...]
    zones: gpd.GeoDataFrame = field(repr=False)  # the incoming zones, store columns

    @property
    def writes(self) -> bool:
        """Tell whether the merge would change anything."""
        return bool(self.added or self.changed)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as plain data (for ``--json`` and the app)."""
        return {"added": list(self.added), "changed": {k: list(v) for k, v in
                                                       self.changed.items()},
                "unchanged": list(self.unchanged)}


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


def plan_merge(register: Register, incoming: gpd.GeoDataFrame) -> MergePlan:
    """Compare incoming zones with the register, field by field.

    A zone whose id is new is added. For a known id, a field changes when the
    incoming value is known and differs; unknown incoming values change nothing.
    """
    zones = normalise_zones(incoming)
    existing = register.zones.set_index("id", drop=False)
    added, unchanged = [], []
    changed: dict[str, tuple[str, ...]] = {}
    for row in zones.to_dict("records"):
        zid = row["id"]
        if zid not in existing.index:
            added.append(zid)
            continue
        old = existing.loc[zid]
        fields = [f for f in _COMPARED
                  if not _missing(row[f]) and not _same(row[f], old[f])]
        if row["geometry"] is not None and not _same(row["geometry"], old.geometry):
            fields.append("geometry")
        if fields:
            changed[zid] = tuple(fields)
        else:
            unchanged.append(zid)
    return MergePlan(tuple(added), changed, tuple(unchanged), zones)


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


def _merged(register: Register, plan: MergePlan) -> tuple[Register, dict[str, Any]]:
    zones = register.zones.set_index("id", drop=False)
    before = {zid: _row_json(zones.loc[zid]) for zid in plan.changed}
    incoming = plan.zones.set_index("id", drop=False)
    for zid, fields in plan.changed.items():
        for f in fields:
            if f == "geometry":
                zones.loc[zid, "geometry"] = incoming.loc[zid].geometry
            else:
                zones.loc[zid, f] = incoming.loc[zid, f]
        # The record now also rests on the import.
        for f in _PROVENANCE:
            zones.loc[zid, f] = incoming.loc[zid, f]
    new = pd.concat([zones.reset_index(drop=True), incoming.loc[list(plan.added)]
                     .reset_index(drop=True)], ignore_index=True)
    # A value the import replaced no longer rests on its old citation.
    values = register.zone_values
    pairs = {(zid, f) for zid, fields in plan.changed.items() for f in fields}
    replaced = pd.Series([(z, f) in pairs for z, f in zip(values["zone_id"], values["field"],
                                                          strict=True)],
                         index=values.index, dtype=bool)
    removed_values = values[replaced]
    merged = replace(register.with_zones(gpd.GeoDataFrame(new, geometry="geometry",
                                                          crs=register.zones.crs)),
                     zone_values=values[~replaced])
    undo = {"added": list(plan.added), "before": before,
            "zone_values": removed_values.to_dict("records")}
    return merged, undo


def apply_merge(store: Store, plan: MergePlan, *, filename: str, who: str,
                at: datetime | None = None) -> Register:
    """Write the plan in one transaction, citing the file as a new source, with an audit entry.

    The incoming zones' ``source_id`` is replaced by the new import source.
    """
    at = at or datetime.now(UTC)
    source = import_source(filename, who, at)
    zones = plan.zones.copy()
    zones["source_id"] = source["source_id"]
    zones["as_of"] = zones["as_of"].fillna(source["date"])
    plan = replace(plan, zones=zones)

    def change(register: Register) -> Register:
        fresh = plan_merge(register, plan.zones)  # the register may have moved on
        merged, undo = _merged(register, fresh)
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
        values = pd.concat([register.zone_values, pd.DataFrame(undo["zone_values"])],
                           ignore_index=True) if undo["zone_values"] else register.zone_values
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

