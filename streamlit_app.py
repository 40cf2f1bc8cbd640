"""KCN Atlas pages: the Streamlit script ``app.py`` serves. Routes to ``app_pages``."""

from __future__ import annotations

import contextlib

import streamlit as st

from app_pages.account import sign_in_box
from app_pages.common import load_register
from geo.i18n import t
from geo.register import RegisterFormatError
from geo.settings import SettingError
from geo.store import StoreError
from layers.state import LANGS

st.set_page_config(page_title="KCN Atlas", layout="wide",
                   initial_sidebar_state="expanded")

# The language is chosen once for the whole app: a link's `lang` on the first visit,
# then the switch in the sidebar.
if "lang" not in st.session_state:
    _asked = st.query_params.get("lang", "vi")
    st.session_state["lang"] = _asked if _asked in LANGS else "vi"
lang = st.session_state["lang"]

map_page = st.Page("app_pages/map.py", title=t("page.map", lang), default=True)
page = st.navigation([
    map_page,
    st.Page("app_pages/dashboard.py", title=t("page.dashboard", lang), url_path="dashboard"),
    st.Page("app_pages/data_page.py", title=t("page.data", lang), url_path="data"),
    st.Page("app_pages/sources.py", title=t("page.sources", lang), url_path="sources"),
])
# Links from other pages carry a map view in their query: the map page reads it again
# when it is entered from elsewhere (a session's first visit always reads it).
if page.url_path != map_page.url_path:
    st.session_state["_map_entered"] = True
st.sidebar.radio(t("lang", lang), LANGS, key="lang", horizontal=True,
                 format_func=lambda v: {"vi": "Tiếng Việt", "en": "English"}[v])
# Sign-in for editors, on every page; the public pages need none.
with contextlib.suppress(StoreError, RegisterFormatError, SettingError, OSError):
    sign_in_box(load_register().register, lang)  # the page itself reports a broken store
page.run()
