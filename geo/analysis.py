"""Register statistics and the comparison with official figures."""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.crs import STORE_CRS, VN2000_UTM48N
from geo.register import Register
from geo.schema import VALUE_FIELDS, Kind, Status, pick_order
from geo.text import fold

__all__ = [
    "COMPLETENESS_TODAY",
    "COUNT_INDICATORS",
    "ESTABLISHED_AREA_INDICATOR",
    "ESTABLISHED_COUNT_INDICATOR",
    "MERGER_DATE",
    "OPERATING_COUNT_INDICATOR",
    "PLANNED_COUNT_INDICATOR",
    "PLANNED_AREA_INDICATOR",
    "citation",
    "completeness_shares",
    "current_summary",
    "figure_covers",
    "former_provinces",
    "filter_zones",
    "find_provinces",
    "hectares_by_period",
    "nearest_projects",
    "present_by",
    "projects_serving",
    "search_zones",
    "zones_served",
    "occupancy_weighted",
    "province_summary",
    "register_stats",
    "summary",
]

# Indicators of figures.csv that state how many zones, and how many hectares,
# a province has officially planned; has established (zones founded by decision,
# built or not); and has in operation.
PLANNED_COUNT_INDICATOR = "planned_zone_count"
PLANNED_AREA_INDICATOR = "planned_area_ha"
ESTABLISHED_COUNT_INDICATOR = "established_zone_count"
ESTABLISHED_AREA_INDICATOR = "established_area_ha"
OPERATING_COUNT_INDICATOR = "operating_zone_count"
COUNT_INDICATORS: dict[str, str | None] = {
    PLANNED_COUNT_INDICATOR: PLANNED_AREA_INDICATOR,
    ESTABLISHED_COUNT_INDICATOR: ESTABLISHED_AREA_INDICATOR,
    OPERATING_COUNT_INDICATOR: None,
}
# The 2025 merger of provinces (two-tier local government from 01/07/2025).
MERGER_DATE = "2025-07-01"
# The kinds that are zones (an area proposed for study is not one).
ZONE_KINDS = (Kind.KKT, Kind.KCN, Kind.CCN)
# Attributes whose completeness the summary reports per province of today.
COMPLETENESS_TODAY = ("area_total_ha", "area_industrial_ha", "year_established", "developer",
                      "status", "commune", "occupancy_or_leased")


def _num(value: Any) -> float | None:
    """Return a JSON-safe number: None for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def find_provinces(reg: Register, query: str | None) -> list[str]:
    """Return the provinces (as named in the sources) that ``query`` names.

    Matching ignores diacritics and case and also accepts the current name
    after the 2025 merger ("thai nguyen" finds Bắc Kạn). No query lists all.
    """
    pairs = pd.concat([
        reg.zones[["province", "province_current"]],
        reg.figures[["province", "province_current"]],
    ]).dropna(subset=["province"]).drop_duplicates()
    names = sorted(set(pairs["province"]), key=fold)
    if not query:
        return names
    q = fold(query)
    hits = {
        row.province for row in pairs.itertuples(index=False)
        if q in (fold(row.province), fold(row.province_current or ""))
    }
    if not hits:  # fall back to a substring match ("phong")
        hits = {
            row.province for row in pairs.itertuples(index=False)
            if q in fold(row.province) or q in fold(row.province_current or "")
        }
    return [n for n in names if n in hits]


def occupancy_weighted(zones: pd.DataFrame) -> tuple[float | None, int]:
    """Return the area-weighted occupancy (%) and how many zones it rests on.

    Each zone weighs by its industrial land area, or its total area where the
    industrial land is not known. Zones without occupancy or area are left out,
    never counted as zero.
    """
    weight = zones["area_industrial_ha"].fillna(zones["area_total_ha"])
    known = zones["occupancy_pct"].notna() & weight.notna() & (weight > 0)
    if not known.any():
        return None, 0
    w = weight[known]
    return float((zones.loc[known, "occupancy_pct"] * w).sum() / w.sum()), int(known.sum())


def register_stats(zones: pd.DataFrame) -> dict[str, Any]:
    """Count zones and sum their known hectares by kind and status."""
    by_kind: dict[str, Any] = {}
    for kind in Kind:
        of_kind = zones[zones["kind"] == kind.value]
        by_status = {}
        for status in Status:
            part = of_kind[of_kind["status"] == status.value]
            if len(part):
                by_status[status.value] = {
                    "count": len(part),
                    "area_ha": _num(part["area_total_ha"].sum(min_count=1)),
                    "area_unknown": int(part["area_total_ha"].isna().sum()),
                }
        occ, occ_n = occupancy_weighted(of_kind)
        by_kind[kind.value] = {
            "count": len(of_kind),
            "area_ha": _num(of_kind["area_total_ha"].sum(min_count=1)),
            "area_unknown": int(of_kind["area_total_ha"].isna().sum()),
            "occupancy_weighted_pct": occ,
            "occupancy_zones": occ_n,
            "by_status": by_status,
        }
    occ, occ_n = occupancy_weighted(zones[zones["kind"] != Kind.KKT.value])
    return {
        "zones": len(zones),
        "by_kind": by_kind,
        "occupancy_weighted_pct": occ,
        "occupancy_zones": occ_n,
    }


def citation(reg: Register, source_id: str | None, section: str | None) -> dict[str, Any]:
    """Return the citation of a record: document, number, issuer, date, tier, URL, section."""
    src = reg.sources[reg.sources["source_id"] == source_id]
    row = src.iloc[0] if len(src) else None

    def get(column: str) -> Any:
        return None if row is None or column not in row.index else row[column]

    return {
        "source_id": source_id,
        "document": get("document"),
        "doc_number": get("doc_number"),
        "issuer": get("issuer"),
        "date": get("date"),
        "tier": get("tier"),
        "url": get("url"),
        "section": section,
    }


def _figure_records(reg: Register, figures: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in figures.itertuples(index=False):
        out.append({
            "id": row.id,
            "indicator": row.indicator,
            "scope": row.scope,
            "label_vi": row.label_vi,
            "label_en": row.label_en,
            "value": _num(row.value),
            "value_max": _num(row.value_max),
            "unit": row.unit,
            "period": row.period,
            "comparison": row.comparison,
            "quote": row.quote,
            "as_of": row.as_of,
            "citation": citation(reg, row.source_id, row.source_section),
        })
    return out


def former_provinces(reg: Register, current: str) -> list[str]:
    """Return the provinces as named before 2025 that ``current`` (today's) holds."""
    pairs = pd.concat([reg.zones[["province", "province_current"]],
                       reg.figures[["province", "province_current"]]])
    names = {p for p, c in zip(pairs["province"], pairs["province_current"], strict=True)
             if isinstance(p, str) and (c == current or (c is None and p == current))}
    return sorted(names, key=fold)


def figure_covers(reg: Register, figure: Any) -> tuple[str, ...]:
    """Return the provinces (as named before 2025) whose zones an official figure counts.

    A figure about a former province (``province`` differs from ``province_current``,
    e.g. Hải Dương, now Hải Phòng) covers that province only. A figure about today's
    province dated on or after the merger (``MERGER_DATE``) covers every former
    province merged into it; before the merger it covered the province of its time.
    """
    province, current = figure.province, figure.province_current or figure.province
    if province != current:
        return (province,)
    formers = former_provinces(reg, current)
    if len(formers) > 1 and str(figure.as_of or "") >= MERGER_DATE:
        return tuple(formers)
    return (province,)


def _pick(reg: Register, figures: pd.DataFrame) -> Any:
    """Return the figure the register shows: higher source tier first, then the newer."""
    if figures.empty:
        return None
    tiers = dict(zip(reg.sources["source_id"], reg.sources["tier"], strict=True))
    rows = list(figures.itertuples(index=False))
    return min(rows, key=lambda r: pick_order(tiers.get(r.source_id), r.as_of))


def _counted(zones: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The zones of the register an official count of ``indicator`` is to be compared with.

    A planned count covers every zone the register holds; an established count leaves
    out the zones only proposed; an operating count takes the operating ones.
    """
    status = zones["status"].fillna(Status.UNKNOWN.value)
    if indicator == ESTABLISHED_COUNT_INDICATOR:
        return zones[status != Status.PROPOSED.value]
    if indicator == OPERATING_COUNT_INDICATOR:
        return zones[status == Status.OPERATING.value]
    return zones


def _coverage(reg: Register, figures: pd.DataFrame, zones: pd.DataFrame,
              province: str) -> list[dict[str, Any]]:
    """Compare the officially planned zones and hectares of a province with the register.

    Per kind, the planned count and area shown are those the register picks among the
    figures about this province alone (higher tier, then newer); figures about a merged
    province of today are compared in :func:`current_summary`.
    """
    own = figures[[figure_covers(reg, f) == (province,)
                   for f in figures.itertuples(index=False)]] if len(figures) else figures
    rows = []
    for kind in (Kind.KCN, Kind.CCN):
        scoped = own[own["scope"] == kind.value]
        count = _pick(reg, scoped[scoped["indicator"] == PLANNED_COUNT_INDICATOR])
        areas = scoped[scoped["indicator"] == PLANNED_AREA_INDICATOR]
        if count is not None and (areas["source_id"] == count.source_id).any():
            areas = areas[areas["source_id"] == count.source_id]
        area = _pick(reg, areas)
        if count is None and area is None:
            continue
        held = zones[zones["kind"] == kind.value]
        rows.append({
            "kind": kind.value,
            "official_count": _num(count.value) if count is not None else None,
            "official_count_figure": count.id if count is not None else None,
            "register_count": len(held),
            "official_area_ha": _num(area.value) if area is not None else None,
            "official_area_figure": area.id if area is not None else None,
            "register_area_ha": _num(held["area_total_ha"].sum(min_count=1)),
            "register_area_unknown": int(held["area_total_ha"].isna().sum()),
        })
    return rows


def province_summary(reg: Register, province: str) -> dict[str, Any]:
    """Return the official figures of a province beside what the register holds."""
    zones = reg.zones[reg.zones["province"] == province]
    figures = reg.figures[reg.figures["province"] == province]
    current = zones["province_current"].dropna()
    if current.empty:
        current = figures["province_current"].dropna()
    stats = register_stats(zones)
    return {
        "province": province,
        "province_current": current.iloc[0] if len(current) else None,
        "official_figures": _figure_records(reg, figures),
        "register": stats,
        "coverage": _coverage(reg, figures, zones, province),
    }


def completeness_shares(zones: pd.DataFrame,
                        values: pd.DataFrame | None = None) -> dict[str, dict[str, Any]]:
    """Return, per attribute of ``COMPLETENESS_TODAY``, how many zones have it known.

    ``known`` counts single values (what the zone's column holds). ``status`` counts as
    known unless it is unknown; ``occupancy_or_leased`` is known when either the occupancy
    or the leased area is. ``share`` is None for no zones. With the register's
    ``values`` (zone_values), ``range`` counts the other zones, those whose value the
    register picks is a range or a bound ("150–180 ha", "over 900 ha"): kept and shown,
    never counted as known.
    """
    total = len(zones)
    bounded: dict[str, set[str]] = {}
    if values is not None and len(values):
        stated = values[values["zone_id"].isin(zones["id"])]
        bounded = {f: set(group["zone_id"]) for f, group in stated.groupby("field")}
    out = {}
    for field in COMPLETENESS_TODAY:
        if field == "status":
            known = int((zones["status"].fillna(Status.UNKNOWN.value)
                         != Status.UNKNOWN.value).sum())
        elif field == "occupancy_or_leased":
            known = int((zones["occupancy_pct"].notna() | zones["leased_ha"].notna()).sum())
        else:
            known = int(zones[field].notna().sum())
        out[field] = {"known": known, "total": total,
                      "share": known / total if total else None}
        if values is not None and VALUE_FIELDS.get(field) in (float, int):
            empty = set(zones.loc[zones[field].isna(), "id"])
            out[field]["range"] = len(empty & bounded.get(field, set()))
    return out


def current_summary(reg: Register, current: str) -> dict[str, Any]:
    """Return what the register holds for a province of today against its official counts.

    ``official_counts`` gives, per kind and count indicator (planned, established,
    operating), the figure the register picks among those about the whole of today's
    province, with its area figure from the same source where there is one, beside the
    number and known hectares of the register's zones it is compared with.
    ``completeness`` gives, per kind, the share of zones with each attribute known.
    """
    formers = former_provinces(reg, current)
    zones = reg.zones[reg.zones["province"].isin(formers)]
    figures = reg.figures[reg.figures["province"].isin(formers)]
    whole = figures[[figure_covers(reg, f) == tuple(formers)
                     for f in figures.itertuples(index=False)]] if len(figures) else figures
    counts = []
    for kind in (Kind.KKT, Kind.KCN, Kind.CCN):
        scoped = whole[whole["scope"] == kind.value]
        of_kind = zones[zones["kind"] == kind.value]
        for indicator, area_indicator in COUNT_INDICATORS.items():
            count = _pick(reg, scoped[scoped["indicator"] == indicator])
            if count is None:
                continue
            areas = scoped[(scoped["indicator"] == area_indicator)
                           & (scoped["source_id"] == count.source_id)]
            area = _pick(reg, areas)
            held = _counted(of_kind, indicator)
            counts.append({
                "kind": kind.value,
                "indicator": indicator,
                "official_count": _num(count.value),
                "comparison": count.comparison,
                "figure": count.id,
                "as_of": count.as_of,
                "citation": citation(reg, count.source_id, count.source_section),
                "official_area_ha": _num(area.value) if area is not None else None,
                "area_comparison": area.comparison if area is not None else None,
                "area_figure": area.id if area is not None else None,
                "covers": list(formers),
                "register_count": len(held),
                "register_area_ha": _num(held["area_total_ha"].sum(min_count=1)),
                "register_area_unknown": int(held["area_total_ha"].isna().sum()),
            })
    return {
        "province_current": current,
        "former": formers,
        "zones": int(zones["kind"].isin([k.value for k in ZONE_KINDS]).sum()),
        "held": {kind.value: int((zones["kind"] == kind.value).sum()) for kind in Kind},
        "official_counts": counts,
        "completeness": {kind.value: completeness_shares(zones[zones["kind"] == kind.value],
                                                         reg.zone_values)
                         for kind in ZONE_KINDS},
    }


def summary(reg: Register, province: str | None = None) -> dict[str, Any]:
    """Return the summary of every province that ``province`` names (all by default).

    ``provinces`` has one entry per province as the sources name it (Hải Dương and Hải
    Phòng apart); ``current`` one per province of today they belong to (Hải Phòng with
    the former Hải Dương), with the official counts and the completeness of attributes.

    Raises
    ------
    LookupError
        If no province matches.
    """
    names = find_provinces(reg, province)
    if not names:
        known = ", ".join(find_provinces(reg, None))
        raise LookupError(f"no province matches {province!r}; the register has: {known}")
    provinces = [province_summary(reg, n) for n in names]
    currents = sorted({p["province_current"] or p["province"] for p in provinces}, key=fold)
    return {"provinces": provinces, "current": [current_summary(reg, c) for c in currents]}


# --- Selection on the map -----------------------------------------------------

_PERIOD_ORDER = {"now": 0, "2025": 1, "2030": 2}
_EXISTING = ("operating", "under_construction")


def present_by(zones: pd.DataFrame, period: str) -> pd.Series:
    """Tell, per zone, whether it exists or is planned to exist by ``period``.

    ``now`` holds the operating and under-construction zones; ``2025`` adds the
    planned zones whose plan period is 2025; ``2030`` adds every planned and
    proposed zone (the resolutions plan to 2030). A zone whose status no source
    states belongs to every period: hiding it would hide that it is unknown.
    """
    rank = _PERIOD_ORDER.get(period, 0)
    existing = zones["status"].isin(_EXISTING) | zones["status"].isna() \
        | (zones["status"] == "unknown")
    planned = zones["status"] == "planned"
    due_2025 = planned & (zones["plan_period"] == "2025")
    if rank == 0:
        return existing
    if rank == 1:
        return existing | due_2025
    return existing | planned | (zones["status"] == "proposed")


def _in_range(values: pd.Series, bounds: tuple[float, float] | None) -> pd.Series:
    if bounds is None:
        return pd.Series(True, index=values.index)
    lo, hi = bounds
    # A value that is not known cannot be shown to lie in a narrowed range.
    return values.notna() & (values >= lo) & (values <= hi)


def filter_zones(
    zones: pd.DataFrame,
    *,
    provinces: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    occupancy: tuple[float, float] | None = None,
    area: tuple[float, float] | None = None,
    period: str = "now",
) -> pd.Series:
    """Return a boolean mask of the zones that pass every filter.

    Empty tuples mean "any". ``occupancy`` and ``area`` ranges, when given,
    keep only zones whose value is known and inside the range.
    """
    mask = present_by(zones, period)
    if provinces:
        mask &= zones["province"].isin(provinces) | zones["province_current"].isin(provinces)
    if kinds:
        mask &= zones["kind"].isin(kinds)
    if statuses:
        mask &= zones["status"].isin(statuses)
    mask &= _in_range(zones["occupancy_pct"], occupancy)
    mask &= _in_range(zones["area_total_ha"], area)
    return mask


_KIND_PREFIX = re.compile(r"^(kkt|kcn|ccn|khu kinh te|khu cong nghiep|cum cong nghiep)\s+")


def search_zones(zones: pd.DataFrame, query: str) -> list[str]:
    """Return the ids of zones whose name matches ``query``, best match first.

    Matching ignores diacritics and case. An exact name (without its kind
    word) ranks first, then names that start with the query, then the rest;
    shorter names rank before longer ones.
    """
    q = fold(query)
    if not q:
        return []
    ranked = []
    for row in zones.itertuples(index=False):
        names = [fold(n) for n in (row.name_vi, row.name_en, row.id) if n]
        bare = [_KIND_PREFIX.sub("", n) for n in names]
        if not any(q in n for n in names):
            continue
        if q in names or q in bare:
            rank = 0
        elif any(n.startswith(q) for n in names + bare):
            rank = 1
        else:
            rank = 2
        ranked.append((rank, len(row.name_vi or ""), fold(row.name_vi or ""), row.id))
    return [r[3] for r in sorted(ranked)]


def nearest_projects(
    zone: BaseGeometry, projects: gpd.GeoDataFrame, kinds: tuple[str, ...]
) -> dict[str, tuple[str, float] | None]:
    """Return, per project kind, the nearest project's id and straight-line distance (km)."""
    out: dict[str, tuple[str, float] | None] = {}
    if zone is None or zone.is_empty:
        return dict.fromkeys(kinds)
    here = gpd.GeoSeries([zone], crs=STORE_CRS).to_crs(VN2000_UTM48N).iloc[0]
    for kind in kinds:
        of_kind = projects[(projects["kind"] == kind) & projects.geometry.notna()]
        if of_kind.empty:
            out[kind] = None
            continue
        dist = of_kind.geometry.to_crs(VN2000_UTM48N).distance(here) / 1000.0
        best = dist.idxmin()
        out[kind] = (str(of_kind.loc[best, "id"]), float(dist.loc[best]))
    return out


def projects_serving(projects: pd.DataFrame, zone_id: str) -> pd.DataFrame:
    """Return the projects whose ``serves`` list names ``zone_id``."""
    serves = projects["serves"].fillna("").str.split(";")
    return projects[serves.apply(lambda ids: zone_id in [i.strip() for i in ids])]


def zones_served(projects: pd.DataFrame, project_id: str) -> list[str]:
    """Return the ids of the zones a project serves."""
    row = projects[projects["id"] == project_id]
    if row.empty or not row["serves"].iloc[0]:
        return []
    return [i.strip() for i in str(row["serves"].iloc[0]).split(";") if i.strip()]


def hectares_by_period(zones: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Return, per period, the known hectares and the count of zones present by then."""
    out = {}
    for period in _PERIOD_ORDER:
        present = zones[present_by(zones, period)]
        out[period] = {
            "zones": len(present),
            "area_ha": _num(present["area_total_ha"].sum(min_count=1)),
            "area_unknown": int(present["area_total_ha"].isna().sum()),
        }
    return out
