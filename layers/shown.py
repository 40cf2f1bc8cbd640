"""What a map state shows: the zones and projects on screen, and what is linked.

Shared by the map page and the export endpoint (``/api/v1/export``), so a file
downloaded from a link holds exactly what that link's map shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.analysis import filter_zones, projects_serving, zones_served
from geo.register import Register
from geo.sitefinder import SiteQuery, find_sites
from layers.state import MapState

__all__ = ["Shown", "cited_sources", "shown"]

_LAYER_OF_KIND = {"KKT": "kkt", "KCN": "kcn", "CCN": "ccn", "study_area": "study"}


@dataclass(frozen=True)
class Shown:
    """The rows of a register a state shows.

    ``zones`` and ``projects`` are boolean masks aligned with the register's
    tables. ``sites`` is the site finder's ranked results (see
    :func:`geo.sitefinder.find_sites`), None when the finder is off; the map
    then shows only the zones the results lie in. ``linked_projects`` are the
    projects serving the selected zone, ``linked_zones`` the zones the selected
    project serves (ids).
    """

    zones: pd.Series
    projects: pd.Series
    sites: pd.DataFrame | None
    linked_projects: list[str]
    linked_zones: list[str]

    def zone_rows(self, reg: Register) -> pd.DataFrame:
        """The zones shown, in register order."""
        return reg.zones[self.zones.to_numpy()]

    def project_rows(self, reg: Register) -> pd.DataFrame:
        """The projects shown, in register order."""
        return reg.projects[self.projects.to_numpy()]


def shown(reg: Register, state: MapState) -> Shown:
    """Return what ``state`` shows of ``reg``: filters, period, layers and site finder."""
    zones = reg.zones
    mask = filter_zones(zones, provinces=state.prov, kinds=state.kind, statuses=state.status,
                        occupancy=state.occ if state.occ_filtered else None, area=state.area,
                        period=state.period)
    mask &= zones["kind"].map(_LAYER_OF_KIND).fillna("kcn").isin(state.layers)
    projects = pd.Series("infra" in state.layers, index=reg.projects.index)
    if state.prov:
        projects &= reg.projects["province"].isin(state.prov)
    sites = None
    if state.site is not None:
        sites = find_sites(reg, SiteQuery(target=state.site, min_ha=state.smin,
                                          provinces=state.prov, kinds=state.kind,
                                          near=state.snear))
        mask &= zones["id"].isin(set(sites["zone_id"]))
    linked_projects: list[str] = []
    linked_zones: list[str] = []
    if state.zone:
        linked_projects = projects_serving(reg.projects, state.zone)["id"].tolist()
    elif state.project:
        linked_zones = zones_served(reg.projects, state.project)
    return Shown(mask, projects, sites, linked_projects, linked_zones)


def cited_sources(reg: Register, zones: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """Short citations ("document (date)") of the sources behind what is shown, oldest first."""
    ids = set(zones["source_id"].dropna()) | set(projects["source_id"].dropna())
    values = reg.zone_values[reg.zone_values["zone_id"].isin(zones["id"])]
    ids |= set(values["source_id"].dropna())
    docs = reg.sources[reg.sources["source_id"].isin(ids)].sort_values("date")
    return [f"{r.document} ({r.date})" for r in docs.itertuples(index=False)]
