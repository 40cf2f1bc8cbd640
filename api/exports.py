"""Exports as plain downloads: ``GET /api/v1/export/{what}?<map link parameters>``.

The map's export menu links here rather than holding the files in the
Streamlit session: a file is built when its link is followed, from the
parameters of the map link (:meth:`layers.state.MapState.to_query`), on the
register version the app serves now. So a download never fails because the
page reran meanwhile, and an export link works on its own like a map link.

``what`` is one of :data:`EXPORTS`: a data format of
:data:`geo.export.EXPORT_FORMATS` (the zones and projects shown), ``html``
(the map as one file that opens offline), ``zone-brief`` (the selected zone's
investor brief, PDF) or ``province-brief`` (``province=``, else the filtered
province or the selected zone's). ``vt=`` names the browser's map view (see
:mod:`api.views`), so the HTML map and the briefs open where the user looks.

A request that cannot be served gets a short page saying why, in the link's
language, with a link back to the map; never a traceback.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api import views
from geo import live, settings
from geo.brief import fonts_available, province_brief_pdf, zone_brief_pdf
from geo.export import EXPORT_FORMATS, MIME_TYPES, export_selection
from geo.i18n import t
from geo.register import Register
from geo.store import StoreError
from geo.text import slugify
from layers.base import MapContext
from layers.infrastructure import project_features
from layers.share import known_from_register
from layers.shown import cited_sources, shown
from layers.standalone import standalone_html
from layers.state import MapState
from layers.zones import zone_features

__all__ = ["EXPORTS", "PUBLIC_URL_ENV", "export", "export_path", "province_of"]

log = logging.getLogger(__name__)

PUBLIC_URL_ENV = "KCN_ATLAS_PUBLIC_URL"
EXPORTS: tuple[str, ...] = (*EXPORT_FORMATS, "html", "zone-brief", "province-brief")
_PDF = "application/pdf"
_VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
# Parameters of an export link that are not map-link parameters.
_OWN = ("vt", "province")


class ExportRefused(ValueError):
    """An export that cannot be built from its link (the message says why, for users)."""


def export_path(what: str, state: MapState, view_token: str | None = None,
                province: str | None = None) -> str:
    """Return the app-relative URL of an export of ``state`` (see the module docstring)."""
    if what not in EXPORTS:
        raise ValueError(f"unknown export {what!r}; one of {', '.join(EXPORTS)}")
    query = state.to_query()
    if view_token:
        query["vt"] = view_token
    if province:
        query["province"] = province
    return f"/api/v1/export/{what}?{urlencode(query, safe=',')}"


def province_of(state: MapState, reg: Register) -> str | None:
    """The province a province brief is about: the one filtered, else the selected zone's."""
    if len(state.prov) == 1:
        return state.prov[0]
    if state.zone:
        row = reg.zones[reg.zones["id"] == state.zone]
        if len(row):
            return str(row["province"].iloc[0])
    return None


def _state(query: Mapping[str, str], reg: Register) -> MapState:
    state = MapState.from_query({k: v for k, v in query.items() if k not in _OWN})
    state = state.resolve(known_from_register(reg))
    seen = views.view_of(query.get("vt"))
    if seen is not None:
        state = state.with_(lat=seen.lat, lon=seen.lon, z=seen.z)
    return state


def _build(what: str, query: Mapping[str, str], base_url: str,
           today: str) -> tuple[bytes, str, str]:
    """Return ``(bytes, file name, media type)`` of one export (runs in a worker thread)."""
    snap = live.current()
    reg = snap.register
    state = _state(query, reg)
    lang = state.lang
    link = state.link(base_url)
    seen = shown(reg, state)
    zones, projects = seen.zone_rows(reg), seen.project_rows(reg)
    if what in EXPORT_FORMATS:
        file = export_selection(reg, list(zones["id"]), list(projects["id"]), what, lang=lang,
                                link=link, generated=today)
        return file.data, file.filename, MIME_TYPES[what]
    if what == "html":
        zone_json = snap.derived(f"zone-features:{lang}:{state.color}",
                                 lambda r: zone_features(r.zones, lang, state.color, r))
        project_json = snap.derived(f"project-features:{lang}",
                                    lambda r: project_features(r.projects, lang))
        ctx = MapContext(state=state, zones=zones, projects=projects, zone_json=zone_json,
                         project_json=project_json)
        page = standalone_html(
            ctx, leaflet_js=_vendor("leaflet.js"), leaflet_css=_vendor("leaflet.css"),
            live_link=link, generated=today, sources=cited_sources(reg, zones, projects),
            linked_projects=seen.linked_projects, linked_zones=seen.linked_zones)
        return page.encode("utf-8"), f"kcn-atlas-map-{today}.html", "text/html; charset=utf-8"
    if not fonts_available():
        raise ExportRefused(t("brief.fonts_missing", lang))
    if what == "zone-brief":
        if not state.zone:
            raise ExportRefused(t("export.no_zone", lang))
        pdf = zone_brief_pdf(reg, state.zone, lang, link, generated=today)
        return pdf, f"kcn-atlas-{state.zone}-{lang}.pdf", _PDF
    province = query.get("province") or province_of(state, reg)
    if not province or province not in set(reg.zones["province"].dropna()):
        raise ExportRefused(t("export.no_province", lang))
    pdf = province_brief_pdf(reg, province, lang, link, generated=today)
    return pdf, f"kcn-atlas-{slugify(province)}-{lang}.pdf", _PDF


def _vendor(name: str) -> str:
    return (_VENDOR / name).read_text(encoding="utf-8")


def _refusal(status: int, message: str, lang: str, back: str) -> HTMLResponse:
    """A short page in the user's language: what went wrong, and the way back to the map."""
    body = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
            f"<title>KCN Atlas</title><body style=\"font-family:sans-serif;margin:2rem\">"
            f"<p>{html.escape(message)}</p>"
            f'<p><a href="{html.escape(back, quote=True)}">{html.escape(t("export.back", lang))}'
            "</a></p></body></html>")
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def export(request: Request) -> Response:
    """Build and send one export of the map link in the query (see the module docstring)."""
    what = request.path_params["what"]
    query: dict[str, Any] = dict(request.query_params)
    lang = "en" if query.get("lang") == "en" else "vi"
    base = (settings.get(PUBLIC_URL_ENV) or "").strip() or str(request.base_url)
    back = MapState.from_query({k: v for k, v in query.items() if k not in _OWN}).link(base)
    if what not in EXPORTS:
        return _refusal(404, t("export.unknown", lang, what=what[:40]), lang, back)
    today = date.today().isoformat()
    try:
        data, name, media = await run_in_threadpool(_build, what, query, base, today)
    except ExportRefused as exc:
        return _refusal(400, str(exc), lang, back)
    except StoreError as exc:
        return _refusal(503, t("store.error", lang, err=str(exc)), lang, back)
    except Exception:
        log.exception("export %s failed", request.url)
        return _refusal(500, t("export.failed", lang), lang, back)
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "no-store"}
    return Response(data, media_type=media, headers=headers)
