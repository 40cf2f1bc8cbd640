"""The map page's share link, QR code and export menu (data, briefs, HTML map)."""

from __future__ import annotations

import html
import io

import segno
import streamlit as st

from api.exports import PUBLIC_URL_ENV, export_path, province_of
from app_pages.map_component import share_box
from geo import settings
from geo.analysis import find_provinces
from geo.brief import fonts_available
from geo.export import EXPORT_FORMATS
from geo.i18n import t
from geo.register import Register
from layers.state import MapState

__all__ = ["PUBLIC_URL_ENV", "exports", "public_base", "qr_png", "share", "share_text"]

def public_base() -> str | None:
    """The public address links and QR codes use, when one is configured."""
    return (settings.get(PUBLIC_URL_ENV) or "").strip() or None


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


_LINK_CSS = """<style>
.st-key-export_links a.kcn-download {display:block; margin:0 0 .4rem; padding:.35rem .75rem;
  border:1px solid rgba(49,51,63,.2); border-radius:.5rem; color:inherit;
  text-decoration:none; text-align:center; line-height:1.6}
.st-key-export_links a.kcn-download:hover {border-color:#ff4b4b; color:#ff4b4b}
.st-key-export_links a.kcn-download:focus-visible {outline:2px solid #ff4b4b; outline-offset:2px}
</style>"""


def _links(items: list[tuple[str, str]]) -> None:
    """Download links drawn as buttons (label and app-relative URL, both escaped)."""
    st.html(_LINK_CSS + "".join(
        f'<a class="kcn-download" role="button" href="{html.escape(url, quote=True)}">'
        f"{html.escape(label)}</a>" for label, url in items))


def exports(state: MapState, reg: Register, view_token: str | None) -> None:
    """The export menu: what is on screen as data files, briefs and one HTML map.

    Each item links to the export endpoint (:mod:`api.exports`) with the map's
    link parameters and ``view_token``, so the file is built when it is asked
    for, from the view the browser last reported, and a rerun of the page in
    between cannot lose it.
    """
    lang = state.lang
    with st.popover(t("export", lang), icon=None), st.container(key="export_links"):
        st.caption(t("export.help", lang))
        _links([(t(f"export.{fmt}", lang), export_path(fmt, state, view_token))
                for fmt in EXPORT_FORMATS])
        if not fonts_available():
            st.warning(t("brief.fonts_missing", lang))
        else:
            if state.zone:
                _links([(t("export.zone_brief", lang),
                         export_path("zone-brief", state, view_token))])
            provinces = find_provinces(reg, None)
            default = province_of(state, reg)
            province = st.selectbox(
                t("export.province", lang), provinces, key="brief_province",
                index=provinces.index(default) if default in provinces else 0)
            if province:
                _links([(t("export.province_brief", lang),
                         export_path("province-brief", state, view_token, province))])
        _links([(t("export.html", lang), export_path("html", state, view_token))])
