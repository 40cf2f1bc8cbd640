"""The live map as a Streamlit component (``st.components.v2``): thin glue.

The component's code lives in ``static/map/kcn-map.js`` (served by the app at
``/app/static/map/``, loaded once by the browser and cached by its digest) and
``kcn-map.css``; Leaflet and the vector-tile renderer come from
``static/vendor``. The component is mounted once per session and keeps its
Leaflet map across reruns: each run only sends new ``data``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

__all__ = ["atlas_map", "share_box"]

_STATIC = Path(__file__).resolve().parent.parent / "static" / "map"
# A few bytes per run instead of the whole module: the browser imports it once.
_LOADER = """export default function (component) {
  const url = new URL("/app/static/map/%s?v=%s", window.location.href).href;
  return import(url).then((module) => module.default(component));
}
"""
_SHARE_CSS = """
.kcn-share-row { display: flex; gap: 6px; }
.kcn-share-link { flex: 1; min-width: 0; font: 12px/1.4 ui-monospace, monospace; padding: 5px 6px;
  border: 1px solid #d3d9e0; border-radius: 4px; }
.kcn-share-copy { font: 600 12px system-ui, sans-serif; padding: 4px 10px; border-radius: 4px;
  border: 1px solid #1f5f8b; background: #1f5f8b; color: #fff; cursor: pointer; }
.kcn-share-qr { margin-top: 8px; }
.kcn-share-qr img { image-rendering: pixelated; }
.kcn-share-caption { font-size: 12px; color: #4a5568; }
"""


def _loader(name: str) -> str:
    digest = hashlib.sha256((_STATIC / name).read_bytes()).hexdigest()[:12]
    return _LOADER % (name, digest)


@st.cache_resource(show_spinner=False)
def _component() -> Any:
    css = (_STATIC / "kcn-map.css").read_text(encoding="utf-8")
    # Leaflet's stylesheet must reach the map's elements: no shadow root.
    return st.components.v2.component("kcn_atlas_map", html="", js=_loader("kcn-map.js"),
                                      css=css, isolate_styles=False)


@st.cache_resource(show_spinner=False)
def _share_component() -> Any:
    return st.components.v2.component("kcn_atlas_share", html="", js=_loader("kcn-share.js"),
                                      css=_SHARE_CSS, isolate_styles=True)


def atlas_map(data: dict[str, Any], *, key: str, on_select: Callable[[], None],
              on_drawn: Callable[[], None] | None = None) -> Any:
    """Mount (or update) the live map; return the component's result.

    The result's ``select`` is the last clicked feature (``{"t": "zone" |
    "project", "id": ...}``, a trigger); ``drawn`` the shape an editor drew
    when ``data["edit"]`` asked for one (``{"seq", "geometry"}`` as GeoJSON, or
    ``{"seq", "cancel": true}``, a trigger).
    """
    return _component()(key=key, data=data, on_select_change=on_select,
                        on_drawn_change=on_drawn or (lambda: None), height="content")


def share_box(*, key: str, public_base: str | None, text: dict[str, str],
              size: int = 200) -> None:
    """The link of the view the user sees (from the address bar) and its QR code.

    ``public_base`` replaces the address's origin and path when the app is
    reached under another public address.
    """
    _share_component()(key=key, data={"public_base": public_base, "text": text, "size": size},
                       height="content")
