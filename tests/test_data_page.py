"""AppTest of the Data page's import: spooled upload, column mapping, plan, merge, release.

AppTest cannot upload a file, so each test puts a spooled upload in the session, as
the uploader does; the browser test drives the uploader itself.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.importer.spool import spool

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
    at.text_input(key="who").input("Sở Xây dựng").run()
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
