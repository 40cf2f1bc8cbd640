"""The sources page: documents, official figures, the register and the gap between them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import register_or_stop
from geo.analysis import citation, summary
from geo.i18n import t, zone_name
from layers.state import LANGS


def render() -> None:
    """Draw the sources page."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", "vi")
    lang = lang if lang in LANGS else "vi"
    reg = register_or_stop(lang).register
    st.title(t("sources.title", lang))

    st.header(t("sources.documents", lang))
    st.dataframe(reg.sources, hide_index=True, width="stretch")

    st.header(t("sources.figures", lang))
    figures = reg.figures.copy()
    figures["source"] = [
        ", ".join(str(v) for v in citation(reg, r.source_id, r.source_section).values() if v)
        for r in figures.itertuples(index=False)
    ]
    label = "label_vi" if lang == "vi" else "label_en"
    st.dataframe(
        figures[["province", label, "comparison", "value", "value_max", "unit", "period",
                 "quote", "source", "as_of"]],
        hide_index=True, width="stretch",
        column_config={"value": st.column_config.NumberColumn(format="%.2f")},
    )

    st.header(t("sources.gap", lang))
    rows = []
    for prov in summary(reg)["provinces"]:
        for cov in prov["coverage"]:
            rows.append({
                t("province", lang): prov["province"],
                t("kind", lang): cov["kind"],
                t("gap.official_count", lang): cov["official_count"],
                t("gap.register_count", lang): cov["register_count"],
                t("gap.official_ha", lang): cov["official_area_ha"],
                t("gap.register_ha", lang): cov["register_area_ha"],
                t("gap.unknown_area", lang): cov["register_area_unknown"],
            })
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

    st.header(t("sources.register", lang))
    zones = reg.zones.drop(columns="geometry").copy()
    zones.insert(1, "name", [zone_name(z, lang) for z in zones.to_dict("records")])
    st.dataframe(zones, hide_index=True, width="stretch")
    st.caption(t("sources.counts", lang, z=len(reg.zones), p=len(reg.projects),
                 f=len(reg.figures)))


render()
