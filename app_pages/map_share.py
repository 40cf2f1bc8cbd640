"""The map page's share link, QR code and exports (data, briefs, HTML map)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from functools import partial

import pandas as pd
import segno
import streamlit as st

from app_pages.common import vendor_asset
from app_pages.map_component import share_box
from geo import settings
from geo.analysis import find_provinces
from geo.brief import fonts_available, province_brief_pdf, zone_brief_pdf
from geo.export import EXPORT_FORMATS, MIME_TYPES, export_selection
from geo.i18n import t
from geo.register import Register
from geo.text import slugify
from layers.base import MapContext
from layers.standalone import standalone_html
from layers.state import MapState

__all__ = ["PUBLIC_URL_ENV", "base_url", "exports", "public_base", "qr_png", "share",
           "share_text"]

PUBLIC_URL_ENV = "KCN_ATLAS_PUBLIC_URL"


def public_base() -> str | None:
    """The public address links and QR codes use, when one is configured."""
    return (settings.get(PUBLIC_URL_ENV) or "").strip() or None


def base_url() -> str:
    """Return the address links use: ``KCN_ATLAS_PUBLIC_URL``, else the one opened."""
    public = public_base()
    if public:
        return public
    url = st.context.url
    return url if url else "http://localhost:8501/"


def qr_png(text: str, scale: int = 5) -> bytes | None:
    """Return a QR code of ``text`` as PNG, or None when the text is too long for one."""
    try:
        code = segno.make(text, error="m")
    except segno.DataOverflowError:
        return None
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def share_text(lang: str) -> dict[str, str]:
    """The share box's words in ``lang``."""
    return {"link": t("share", lang), "copy": t("share.copy", lang),
            "copied": t("share.copied", lang), "qr": t("share.qr", lang),
            "caption": t("share.qr", lang), "too_long": t("share.qr_too_long", lang)}


def share(state: MapState) -> None:
    """The share control: the link of the view seen now, ready to copy, and its QR code."""
    lang = state.lang
    with st.popover(t("share", lang), icon=None):
        st.caption(t("share.help", lang))
        share_box(key="share_box", public_base=public_base(), text=share_text(lang))


def _cited_sources(reg: Register, zones: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """Short citations of the documents behind what is shown."""
    ids = set(zones["source_id"].dropna()) | set(projects["source_id"].dropna())
    values = reg.zone_values[reg.zone_values["zone_id"].isin(zones["id"])]
    ids |= set(values["source_id"].dropna())
    docs = reg.sources[reg.sources["source_id"].isin(ids)].sort_values("date")
    return [f"{r.document} ({r.date})" for r in docs.itertuples(index=False)]


def _export_bytes(reg: Register, zone_ids: list[str], project_ids: list[str], fmt: str,
                  lang: str, link: str, today: str) -> bytes:
    return export_selection(reg, zone_ids, project_ids, fmt, lang=lang, link=link,
                            generated=today).data


def _brief_province(state: MapState, reg: Register) -> str | None:
    """The province a province brief is about: the filtered one, else the selected zone's."""
    if len(state.prov) == 1:
        return state.prov[0]
    if state.zone:
        row = reg.zones[reg.zones["id"] == state.zone]
        if len(row):
            return str(row["province"].iloc[0])
    return None


def _brief_buttons(state: MapState, reg: Register, link: str, today: str) -> None:
    lang = state.lang
    if not fonts_available():
        st.warning(t("brief.fonts_missing", lang))
        return
    if state.zone:
        st.download_button(
            t("export.zone_brief", lang), key="dl_zone_brief", on_click="ignore",
            file_name=f"kcn-atlas-{state.zone}-{lang}.pdf", mime="application/pdf",
            data=partial(zone_brief_pdf, reg, state.zone, lang, link, generated=today),
        )
    provinces = find_provinces(reg, None)
    default = _brief_province(state, reg)
    province = st.selectbox(t("export.province", lang), provinces, key="brief_province",
                            index=provinces.index(default) if default in provinces else 0)
    if province:
        st.download_button(
            t("export.province_brief", lang), key="dl_province_brief", on_click="ignore",
            file_name=f"kcn-atlas-{slugify(province)}-{lang}.pdf", mime="application/pdf",
            data=partial(province_brief_pdf, reg, province, lang, link, generated=today),
        )


def exports(state: MapState, reg: Register, zones_shown: pd.Series, projects_shown: pd.Series,
            linked: tuple[list[str], list[str]], context: Callable[[], MapContext]) -> None:
    """The export menu: what is on screen as data files, briefs and one HTML map.

    ``state`` carries the view the browser last reported; ``context`` builds the
    HTML map's context when that file is asked for.
    """
    lang = state.lang
    today = date.today().isoformat()
    link = state.link(base_url())
    zones = reg.zones[zones_shown.to_numpy()]
    projects = reg.projects[projects_shown.to_numpy()]
    zone_ids, project_ids = list(zones["id"]), list(projects["id"])
    with st.popover(t("export", lang), icon=None):
        st.caption(t("export.help", lang))
        for fmt in EXPORT_FORMATS:
            st.download_button(
                t(f"export.{fmt}", lang), key=f"dl_{fmt}", on_click="ignore",
                file_name=f"kcn-atlas-{today}.{fmt}", mime=MIME_TYPES[fmt],
                data=partial(_export_bytes, reg, zone_ids, project_ids, fmt, lang, link, today),
            )
        _brief_buttons(state, reg, link, today)
        st.download_button(
            t("export.html", lang), key="dl_html", on_click="ignore",
            file_name=f"kcn-atlas-map-{today}.html", mime="text/html",
            data=lambda: standalone_html(
                context(), leaflet_js=vendor_asset("leaflet.js"),
                leaflet_css=vendor_asset("leaflet.css"), live_link=link, generated=today,
                sources=_cited_sources(reg, zones, projects), linked_projects=linked[0],
                linked_zones=linked[1]),
        )
