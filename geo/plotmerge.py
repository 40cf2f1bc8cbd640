"""Merging imported plots (lô đất) into the register, with an audit trail and undo.

The plots' counterpart of :mod:`geo.merge`, on the same principles and the
same mechanism: a merge is planned (:func:`plan_plot_merge`), then written in
one store transaction (:func:`apply_plot_merge`, planned again under the
write lock) citing a new source whose id is the import's id, with an ``import``
audit entry that :func:`geo.merge.imports` lists and
:func:`geo.merge.undo_import` takes back (through :func:`restore_plots`).

A plot the register already holds, by its zone and its code (written either
way: ``"A.1"`` is ``"a-1"``), is updated and keeps its id; what differs is
listed per field. Nothing is lost without a word:

- an empty value in the file (or an ``unknown`` status) never replaces a known
  one, a point never replaces a boundary, and a file as of an older date than
  the register's plot never overwrites it: each such case is listed in
  ``worse`` and the register's value is kept, unless ``replace_worse``;
- a value kept from the register beside the file's new ones keeps its own
  source: a plot has one source for all its values, so its notes name the source
  and date of each value the import did not state (``source of lessee:
  import-…, as of 2025-06-30``);
- no plot is deleted unless asked: ``replace_zones`` removes the register's
  plots of the zones the file covers that the file does not hold (``removed``),
  and undo brings them back.

Each changed or added plot then rests on the import: its ``source_id`` is the
import's, its ``as_of`` the file's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely import wkt
from shapely.geometry.base import BaseGeometry

from geo.auth import Actor, Role
from geo.edit import Work, run
from geo.importer.plots import PLOT_ID_MAX, code_key
from geo.merge import (
    IMPORT_ACTION,
    ImportRecord,
    MergeResult,
    UndoConflict,
    import_source,
    imports,
    with_import,
    worth_writing,
)
from geo.register import Register, normalise_plots
from geo.schema import PLOT_COLUMNS, PlotStatus
from geo.store import Store

__all__ = [
    "PLOTS_TABLE",
    "PlotMergePlan",
    "PlotMergeResult",
    "apply_plot_merge",
    "plan_plot_merge",
    "restore_plots",
]

PLOTS_TABLE = "plots"  # the audit's name for an import of plots

# The values of a plot a file may change; provenance follows them.
_VALUES = ("status", "area_declared_ha", "lessee", "sector", "lease_end", "notes")
_PROVENANCE = ("source_id", "source_section", "as_of")
# A value a plot keeps from an earlier source than its own, named in its notes.
_SOURCE_OF = re.compile(r"^source of ([a-z_]+): (.+), as of (.*)$")
_KEPT = ("status", "area_declared_ha", "lessee", "sector", "lease_end")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _empty(fld: str, value: Any) -> bool:
    return _missing(value) or (fld == "status" and value == PlotStatus.UNKNOWN.value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, BaseGeometry) or isinstance(b, BaseGeometry):
        if a is None or b is None:
            return a is b
        # The same boundary from another format may start elsewhere or turn the other way.
        return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), 1e-9))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def _shape(geom: BaseGeometry | None) -> str:
    if geom is None:
        return "no geometry"
    return "a boundary" if geom.geom_type in ("Polygon", "MultiPolygon") else "a point"


def _rank(geom: BaseGeometry | None) -> int:
    if geom is None or geom.is_empty:
        return 0
    return 2 if geom.geom_type in ("Polygon", "MultiPolygon") else 1


@dataclass(frozen=True)
class PlotMergePlan:
    """What merging a file's plots would do to the register.

    ``added``, ``changed`` (plot id → fields), ``unchanged`` and ``removed``
    (only with ``replace_zones``) name plots by the register's ids; ``ids`` maps
    the ids the file's plots came with onto the register's, where the register
    holds the same zone and code under another id. ``worse`` lists, per plot and
    field, what the file would lose (kept unless ``replace_worse``). ``problems``
    stop the merge.
    """

    added: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]
    unchanged: tuple[str, ...]
    plots: gpd.GeoDataFrame = field(repr=False)  # the incoming plots, register ids
    removed: tuple[str, ...] = ()
    worse: dict[str, dict[str, str]] = field(default_factory=dict)
    replace_worse: bool = False
    replace_zones: bool = False
    zones: tuple[str, ...] = ()  # the zones the file's plots are in
    ids: dict[str, str] = field(default_factory=dict)
    covered: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    problems: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Tell whether the merge would change anything."""
        return bool(self.added or self.changed or self.removed)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as plain data (for ``--json`` and the app)."""
        return {"table": PLOTS_TABLE, "added": list(self.added),
                "changed": {k: list(v) for k, v in self.changed.items()},
                "unchanged": list(self.unchanged), "removed": list(self.removed),
                "worse": {k: dict(v) for k, v in self.worse.items()},
                "replace_worse": self.replace_worse, "replace_zones": self.replace_zones,
                "zones": list(self.zones), "ids": dict(self.ids),
                "problems": list(self.problems)}


def _register_keys(plots: pd.DataFrame) -> dict[tuple[str, str], str]:
    keys: dict[tuple[str, str], str] = {}
    for pid, zid, code in zip(plots["id"], plots["zone_id"], plots["code"], strict=True):
        if isinstance(code, str) and code.strip():
            keys.setdefault((str(zid), code_key(code)), str(pid))
    return keys


def plan_plot_merge(register: Register, incoming: gpd.GeoDataFrame, *,
                    replace_worse: bool = False, replace_zones: bool = False,
                    covered: Mapping[str, Sequence[str]] | None = None) -> PlotMergePlan:
    """Compare incoming plots with the register's, by zone and code, field by field.

    Parameters
    ----------
    register
        The register as it is.
    incoming
        The plots to merge, in the store's columns (as :func:`geo.importer.read_plots`
        returns them), each with its zone.
    replace_worse
        Replace what the register has even with something worse (an empty value,
        a point for a boundary, an older file); the plan still lists each case.
    replace_zones
        Remove the register's plots of the zones the file covers that the file
        does not hold.
    covered
        Per incoming plot id, the fields its file has a column for: an empty value
        replaces a known one (with ``replace_worse``) only in those.
    """
    plots = normalise_plots(incoming)
    keys = _register_keys(register.plots)
    ids: dict[str, str] = {}
    for pid, zid, code in zip(plots["id"], plots["zone_id"], plots["code"], strict=True):
        found = keys.get((str(zid), code_key(str(code))))
        if found is not None and found != pid:
            ids[str(pid)] = found
    if ids:
        plots["id"] = [ids.get(p, p) for p in plots["id"]]
        plots = normalise_plots(plots)
    fields_of = {ids.get(k, k): tuple(v) for k, v in (covered or {}).items()}
    existing = {r["id"]: r for r in register.plots.to_dict("records")}
    added: list[str] = []
    unchanged: list[str] = []
    changed: dict[str, tuple[str, ...]] = {}
    worse: dict[str, dict[str, str]] = {}
    for row in plots.to_dict("records"):
        pid = row["id"]
        if pid not in existing:
            added.append(pid)
            continue
        fields, losses = _compare(row, existing[pid], fields_of.get(pid, ()), replace_worse)
        if losses:
            worse[pid] = losses
        if fields:
            changed[pid] = tuple(fields)
        else:
            unchanged.append(pid)
    zones = tuple(sorted(set(plots["zone_id"].dropna())))
    removed: tuple[str, ...] = ()
    if replace_zones:
        mine = register.plots[register.plots["zone_id"].isin(zones)]
        removed = tuple(sorted(set(mine["id"]) - set(plots["id"])))
    plan = PlotMergePlan(tuple(added), changed, tuple(unchanged), plots, removed, worse,
                         replace_worse, replace_zones, zones, ids, fields_of)
    return replace(plan, problems=_problems(register, plan))


def _compare(row: Mapping[str, Any], old: Mapping[str, Any], covered: Sequence[str],
             replace_worse: bool) -> tuple[list[str], dict[str, str]]:
    """Return the fields that change, and the losses found (kept unless replace_worse)."""
    losses: dict[str, str] = {}
    new_date, old_date = row["as_of"], old["as_of"]
    if isinstance(new_date, str) and isinstance(old_date, str) and \
            new_date[:10] < old_date[:10]:
        losses["as_of"] = (f"the register's plot is as of {old_date}; the file's as of "
                           f"{new_date}")
        if not replace_worse:
            return [], losses
    fields: list[str] = []
    for f in _VALUES:
        new, was = row[f], (_plain_notes(old[f]) if f == "notes" else old[f])
        if _empty(f, new):
            if f in covered and not _empty(f, was):
                losses[f] = f"the register has {_shown(was)}; the file leaves it empty"
                if replace_worse:
                    fields.append(f)
            continue
        if not _same(new, was):
            fields.append(f)
    geom, old_geom = row["geometry"], old["geometry"]
    if geom is not None and not _same(geom, old_geom):
        if _rank(geom) < _rank(old_geom):
            losses["geometry"] = (f"the register has {_shape(old_geom)}; the file has "
                                  f"{_shape(geom)}")
            take = replace_worse
        else:
            take = True
        if take:
            fields.append("geometry")
            if not _same(row["area_measured_ha"], old["area_measured_ha"]) and not (
                    _missing(row["area_measured_ha"]) and _missing(old["area_measured_ha"])):
                fields.append("area_measured_ha")
    return fields, losses


def _problems(register: Register, plan: PlotMergePlan) -> tuple[str, ...]:
    """What would leave the register with plots it cannot hold."""
    problems: list[str] = []
    known = set(register.zones["id"])
    gone = sorted(set(plan.zones) - known)
    if gone:
        problems.append(f"the register has no zone {', '.join(gone[:5])} (removed since the "
                        "file was read?): read the file again")
    if plan.plots["zone_id"].isna().any():
        problems.append(f"{int(plan.plots['zone_id'].isna().sum())} plot(s) have no zone")
    long_ids = [p for p in plan.plots["id"] if len(str(p)) > PLOT_ID_MAX]
    if long_ids:
        problems.append(f"plot ids longer than {PLOT_ID_MAX} characters: {long_ids[0]}")
    repeated = plan.plots["id"][plan.plots["id"].duplicated()]
    if len(repeated):
        problems.append(f"plots given twice: {', '.join(sorted(set(repeated))[:5])}")
    return tuple(problems)


def _row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {c: (None if _missing(row[c]) else row[c]) for c in PLOT_COLUMNS}
    geom = row["geometry"]
    out["geometry"] = None if geom is None else geom.wkt
    return out


def _split_notes(notes: Any) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """A plot's notes: its own, and the source (id, as-of) of each value it keeps."""
    plain: list[str] = []
    sources: dict[str, tuple[str, str]] = {}
    for part in (notes.split("; ") if isinstance(notes, str) and notes else []):
        if m := _SOURCE_OF.match(part):
            sources[m.group(1)] = (m.group(2), m.group(3))
        else:
            plain.append(part)
    return plain, sources


def _plain_notes(notes: Any) -> str | None:
    return "; ".join(_split_notes(notes)[0]) or None


def _notes_after(old: Mapping[str, Any], new: Mapping[str, Any],
                 fields: Sequence[str]) -> str | None:
    """The notes of a changed plot: the file's (or its own), and where kept values come from.

    A value the file does not state keeps the source it had: the plot's own source
    before the import, or the one its notes already named.
    """
    plain, sources = _split_notes(old["notes"])
    if "notes" in fields:
        plain = [new["notes"]]
    for f in _KEPT:
        if f in fields or _empty(f, old[f]):
            sources.pop(f, None)  # stated by the file now, or nothing to cite
        elif _empty(f, new[f]) and f not in sources:
            sources[f] = (str(old["source_id"]), str(old["as_of"] or "?"))
        elif not _empty(f, new[f]):
            sources.pop(f, None)  # the file states the same value: it rests on the file
    parts = [*plain, *(f"source of {f}: {src}, as of {date}"
                       for f, (src, date) in sorted(sources.items()))]
    return "; ".join(p for p in parts if p) or None


def _merged(register: Register, plan: PlotMergePlan,
            source_id: str) -> tuple[Register, dict[str, Any]]:
    # Plain records: setting 100,000 cells one by one through pandas takes seconds.
    rows = {r["id"]: r for r in register.plots.to_dict("records")}
    before = {pid: _row_json(rows[pid]) for pid in [*plan.changed, *plan.removed]}
    incoming = {r["id"]: r for r in plan.plots.to_dict("records")}
    for pid, fields in plan.changed.items():
        new, old = incoming[pid], rows[pid]
        row = dict(old)
        for f in fields:
            if f == "status" and _empty(f, new[f]):
                row[f] = PlotStatus.UNKNOWN.value
            else:
                row[f] = new[f]
        for f in _PROVENANCE:
            row[f] = new[f]
        row["notes"] = _notes_after(old, new, fields)
        row["source_id"] = source_id
        rows[pid] = row
    for pid in plan.removed:
        del rows[pid]
    for pid in plan.added:
        rows[pid] = {**incoming[pid], "source_id": source_id}
    frame = pd.DataFrame(list(rows.values()), columns=[*PLOT_COLUMNS, "geometry"])
    merged = register.with_plots(gpd.GeoDataFrame(frame, geometry="geometry",
                                                  crs=register.plots.crs or "EPSG:4326"))
    undo = {"added": [], "before": {}, "zone_values": [],
            "plots": {"added": list(plan.added), "before": before}}
    return merged, undo


PlotMergeResult = MergeResult[PlotMergePlan]
"""What :func:`apply_plot_merge` did: the plan applied under the lock, the import made."""


def _record_plot_import(work: Work, before: Register, plan: PlotMergePlan,
                        import_id: str, filename: str) -> None:
    """One history row per zone whose plots the import touches (not one per plot).

    A file of plots may hold tens of thousands: the history says, per zone, how many
    plots it held before and after and how many were added, changed and removed.
    """
    zone_of = dict(zip(plan.plots["id"], plan.plots["zone_id"], strict=True))
    old_zone = dict(zip(before.plots["id"], before.plots["zone_id"], strict=True))
    touched: dict[str, dict[str, int]] = {}
    for what, ids in (("added", plan.added), ("changed", list(plan.changed)),
                      ("removed", plan.removed)):
        for pid in ids:
            zid = zone_of.get(pid) or old_zone.get(pid)
            if zid is not None:
                counts = touched.setdefault(str(zid), {"added": 0, "changed": 0, "removed": 0})
                counts[what] += 1
    held = before.plots["zone_id"].value_counts().to_dict()
    for zid, counts in sorted(touched.items()):
        had = int(held.get(zid, 0))
        work.record(PLOTS_TABLE, zid, "plots", f"{had} plots",
                    f"{had + counts['added'] - counts['removed']} plots", import_id,
                    {"import_id": import_id, "file": filename, **counts})


def apply_plot_merge(store: Store, plan: PlotMergePlan, *, filename: str,
                     actor: Actor | None, at: datetime | None = None,
                     sha256: str | None = None, choices: dict[str, Any] | None = None,
                     again: bool = False, import_id: str | None = None,
                     expect_version: str | None = None) -> PlotMergeResult:
    """Write the plan in one transaction, citing the file as a new source, with an audit entry.

    As :func:`geo.merge.apply_merge`, through the one write path
    (:func:`geo.edit.run`): planned again under the write lock with the same
    choices, and that plan written and returned; a file of the same content
    read with the same ``choices`` and still in effect is not imported again
    unless ``again``; a plan that changes nothing writes nothing. The history
    gets one row per zone whose plots changed.

    Parameters
    ----------
    actor
        The signed-in person importing: an editor or admin.
    choices
        How the file was read (layer, CRS, encoding, zone), recorded with the import
        and compared to tell a repeated import.
    expect_version
        Refuse (:class:`geo.errors.VersionConflict`) when the register is no longer
        the version the caller showed its plan from.

    Raises
    ------
    MergeRefused
        If the plan has problems (a zone removed meanwhile).
    geo.auth.PermissionDenied
        If nobody is signed in, or the person is a viewer.
    """
    at = (at or datetime.now(UTC)).replace(microsecond=0)
    who = actor.name.strip() if actor is not None else ""
    choices = {**(choices or {}), "table": PLOTS_TABLE}
    source = import_source(filename, who, at, import_id)
    plots = plan.plots.copy()
    plots["source_id"] = source["source_id"]
    plots["as_of"] = plots["as_of"].fillna(source["date"])
    plan = replace(plan, plots=plots)
    outcome: dict[str, Any] = {"plan": plan}

    def change(work: Work) -> Register:
        register = work.register
        fresh = plan_plot_merge(register, plan.plots, replace_worse=plan.replace_worse,
                                replace_zones=plan.replace_zones, covered=plan.covered)
        outcome["plan"] = fresh
        if not worth_writing(register, fresh, sha256, choices, again, outcome):
            return register
        merged, undo = _merged(register, fresh, source["source_id"])
        outcome["record"] = ImportRecord(
            import_id=source["source_id"], file=filename, who=work.actor.name,
            at=at.isoformat(timespec="seconds"), source_id=source["source_id"], sha256=sha256,
            choices=choices, added=fresh.added, changed=tuple(fresh.changed),
            table=PLOTS_TABLE, removed=fresh.removed)
        _record_plot_import(work, register, fresh, source["source_id"], filename)
        return with_import(work, register, merged, source, {
            "file": filename, "sha256": sha256, "choices": choices, **fresh.to_json(),
            "undo": undo})

    # The plan's problems were checked above (MergeRefused names them).
    register = run(store, actor, Role.EDITOR, "import plots", change, action=IMPORT_ACTION,
                   batch_id=source["source_id"], at=at, check_sources=False,
                   expect_version=expect_version).register
    return PlotMergeResult(plan=outcome["plan"], register=register,
                           record=outcome.get("record"),
                           duplicate_of=outcome.get("duplicate_of"))


def restore_plots(register: Register, record: ImportRecord,
                  undo: Mapping[str, Any]) -> tuple[Register, dict[str, list[str]]]:
    """Take an import's plots back (the undo of :func:`apply_plot_merge`).

    Called by :func:`geo.merge.undo_import` for every import: for a zone import it
    only checks that no plot was imported since into a zone the undo would remove.

    Returns
    -------
    tuple
        The register with the plots as before the import, and what was done:
        ``plots_removed`` and ``plots_restored`` (plot ids).

    Raises
    ------
    UndoConflict
        If a plot the import wrote was changed since (by a later import), or if
        plots were imported since into a zone the undo would remove.
    """
    plots = register.plots
    later = [r for r in imports(register) if r.in_effect and r.at >= record.at
             and r.import_id != record.import_id]
    orphans = plots[plots["zone_id"].isin(undo.get("added", ()))]
    if len(orphans):
        by = [r for r in later if r.table == PLOTS_TABLE
              and set(orphans["id"]) & {*r.added, *r.changed}]
        hint = f"; undo {by[-1].describe()} first" if by else ""
        raise UndoConflict(f"cannot undo {record.describe()}: {len(orphans)} plot(s) lie in "
                           f"zones it added ({', '.join(sorted(set(orphans['zone_id']))[:5])})"
                           f"{hint}")
    part = undo.get("plots")
    if not part:
        return register, {}
    current = dict(zip(plots["id"], plots["source_id"], strict=True))
    changed = set(record.changed)
    # What the import wrote must still rest on it; what it removed must still be gone.
    moved = [p for p in [*part["added"], *changed] if current.get(p) != record.source_id]
    moved += [p for p in part["before"] if p not in changed and p in current]
    if moved:
        by = [r for r in later if set(moved) & {*r.added, *r.changed}]
        hint = f" by {by[-1].describe()}; undo that first" if by else ""
        raise UndoConflict(f"cannot undo {record.describe()}: plot(s) "
                           f"{', '.join(sorted(moved)[:5])} changed since{hint}")
    kept = plots[~plots["id"].isin([*part["added"], *part["before"]])]
    rows = [dict(row, geometry=None if row["geometry"] is None else wkt.loads(row["geometry"]))
            for row in part["before"].values()]
    back = gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*PLOT_COLUMNS, "geometry"]),
                            geometry="geometry", crs="EPSG:4326") if rows else None
    frames = [f for f in (kept, back) if f is not None and len(f)]
    restored = pd.concat(frames, ignore_index=True) if frames else kept
    done = {"plots_removed": list(part["added"]), "plots_restored": list(part["before"])}
    return register.with_plots(gpd.GeoDataFrame(restored, geometry="geometry",
                                                 crs="EPSG:4326")), done
