"""The history as people read it: stored English wording and codes said in the reader's language."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from geo.edit import Citation, set_geometry, set_zone_values
from geo.store import build
from layers.history import history_html, history_rows, value_text
from tests.conftest import REGISTER_SRC, actor, add_team


@pytest.mark.parametrize(("field", "raw", "lang", "text"), [
    ("geometry", json.dumps("point (approximate)"), "vi", "điểm (vị trí gần đúng)"),
    ("geometry", json.dumps("polygon (digitised), 1,234.5 ha measured"), "vi",
     "vùng (số hoá), đo được 1.234,5 ha"),
    ("geometry", json.dumps("polygon (digitised), 1,234.5 ha measured"), "en",
     "polygon (digitised), 1,234.5 ha measured"),
    ("geometry", json.dumps("a polygon (surveyed)"), "vi", "vùng (ranh giới đo đạc)"),
    ("geometry", json.dumps("no geometry"), "vi", "không có hình"),
    ("plots", json.dumps("12 plots"), "vi", "12 lô đất"),
    ("plots", json.dumps("1200 plots"), "en", "1,200 plots"),
    ("status", json.dumps("operating"), "vi", "Đang hoạt động"),
    ("status", json.dumps("operating"), "en", "Operating"),
    ("area_total_ha", json.dumps("652.73"), "vi", "652,73"),
    ("area_total_ha", json.dumps(652.73), "en", "652.73"),
    ("year_established", json.dumps(2023), "vi", "2023"),
    ("area_measured_ha", json.dumps(165.801), "vi", "165,8"),
    ("developer", json.dumps("Công ty CP Shinec"), "en", "Công ty CP Shinec"),
    ("status", None, "vi", "—"),
    # Wording the write path does not use is shown as stored.
    ("geometry", json.dumps("something else"), "vi", "something else"),
])
def test_a_stored_value_reads_in_the_language(field, raw, lang, text):
    assert value_text(field, raw, lang) == text


def test_a_zones_history_reads_in_vietnamese(tmp_path):
    store = build(tmp_path / "atlas.gpkg", REGISTER_SRC)
    add_team(store)
    doc = Citation(source_id="test-doc", as_of="2026-11-01", section="II")
    set_zone_values(store, actor("lan"), "kcn-beta", {"area_total_ha": 120.5}, doc)
    set_geometry(store, actor("lan"), "zones", "kcn-beta", box(106.751, 20.831, 106.759, 20.839),
                 drawn_from="plan")
    rows = history_rows(store.read(), "vi", record="kcn-beta")
    shape, area = rows[0], rows[1]
    assert shape.field == "hình dạng" and shape.after.startswith("vùng (số hoá), đo được ")
    assert shape.before == "điểm (vị trí gần đúng)"
    assert area.after == "120,5"
    html = history_html(rows, "vi")
    assert "measured" not in html and "approximate" not in html
