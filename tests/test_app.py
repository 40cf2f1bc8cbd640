"""AppTest smoke tests: every page runs on the fixture register without an exception."""

from __future__ import annotations

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
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at
    return make


def _map_script(at: AppTest) -> str:
    (component,) = [e for e in at.main.get("component_instance")]
    return json.loads(component.proto.json_args)["script"]


def test_map_page_runs_and_draws_every_zone(app):
    at = app()
    assert not at.exception
    script = _map_script(at)
    for zid in ("kcn-alpha", "kcn-beta", "kkt-test", "road-dike"):
        assert f'"id":"{zid}"' in script
    assert "Đang hiển thị 3 khu" in at.caption[0].value  # ccn-gamma is only planned


def test_map_assets_are_local(app):
    at = app()
    (component,) = list(at.main.get("component_instance"))
    args = json.loads(component.proto.json_args)
    assert args["js_links"] == ["/app/static/vendor/leaflet.js"]
    assert args["css_links"] == ["/app/static/vendor/leaflet.css"]


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


def test_filters_change_what_is_drawn(app):
    at = app()
    at.sidebar.multiselect(key="w_kind_vi").set_value(["KKT"]).run()
    script = _map_script(at)
    assert '"id":"kkt-test"' in script and '"id":"kcn-alpha"' not in script


def test_sources_page_runs(app):
    at = app(page="app_pages/sources.py")
    assert not at.exception
    assert any("Test resolution" in str(df.value.to_dict()) for df in at.dataframe)


def test_a_broken_store_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "broken.gpkg"
    bad.write_text("this is not a GeoPackage", encoding="utf-8")
    monkeypatch.setenv("KCN_ATLAS_STORE", str(bad))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "Không đọc được dữ liệu" in at.error[0].value


def test_html_in_a_zone_name_shows_as_text(tmp_path, monkeypatch, fixture_register):
    from geo.store import GeoPackageStore

    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "kcn-alpha", "name_vi"] = XSS
    store = GeoPackageStore(tmp_path / "xss.gpkg")
    store.write(fixture_register.with_zones(zones))
    monkeypatch.setenv("KCN_ATLAS_STORE", str(store.path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["zone"] = "kcn-alpha"
    at.run()
    assert not at.exception
    heading = [m.value for m in at.subheader]
    # Markdown-escaped: shown literally, never parsed as a tag.
    assert heading == [r"\<img src=x onerror=alert\(1\)\>"]
    script = _map_script(at)
    assert "<img" not in script
    # Escaped as HTML for the tooltip, then made html-safe inside the script.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in script


def test_data_page_runs(app):
    at = app(page="app_pages/data_page.py")
    assert not at.exception
    assert at.title[0].value == "Nhập dữ liệu"
    assert any("Chưa có lần nhập nào" in c.value for c in at.caption)
