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

__all__ = ["atlas_map"]

_STATIC = Path(__file__).resolve().parent.parent / "static" / "map"
_URL = "/app/static/map/kcn-map.js"

# A few bytes per run instead of the whole module: the browser imports it once.
_LOADER = """export default function (component) {
  const url = new URL("%s?v=%s", window.location.href).href;
  return import(url).then((module) => module.default(component));
}
"""


@st.cache_resource(show_spinner=False)
def _component() -> Any:
    digest = hashlib.sha256((_STATIC / "kcn-map.js").read_bytes()).hexdigest()[:12]
    css = (_STATIC / "kcn-map.css").read_text(encoding="utf-8")
    # Leaflet's stylesheet must reach the map's elements: no shadow root.
    return st.components.v2.component("kcn_atlas_map", html="", js=_LOADER % (_URL, digest),
                                      css=css, isolate_styles=False)


def atlas_map(data: dict[str, Any], *, key: str,
              on_select: Callable[[], None], on_camera: Callable[[], None]) -> Any:
    """Mount (or update) the live map; return the component's result.

    The result's ``select`` is the last clicked feature (``{"t": "zone" |
    "project", "id": ...}``, a trigger) and ``camera`` the map's settled view
    (``{"lat", "lon", "z"}``).
    """
    return _component()(key=key, data=data, on_select_change=on_select,
                        on_camera_change=on_camera, height="content")
