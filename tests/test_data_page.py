"""AppTest of the Data page: spooled upload, column mapping, plan, merge, release, and undo.

AppTest cannot upload a file, so each test puts a spooled upload in the session, as
the uploader does; the browser test drives the uploader itself.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from app_pages.common import md
from geo.importer.spool import spool
from geo.merge import apply_merge, imports, plan_merge
from geo.validate import validate
from tests.conftest import actor


def sign_in(at: AppTest, name: str) -> AppTest:
    """Sign the page's session in as a test account (as the sidebar's sign-in does)."""
    at.session_state["actor"] = actor(name)
    return at.run()

ROOT = Path(__file__).resolve().parent.parent
CSV = ("Tên khu,Vĩ độ,Kinh độ,Trạng thái,Quỹ đất CN\n"
       "KCN Mới Thử,20.87,106.65,quy hoạch,80\n"
       "KCN Đình Vũ,20.835,106.755,đang hoạt động,\n").encode()


@pytest.fixture
def page(fixture_store, monkeypatch, tmp_path):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))

    def make(data: bytes = CSV, name: str = "kcn mới.csv") -> tuple[AppTest, Path]:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.run()
        at.switch_page("app_pages/data_page.py")
        spooled = spool(io.BytesIO(data), name, root=tmp_path)
        at.session_state["import_file"] = spooled.to_state()
        at.run()
        assert not at.exception, at.exception
        return at, Path(spooled.path)
    return make


def _selectbox(at: AppTest, label_start: str):
    return next(s for s in at.selectbox if s.label.startswith(label_start))


def test_the_mapping_shows_and_a_changed_mapping_reaches_the_plan(page):
    at, _ = page()
    quy = _selectbox(at, "Quỹ đất CN")
    assert quy.value == ""  # kept in the notes: the importer does not know this header
    assert _selectbox(at, "Vĩ độ").value == "lat"
    assert _selectbox(at, "Tên khu").value == "name_vi"
    quy.set_value("area_industrial_ha").run()
    assert not at.exception
    assert at.session_state["import_mapping"] == {"Quỹ đất CN": "area_industrial_ha"}
    assert _selectbox(at, "Quỹ đất CN").value == "area_industrial_ha"
    plan = at.dataframe[-2].value if len(at.dataframe) > 2 else at.dataframe[-1].value
    assert "kcn-moi-thu" in plan["id"].tolist()


def test_a_worse_geometry_is_shown_kept_then_replaced_when_asked(page):
    at, _ = page()
    tables = [df.value for df in at.dataframe]
    losses = next(t for t in tables if "Vì sao" in t.columns)
    row = losses.iloc[0]
    assert row["id"] == "kcn-alpha" and "surveyed" in row["Vì sao"]
    assert row[""] == "giữ dữ liệu hiện có"
    at.checkbox(key="replace_worse").check().run()
    losses = next(df.value for df in at.dataframe if "Vì sao" in df.value.columns)
    assert losses.iloc[0][""] == "thay bằng của tệp"


def test_merge_writes_and_releases_the_spooled_upload(page, fixture_store):
    at, path = page()
    sign_in(at, "planner")
    at.button(key="merge").click().run()
    assert not at.exception
    assert not path.exists() and "import_file" not in at.session_state
    zones = fixture_store.read().zones.set_index("id")
    assert zones.loc["kcn-moi-thu", "status"] == "planned"
    assert zones.loc["kcn-alpha", "geometry_quality"] == "surveyed"  # kept
    assert any("Đã nhập kcn mới.csv" in s.value for s in at.success)


def test_cancel_and_a_refused_file_release_the_upload(page):
    at, path = page()
    at.button(key="cancel").click().run()
    assert not path.exists() and "import_file" not in at.session_state
    at, path = page(b"this is not a table", "ghi chu.geojson")
    assert any("Không nhập được" in e.value for e in at.error)
    at.button(key="other_file").click().run()
    assert not path.exists() and "import_file" not in at.session_state


# --- undo names what it undoes, asks first, and is the person's own ---------------------

def _import(store, zid, who, hour):
    zones = gpd.GeoDataFrame(
        {"id": [zid], "kind": ["KCN"], "name_vi": [f"KCN {who}"], "province": ["Hải Phòng"],
         "status": ["planned"], "geometry_quality": ["approximate"], "source_id": ["import"],
         "as_of": ["2026-11-02"]}, geometry=[Point(106.7, 20.9)], crs="EPSG:4326")
    return apply_merge(store, plan_merge(store.read(), zones), filename=f"{who}.geojson",
                       actor=actor(who), at=datetime(2026, 11, 22, hour, tzinfo=UTC)).record


@pytest.fixture
def two_imports(fixture_store, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))
    lan = _import(fixture_store, "kcn-lan", "lan", 9)
    minh = _import(fixture_store, "kcn-minh", "minh", 10)  # the newest
    return fixture_store, lan, minh


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    return at.switch_page("app_pages/data_page.py").run()


def test_undo_offers_the_persons_own_last_import_and_asks_first(two_imports):
    store, lan, _minh = two_imports
    at = _data_page()
    assert at.selectbox(key="undo_choice").value is None  # nobody named yet: nothing chosen
    sign_in(at, "lan")
    assert at.selectbox(key="undo_choice").value == lan.import_id  # not minh's newer one
    assert any(md(lan.import_id) in c.value for c in at.caption)
    assert at.button(key="undo").disabled  # not confirmed yet
    at.checkbox(key=f"undo_confirm_{lan.import_id}").check().run()
    at.button(key="undo").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Đã hoàn tác việc nhập lan.geojson (lan, "
                                          "2026-11-22 16:00 (GMT+7))")
    records = {r.import_id: r for r in imports(store.read())}
    assert not records[lan.import_id].in_effect and records[lan.import_id].undone_by == "lan"
    assert all(r.in_effect for r in records.values() if r.who == "minh")
    assert validate(store.read()) == []


def test_another_persons_import_cannot_be_undone_from_the_page(two_imports):
    store, _lan, minh = two_imports
    at = _data_page()
    sign_in(at, "lan")
    at.selectbox(key="undo_choice").set_value(minh.import_id).run()
    assert any("Lần nhập này của minh" in w.value for w in at.warning)
    assert at.checkbox(key=f"undo_confirm_{minh.import_id}").disabled
    assert at.button(key="undo").disabled
    assert all(r.in_effect for r in imports(store.read()))


def test_a_page_loaded_before_another_import_still_undoes_what_it_names(two_imports):
    store, lan, _minh = two_imports
    at = _data_page()
    sign_in(at, "lan")
    _import(store, "kcn-lan-2", "lan", 11)  # lan again, from elsewhere, after the page loaded
    at.checkbox(key=f"undo_confirm_{lan.import_id}").check().run()
    at.button(key="undo").click().run()
    # The page named the 09:00 import: that one is undone, not the newer one.
    undone = [r for r in imports(store.read()) if not r.in_effect]
    assert [r.import_id for r in undone] == [lan.import_id]


# --- a file of plots --------------------------------------------------------------------

def _kind(at: AppTest):
    return next(r for r in at.radio if r.label == "Tệp này chứa")


def _plots_csv() -> bytes:
    from tests.plot_files import register_csv

    return register_csv((106.755, 20.835), zone="Đình Vũ")


def test_a_file_of_plots_is_told_from_its_headings_previewed_and_merged(page, fixture_store):
    at, path = page(_plots_csv(), "danh sách lô.csv")
    assert _kind(at).value == "plots"
    assert any("Tệp đọc được" in w.value for w in at.warning)  # a status it does not know
    by_status = next(df.value for df in at.dataframe if "Tình trạng" in df.value.columns)
    assert by_status.set_index("Tình trạng").loc["Đã cho thuê", "Số lô"] == 2
    by_zone = next(df.value for df in at.dataframe if "Khu" in df.value.columns)
    assert by_zone["id"].tolist() == ["kcn-alpha"]
    assert _selectbox(at, "Ký hiệu lô").value == "code"
    assert _selectbox(at, "Diện tích (m²)").value == "area_declared_m2"
    assert any(md("Thêm 6 lô, sửa 0 lô, bỏ 0 lô, giữ nguyên 0 lô.") in m.value
               for m in at.markdown)
    preview = at.get("component_instance")
    assert preview and "CN-01" in preview[0].proto.json_args
    assert at.button(key="merge").disabled  # nobody signed in: the page says to sign in
    sign_in(at, "planner-hp")
    at.button(key="merge").click().run()
    assert not at.exception, at.exception
    assert not path.exists() and "import_file" not in at.session_state
    assert any("Đã nhập danh sách lô.csv: thêm 6 lô, sửa 0 lô, bỏ 0 lô." in s.value
               for s in at.success)
    plots = fixture_store.read().plots
    assert sorted(plots["code"]) == [f"CN-0{i}" for i in range(1, 7)]
    assert set(plots["zone_id"]) == {"kcn-alpha"}
    # Undo names the plots, and takes them back.
    record = imports(fixture_store.read())[-1]
    assert at.selectbox(key="undo_choice").value == record.import_id
    assert any(md("thêm 6 lô, sửa 0 lô, bỏ 0 lô") in c.value for c in at.caption)
    at.checkbox(key=f"undo_confirm_{record.import_id}").check().run()
    at.button(key="undo").click().run()
    assert at.success[0].value.startswith("Đã hoàn tác việc nhập danh sách lô.csv")
    assert "bỏ 6 lô, khôi phục 0 lô" in at.success[0].value
    assert fixture_store.read().plots.empty


def test_the_zone_chosen_for_a_file_of_plots_and_a_changed_mapping(page, fixture_store):
    at, _ = page(_plots_csv(), "lo.csv")
    at.selectbox(key="plot_zone").set_value("kcn-beta").run()
    assert not at.exception
    by_zone = next(df.value for df in at.dataframe if "Khu" in df.value.columns)
    assert by_zone["id"].tolist() == ["kcn-beta"]
    assert any("as chosen" in m.value for m in at.markdown)  # the column said Đình Vũ
    _selectbox(at, "Diện tích (m²)").set_value("area_declared_ha").run()
    assert at.session_state["import_plot_mapping"]["map"] == {"Diện tích (m²)":
                                                              "area_declared_ha"}
    assert not at.exception


def test_a_zone_file_is_not_taken_for_plots(page):
    at, _ = page()
    assert _kind(at).value == "zones"
    _kind(at).set_value("plots").run()
    assert not at.exception
    assert any("Không nhập được" in e.value for e in at.error)
    assert any("plot-code column" in e.value for e in at.error)
