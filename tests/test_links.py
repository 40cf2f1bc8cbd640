"""Links the map page cannot apply as written: every dropped or cut parameter is named.

Also long names end to end: a zone named with 5,000 characters, imported from a file,
gets an id a link can hold and opens by link.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from geo.cli import main
from geo.store import build
from geo.text import SLUG_MAX
from geo.validate import validate
from tests.conftest import TEAM_PASSWORD, add_team

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    return build(tmp_path_factory.mktemp("links") / "atlas.gpkg")


def _map(store, monkeypatch, **query: str) -> AppTest:
    monkeypatch.setenv("KCN_ATLAS_STORE", str(store.path))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def _notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value.startswith("Liên kết")]


def test_todays_province_name_is_kept_and_filters(bundled, monkeypatch):
    at = _map(bundled, monkeypatch, prov="Thái Nguyên", period="2030")
    assert _notices(at) == []
    assert at.session_state["prov"] == ["Thái Nguyên"]
    assert at.query_params["prov"] in ("Thái Nguyên", ["Thái Nguyên"])
    zones = bundled.read().zones
    n = int((zones["province_current"] == "Thái Nguyên").sum())
    assert f"Đang hiển thị {n} khu" in at.caption[0].value


def test_an_area_range_beyond_the_register_is_named_not_applied_quietly(bundled, monkeypatch):
    at = _map(bundled, monkeypatch, area="1e308-1e308")
    assert _notices(at) == ["Liên kết có tham số không hợp lệ, đã bỏ qua: area"]
    assert "area" not in at.query_params
    at = _map(bundled, monkeypatch, area="100-1e308", q="x" * 300)
    assert _notices(at) == ["Liên kết có tham số vượt giới hạn, đã điều chỉnh: area, q"]


def test_a_5000_character_name_opens_by_link(tmp_path, monkeypatch,
                                                                     capsys):
    name = ("KCN " + "Đình Vũ mở rộng " * 313)[:5000].strip()
    assert len(name) >= 4999
    path = tmp_path / "dai.geojson"
    gpd.GeoDataFrame({"ten_khu": [name], "loai": ["KCN"], "trang_thai": ["planned"]},
                     geometry=[box(106.60, 20.80, 106.62, 20.82)], crs="EPSG:4326").to_file(path)
    store = add_team(build(tmp_path / "atlas.gpkg"))
    monkeypatch.setenv("KCN_ATLAS_USER", "planner")
    monkeypatch.setenv("KCN_ATLAS_PASSWORD", TEAM_PASSWORD)
    assert main(["--store", str(store.path), "import", str(path), "--json"]) == 0
    (zid,) = json.loads(capsys.readouterr().out)["merge"]["added"]
    assert len(zid) <= SLUG_MAX
    reg = store.read()
    assert reg.zones.set_index("id").loc[zid, "name_vi"] == name  # the name is whole
    assert validate(reg) == []
    at = _map(store, monkeypatch, zone=zid, period="2030")  # planned: shown by 2030
    assert _notices(at) == []
    assert at.session_state["zone"] == zid
    assert len(at.subheader) == 1 and "Đình Vũ mở rộng" in at.subheader[0].value
