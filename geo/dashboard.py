"""Plans against progress: what the dashboard shows, computed from the register."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from geo.register import Register

__all__ = [
    "COMPLETENESS_FIELDS",
    "below_target",
    "completeness",
    "infrastructure",
    "occupancy_targets",
    "province_zones",
]

COMPLETENESS_FIELDS = ("status", "area_total_ha", "area_industrial_ha", "leased_ha",
                       "occupancy_pct", "year_established", "developer", "sectors")


def province_zones(register: Register, province: str | None) -> pd.DataFrame:
    """Return the zones of a province as named in the sources (every zone for None)."""
    zones = register.zones
    return zones if province is None else zones[zones["province"] == province]


def occupancy_targets(register: Register, province: str | None) -> dict[str, dict[str, Any]]:
    """Return the official occupancy targets per kind (e.g. KCN above 70% by 2025).

    Only figures with a target period (not the status at a date) count: a single
    year after the year of the figure's as-of date. The latest period wins.
    """
    figs = register.figures
    figs = figs[(figs["indicator"] == "occupancy_pct") & figs["comparison"].isin(
        ["above", "at_least", "equal"])]
    if province is not None:
        figs = figs[figs["province"] == province]
    out: dict[str, dict[str, Any]] = {}
    for row in figs.sort_values("period").itertuples(index=False):
        stated = str(row.as_of or "")[:4]
        if row.period and str(row.period).isdigit() and int(row.period) >= 2023 \
                and (not stated.isdigit() or int(row.period) > int(stated)):
            out[row.scope] = {"value": float(row.value), "figure": row.id,
                              "period": row.period, "comparison": row.comparison}
    return out


def _leasable_left(row: pd.Series) -> float | None:
    land, leased, occ = row["area_industrial_ha"], row["leased_ha"], row["occupancy_pct"]
    if pd.notna(land) and pd.notna(leased):
        return float(land - leased)
    if pd.notna(land) and pd.notna(occ):
        return float(land * (1 - occ / 100))
    return None


def below_target(zones: pd.DataFrame, targets: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Return the operating zones whose known occupancy is below their kind's target.

    Columns: id, name_vi, name_en, kind, occupancy_pct, target_pct, gap_pct and
    leasable_left_ha (industrial land not yet leased, None when not known).
    """
    rows = []
    operating = zones[(zones["status"] == "operating") & zones["occupancy_pct"].notna()]
    for _, z in operating.iterrows():
        target = targets.get(z["kind"])
        if target is None or z["occupancy_pct"] >= target["value"]:
            continue
        rows.append({"id": z["id"], "name_vi": z["name_vi"], "name_en": z["name_en"],
                     "kind": z["kind"], "occupancy_pct": float(z["occupancy_pct"]),
                     "target_pct": target["value"],
                     "gap_pct": target["value"] - float(z["occupancy_pct"]),
                     "leasable_left_ha": _leasable_left(z)})
    columns = ["id", "name_vi", "name_en", "kind", "occupancy_pct", "target_pct", "gap_pct",
               "leasable_left_ha"]
    return pd.DataFrame(rows, columns=columns).sort_values("gap_pct", ascending=False)


def completeness(zones: pd.DataFrame) -> pd.DataFrame:
    """Return, per attribute, how many zones lack it; and the approximate locations.

    Columns: field, known, missing, share_known (0–1).
    """
    rows = []
    for field in (*COMPLETENESS_FIELDS, "boundary"):
        if field == "boundary":
            known = int((zones["geometry_quality"].isin(["surveyed", "digitised"])).sum())
        else:
            known = int(zones[field].notna().sum())
        total = len(zones)
        rows.append({"field": field, "known": known, "missing": total - known,
                     "share_known": known / total if total else math.nan})
    return pd.DataFrame(rows)


def infrastructure(register: Register, zones: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the projects serving these zones, and the zones no project serves.

    The first frame has one row per project: id, name_vi, name_en, kind, status,
    period and ``zones`` (the ids it serves among ``zones``).
    """
    ids = set(zones["id"])
    rows = []
    served: set[str] = set()
    for p in register.projects.itertuples(index=False):
        serves = [z.strip() for z in (p.serves or "").split(";") if z.strip() in ids]
        if not serves:
            continue
        served.update(serves)
        rows.append({"id": p.id, "name_vi": p.name_vi, "name_en": p.name_en, "kind": p.kind,
                     "status": p.status, "period": p.period, "zones": serves})
    projects = pd.DataFrame(rows, columns=["id", "name_vi", "name_en", "kind", "status",
                                           "period", "zones"])
    unserved = zones[~zones["id"].isin(served)][["id", "name_vi", "name_en", "kind", "status"]]
    return projects, unserved
