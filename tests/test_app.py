"""AppTest smoke tests: every page runs on the fixture register without an exception."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

XSS = "<img src=x onerror=alert(1)>"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(fixture_store, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))

    def make(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at
    return make


def _map_component(at: AppTest):
    (component,) = [c for c in at.main.get("bidi_component")
                    if c.proto.component_name == "kcn_atlas_map"]
    return component


def _map_data(at: AppTest) -> dict:
    return json.loads(_map_component(at).proto.json)


def _shown(data: dict, n: int) -> list[bool]:
    """Unpack the component's bitmap of shown rows (None means all)."""
    if data is None:
        return [True] * n
    raw = base64.b64decode(data)
    return [bool(raw[i // 8] >> (i % 8) & 1) for i in range(n)]


def test_map_page_runs_and_shows_the_zones_of_today(app, fixture_register):
    at = app()
    assert not at.exception
    data = _map_data(at)
    shown = _shown(data["shown_zones"], len(fixture_register.zones))
    ids = [z for z, s in zip(fixture_register.zones["id"], shown, strict=True) if s]
    assert ids == ["kcn-alpha", "kcn-beta", "kkt-test"]  # ccn-gamma is only planned
    assert "Đang hiển thị 3 khu" in at.caption[0].value
    assert data["features_url"].startswith("/api/v1/map/")


def test_map_assets_are_local(app):
    at = app()
    data = _map_data(at)
    for url in data["assets"].values():
        assert url.startswith("/app/static/vendor/")
    component = _map_component(at)
    assert "/app/static/map/kcn-map.js" in component.proto.js_content
    assert "http" not in component.proto.js_content.replace("window.location.href", "")


def test_search_selects_the_best_match(app):
    at = app()
    at.sidebar.text_input(key="q").input("dinh vu").run()
    assert at.session_state["zone"] == "kcn-alpha"
    assert at.query_params["zone"] == "kcn-alpha"
    assert any("Thông tin khu" in m.value for m in at.markdown)


def test_english_switch(app):
    at = app()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert "Showing 3 zones" in at.caption[0].value
    assert at.query_params["lang"] == "en"


def test_a_link_restores_the_state(app):
    at = app({"lang": "en", "zone": "kcn-beta", "period": "2030", "color": "occupancy"})
    assert not at.exception
    assert at.session_state["zone"] == "kcn-beta"
    assert at.sidebar.radio(key="w_period_en").value == "2030"
    assert "Showing 4 zones" in at.caption[0].value


def test_a_malformed_link_opens_and_says_what_was_ignored(app):
    at = app({"zone": "kcn-nowhere", "occ": "90-10", "lang": XSS, "bogus": "1"})
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    for name in ("bogus", "lang", "occ", "zone"):
        assert name in notes
    assert at.session_state["zone"] is None


def test_filters_change_what_is_drawn(app, fixture_register):
    at = app()
    at.sidebar.multiselect(key="w_kind_vi").set_value(["KKT"]).run()
    data = _map_data(at)
    shown = _shown(data["shown_zones"], len(fixture_register.zones))
    ids = [z for z, s in zip(fixture_register.zones["id"], shown, strict=True) if s]
    assert ids == ["kkt-test"]
    # The filter moves the map to what it shows.
    assert data["camera"]["fit"] is not None


def test_sources_page_runs(app):
    at = app(page="app_pages/sources.py")
    assert not at.exception
    assert any("Test resolution" in str(df.value.to_dict()) for df in at.dataframe)


def test_a_broken_store_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "broken.gpkg"
    bad.write_text("this is not a GeoPackage", encoding="utf-8")
    monkeypatch.setenv("KCN_ATLAS_STORE", str(bad))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    assert "Không đọc được dữ liệu" in at.error[0].value


def test_html_in_a_zone_name_shows_as_text(tmp_path, monkeypatch, fixture_register):
    from geo.store import GeoPackageStore

    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "kcn-alpha", "name_vi"] = XSS
    store = GeoPackageStore(tmp_path / "xss.gpkg")
    store.write(fixture_register.with_zones(zones))
    monkeypatch.setenv("KCN_ATLAS_STORE", str(store.path))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["zone"] = "kcn-alpha"
    at.run()
    assert not at.exception
    heading = [m.value for m in at.subheader]
    # Markdown-escaped: shown literally, never parsed as a tag.
    assert heading == [r"\<img src=x onerror=alert\(1\)\>"]
    # Names never travel in the component's data (the browser writes them as text).
    assert "<img" not in json.dumps(_map_data(at))


def test_data_page_runs(app):
    at = app(page="app_pages/data_page.py")
    assert not at.exception
    assert at.title[0].value == "Nhập dữ liệu"
    assert any("Chưa có lần nhập nào" in c.value for c in at.caption)

