"""The dashboard's figures for Hải Phòng, checked against the source CSVs read independently."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis import occupancy_weighted
from geo.i18n import number
from geo.register import read_source_dir
from geo.store import build

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "data" / "src"


def _rows(name: str) -> list[dict[str, str]]:
    with (SRC / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store = build(tmp_path_factory.mktemp("dash") / "atlas.gpkg")
    mp = pytest.MonkeyPatch()
    mp.setenv("KCN_ATLAS_STORE", str(store.path))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("app_pages/dashboard.py").run()
    at.selectbox(key="dash_prov").set_value("Hải Phòng").run()
    yield at
    mp.undo()


def test_dashboard_runs_for_every_province(dashboard):
    assert not dashboard.exception
    for province in ("Quảng Ninh", "Bắc Kạn", None):
        dashboard.selectbox(key="dash_prov").set_value(province).run()
        assert not dashboard.exception
    dashboard.selectbox(key="dash_prov").set_value("Hải Phòng").run()


def test_coverage_against_the_resolution(dashboard):
    zones = [z for z in _rows("zones.csv") if z["province"] == "Hải Phòng"]
    figures = {(f["indicator"], f["scope"]): f for f in _rows("figures.csv")
               if f["province"] == "Hải Phòng" and f["period"] == "2008-2020"}
    kcn = sum(z["kind"] == "KCN" for z in zones)
    ccn = sum(z["kind"] == "CCN" for z in zones)
    official_kcn = int(float(figures[("planned_zone_count", "KCN")]["value"]))
    official_ccn = int(float(figures[("planned_zone_count", "CCN")]["value"]))
    assert (official_kcn, official_ccn) == (25, 26)
    text = " ".join(str(getattr(e, "label", "")) or str(getattr(e, "value", ""))
                    for e in dashboard.main.get("page_link"))
    text += " ".join(m.value for m in dashboard.markdown).replace("\\", "")
    assert f"KCN: dữ liệu có {kcn} trên {official_kcn} khu quy hoạch" in text
    assert f"CCN: dữ liệu có {ccn} trên {official_ccn} khu quy hoạch" in text
    assert "trên 12.702 ha" in text and "trên 1.079,92 ha" in text


def test_occupancy_official_average_and_targets(dashboard):
    metrics = {m.label: m.value for m in dashboard.metric}
    occ = [f for f in _rows("figures.csv") if f["province"] == "Hải Phòng"
           and f["indicator"] == "occupancy_pct"]
    average = next(f for f in occ if f["comparison"] == "about")
    assert metrics["Bình quân theo văn bản"] == f"{int(float(average['value']))}%" == "63%"
    targets = {f["scope"]: int(float(f["value"])) for f in occ if f["period"] == "2025"}
    assert metrics["Chỉ tiêu"] == f"CCN > {targets['CCN']}% · KCN > {targets['KCN']}%"
    # The register's own average weighs each zone with a sourced occupancy by its area.
    reg = read_source_dir()
    occ, n = occupancy_weighted(reg.zones[(reg.zones.province == "Hải Phòng")
                                          & (reg.zones.kind != "KKT")])
    shown = metrics["Bình quân theo diện tích (dữ liệu)"]
    assert shown == (f"{number(occ, 'vi', 1)}%" if n else "chưa rõ")


def test_today_the_merged_city_against_its_official_counts(dashboard):
    zones = [z for z in _rows("zones.csv") if z["province_current"] == "Hải Phòng"]
    figures = {f["id"]: f for f in _rows("figures.csv")}
    planned = figures["hp-2026-01-kcn-planned-count"]
    assert (planned["province"], planned["province_current"]) == ("Hải Phòng", "Hải Phòng")
    kcn = sum(z["kind"] == "KCN" for z in zones)
    text = " ".join(str(getattr(e, "label", "")) for e in dashboard.main.get("page_link"))
    text = text.replace("\\", "")
    assert f"KCN: dữ liệu có {kcn} trên {int(float(planned['value']))} khu theo quy hoạch" \
        in text
    assert "trên 40 khu đã thành lập" in text and "trên 79 khu đã thành lập" in text
    headings = [h.value for h in dashboard.subheader]
    assert "Hải Phòng hiện nay: dữ liệu so với số khu chính thức" in headings
    captions = " ".join(c.value for c in dashboard.caption)
    assert "Hải Dương, Hải Phòng" in captions


def test_every_official_figure_is_listed_with_its_source(dashboard):
    expected = [f for f in _rows("figures.csv") if f["province"] == "Hải Phòng"]
    table = dashboard.dataframe[-1].value
    assert len(table) == len(expected)
    assert table["Nguồn"].str.contains("06-NQ/TU").sum() == sum(
        f["source_id"] == "hp-06-nq-tu-2022" for f in expected)


def test_zones_without_infrastructure(dashboard):
    zones = {z["id"] for z in _rows("zones.csv") if z["province"] == "Hải Phòng"}
    served = {s for p in _rows("projects.csv") for s in p["serves"].split(";") if s}
    text = " ".join(m.value for m in dashboard.markdown)
    assert f"{len(zones - served)} khu chưa có công trình hạ tầng liên kết" in text
