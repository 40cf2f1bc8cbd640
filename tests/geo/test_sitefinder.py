"""Occupancy from plots and the site finder."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geo.register import empty_plots
from geo.sitefinder import SiteQuery, find_sites, plot_occupancy


def _plots(rows):
    frame = pd.DataFrame(rows, columns=["id", "zone_id", "code", "status", "area_declared_ha",
                                        "as_of", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


@pytest.fixture
def register(fixture_register):
    """kcn-alpha with four plots, and a seaport and an expressway nearby."""
    x, y = 106.751, 20.831

    def cell(i, j):
        return box(x + .003 * i, y + .003 * j, x + .003 * i + .002, y + .003 * j + .002)

    plots = _plots([
        ("p1", "kcn-alpha", "A1", "leased", 4.0, "2026-03-01", cell(0, 0)),
        ("p2", "kcn-alpha", "A2", "vacant", 3.0, "2026-06-01", cell(1, 0)),
        ("p3", "kcn-alpha", "A3", "vacant", 0.5, "2026-06-01", cell(0, 1)),
        ("p4", "kcn-alpha", "G1", "unavailable", 2.0, "2026-06-01", cell(1, 1)),
    ])
    projects = pd.concat([fixture_register.projects, gpd.GeoDataFrame(
        {"id": ["road-x"], "kind": ["expressway"], "name_vi": ["Cao tốc thử"],
         "status": ["operating"], "geometry_quality": ["approximate"], "source_id": ["test-doc"],
         "as_of": ["2022-04-07"]},
        geometry=[LineString([(106.70, 20.90), (106.80, 20.90)])], crs="EPSG:4326")])
    reg = fixture_register.with_plots(plots)
    from dataclasses import replace
    return replace(reg, projects=projects)


def test_occupancy_from_plots(register):
    occ = plot_occupancy(register.plots).loc["kcn-alpha"]
    assert occ["plots"] == 4
    assert (occ["leased_ha"], occ["vacant_ha"], occ["leasable_ha"]) == (4.0, 3.5, 7.5)
    assert occ["occupancy_pct"] == pytest.approx(4 / 7.5 * 100)
    assert occ["as_of"] == "2026-06-01"
    assert plot_occupancy(empty_plots()).empty


def test_vacant_plots_of_at_least_x_ha_near_a_port(register):
    sites = find_sites(register, SiteQuery(min_ha=1.0, near=(("seaport", 10.0),)))
    assert list(sites["id"]) == ["p2"]  # p3 is too small; leased and unavailable never count
    assert sites.loc[0, "seaport_km"] < 10
    # 0.068° of latitude north of the plot's centre: 7.5 km on the ground
    assert sites.loc[0, "expressway_km"] == pytest.approx(7.53, abs=0.05)


def test_distance_limits_filter_and_rank(register):
    assert find_sites(register, SiteQuery(near=(("expressway", 1.0),))).empty
    both = find_sites(register, SiteQuery(near=(("seaport", 50.0), ("expressway", 50.0))))
    assert list(both["rank"]) == list(range(1, len(both) + 1))
    assert set(both["id"]) == {"p2", "p3"}


def test_zones_with_vacant_land(register):
    sites = find_sites(register, SiteQuery(target="zones", min_ha=1.0))
    row = sites.set_index("id").loc["kcn-alpha"]
    assert row["area_ha"] == 3.5 and row["basis"] == "plots"
    # kcn-beta has no plots and no stated industrial land: its vacant land is unknown
    assert "kcn-beta" not in set(sites["id"])


def test_provinces_and_kinds_narrow_the_search(register):
    assert find_sites(register, SiteQuery(provinces=("Quảng Ninh",))).empty
    assert find_sites(register, SiteQuery(kinds=("CCN",))).empty
    assert len(find_sites(register, SiteQuery(provinces=("Hải Phòng",), kinds=("KCN",)))) == 2


def test_a_point_without_geometry_never_breaks_the_search(register):
    plots = register.plots.copy()
    plots.loc[plots["id"] == "p3", "geometry"] = Point(106.76, 20.84)
    assert len(find_sites(register.with_plots(plots), SiteQuery())) == 2
