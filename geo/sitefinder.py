"""Land for investors: occupancy computed from plots, and a site finder.

:func:`plot_occupancy` sums a zone's plots (leased against the land that can be
leased) and says on how many plots and which dates it rests; the panel shows it
beside any stated occupancy, never instead of it.

:func:`find_sites` answers the investor's question: *vacant land of at least X ha,
in these provinces and kinds of zone, within Y km of a seaport, an airport or an
expressway*. It looks at vacant plots, or at zones with vacant land (from their
plots, else from their stated industrial land and leased area or occupancy),
measures straight-line distances on the ground in VN-2000 / UTM 48N
(EPSG:3405) to the nearest project of each kind in the register, and ranks the
sites by the sum of those distances (nearest first), then by area (largest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import VN2000_UTM48N
from geo.mapdata import plot_area
from geo.register import Register

__all__ = ["NEAR_KINDS", "SiteQuery", "find_sites", "plot_occupancy"]

NEAR_KINDS = ("seaport", "airport", "expressway")
MAX_RESULTS = 500


def plot_occupancy(plots: pd.DataFrame) -> pd.DataFrame:
    """Per zone with plots: how much is leased, of what can be leased.

    Returns
    -------
    DataFrame
        Indexed by ``zone_id``: ``plots`` (count), ``leased_ha``, ``vacant_ha``,
        ``leasable_ha`` (every plot but those not for lease), ``occupancy_pct``
        (leased / leasable × 100, NaN without leasable area), ``as_of`` (the
        newest of the plots' dates) and ``unknown_area`` (plots of unknown area,
        left out of the sums).
    """
    if plots.empty:
        return pd.DataFrame(columns=["plots", "leased_ha", "vacant_ha", "leasable_ha",
                                     "occupancy_pct", "as_of", "unknown_area"])
    frame = pd.DataFrame({"zone_id": plots["zone_id"], "status": plots["status"].fillna("unknown"),
                          "area": plot_area(plots), "as_of": plots["as_of"]})
    grouped = frame.groupby("zone_id")

    def summed(mask: pd.Series) -> pd.Series:
        return frame[mask].groupby("zone_id")["area"].sum()

    out = pd.DataFrame({
        "plots": grouped.size(),
        "leased_ha": summed(frame["status"] == "leased"),
        "vacant_ha": summed(frame["status"] == "vacant"),
        "leasable_ha": summed(frame["status"] != "unavailable"),
        "as_of": grouped["as_of"].max(),
        "unknown_area": frame[frame["area"].isna()].groupby("zone_id").size(),
    })
    out[["leased_ha", "vacant_ha", "leasable_ha"]] = out[
        ["leased_ha", "vacant_ha", "leasable_ha"]].fillna(0.0)
    out["unknown_area"] = out["unknown_area"].fillna(0).astype(int)
    leasable = out["leasable_ha"].where(out["leasable_ha"] > 0)
    out["occupancy_pct"] = out["leased_ha"] / leasable * 100
    return out


@dataclass(frozen=True)
class SiteQuery:
    """An investor's question.

    ``target`` is ``plots`` (vacant plots) or ``zones`` (zones with vacant
    land); ``min_ha`` the least area; ``near`` maps a project kind (seaport,
    airport, expressway) to the farthest straight-line distance in km.
    """

    target: str = "plots"
    min_ha: float = 0.0
    provinces: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    near: tuple[tuple[str, float], ...] = field(default=())


def _nearest_km(points: np.ndarray, projects: gpd.GeoDataFrame, kind: str) -> np.ndarray:
    """Straight-line km from each point (EPSG:3405) to the nearest project of ``kind``."""
    of_kind = projects[(projects["kind"] == kind) & projects.geometry.notna()]
    if of_kind.empty or len(points) == 0:
        return np.full(len(points), np.nan)
    targets = np.asarray(of_kind.geometry.to_crs(VN2000_UTM48N).values)
    tree = shapely.STRtree(targets)
    _, distances = tree.query_nearest(points, return_distance=True, all_matches=False)
    return np.asarray(distances, dtype=float) / 1000.0


def _zone_mask(reg: Register, query: SiteQuery) -> pd.Series:
    zones = reg.zones
    mask = pd.Series(True, index=zones.index)
    if query.provinces:
        mask &= zones["province"].isin(query.provinces) \
            | zones["province_current"].isin(query.provinces)
    if query.kinds:
        mask &= zones["kind"].isin(query.kinds)
    return mask


def _zone_vacancy(reg: Register) -> pd.DataFrame:
    """Vacant hectares per zone and where the figure comes from."""
    zones = reg.zones.set_index("id")
    by_plots = plot_occupancy(reg.plots)
    vacant = pd.Series(np.nan, index=zones.index)
    basis = pd.Series("", index=zones.index, dtype=object)
    industrial = zones["area_industrial_ha"]
    from_leased = industrial - zones["leased_ha"]
    from_occ = industrial * (1 - zones["occupancy_pct"] / 100)
    stated = from_leased.fillna(from_occ)
    vacant[stated.notna()] = stated[stated.notna()].clip(lower=0)
    basis[stated.notna()] = "stated"
    if len(by_plots):
        ids = by_plots.index.intersection(zones.index)
        vacant[ids] = by_plots.loc[ids, "vacant_ha"]
        basis[ids] = "plots"
    return pd.DataFrame({"vacant_ha": vacant, "basis": basis})


def find_sites(reg: Register, query: SiteQuery) -> pd.DataFrame:
    """Return the sites that answer ``query``, best first (at most 500).

    Columns: ``rank``, ``kind`` (``plot`` or ``zone``), ``id`` (the plot's or
    zone's), ``zone_id``, ``code`` (a plot's code), ``area_ha`` (vacant),
    ``basis`` (``plots`` or ``stated`` for zones), ``province``, and one
    ``<kind>_km`` column per project kind of :data:`NEAR_KINDS`.
    """
    zone_ok = _zone_mask(reg, query)
    zones = reg.zones[zone_ok]
    if query.target == "plots":
        plots = reg.plots[reg.plots["zone_id"].isin(set(zones["id"]))
                          & (reg.plots["status"] == "vacant")]
        area = plot_area(plots)
        plots = plots[area >= query.min_ha]
        area = area[plots.index]
        geoms = np.asarray(plots.geometry.values)
        frame = pd.DataFrame({"kind": "plot", "id": plots["id"].to_numpy(),
                              "zone_id": plots["zone_id"].to_numpy(),
                              "code": plots["code"].to_numpy(), "area_ha": area.to_numpy(),
                              "basis": "plots"})
    else:
        vacancy = _zone_vacancy(reg).loc[zones["id"]]
        keep = vacancy["vacant_ha"].notna() & (vacancy["vacant_ha"] >= max(query.min_ha, 1e-9))
        chosen = zones[keep.to_numpy()]
        geoms = np.asarray(chosen.geometry.values)
        frame = pd.DataFrame({"kind": "zone", "id": chosen["id"].to_numpy(),
                              "zone_id": chosen["id"].to_numpy(), "code": None,
                              "area_ha": vacancy.loc[chosen["id"], "vacant_ha"].to_numpy(),
                              "basis": vacancy.loc[chosen["id"], "basis"].to_numpy()})
    names = reg.zones.set_index("id")
    frame["province"] = [names.loc[z, "province_current"] or names.loc[z, "province"]
                         for z in frame["zone_id"]]
    points = shapely.centroid(np.asarray(
        gpd.GeoSeries(geoms, crs=reg.zones.crs).to_crs(VN2000_UTM48N).values))
    for kind in NEAR_KINDS:
        frame[f"{kind}_km"] = _nearest_km(points, reg.projects, kind)
    limits = dict(query.near)
    for kind, km in limits.items():
        frame = frame[frame[f"{kind}_km"] <= km]
    score = frame[[f"{k}_km" for k in limits]].sum(axis=1) if limits else \
        pd.Series(0.0, index=frame.index)
    frame = frame.assign(_score=score, _area=-frame["area_ha"])
    frame = frame.sort_values(["_score", "_area", "id"], kind="stable").head(MAX_RESULTS)
    frame = frame.drop(columns=["_score", "_area"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame
