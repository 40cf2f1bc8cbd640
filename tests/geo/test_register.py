"""Sourced values: which one the register shows when sources differ, and ranges."""

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from geo.register import is_exact, ordered_values, read_source_dir
from geo.schema import pick_order
from geo.validate import validate
from tests.conftest import REGISTER_SRC


def _copy_src(tmp_path: Path) -> Path:
    dst = tmp_path / "src"
    shutil.copytree(REGISTER_SRC, dst)
    return dst


def _append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")


def test_higher_tier_wins_then_newer_and_both_are_kept(tmp_path):
    src = _copy_src(tmp_path)
    _append(src / "sources.csv",
            "press-2025,Báo thử,,Báo Thử,2025-07-20,press,https://example.vn/a,,,",
            "press-2024,Báo thử cũ,,Báo Thử,2024-01-02,press,https://example.vn/b,,,")
    # kcn-alpha has 100 ha from a legal document (2022); two press reports differ.
    _append(src / "zone_values.csv",
            "kcn-alpha,area_total_ha,120,,,press-2025,,2025-07-20,120 ha,,",
            "kcn-beta,area_total_ha,310,,,press-2024,,2024-01-02,310 ha,,",
            "kcn-beta,area_total_ha,320,,,press-2025,,2025-07-20,320 ha,,")
    reg = read_source_dir(src)
    zones = reg.zones.set_index("id")
    assert zones.loc["kcn-alpha", "area_total_ha"] == 100  # legal beats newer press
    # kcn-beta: the legal 300 ha still wins over both press values
    assert zones.loc["kcn-beta", "area_total_ha"] == 300
    rows = ordered_values(reg.zone_values, reg.sources)
    beta = rows[(rows.zone_id == "kcn-beta") & (rows.field == "area_total_ha")]
    assert list(beta.value) == ["300", "320", "310"]  # legal, then press newest first
    assert list(beta.chosen) == [True, False, False]
    assert validate(reg) == []


def test_newer_wins_within_a_tier():
    assert pick_order("press", "2025-07-20") < pick_order("press", "2024-12-31")
    assert pick_order("legal", "2010") < pick_order("press", "2025")
    assert pick_order(None, "2025") > pick_order("editors", "2001")


@pytest.mark.parametrize(("comparison", "exact"), [
    (None, True), ("", True), ("equal", True), ("about", True),
    ("range", False), ("above", False), ("at_least", False), ("below", False),
])
def test_only_a_single_stated_number_fills_the_zone_column(comparison, exact):
    assert is_exact(comparison) is exact


def test_a_range_is_kept_but_never_becomes_one_figure(tmp_path):
    src = _copy_src(tmp_path)
    _append(src / "zone_values.csv",
            "ccn-gamma,area_industrial_ha,120,123,range,test-doc,I,2022-04-07,120-123 ha,,")
    reg = read_source_dir(src)
    assert pd.isna(reg.zones.set_index("id").loc["ccn-gamma", "area_industrial_ha"])
    row = reg.zone_values[(reg.zone_values.zone_id == "ccn-gamma")
                          & (reg.zone_values.field == "area_industrial_ha")].iloc[0]
    assert (row.value, row.value_max, row.comparison) == ("120", "123", "range")


def test_validate_wants_a_tier_and_somewhere_to_read_each_source(fixture_register):
    sources = fixture_register.sources.copy()
    sources.loc[sources.source_id == "test-doc", ["tier", "doc_number", "file"]] = [None] * 3
    problems = [str(p) for p in validate(replace(fixture_register, sources=sources))]
    assert "sources test-doc: has no tier" in problems
    assert any(p.startswith("sources test-doc: says neither where to read it") for p in problems)
    sources.loc[sources.source_id == "test-doc", "tier"] = "blog"
    problems = [str(p) for p in validate(replace(fixture_register, sources=sources))]
    assert any("tier 'blog' is not one of" in p for p in problems)


def test_validate_checks_the_stated_number_of_child_kcn(fixture_register):
    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "kkt-test", "kcn_count"] = 1.0  # kcn-alpha and kcn-beta point at it
    problems = [str(p) for p in validate(replace(fixture_register, zones=zones))]
    assert "zones kkt-test: the register gives it 2 KCN, its source says 1" in problems


def test_validate_wants_value_max_for_a_range(fixture_register):
    values = pd.concat([fixture_register.zone_values, pd.DataFrame([{
        "zone_id": "kcn-alpha", "field": "leased_ha", "value": "50", "comparison": "range",
        "source_id": "test-doc", "as_of": "2022"}])], ignore_index=True)
    problems = [str(p) for p in validate(replace(fixture_register, zone_values=values))]
    assert "zone_values kcn-alpha.leased_ha: a range needs value_max >= value" in problems
