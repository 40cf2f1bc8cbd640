"""KCN Atlas: the Streamlit entry point. Routes to the pages in ``app_pages``."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from layers.state import LANGS

st.set_page_config(page_title="KCN Atlas", layout="wide",
                   initial_sidebar_state="expanded")

_lang = st.session_state.get("lang") or st.query_params.get("lang", "vi")
lang = _lang if _lang in LANGS else "vi"

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
page.run()
