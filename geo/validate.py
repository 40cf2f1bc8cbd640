"""Checks that keep the register honest and consistent."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.crs import inside_vietnam
from geo.register import Register, is_exact, normalise_register, ordered_values
from geo.schema import (
    REQUIRED_ZONE_FIELDS,
    VALUE_FIELDS,
    Comparison,
    Kind,
    ProjectKind,
    Quality,
    SourceTier,
    Status,
)

__all__ = ["Problem", "validate"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the register."""

    table: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"{self.table} {self.record}: {self.message}"


def _duplicates(values: pd.Series) -> list[str]:
    counts = values.value_counts()
    return sorted(str(v) for v in counts[counts > 1].index)


def _check_ids(reg: Register) -> list[Problem]:
    problems = []
    for table, column in [("zones", "id"), ("projects", "id"), ("figures", "id"),
                          ("sources", "source_id")]:
        ids = getattr(reg, table)[column]
        n_missing = int(ids.isna().sum())
        problems += [Problem(table, "(row)", "record without an id")] * n_missing
        problems += [Problem(table, dup, "id is not unique") for dup in _duplicates(ids.dropna())]
    return problems


def _check_sources(reg: Register) -> list[Problem]:
    known = set(reg.sources["source_id"].dropna())
    problems = []
    tables = [("zones", "id", reg.zones), ("projects", "id", reg.projects),
              ("figures", "id", reg.figures), ("zone_values", "zone_id", reg.zone_values)]
    for table, key, df in tables:
        for row in df.itertuples(index=False):
            rid = str(getattr(row, key))
            if table == "zone_values":
                rid = f"{rid}.{row.field}"
            if not row.source_id:
                problems.append(Problem(table, rid, "has no source"))
            elif row.source_id not in known:
                problems.append(Problem(table, rid, f"cites unknown source {row.source_id!r}"))
            if not row.as_of:
                problems.append(Problem(table, rid, "has no as-of date"))
    return problems


def _check_source_records(reg: Register) -> list[Problem]:
    """Every source says what it is, who published it, when, where to read it, and its tier."""
    tiers = {t.value for t in SourceTier}
    problems = []
    for row in reg.sources.itertuples(index=False):
        sid = str(row.source_id)
        for column, what in (("document", "a title"), ("issuer", "a publisher"),
                             ("date", "a date")):
            if not getattr(row, column):
                problems.append(Problem("sources", sid, f"has no {what} ({column})"))
        if row.tier != SourceTier.EDITORS and not (row.url or row.doc_number or row.file):
            problems.append(Problem("sources", sid,
                                    "says neither where to read it (url) nor its document number"))
        if not row.tier:
            problems.append(Problem("sources", sid, "has no tier"))
        elif row.tier not in tiers:
            problems.append(Problem("sources", sid,
                                    f"tier {row.tier!r} is not one of {sorted(tiers)}"))
    return problems


# Imports write a file's values into the zone's columns, citing the file as the zone's
# source (geo.merge.import_source). Until imports write zone_values rows (issue 11), such
# values rest on that import source.
IMPORT_SOURCE_PREFIX = "import-"

# Zone columns that are part of the record itself (its source_id covers them), not sourced
# values of their own.
_RECORD_FIELDS = ("name_en",)


def _same_value(column: object, value: object, numeric: bool) -> bool:
    if numeric:
        try:
            return abs(float(column) - float(value)) < 1e-9  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return str(column) == str(value)


def _check_backed(reg: Register) -> list[Problem]:
    """Every known value of a zone (status, areas, district, parent, ...) has its own source.

    A zone's column must hold the value of the zone_values row the register picks for
    that attribute (see geo.register.ordered_values); a value with no such row has no
    citation of its own. Values an import wrote rest on the import's source until
    imports write zone_values rows.
    """
    tiers = dict(zip(reg.sources["source_id"], reg.sources["tier"], strict=True))
    chosen = ordered_values(reg.zone_values, reg.sources)
    chosen = chosen[chosen["chosen"]].set_index(["zone_id", "field"])
    problems = []
    for row in reg.zones.itertuples(index=False):
        imported = str(row.source_id or "").startswith(IMPORT_SOURCE_PREFIX)
        for field, kind in VALUE_FIELDS.items():
            if field in _RECORD_FIELDS:
                continue
            value = getattr(row, field)
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            if field == "status" and value == Status.UNKNOWN:
                continue
            numeric = kind in (float, int)
            key = (row.id, field)
            if key not in chosen.index:
                if not imported:
                    problems.append(Problem(
                        "zones", str(row.id),
                        f"{field} {value!r} has no source: add a zone_values row citing the "
                        "document that states it, or leave it empty"))
                continue
            pick = chosen.loc[key]
            if numeric and not is_exact(pick["comparison"]):
                continue  # a range or bound never fills the column; imports may
            if not _same_value(value, pick["value"], numeric) and not imported:
                problems.append(Problem(
                    "zones", str(row.id),
                    f"{field} {value!r} differs from its sourced value {pick['value']!r} "
                    f"({pick['source_id']})"))
    for row in reg.zone_values.itertuples(index=False):
        if tiers.get(row.source_id) == SourceTier.EDITORS:
            problems.append(Problem(
                "zone_values", f"{row.zone_id}.{row.field}",
                f"cites {row.source_id!r}, the editors' own placement: editors may place a "
                "zone (geometry_source_id) but never source a value"))
    for row in reg.zones.itertuples(index=False):
        if tiers.get(row.source_id) == SourceTier.EDITORS:
            problems.append(Problem("zones", str(row.id),
                                    f"rests on {row.source_id!r}, the editors' own knowledge: "
                                    "a zone needs a source that names it"))
        geo_source = getattr(row, "geometry_source_id", None)
        if geo_source and geo_source not in tiers:
            problems.append(Problem("zones", str(row.id),
                                    f"geometry cites unknown source {geo_source!r}"))
    return problems


def _check_values(reg: Register) -> list[Problem]:
    """Sourced values: known comparisons, numbers where numbers belong, sane ranges."""
    comparisons = {c.value for c in Comparison}
    problems = []
    for row in reg.zone_values.itertuples(index=False):
        rid = f"{row.zone_id}.{row.field}"
        if row.comparison and row.comparison not in comparisons:
            problems.append(Problem("zone_values", rid, f"comparison {row.comparison!r} is not "
                                    f"one of {sorted(comparisons)}"))
        if row.field not in VALUE_FIELDS:
            continue
        numeric = VALUE_FIELDS[row.field] in (float, int)
        if not row.value:
            problems.append(Problem("zone_values", rid, "has no value"))
            continue
        if not numeric:
            if row.value_max:
                problems.append(Problem("zone_values", rid, "a text value has no maximum"))
            continue
        try:
            low = float(row.value)
            high = float(row.value_max) if row.value_max else None
        except ValueError:
            problems.append(Problem("zone_values", rid, "is not a number"))
            continue
        if row.comparison == Comparison.RANGE.value and (high is None or high < low):
            problems.append(Problem("zone_values", rid, "a range needs value_max >= value"))
    return problems


def _check_family(reg: Register) -> list[Problem]:
    """A KKT never has more child KCN in the register than its source says it has."""
    problems = []
    kcn = reg.zones[reg.zones["kind"] == Kind.KCN.value]
    children = kcn["parent_id"].value_counts()
    for row in reg.zones.itertuples(index=False):
        stated = row.kcn_count
        held = int(children.get(row.id, 0))
        if pd.notna(stated) and held > stated:
            problems.append(Problem("zones", row.id, f"the register gives it {held} KCN, its "
                                    f"source says {int(stated)}"))
    return problems


# Required zone fields that other checks already report with their own message.
_CHECKED_ELSEWHERE = {"id", "kind", "status", "geometry_quality", "source_id", "as_of"}


def _check_required(reg: Register) -> list[Problem]:
    """Every zone has what the importer guarantees (``schema.REQUIRED_ZONE_FIELDS``)."""
    problems = []
    for column in REQUIRED_ZONE_FIELDS:
        if column in _CHECKED_ELSEWHERE:
            continue
        for rid, value in zip(reg.zones["id"], reg.zones[column], strict=True):
            if value is None:
                problems.append(Problem("zones", str(rid), f"{column} is missing"))
    return problems


def _check_vocab(reg: Register) -> list[Problem]:
    rules = [
        ("zones", reg.zones, "kind", {k.value for k in Kind}, True),
        # A missing status is unknown (no source states it), never a problem.
        ("zones", reg.zones, "status", {s.value for s in Status}, False),
        ("zones", reg.zones, "geometry_quality", {q.value for q in Quality}, True),
        ("projects", reg.projects, "kind", {k.value for k in ProjectKind}, True),
        ("projects", reg.projects, "status", {s.value for s in Status}, True),
        ("projects", reg.projects, "geometry_quality", {q.value for q in Quality}, True),
        ("figures", reg.figures, "comparison", {c.value for c in Comparison}, True),
    ]
    problems = []
    for table, df, column, allowed, required in rules:
        for rid, value in zip(df["id"], df[column], strict=True):
            if value is None:
                if required:
                    problems.append(Problem(table, str(rid), f"{column} is missing"))
            elif value not in allowed:
                problems.append(Problem(
                    table, str(rid), f"{column} {value!r} is not one of {sorted(allowed)}"))
    return problems


def _check_numbers(reg: Register) -> list[Problem]:
    z = reg.zones
    problems = []
    for rid, occ in zip(z["id"], z["occupancy_pct"], strict=True):
        if pd.notna(occ) and not 0 <= occ <= 100:
            problems.append(Problem("zones", rid, f"occupancy {occ}% is outside 0–100"))
    for col in ("area_total_ha", "area_industrial_ha", "leased_ha"):
        for rid, v in zip(z["id"], z[col], strict=True):
            if pd.notna(v) and v <= 0:
                problems.append(Problem("zones", rid, f"{col} must be positive, is {v}"))
    for row in z.itertuples(index=False):
        if pd.notna(row.area_industrial_ha) and pd.notna(row.area_total_ha) \
                and row.area_industrial_ha > row.area_total_ha:
            problems.append(Problem("zones", row.id, "industrial land exceeds the total area"))
        if pd.notna(row.leased_ha) and pd.notna(row.area_industrial_ha) \
                and row.leased_ha > row.area_industrial_ha:
            problems.append(Problem("zones", row.id, "leased area exceeds the industrial land"))
    for rid, v in zip(reg.figures["id"], reg.figures["value"], strict=True):
        if pd.isna(v):
            problems.append(Problem("figures", rid, "has no value"))
    return problems


def _check_geometry(reg: Register) -> list[Problem]:
    problems = []
    for table, gdf in (("zones", reg.zones), ("projects", reg.projects)):
        missing = gdf.geometry.isna() | gdf.geometry.is_empty
        for rid in gdf.loc[missing, "id"]:
            problems.append(Problem(table, rid, "has no geometry"))
        present = gdf[~missing]
        for rid in present.loc[~present.geometry.is_valid, "id"]:
            problems.append(Problem(table, rid, "geometry is not valid"))
        for rid in present.loc[~inside_vietnam(present.geometry), "id"]:
            problems.append(Problem(table, rid, "geometry lies outside Vietnam"))
    return problems


def _check_links(reg: Register) -> list[Problem]:
    zones = reg.zones.set_index("id", drop=False)
    zone_ids = set(zones.index)
    problems = []
    surveyed = Quality.SURVEYED.value
    for row in reg.zones.itertuples(index=False):
        if row.parent_id is None:
            continue
        if row.parent_id not in zone_ids:
            problems.append(Problem("zones", row.id, f"parent {row.parent_id!r} does not exist"))
            continue
        parent = zones.loc[row.parent_id]
        if parent["kind"] != Kind.KKT:
            problems.append(Problem("zones", row.id, f"parent {row.parent_id!r} is not a KKT"))
        both_surveyed = row.geometry_quality == surveyed and parent["geometry_quality"] == surveyed
        if both_surveyed and row.geometry is not None and parent.geometry is not None \
                and not parent.geometry.buffer(1e-6).contains(row.geometry):
            problems.append(Problem("zones", row.id, f"lies outside its parent {row.parent_id}"))
    for row in reg.zone_values.itertuples(index=False):
        if row.zone_id not in zone_ids:
            problems.append(Problem("zone_values", f"{row.zone_id}.{row.field}",
                                    "belongs to no zone"))
        if row.field not in VALUE_FIELDS:
            problems.append(Problem("zone_values", f"{row.zone_id}.{row.field}",
                                    "is not a known zone attribute"))
    for row in reg.projects.itertuples(index=False):
        for zid in (row.serves or "").split(";"):
            zid = zid.strip()
            if zid and zid not in zone_ids:
                problems.append(Problem("projects", row.id, f"serves unknown zone {zid!r}"))
    return problems


def validate(reg: Register) -> list[Problem]:
    """Return every problem found in the register; an empty list means it is sound.

    Checks: unique ids; every zone with the fields the importer guarantees
    (``schema.REQUIRED_ZONE_FIELDS``: id, kind, name, status, geometry quality,
    source and as-of date); every record, value and figure sourced with an as-of
    date; every known value of a zone (status, areas, district, commune, parent
    KKT, ...) backed by the zone_values row the register picks for it; no value
    and no zone resting on the editors' own knowledge (editors may only place a
    zone); every source with a title, publisher, date, tier and a URL or
    document number; known kinds, statuses, comparisons and quality flags;
    plausible numbers and ranges; valid geometries inside Vietnam; children
    inside their parent KKT where both are surveyed, and no more KCN in a KKT
    than its source states; links that point at existing records.
    """
    reg = normalise_register(reg)  # None for missing text, floats for numbers
    return (
        _check_ids(reg)
        + _check_required(reg)
        + _check_sources(reg)
        + _check_vocab(reg)
        + _check_numbers(reg)
        + _check_geometry(reg)
        + _check_links(reg)
        + _check_source_records(reg)
        + _check_values(reg)
        + _check_family(reg)
        + _check_backed(reg)
    )
