"""The sources page: documents, official figures, the register and the gap between them.

Every table is written in the chosen language: headers, vocabularies, numbers and
dates as the locale writes them, "—" for what is not known.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import register_or_stop
from geo.analysis import summary
from geo.i18n import date_text, figure_text, number, t, text_or_dash, zone_name
from geo.register import Register
from layers.panel import citation_line
from layers.state import LANGS, MapState


def _documents(reg: Register, lang: str) -> pd.DataFrame:
    rows = []
    for r in reg.sources.itertuples(index=False):
        rows.append({
            t("src.document", lang): text_or_dash(r.document),
            t("src.number", lang): text_or_dash(r.doc_number),
            t("src.issuer", lang): text_or_dash(r.issuer),
            t("src.date", lang): date_text(r.date, lang),
            t("src.tier", lang): t(f"tier.{r.tier}.long", lang) if r.tier else "—",
            t("src.url", lang): r.url or "",
            t("src.note", lang): text_or_dash(r.note),
        })
    return pd.DataFrame(rows)


def _figures(reg: Register, lang: str) -> pd.DataFrame:
    label = "label_vi" if lang == "vi" else "label_en"
    rows = []
    for r in reg.figures.to_dict("records"):
        rows.append({
            t("province", lang): text_or_dash(r["province_current"] or r["province"]),
            t("dash.indicator", lang): text_or_dash(r[label]),
            t("dash.value", lang): figure_text(r, lang),
            t("period", lang): text_or_dash(r["period"]),
            t("quote", lang): text_or_dash(r["quote"]),
            t("panel.source", lang): citation_line(reg, r["source_id"], r["source_section"]),
            t("panel.as_of", lang): date_text(r["as_of"], lang),
        })
    return pd.DataFrame(rows)


def _gap(reg: Register, lang: str) -> pd.DataFrame:
    rows = []
    for prov in summary(reg)["provinces"]:
        for cov in prov["coverage"]:
            rows.append({
                t("province", lang): prov["province"],
                t("kind", lang): cov["kind"],
                t("gap.official_count", lang): number(cov["official_count"], lang, 0) or "—",
                t("gap.register_count", lang): number(cov["register_count"], lang, 0),
                t("gap.official_ha", lang): number(cov["official_area_ha"], lang) or "—",
                t("gap.register_ha", lang): number(cov["register_area_ha"], lang) or "—",
                t("gap.unknown_area", lang): number(cov["register_area_unknown"], lang, 0),
            })
    return pd.DataFrame(rows)


def _register(reg: Register, lang: str) -> pd.DataFrame:
    rows = []
    for z in reg.zones.to_dict("records"):
        rows.append({
            t("list.name", lang): zone_name(z, lang),
            t("kind", lang): t(f"kind.{z['kind']}", lang),
            t("status", lang): t(f"status.{z['status'] or 'unknown'}", lang),
            t("attr.province_current", lang): text_or_dash(z["province_current"]),
            t("list.area", lang): number(z["area_total_ha"], lang) or "—",
            t("list.occupancy", lang): number(z["occupancy_pct"], lang, 1) or "—",
            t("attr.geometry_quality", lang): t(f"quality.{z['geometry_quality']}", lang)
            if z["geometry_quality"] else "—",
            t("dash.on_map", lang): MapState(lang=lang, zone=z["id"], period="2030").link("/"),
        })
    return pd.DataFrame(rows)


def render() -> None:
    """Draw the sources page."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", "vi")
    lang = lang if lang in LANGS else "vi"
    reg = register_or_stop(lang).register
    st.title(t("sources.title", lang))

    st.header(t("sources.documents", lang))
    st.caption(t("sources.tiers", lang))
    st.dataframe(_documents(reg, lang), hide_index=True, width="stretch", column_config={
        t("src.url", lang): st.column_config.LinkColumn(width="medium"),
        t("src.document", lang): st.column_config.TextColumn(width="large"),
    })

    st.header(t("sources.figures", lang))
    st.dataframe(_figures(reg, lang), hide_index=True, width="stretch", column_config={
        t("dash.indicator", lang): st.column_config.TextColumn(width="large"),
        t("dash.value", lang): st.column_config.TextColumn(width="medium"),
        t("quote", lang): st.column_config.TextColumn(width="large"),
    })

    gap = _gap(reg, lang)
    if len(gap):
        st.header(t("sources.gap", lang))
        st.dataframe(gap, hide_index=True, width="stretch")

    st.header(t("sources.register", lang))
    st.dataframe(_register(reg, lang), hide_index=True, width="stretch", column_config={
        t("dash.on_map", lang): st.column_config.LinkColumn(display_text="↗", width="small"),
        t("list.name", lang): st.column_config.TextColumn(width="large"),
    })
    st.caption(t("sources.counts", lang, z=len(reg.zones), p=len(reg.projects),
                 f=len(reg.figures)))


render()
