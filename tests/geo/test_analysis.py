"""Official counts beside the register: which zones a figure counts, which figure is shown."""

from dataclasses import replace

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.analysis import current_summary, figure_covers, present_by, province_summary


def _figure(**row):
    base = {"id": "f", "province": "Hải Phòng", "province_current": "Hải Phòng",
            "indicator": "planned_zone_count", "scope": "KCN", "label_vi": "x", "label_en": "x",
            "value": 1.0, "value_max": None, "unit": "zones", "period": "2030",
            "comparison": "equal", "quote": "1", "quote_ocr": None, "source_id": "test-doc",
            "source_section": None, "as_of": "2022-04-07"}
    return {**base, **row}


def _merged(reg):
    """The fixture with a zone and a figure of the former Hải Dương, now Hải Phòng."""
    zone = gpd.GeoDataFrame({"id": ["kcn-hd"], "kind": ["KCN"], "name_vi": ["KCN Hải Dương"],
                             "province": ["Hải Dương"], "province_current": ["Hải Phòng"],
                             "status": ["operating"], "geometry_quality": ["approximate"],
                             "source_id": ["test-press"], "as_of": ["2026-11-22"]},
                            geometry=[Point(106.33, 20.94)], crs="EPSG:4326")
    figures = pd.concat([reg.figures, pd.DataFrame([
        _figure(id="hd-count", province="Hải Dương", value=20.0, as_of="2025-07-20"),
        _figure(id="city-count", value=40.0, as_of="2025-07-20", source_id="test-press"),
        _figure(id="city-count-legal", value=38.0, as_of="2025-07-01"),
    ])], ignore_index=True)
    return replace(reg.with_zones(pd.concat([reg.zones, zone], ignore_index=True)),
                   figures=figures)


def test_a_figure_covers_its_former_province_or_the_merged_city(fixture_register):
    reg = _merged(fixture_register)
    figs = reg.figures.set_index("id", drop=False)
    assert figure_covers(reg, figs.loc["hd-count"]) == ("Hải Dương",)
    assert figure_covers(reg, figs.loc["city-count"]) == ("Hải Dương", "Hải Phòng")
    # Before the merger a figure about Hải Phòng counted old Hải Phòng only.
    assert figure_covers(reg, figs.loc["t-kcn-count"]) == ("Hải Phòng",)


def test_today_compares_the_picked_figure_with_every_former_province(fixture_register):
    reg = _merged(fixture_register)
    cur = current_summary(reg, "Hải Phòng")
    assert cur["former"] == ["Hải Dương", "Hải Phòng"]
    (planned,) = [c for c in cur["official_counts"] if c["indicator"] == "planned_zone_count"]
    # A legal source outranks the press, whatever the dates.
    assert (planned["figure"], planned["official_count"]) == ("city-count-legal", 38)
    assert planned["register_count"] == 3  # 2 KCN of old Hải Phòng and 1 of Hải Dương
    # The province as the sources name it keeps comparing with its own figures.
    (cov,) = province_summary(reg, "Hải Phòng")["coverage"]
    assert (cov["official_count_figure"], cov["register_count"]) == ("t-kcn-count", 2)
    (hd,) = province_summary(reg, "Hải Dương")["coverage"]
    assert (hd["official_count"], hd["register_count"]) == (20, 1)


def test_a_zone_of_unknown_status_shows_in_every_period(fixture_register):
    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "ccn-gamma", "status"] = "unknown"
    for period in ("now", "2025", "2030"):
        assert present_by(zones, period)[zones.id == "ccn-gamma"].all()


def test_an_area_given_only_as_a_range_is_counted_apart_from_the_known(fixture_register):
    from geo.analysis import completeness_shares

    zones = fixture_register.zones[fixture_register.zones["kind"] == "KCN"].copy()
    zones["area_total_ha"] = [120.0] + [None] * (len(zones) - 1)
    second = zones["id"].iloc[1]
    values = pd.DataFrame([
        {"zone_id": zones["id"].iloc[0], "field": "area_total_ha", "value": "120",
         "value_max": None, "comparison": None},
        {"zone_id": second, "field": "area_total_ha", "value": "150", "value_max": "180",
         "comparison": "range"},
    ])
    area = completeness_shares(zones, values)["area_total_ha"]
    assert (area["known"], area["range"], area["total"]) == (1, 1, len(zones))
    # Without the values the counts stay as they were, with no "range".
    assert "range" not in completeness_shares(zones)["area_total_ha"]
    assert "range" not in completeness_shares(zones, values)["status"]
