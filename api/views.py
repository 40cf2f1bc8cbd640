"""Where each open map is looking: reported by the browser, read by the page's exports.

Panning and zooming never rerun the page. The map component posts its view
(centre and zoom) to ``/api/v1/view/{token}`` after the map settles, where
``token`` is a random key the page gave that browser session; the export
buttons read it when a file is asked for, so an exported map or brief opens
on the view the user sees. Views are kept in memory, the most recent
:data:`MAX_VIEWS`, and hold nothing but three numbers.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["MAX_VIEWS", "View", "new_token", "remember", "view_of"]

MAX_VIEWS = 10_000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_lock = threading.Lock()
_views: OrderedDict[str, View] = OrderedDict()


@dataclass(frozen=True)
class View:
    """A map's centre (WGS 84 degrees) and zoom level."""

    lat: float
    lon: float
    z: int


def new_token() -> str:
    """Return a fresh random token for one browser session's map."""
    return secrets.token_urlsafe(24)


def parse_view(data: object) -> View | None:
    """Return the view a browser posted, or None when it is not a plausible one."""
    if not isinstance(data, dict):
        return None
    try:
        lat, lon, z = float(data["lat"]), float(data["lon"]), data["z"]
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(z, int) or isinstance(z, bool) or not 0 <= z <= 20:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        return None
    return View(round(lat, 5), round(lon, 5), z)


def remember(token: str, view: View) -> bool:
    """Store a session's view; False (and nothing stored) for a malformed token."""
    if not _TOKEN.match(token):
        return False
    with _lock:
        _views[token] = view
        _views.move_to_end(token)
        while len(_views) > MAX_VIEWS:
            _views.popitem(last=False)
    return True


def view_of(token: str | None) -> View | None:
    """Return the last view a session reported, or None."""
    if not token:
        return None
    with _lock:
        return _views.get(token)
