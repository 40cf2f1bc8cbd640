from dataclasses import replace

import pandas as pd
import pytest
from shapely import wkt
from shapely.geometry import Point, box

from geo.validate import validate


def test_fixture_register_is_valid(fixture_register):
    assert validate(fixture_register) == []


def _edit_zone(reg, zone_id, **changes):
    zones = reg.zones.copy()
    row = zones.index[zones.id == zone_id][0]
    for column, value in changes.items():
        if column == "geometry":
            zones.loc[row, "geometry"] = value
        else:
            zones[column] = zones[column].astype(object)
            zones.at[row, column] = value
    return replace(reg, zones=zones)


@pytest.mark.parametrize(
    ("zone_id", "changes", "expected"),
    [
        ("kcn-beta", {"id": "kcn-alpha"}, "zones kcn-alpha: id is not unique"),
        ("kcn-alpha", {"source_id": "nowhere"}, "cites unknown source 'nowhere'"),
        ("kcn-alpha", {"source_id": None}, "zones kcn-alpha: has no source"),
        ("kcn-alpha", {"as_of": None}, "zones kcn-alpha: has no as-of date"),
        ("kcn-alpha", {"status": "closed"}, "status 'closed' is not one of"),
        ("kcn-alpha", {"kind": "SEZ"}, "kind 'SEZ' is not one of"),
        ("kcn-alpha", {"occupancy_pct": 150.0}, "occupancy 150.0% is outside 0–100"),
        ("kcn-alpha", {"leased_ha": 90.0}, "leased area exceeds the industrial land"),
        ("kcn-alpha", {"area_total_ha": -3.0}, "area_total_ha must be positive"),
        ("kcn-beta", {"geometry": Point(20.8, 106.78)}, "kcn-beta: geometry lies outside Vietnam"),
        ("kcn-alpha", {"geometry": box(107.5, 21.0, 107.6, 21.1)},
         "kcn-alpha: lies outside its parent kkt-test"),
        ("kcn-beta", {"parent_id": "kkt-missing"}, "parent 'kkt-missing' does not exist"),
        ("kcn-beta", {"parent_id": "ccn-gamma"}, "parent 'ccn-gamma' is not a KKT"),
        ("kcn-beta", {"geometry": None}, "kcn-beta: has no geometry"),
        ("kcn-beta", {"name_vi": None}, "zones kcn-beta: name_vi is missing"),
    ],
)
def test_broken_register_is_reported(fixture_register, zone_id, changes, expected):
    problems = [str(p) for p in validate(_edit_zone(fixture_register, zone_id, **changes))]
    assert any(expected in p for p in problems), problems


def test_approximate_child_outside_parent_is_not_reported(fixture_register):
    # Only surveyed boundaries can prove a child lies outside its parent.
    reg = _edit_zone(fixture_register, "kcn-beta", geometry=Point(107.5, 21.0))
    assert validate(reg) == []


def test_invalid_geometry_and_bad_links(fixture_register):
    bow = wkt.loads("POLYGON ((106.7 20.8, 106.8 20.9, 106.8 20.8, 106.7 20.9, 106.7 20.8))")
    reg = _edit_zone(fixture_register, "kcn-beta", geometry=bow)
    projects = reg.projects.copy()
    projects.loc[projects.id == "road-dike", "serves"] = "kcn-alpha;kcn-ghost"
    values = pd.concat([reg.zone_values, pd.DataFrame([{
        "zone_id": "kcn-ghost", "field": "status", "value": "planned",
        "source_id": "test-doc", "source_section": "I", "as_of": "2022-04-07", "quote": None,
    }])], ignore_index=True)
    problems = [str(p) for p in validate(replace(reg, projects=projects, zone_values=values))]
    assert "zones kcn-beta: geometry is not valid" in problems
    assert "projects road-dike: serves unknown zone 'kcn-ghost'" in problems
    assert "zone_values kcn-ghost.status: belongs to no zone" in problems


def _with_value(reg, **row):
    full = {"zone_id": None, "field": None, "value": None, "value_max": None,
            "comparison": None, "source_id": "test-doc", "source_section": "I",
            "as_of": "2022-04-07", "quote": "quoted", "quote_ocr": None, "note": None, **row}
    return replace(reg, zone_values=pd.concat([reg.zone_values, pd.DataFrame([full])],
                                              ignore_index=True))


@pytest.mark.parametrize(
    ("zone_id", "changes", "expected"),
    [
        # a district or a parent link written into the zone with no row of its own
        ("kcn-beta", {"district": "An Dương"},
         "zones kcn-beta: district 'An Dương' has no source: add a zone_values row"),
        ("ccn-gamma", {"parent_id": "kkt-test"},
         "zones ccn-gamma: parent_id 'kkt-test' has no source"),
        ("kcn-alpha", {"area_total_ha": 120.0},
         "zones kcn-alpha: area_total_ha 120.0 differs from its sourced value '100'"),
        ("kcn-beta", {"source_id": "test-editors"},
         "zones kcn-beta: rests on 'test-editors', the editors' own knowledge"),
        ("kcn-beta", {"geometry_source_id": "nowhere"},
         "zones kcn-beta: geometry cites unknown source 'nowhere'"),
    ],
)
def test_every_zone_value_has_its_own_source(fixture_register, zone_id, changes, expected):
    problems = [str(p) for p in validate(_edit_zone(fixture_register, zone_id, **changes))]
    assert any(expected in p for p in problems), problems


def test_a_value_citing_the_editors_is_reported(fixture_register):
    reg = _with_value(fixture_register, zone_id="kcn-beta", field="district", value="Hải An",
                      source_id="test-editors", source_section=None, as_of="2026-11-22")
    reg = _edit_zone(reg, "kcn-beta", district="Hải An")
    problems = [str(p) for p in validate(reg)]
    assert "zone_values kcn-beta.district: cites 'test-editors', the editors' own placement: " \
           "editors may place a zone (geometry_source_id) but never source a value" in problems


def test_a_missing_status_is_unknown_not_a_problem(fixture_register):
    values = fixture_register.zone_values
    values = values[~((values.zone_id == "ccn-gamma") & (values.field == "status"))]
    assert validate(_edit_zone(replace(fixture_register, zone_values=values), "ccn-gamma",
                               status=None)) == []


def test_a_kkt_holds_no_more_kcn_than_its_source_states(fixture_register):
    reg = _with_value(fixture_register, zone_id="kkt-test", field="kcn_count", value="1")
    reg = _edit_zone(reg, "kkt-test", kcn_count=1.0)
    problems = [str(p) for p in validate(reg)]
    assert "zones kkt-test: the register gives it 2 KCN, its source says 1" in problems
    # A CCN inside the KKT is not one of its KCN.
    reg = _with_value(fixture_register, zone_id="kkt-test", field="kcn_count", value="2")
    reg = _with_value(reg, zone_id="ccn-gamma", field="parent_id", value="kkt-test")
    reg = _edit_zone(_edit_zone(reg, "kkt-test", kcn_count=2.0), "ccn-gamma",
                     parent_id="kkt-test")
    assert validate(reg) == []


def test_values_an_import_wrote_rest_on_the_import(fixture_register):
    sources = pd.concat([fixture_register.sources, pd.DataFrame([{
        "source_id": "import-ban-do-zip-20261122T093000", "document": "ban-do.zip",
        "issuer": "planner", "date": "2026-11-22", "tier": "official", "file": "ban-do.zip"}])],
        ignore_index=True)
    reg = _edit_zone(replace(fixture_register, sources=sources), "kcn-beta",
                     source_id="import-ban-do-zip-20261122T093000", district="An Dương",
                     area_total_ha=310.0)
    assert validate(reg) == []
