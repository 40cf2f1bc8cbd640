"""AppTest of editing on the pages: who sees which controls, and saves through geo.edit.

AppTest cannot drive the map component (the browser tests draw); it sees the
tabs, widgets and the component's data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.edit import Citation, record_version, set_zone_values
from geo.validate import validate
from tests.conftest import actor

ROOT = Path(__file__).resolve().parent.parent
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def app(fixture_store, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))

    def make(who: str | None = None, zone: str = "kcn-alpha", page: str | None = None):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.query_params["zone"] = zone
        if who is not None:
            at.session_state["actor"] = actor(who)
        at.run()
        if page is not None:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at
    return make


def _map_data(at: AppTest) -> dict:
    (component,) = [c for c in at.main.get("bidi_component")
                    if c.proto.component_name == "kcn_atlas_map"]
    return json.loads(component.proto.json)


def _tabs(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_a_signed_out_visitor_sees_details_and_history_but_no_edit_control(app):
    at = app()
    assert _tabs(at) == ["Thông tin", "Lịch sử"]
    assert not [b for b in at.button if b.key in ("add_zone",) or str(b.key).startswith(
        ("draw_", "delete_", "edit_"))]
    assert _map_data(at)["edit"] is None
    assert any(e.label == "Biên tập viên: đăng nhập" for e in at.expander)


def test_an_editor_gets_the_edit_tab_and_a_save_needs_a_source(app, fixture_store):
    at = app("lan")
    assert _tabs(at) == ["Thông tin", "Lịch sử", "Sửa"]
    assert any("Đã đăng nhập: lan (biên tập viên)" in c.value for c in at.sidebar.caption)
    at.text_input(key="edit_kcn-alpha_area_total_ha").set_value("125").run()
    save = at.button(key="edit_kcn-alpha_save")
    assert save.disabled  # no source, no save
    assert any("không có nguồn thì không lưu" in w.value for w in at.warning)
    at.selectbox(key="edit_kcn-alpha_cite_source").set_value("test-doc").run()
    at.button(key="edit_kcn-alpha_save").click().run()
    assert not at.exception
    reg = fixture_store.read()
    assert reg.zones.set_index("id").loc["kcn-alpha", "area_total_ha"] == 125
    assert reg.history.iloc[-1]["who"] == "lan"
    assert validate(reg) == []
    assert not any(b.key == "delete_kcn-alpha" for b in at.button)  # admins only


def test_a_stale_editor_is_refused_and_keeps_the_typed_value(app, fixture_store):
    at = app("lan")
    at.text_input(key="edit_kcn-alpha_area_total_ha").set_value("125").run()
    at.selectbox(key="edit_kcn-alpha_cite_source").set_value("test-doc").run()
    set_zone_values(fixture_store, actor("minh"), "kcn-alpha", {"area_total_ha": 111},
                    Citation(source_id="test-doc", as_of="2026-11-02"))
    at.button(key="edit_kcn-alpha_save").click().run()
    assert any("người khác vừa sửa khu này" in e.value for e in at.error)
    assert any("minh lúc" in m.value for m in at.markdown)
    assert at.text_input(key="edit_kcn-alpha_area_total_ha").value == "125"
    assert fixture_store.read().zones.set_index("id").loc["kcn-alpha", "area_total_ha"] == 111
    at.button(key="edit_kcn-alpha_reload").click().run()
    assert at.text_input(key="edit_kcn-alpha_area_total_ha").value == "111"


def test_drawing_asks_the_map_and_the_drawn_shape_is_measured_and_saved(app, fixture_store):
    at = app("lan", zone="kcn-beta")
    at.button(key="draw_zones_kcn-beta").click().run()
    edit = _map_data(at)["edit"]
    assert (edit["kind"], edit["id"], edit["shape"]) == ("zones", "kcn-beta", "Polygon")
    assert "geometry" not in edit  # a point: drawn anew, not edited
    # What the component sends back when the editor presses Finish.
    square = {"type": "Polygon", "coordinates": [[[106.78, 20.82], [106.79, 20.82],
                                                  [106.79, 20.83], [106.78, 20.83],
                                                  [106.78, 20.82]]]}
    at.session_state["_drawn"] = {"kind": "zones", "id": "kcn-beta", "geometry": square}
    at.session_state["_edit"] = None
    at.run()
    assert _map_data(at)["drawn"] == {"geometry": square}
    assert any("Diện tích đo được (VN-2000)" in i.value for i in at.info)
    at.radio(key="draw_from_kcn-beta").set_value("survey").run()
    at.button(key="draw_save_kcn-beta").click().run()
    zone = fixture_store.read().zones.set_index("id").loc["kcn-beta"]
    assert zone.geometry_quality == "digitised" and zone.geometry.geom_type == "Polygon"
    assert validate(fixture_store.read()) == []


def test_an_admin_deletes_with_confirmation(app, fixture_store):
    at = app("admin", zone="kcn-beta")
    assert at.button(key="delete_kcn-beta").disabled
    at.checkbox(key="delete_sure_kcn-beta").check().run()
    at.button(key="delete_kcn-beta").click().run()
    assert "kcn-beta" not in set(fixture_store.read().zones["id"])
    assert validate(fixture_store.read()) == []


def test_history_tab_and_recent_changes_escape_what_editors_typed(app, fixture_store):
    version = record_version(fixture_store.read(), "zones", "kcn-alpha")
    set_zone_values(fixture_store, actor("lan"), "kcn-alpha", {"developer": XSS},
                    Citation(source_id="test-doc", as_of="2026-11-02"), expect=version)
    at = app()
    html = "".join(h.proto.body for h in at.get("html"))
    assert "kcn-history" in html and XSS not in html and "&lt;img" in html
    at = app("admin", page="app_pages/data_page.py")
    html = "".join(h.proto.body for h in at.get("html"))
    assert "Thay đổi gần đây của nhóm" in "".join(s.value for s in at.subheader)
    assert "kcn-alpha" in html and XSS not in html
    # An admin may revert it from there.
    at.button(key="revert_recent").click().run()
    assert fixture_store.read().zones.set_index("id").loc["kcn-alpha", "developer"] is None
    assert validate(fixture_store.read()) == []


def test_a_signed_in_account_removed_meanwhile_is_signed_out(app, fixture_store):
    from geo.edit import manage_users

    at = app("lan")
    manage_users(fixture_store, actor("admin"), "remove", "lan")
    at.run()
    assert "actor" not in at.session_state
    assert _tabs(at) == ["Thông tin", "Lịch sử"]


def test_an_editor_edits_a_project_and_the_zones_it_serves(fixture_store, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))
    pid = fixture_store.read().projects["id"].iloc[0]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["project"] = pid
    at.session_state["actor"] = actor("lan")
    at.run()
    assert not at.exception, at.exception
    assert _tabs(at) == ["Thông tin", "Lịch sử", "Sửa"]
    at.multiselect(key=f"edit_{pid}_serves").set_value(["kcn-beta"]).run()
    at.selectbox(key=f"edit_{pid}_cite_source").set_value("test-doc").run()
    at.button(key=f"edit_{pid}_save").click().run()
    assert not at.exception, at.exception
    assert fixture_store.read().projects.set_index("id").loc[pid, "serves"] == "kcn-beta"
    at.button(key=f"draw_projects_{pid}").click().run()
    assert _map_data(at)["edit"]["shape"] == "Line"
    assert validate(fixture_store.read()) == []
