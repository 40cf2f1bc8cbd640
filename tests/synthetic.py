"""Synthetic registers for tests and benchmarks: zones laid out as real parks are.

Each zone is a rectangle of about 1.2 × 0.9 km somewhere around Hải Phòng, cut
into a grid of rectangular plots (lô) separated by 20 m roads, as a park's
detailed plan does. Plot statuses are drawn from fixed shares (seeded, so two
runs give the same register): 60 % leased, 20 % vacant, 5 % reserved, 5 % under
negotiation, 10 % unavailable (roads' verges, greenery, utilities). The
declared area is the plot's area rounded to 0.01 ha; the measured one is left
for the register to compute.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.register import Register

__all__ = ["synthetic_plots", "with_synthetic_plots"]

_LON, _LAT = (105.9, 107.2), (20.6, 21.2)
_STATUSES = np.array(["leased", "vacant", "reserved", "negotiation", "unavailable"])
_SHARES = np.array([0.60, 0.20, 0.05, 0.05, 0.10])
_SOURCE = "atlas-editors"


def synthetic_plots(n_plots: int, plots_per_zone: int = 200, seed: int = 20260101,
                    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return ``(zones, plots)``: ``n_plots`` plots in zones of ``plots_per_zone`` each.

    Zones are KCN, operating, with digitised rectangular boundaries; ids
    ``kcn-syn-000001``…, plots ``<zone id>--l<row>-<col>``. EPSG:4326.
    """
    rng = np.random.default_rng(seed)
    n_zones = max(1, math.ceil(n_plots / plots_per_zone))
    cols = math.ceil(math.sqrt(plots_per_zone * 1.4))
    rows = math.ceil(plots_per_zone / cols)
    width_m, height_m, road_m = 1200.0, 900.0, 20.0
    zone_rows, plot_frames = [], []
    left = n_plots
    for z in range(n_zones):
        lon0, lat0 = rng.uniform(*_LON), rng.uniform(*_LAT)
        m_lon = 1 / (111_320 * math.cos(math.radians(lat0)))
        m_lat = 1 / 110_574
        zid = f"kcn-syn-{z + 1:06d}"
        zone_rows.append({
            "id": zid, "kind": "KCN", "name_vi": f"KCN Tổng hợp {z + 1}",
            "name_en": f"Synthetic Industrial Zone {z + 1}", "province": "Hải Phòng",
            "province_current": "Hải Phòng", "status": "operating",
            "geometry_quality": "digitised", "source_id": _SOURCE,
            "geometry_source_id": _SOURCE, "as_of": "2026-01-01",
            "geometry": shapely.box(lon0, lat0, lon0 + width_m * m_lon, lat0 + height_m * m_lat),
        })
        count = min(plots_per_zone, left)
        left -= count
        cell_w, cell_h = width_m / cols, height_m / rows
        idx = np.arange(count)
        r, c = idx // cols, idx % cols
        x0 = lon0 + (c * cell_w + road_m / 2) * m_lon
        y0 = lat0 + (r * cell_h + road_m / 2) * m_lat
        x1 = x0 + (cell_w - road_m) * m_lon
        y1 = y0 + (cell_h - road_m) * m_lat
        area_ha = (cell_w - road_m) * (cell_h - road_m) / 10_000
        plot_frames.append(pd.DataFrame({
            "id": [f"{zid}--l{a}-{b}" for a, b in zip(r, c, strict=True)],
            "zone_id": zid, "code": [f"CN{a + 1}-{b + 1}" for a, b in zip(r, c, strict=True)],
            "status": rng.choice(_STATUSES, size=count, p=_SHARES),
            "area_declared_ha": round(area_ha, 2), "source_id": _SOURCE, "as_of": "2026-01-01",
            "geometry": shapely.box(x0, y0, x1, y1),
        }))
        if left <= 0:
            break
    zones = gpd.GeoDataFrame(pd.DataFrame(zone_rows), geometry="geometry", crs="EPSG:4326")
    plots = gpd.GeoDataFrame(pd.concat(plot_frames, ignore_index=True), geometry="geometry",
                             crs="EPSG:4326")
    return zones, plots


def with_synthetic_plots(base: Register, n_plots: int, plots_per_zone: int = 200,
                         seed: int = 20260101) -> Register:
    """Return ``base`` with its zones replaced by synthetic zones holding ``n_plots`` plots.

    The base's zone values are dropped (they cite zones that are gone); its
    sources, figures and projects stay.
    """
    zones, plots = synthetic_plots(n_plots, plots_per_zone, seed)
    reg = base.with_zones(zones).with_plots(plots)
    return Register(zones=reg.zones, projects=reg.projects, figures=reg.figures,
                    sources=reg.sources, zone_values=reg.zone_values.iloc[0:0],
                    audit=reg.audit, plots=reg.plots)
