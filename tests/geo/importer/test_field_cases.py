"""The field cases of tests/fixtures/import_cases (see its README), through `kcn-atlas import
--dry-run --json`, each with the result the README states, centroids included."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from geo.cli import main

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "import_cases"


def _metres(a, b) -> float:
    dy = (a[1] - b[1]) * 111_320
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, dy)


@pytest.fixture
def run(capsys, fixture_store):
    def run(name: str, *extra: str) -> dict:
        code = main(["--store", str(fixture_store.path), "import", str(CASES / name),
                     "--dry-run", "--json", *extra])
        doc = json.loads(capsys.readouterr().out)
        assert code == 0, doc["errors"]
        assert doc["outcome"] in ("accept", "accept_with_warnings")
        return doc
    return run


def _by_name(doc: dict) -> dict[str, dict]:
    return {z["name"]: z for z in doc["zones"]}


def test_c07b_a_cpg_that_says_1258_over_utf8_text(run):
    doc = run("c07b_cpg_says_1258_dbf_is_utf8.zip")
    assert sorted(doc["names"]) == ["KCN Nam Cầu Kiền", "KCN Đình Vũ"]
    assert any(".cpg" in w and "UTF-8" in w for w in doc["warnings"])
    assert sorted(z["id"] for z in doc["zones"]) == ["kcn-alpha", "kcn-nam-cau-kien"]


def test_c08b_and_c09_a_mapinfo_datum_lands_where_the_towgs84_one_does(run):
    ref = run("c08b_prj_utm48n_old_qgis_towgs84.zip")
    doc = run("c09_mapinfo_tab_to_shp_vn2000_utm48.zip")
    assert ref["crs"] == doc["crs"] == "EPSG:3405 (VN-2000 / UTM zone 48N)"
    want, got = _by_name(ref), _by_name(doc)
    assert sorted(got) == ["KCN Tràng Duệ", "KCN Đình Vũ"]
    for name, zone in got.items():
        assert _metres(zone["centroid"], want[name]["centroid"]) < 1.0
        assert zone["measured_area_ha"] == pytest.approx(50.0, abs=0.01)
        assert want[name]["measured_area_ha"] == pytest.approx(50.0, abs=0.01)


def test_c14_a_title_and_a_two_row_merged_header(run):
    zones = _by_name(run("c14_xlsx_two_row_merged_header.xlsx"))
    assert sorted(zones) == ["KCN Tràng Duệ", "KCN Đình Vũ"]
    assert zones["KCN Đình Vũ"]["declared_area_ha"] == 1079.92
    assert zones["KCN Tràng Duệ"]["declared_area_ha"] == 687
    assert {z["geometry_type"] for z in zones.values()} == {"Point"}
    assert zones["KCN Đình Vũ"]["centroid"] == [106.77, 20.85]
    assert zones["KCN Tràng Duệ"]["centroid"] == [106.54, 20.77]


def test_c15_degrees_minutes_seconds_with_vietnamese_letters(run):
    zones = _by_name(run("c15_csv_dms_vietnamese_hemisphere_letters.csv"))
    assert _metres(zones["KCN Đình Vũ"]["centroid"], (106.77, 20.85)) < 5
    assert _metres(zones["KCN Tràng Duệ"]["centroid"], (106.540139, 20.770139)) < 5
    assert zones["KCN Tràng Duệ"]["centroid"] == [106.540139, 20.770139]


def test_c02_google_my_maps_folders_and_a_hole(run):
    doc = run("c02_google_my_maps_folders_hole.kml")
    zones = _by_name(doc)
    extension, cluster = zones["KCN Tràng Duệ mở rộng"], zones["Cụm công nghiệp Tân Liên"]
    assert extension["status"] == "under_construction" and extension["declared_area_ha"] == 80
    assert extension["measured_area_ha"] == pytest.approx(80, abs=0.5)  # the hole is not land
    assert (cluster["status"], cluster["kind"]) == ("planned", "CCN")
    assert cluster["declared_area_ha"] == 20
    assert cluster["measured_area_ha"] == pytest.approx(20, abs=0.5)
    assert {m["column"] for m in doc["mapping"]} >= {"Diện tích", "Trạng thái"}
    assert doc["outcome"] == "accept", doc["warnings"]  # description and styles are quiet


def test_c18_a_summary_sheet_and_a_detail_sheet(run):
    doc = run("c18_xlsx_summary_and_detail_sheets.xlsx")
    assert len(doc["zones"]) == 2 and doc["features"] == 2
    assert doc["total_area_ha"] == pytest.approx(458.5)
    assert not any(z["id"].endswith("-2") for z in doc["zones"])
    assert "Tổng cộng" not in doc["names"]
    assert any("Tổng cộng" in n and "total" in n for n in doc["notes"])


@pytest.fixture(scope="module")
def bundled_gpkg(tmp_path_factory) -> Path:
    """The bundled register, built once for this module."""
    from geo.store import build

    path = tmp_path_factory.mktemp("bundled") / "atlas.gpkg"
    build(path)
    return path


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.suffix != ".md"))
@pytest.mark.parametrize("register", ["fixture", "bundled"])
def test_a_clean_import_of_each_case_keeps_the_register_valid(
        capsys, tmp_path, fixture_store, bundled_gpkg, case, register, monkeypatch):
    import shutil

    from geo.store import open_store
    from tests.conftest import TEAM_PASSWORD, add_team

    monkeypatch.setenv("KCN_ATLAS_USER", "planner")
    monkeypatch.setenv("KCN_ATLAS_PASSWORD", TEAM_PASSWORD)
    store = str(fixture_store.path)
    if register == "bundled":
        store = str(tmp_path / "bundled.gpkg")
        shutil.copyfile(bundled_gpkg, store)
        add_team(open_store(store))
    before = open_store(store).read()
    code = main(["--store", store, "import", str(CASES / case), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["merge"]["problems"] == [], doc["merge"]
    assert main(["--store", store, "validate"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    if doc["merge"]["written"]:
        assert main(["--store", store, "undo-import"]) == 0
        assert open_store(store).read().zones.equals(before.zones)
