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
from geo.schema import Kind, Status
from geo.text import fold

__all__ = [
    "PLANNED_COUNT_INDICATOR",
    "PLANNED_AREA_INDICATOR",
    "citation",
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
# a province has officially planned.
PLANNED_COUNT_INDICATOR = "planned_zone_count"
PLANNED_AREA_INDICATOR = "planned_area_ha"


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


def _coverage(figures: pd.DataFrame, stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Compare the officially planned zones and hectares with the register, per kind."""
    rows = []
    for kind in (Kind.KCN, Kind.CCN):
        scoped = figures[figures["scope"] == kind.value]
        count = scoped[scoped["indicator"] == PLANNED_COUNT_INDICATOR]
        area = scoped[scoped["indicator"] == PLANNED_AREA_INDICATOR]
        if count.empty and area.empty:
            continue
        held = stats["by_kind"][kind.value]
        rows.append({
            "kind": kind.value,
            "official_count": _num(count["value"].iloc[0]) if len(count) else None,
            "official_count_figure": count["id"].iloc[0] if len(count) else None,
            "register_count": held["count"],
            "official_area_ha": _num(area["value"].iloc[0]) if len(area) else None,
            "official_area_figure": area["id"].iloc[0] if len(area) else None,
            "register_area_ha": held["area_ha"],
            "register_area_unknown": held["area_unknown"],
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
        "coverage": _coverage(figures, stats),
    }


def summary(reg: Register, province: str | None = None) -> dict[str, Any]:
    """Return the summary of every province that ``province`` names (all by default).

    Raises
    ------
    LookupError
        If no province matches.
    """
    names = find_provinces(reg, province)
    if not names:
        known = ", ".join(find_provinces(reg, None))
        raise LookupError(f"no province matches {province!r}; the register has: {known}")
    return {"provinces": [province_summary(reg, n) for n in names]}


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
