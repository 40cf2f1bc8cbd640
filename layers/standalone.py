"""A standalone HTML map: one file that opens by double-click, with no server.

Leaflet's script and stylesheet are inlined; the map shows the same layers,
legend, tooltips and selection as the live view, and a box that names the
sources, the date and the link back to the live view. Base-map tiles are the
only thing it may fetch, and only when the state asks for a base map.
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import Element, Figure

from geo.i18n import t
from layers.base import HTML, MapContext
from layers.control import HtmlControl
from layers.map import build_map
from layers.selection import selection_group

__all__ = ["standalone_html"]

_PLACEHOLDER = "kcn-atlas-inline-asset"

_INFO = HTML.from_string(
    """<div class="kcn-info"><div class="kcn-info-title">{{ title }}</div>
<div><a href="{{ link }}" target="_blank" rel="noopener">{{ open_live }}</a></div>
<div class="kcn-info-meta">{{ generated_label }}: {{ generated }}</div>
{% if sources %}<div class="kcn-info-meta">{{ sources_label }}: {{ sources | join("; ") }}</div>
{% endif %}</div>"""
)

_INFO_CSS = """
.kcn-info{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:6px;
  font:12px/1.35 system-ui,sans-serif;color:#222;box-shadow:0 1px 4px rgba(0,0,0,.3);
  max-width:320px}
.kcn-info-title{font-weight:600;font-size:13px;margin-bottom:2px}
.kcn-info-meta{color:#555;font-size:11px;margin-top:2px}
"""


def _inline_script(code: str) -> str:
    # A literal "</script" inside the code would end the element early.
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def standalone_html(
    ctx: MapContext,
    *,
    leaflet_js: str,
    leaflet_css: str,
    live_link: str,
    generated: str,
    sources: Sequence[str] = (),
    linked_projects: Sequence[str] = (),
    linked_zones: Sequence[str] = (),
    tiles: bool = True,
) -> str:
    """Return a self-contained HTML page of the map of ``ctx``.

    Parameters
    ----------
    ctx
        What to draw, as on the live map.
    leaflet_js, leaflet_css
        The contents of Leaflet's script and stylesheet, inlined into the page.
    live_link
        The share link of the same view, shown as "open the live view".
    generated
        The date the file was made (ISO), shown with the sources.
    sources
        Short citations of the documents behind the data shown.
    linked_projects, linked_zones
        What the selection is linked to, highlighted as on the live map.
    tiles
        Keep the state's base map; without it the file makes no request at all.
    """
    if not tiles:
        ctx = MapContext(state=ctx.state.with_(basemap="none"), zones=ctx.zones,
                         projects=ctx.projects, zone_json=ctx.zone_json,
                         project_json=ctx.project_json)
    lang = ctx.state.lang
    fmap = build_map(ctx, asset_base=_PLACEHOLDER)
    selection_group(ctx, list(linked_projects), list(linked_zones)).add_to(fmap)
    title = t("app.title", lang)
    HtmlControl(_INFO.render(
        title=title, link=live_link, open_live=t("export.open_live", lang),
        generated_label=t("export.generated", lang), generated=generated,
        sources_label=t("panel.source", lang), sources=list(sources),
    ), _INFO_CSS, position="topright", name="info").add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, Figure)  # a Map's root is always its Figure
    root.header.add_child(Element(HTML.from_string("<title>{{ t }}</title>").render(t=title)),
                          name="title")
    html = root.render()
    html = html.replace(f'<script src="{_PLACEHOLDER}/leaflet.js"></script>',
                        _inline_script(leaflet_js))
    html = html.replace(f'<link rel="stylesheet" href="{_PLACEHOLDER}/leaflet.css"/>',
                        "<style>" + leaflet_css.replace("</style", "<\\/style") + "</style>")
    if _PLACEHOLDER in html:
        raise RuntimeError("an asset of the map was not inlined")
    return html
