"""The Vietnamese pages write no "None", "nan", raw column names or English units."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
# Words that would mean a value or a header escaped translation.
LEAKS = re.compile(r"\b(None|nan|NaN|NaT|source_id|value_max|area_total_ha|occupancy_pct|"
                   r"zones|projects|persons|billion|million|hectares|above|about)\b")


# Columns that hold the sources' own words (quotes, editors' notes, the documents' own
# titles and addresses, often in English), not the interface's.
SOURCE_TEXT = {"Trích dẫn", "Ghi chú", "Quote", "Note", "Tài liệu", "Liên kết", "Document",
               "Link"}


def _texts(at: AppTest) -> list[str]:
    out = []
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame):
            out += [str(c) for c in value.columns]
            shown = value.drop(columns=[c for c in value.columns if c in SOURCE_TEXT])
            out += [str(v) for v in shown.astype(str).to_numpy().ravel()]
    for kind in ("markdown", "caption", "subheader", "title", "header", "info"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


@pytest.mark.parametrize("page", ["app_pages/dashboard.py", "app_pages/sources.py"])
def test_vietnamese_pages_leak_no_raw_words(page, monkeypatch):
    # The bundled register: its sources, figures and zones as a user sees them.
    monkeypatch.delenv("KCN_ATLAS_STORE", raising=False)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90).run()
    at.switch_page(page).run()
    assert not at.exception
    leaks = sorted({m.group(0) for text in _texts(at) for m in LEAKS.finditer(text)
                    # a quote is the source's own words, in its own language
                    if "“" not in text})
    assert leaks == []


def test_the_dashboard_province_is_in_the_link(monkeypatch):
    monkeypatch.delenv("KCN_ATLAS_STORE", raising=False)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.switch_page("app_pages/dashboard.py")  # opened straight from a link
    at.query_params["prov"] = "quang ninh"
    at.run()
    assert at.selectbox(key="dash_prov").value == "Quảng Ninh"
    at.selectbox(key="dash_prov").set_value("Hải Phòng").run()
    assert at.query_params["prov"] == "Hải Phòng"


@pytest.mark.parametrize(("value", "vi", "en"), [
    ("2021-03-05", "05/03/2021", "5 Mar 2021"),
    ("2021-03", "03/2021", "Mar 2021"),  # a month: as the locale writes one
    ("2021", "2021", "2021"),
    ("2021-13", "2021-13", "2021-13"),  # not a date: shown as the source wrote it
    (None, "—", "—"),
])
def test_dates_read_as_the_locale_writes_them(value, vi, en):
    from geo.i18n import date_text

    assert (date_text(value, "vi"), date_text(value, "en")) == (vi, en)
