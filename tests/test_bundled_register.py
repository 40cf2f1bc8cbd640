"""The bundled register: it builds reproducibly, validates, and states the sources exactly."""

from __future__ import annotations

import hashlib
import json

import pytest

from geo.cli import main
from geo.register import read_source_dir
from geo.store import build
from geo.validate import validate

# Hải Phòng figures as resolution 06-NQ/TU (07/04/2022) states them:
# (indicator, scope, period, value, value_max, comparison, section)
HP_06_NQ_TU = [
    ("planned_zone_count", "KCN", "2008-2020", 25, None, "equal", "I"),
    ("planned_area_ha", "KCN", "2008-2020", 12702, None, "equal", "I"),
    ("planned_zone_count", "CCN", "2008-2020", 26, None, "equal", "I"),
    ("planned_area_ha", "CCN", "2008-2020", 1079.92, None, "equal", "I"),
    ("planned_area_ha", "KCN+CCN", "2008-2020", 13781, None, "about", "I"),
    ("planned_area_ha", "KKT", "2008-2020", 22540, None, "equal", "I"),
    ("kcn_in_kkt_count", "KCN", "2008-2020", 8, None, "equal", "I"),
    ("operating_zone_count", "KCN", "2022", 12, None, "equal", "I"),
    ("operating_zone_count", "CCN", "2022", 5, None, "equal", "I"),
    ("fdi_projects", "KCN", "2022", 422, None, "equal", "I"),
    ("fdi_capital_musd", "KCN", "2022", 21328.59, None, "equal", "I"),
    ("domestic_projects", "KCN", "2022", 186, None, "equal", "I"),
    ("domestic_capital_bvnd", "KCN", "2022", 281327, None, "equal", "I"),
    ("investment_capital_bvnd", "CCN", "2022", 7158.84, None, "equal", "I"),
    ("workers", "KCN+CCN", "2022", 204500, None, "about", "I"),
    ("ready_land_ha", "KCN+CCN", "2022", 187.9, None, "equal", "I"),
    ("occupancy_pct", "KCN", "2022", 63, None, "about", "I"),
    ("target_zone_count", "KCN", "2025", 15, None, "equal", "II.2.2"),
    ("target_area_ha", "KCN", "2025", 6418, None, "equal", "II.2.2"),
    ("target_zone_count", "CCN", "2025", 23, None, "equal", "II.2.2"),
    ("target_area_ha", "CCN", "2025", 973, None, "equal", "II.2.2"),
    ("occupancy_pct", "KCN", "2025", 70, None, "above", "II.2.2"),
    ("occupancy_pct", "CCN", "2025", 80, None, "above", "II.2.2"),
    ("eco_park_conversions", "KCN", "2025", 2, 3, "range", "II.2.2"),
    ("fdi_capital_busd", "KKT+KCN", "2025", 12.5, 15, "range", "II.2.2"),
    ("additional_area_ha", "KCN", "2030", 1433, None, "about", "II.2.2"),
    ("additional_area_ha", "CCN", "2030", 400, None, "about", "II.2.2"),
    ("fdi_capital_busd", "KKT+KCN", "2030", 15, None, "equal", "II.2.2"),
]


@pytest.fixture(scope="module")
def bundled():
    return read_source_dir()


def test_bundled_register_is_valid(bundled):
    assert validate(bundled) == []


def test_bundled_build_is_reproducible(tmp_path):
    digests = {hashlib.sha256(build(tmp_path / f"{i}.gpkg").path.read_bytes()).hexdigest()
               for i in range(2)}
    assert len(digests) == 1


def test_summary_states_hai_phong_figures_as_the_resolution_does(tmp_path, capsys):
    store = build(tmp_path / "atlas.gpkg")
    assert main(["--store", str(store.path), "summary", "--province", "Hải Phòng", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # Today's Hải Phòng holds the former Hải Dương: both come back, each as the sources name it.
    assert [p["province"] for p in doc["provinces"]] == ["Hải Dương", "Hải Phòng"]
    hp = doc["provinces"][1]
    figures = [f for f in hp["official_figures"]
               if f["citation"]["source_id"] == "hp-06-nq-tu-2022"]
    found = {(f["indicator"], f["scope"], f["period"]): f for f in figures}
    for indicator, scope, period, value, value_max, comparison, section in HP_06_NQ_TU:
        fig = found[(indicator, scope, period)]
        assert (fig["value"], fig["value_max"], fig["comparison"]) == (value, value_max, comparison)
        assert fig["citation"]["section"] == section
        assert "06-NQ/TU" in fig["citation"]["document"]
        assert fig["citation"]["date"] == "2022-04-07"
        assert fig["quote"]

    # The register's own counts, computed independently of geo.analysis.
    zones = read_source_dir().zones
    hp_zones = zones[zones.province == "Hải Phòng"]
    kcn = hp["register"]["by_kind"]["KCN"]
    assert kcn["count"] == int((hp_zones.kind == "KCN").sum())
    cov = {c["kind"]: c for c in hp["coverage"]}
    assert (cov["KCN"]["official_count"], cov["KCN"]["official_area_ha"]) == (25, 12702)
    assert cov["KCN"]["register_count"] == kcn["count"]
    assert (cov["CCN"]["official_count"], cov["CCN"]["official_area_ha"]) == (26, 1079.92)
    assert cov["CCN"]["register_count"] == int((hp_zones.kind == "CCN").sum())


def test_summary_compares_each_province_of_today_with_its_official_counts(tmp_path, capsys):
    store = build(tmp_path / "atlas.gpkg")
    assert main(["--store", str(store.path), "summary", "--json"]) == 0
    current = {c["province_current"]: c for c in json.loads(capsys.readouterr().out)["current"]}
    assert set(current) == {"Hải Phòng", "Quảng Ninh", "Thái Nguyên"}
    zones = read_source_dir().zones
    hp = current["Hải Phòng"]
    assert hp["former"] == ["Hải Dương", "Hải Phòng"]
    counts = {(c["kind"], c["indicator"]): c for c in hp["official_counts"]}
    # Báo Hải Phòng, 20/07/2025: the merged city has 40 KCN (about 11,208 ha) and 79 CCN.
    kcn = counts[("KCN", "established_zone_count")]
    assert (kcn["official_count"], kcn["official_area_ha"], kcn["area_comparison"]) == (
        40, 11208, "about")
    assert kcn["citation"]["source_id"] == "baohaiphong-2025-07-20-8-kcn"
    assert counts[("CCN", "established_zone_count")]["official_count"] == 79
    planned = counts[("KCN", "planned_zone_count")]
    in_city = zones[zones.province_current == "Hải Phòng"]
    assert planned["register_count"] == int((in_city.kind == "KCN").sum())
    qn = {(c["kind"], c["indicator"]): c for c in current["Quảng Ninh"]["official_counts"]}
    assert qn[("KCN", "planned_zone_count")]["official_count"] == 23
    assert current["Quảng Ninh"]["held"]["study_area"] == 9
    # Completeness counts what the register holds, kind by kind.
    share = hp["completeness"]["KCN"]["area_total_ha"]
    assert (share["known"], share["total"]) == (
        int(in_city[in_city.kind == "KCN"].area_total_ha.notna().sum()),
        int((in_city.kind == "KCN").sum()))


def test_every_approximate_location_is_flagged(bundled):
    editors = bundled.zones[bundled.zones.source_id == "atlas-editors"]
    assert editors.empty  # no zone rests on the editors' knowledge alone
    # No surveyed boundary is claimed without a boundary file behind it.
    assert set(bundled.zones.geometry_quality) <= {"approximate", "digitised", "surveyed"}
    assert (bundled.zones.geometry.geom_type == "Point").sum() == \
        (bundled.zones.geometry_quality == "approximate").sum()


def test_no_per_zone_value_without_a_quote(bundled):
    values = bundled.zone_values
    assert values.quote.notna().all()
    tiers = dict(zip(bundled.sources.source_id, bundled.sources.tier, strict=True))
    assert {tiers[s] for s in values.source_id} <= {"legal", "official", "press", "developer"}
