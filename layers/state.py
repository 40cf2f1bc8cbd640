"""The map state: everything a view shows, and its URL form.

The state is a frozen dataclass. :meth:`MapState.to_query` writes only the
values that differ from the defaults, so links stay short; :meth:`MapState.from_query`
never raises: each malformed or unknown parameter falls back to its default and
is reported in the returned list of ignored parameters. :meth:`MapState.resolve`
then checks the link against what the register holds (:class:`Known`): a zone,
project or province it does not hold is dropped and named in ``ignored``; a value
cut to fit (a search text that is too long, an area range beyond the register's)
is named in ``adjusted``. So the page's notice can name every parameter it did
not apply as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from geo.sitefinder import NEAR_KINDS
from geo.text import fold

__all__ = [
    "BASEMAPS",
    "COLOR_MODES",
    "ID_PATTERN",
    "KINDS",
    "LANGS",
    "LAYER_KEYS",
    "PERIODS",
    "SCHEME_VERSION",
    "PLOT_STATUSES",
    "NEAR_KINDS",
    "SITE_TARGETS",
    "STATUSES",
    "VIEWS",
    "Known",
    "MapState",
]

SCHEME_VERSION = "1"
LANGS = ("vi", "en")
PERIODS = ("now", "2025", "2030")
COLOR_MODES = ("status", "kind", "occupancy")
LAYER_KEYS = ("kkt", "kcn", "ccn", "study", "infra", "plots")
# "reference" is the bundled offline map (coast, provinces); "none" draws the data alone.
BASEMAPS = ("osm", "light", "satellite", "reference", "none")
KINDS = ("KKT", "KCN", "CCN", "study_area")
STATUSES = ("operating", "under_construction", "planned", "proposed", "unknown")
PLOT_STATUSES = ("leased", "vacant", "reserved", "negotiation", "unavailable", "unknown")
VIEWS = ("map", "present")  # "present": the map, the selected zone's key figures and a QR
SITE_TARGETS = ("plots", "zones")  # the site finder looks for vacant plots, or zones

# Any id the register holds opens by link: slugs are at most 80 characters (geo.text,
# SLUG_MAX), a few more with a duplicate's "-2"; the bound only keeps junk out.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
_ID = ID_PATTERN
_MAX_TEXT = 100
_MAX_PROVINCES = 70


@dataclass(frozen=True)
class MapState:
    """One view of the map: language, selection, period, styling, filters and camera."""

    lang: str = "vi"
    zone: str | None = None
    project: str | None = None
    plot: str | None = None
    period: str = "now"
    color: str = "status"
    layers: tuple[str, ...] = LAYER_KEYS
    basemap: str = "osm"
    prov: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    pstatus: tuple[str, ...] = ()  # plot statuses shown (all when empty)
    occ: tuple[float, float] = (0.0, 100.0)
    area: tuple[float, float] | None = None
    q: str = ""
    lat: float | None = None
    lon: float | None = None
    z: int | None = None
    view: str = "map"
    # The site finder: on when ``site`` is set.
    site: str | None = None
    smin: float = 0.0  # least vacant area, ha
    snear: tuple[tuple[str, float], ...] = ()  # (project kind, farthest km)
    # Parameters of the URL the state was read from that were ignored, and those
    # applied only after being cut to fit (named in the page's notice).
    ignored: tuple[str, ...] = field(default=(), compare=False)
    adjusted: tuple[str, ...] = field(default=(), compare=False)

    def with_(self, **changes: Any) -> MapState:
        """Return a copy with ``changes`` applied."""
        return replace(self, **changes)

    @property
    def occ_filtered(self) -> bool:
        """Tell whether the occupancy range narrows the view."""
        return self.occ != (0.0, 100.0)

    def to_query(self) -> dict[str, str]:
        """Return the URL query parameters of this state, defaults left out."""
        default = MapState()
        out: dict[str, str] = {"v": SCHEME_VERSION}
        for f in fields(self):
            if f.name in _NOT_IN_LINKS:
                continue
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            out[f.name] = _format(f.name, value)
        return out

    def link(self, base_url: str) -> str:
        """Return the shareable link of this state on the app at ``base_url``.

        Any query or fragment of ``base_url`` is replaced; commas stay readable.
        """
        parts = urlsplit(base_url)
        query = urlencode(self.to_query(), safe=",")
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))

    def without_camera(self) -> MapState:
        """Return the state without centre and zoom (what the map's content depends on)."""
        return replace(self, lat=None, lon=None, z=None, zone=None, project=None, plot=None,
                       q="")

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]]) -> MapState:
        """Read a state from URL query parameters; never raises.

        Unknown parameters and malformed values are ignored and named in
        :attr:`ignored`; the rest of the link still applies.
        """
        values: dict[str, Any] = {}
        ignored: list[str] = []
        adjusted: list[str] = []
        known = {f.name for f in fields(cls)} - _NOT_IN_LINKS
        for key, raw in query.items():
            text = raw[-1] if isinstance(raw, list) else raw
            if key == "v":
                if text != SCHEME_VERSION:
                    ignored.append("v")
                continue
            if key not in known:
                ignored.append(key)
                continue
            try:
                values[key] = _parse(key, str(text))
            except ValueError:
                ignored.append(key)
                continue
            if key == "q" and values[key] != text:
                adjusted.append(key)  # cut to its first _MAX_TEXT characters
        if ("lat" in values) != ("lon" in values):
            for key in ("lat", "lon"):
                if key in values:
                    values.pop(key)
                    ignored.append(key)
        return cls(**values, ignored=tuple(sorted(set(ignored))),
                   adjusted=tuple(sorted(set(adjusted))))

    def resolve(self, known: Known) -> MapState:
        """Check the state against what the register holds; name what is dropped or cut.

        A zone, project or plot the register does not hold is dropped (``ignored``).
        Provinces match by their name in the sources or today's name (after the
        2025 mergers), without diacritics or case, and take the spelling the page
        offers; unknown ones are dropped (``ignored``). An area range reaching
        beyond the register's areas is cut to them (``adjusted``), or dropped when
        it holds none of them (``ignored``). Never raises.
        """
        ignored, adjusted = list(self.ignored), list(self.adjusted)
        changes: dict[str, Any] = {}
        if self.zone is not None and self.zone not in known.zones:
            changes["zone"] = None
            ignored.append("zone")
        if self.project is not None and self.project not in known.projects:
            changes["project"] = None
            ignored.append("project")
        if self.plot is not None and self.plot not in known.plots:
            changes["plot"] = None
            ignored.append("plot")
        if self.prov:
            names = [known.provinces.get(fold(p)) for p in self.prov]
            kept = tuple(sorted({n for n in names if n is not None}))
            if any(n is None for n in names):
                ignored.append("prov")
            changes["prov"] = kept
        if self.area is not None:
            lo, hi = self.area
            top = known.area_max
            if top is None or lo > top:
                changes["area"] = None
                ignored.append("area")
            elif hi > top:
                changes["area"] = (lo, top)
                adjusted.append("area")
        return replace(self, **changes, ignored=tuple(sorted(set(ignored))),
                       adjusted=tuple(sorted(set(adjusted) - set(ignored))))


@dataclass(frozen=True)
class Known:
    """What the register holds that a link may name (see :meth:`MapState.resolve`)."""

    zones: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()
    plots: frozenset[str] = frozenset()
    # Folded name (in the sources, or today's) -> the name the page's filter offers.
    provinces: Mapping[str, str] = field(default_factory=dict)
    # The area slider's top (hectares); None when no zone has a known area.
    area_max: float | None = None


_NOT_IN_LINKS = frozenset({"ignored", "adjusted"})


def _format(name: str, value: Any) -> str:
    if name == "snear":
        return ",".join(f"{kind}:{_num(km)}" for kind, km in value)
    if isinstance(value, tuple) and name in ("occ", "area"):
        return "-".join(_num(v) for v in value)
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _num(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _choice(text: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise ValueError(text)
    return text


def _choices(text: str, allowed: tuple[str, ...], *, empty_ok: bool = False) -> tuple[str, ...]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items and not empty_ok:
        raise ValueError(text)
    if any(i not in allowed for i in items):
        raise ValueError(text)
    return tuple(a for a in allowed if a in items)  # canonical order, no repeats


def _range(text: str, lo: float, hi: float | None) -> tuple[float, float]:
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(text)
    a, b = (float(p) for p in parts)
    finite = math.isfinite(a) and math.isfinite(b)
    if not finite or a > b or a < lo or (hi is not None and b > hi):
        raise ValueError(text)
    return a, b


def _float(text: str, lo: float, hi: float) -> float:
    value = float(text)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(text)
    return round(value, 5)


def _identifier(text: str) -> str:
    if not _ID.match(text):
        raise ValueError(text)
    return text


def _provinces(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not items or len(items) > _MAX_PROVINCES or any(len(t) > _MAX_TEXT for t in items):
        raise ValueError(text)
    return tuple(sorted(items))


def _parse(name: str, text: str) -> Any:
    parsers: dict[str, Any] = {
        "lang": lambda t: _choice(t, LANGS),
        "zone": _identifier,
        "project": _identifier,
        "plot": _identifier,
        "period": lambda t: _choice(t, PERIODS),
        "color": lambda t: _choice(t, COLOR_MODES),
        "layers": lambda t: _choices(t, LAYER_KEYS, empty_ok=True),
        "basemap": lambda t: _choice(t, BASEMAPS),
        "prov": _provinces,
        "kind": lambda t: _choices(t, KINDS),
        "status": lambda t: _choices(t, STATUSES),
        "pstatus": lambda t: _choices(t, PLOT_STATUSES),
        "occ": lambda t: _range(t, 0.0, 100.0),
        "area": lambda t: _range(t, 0.0, None),
        "q": lambda t: t[:_MAX_TEXT],
        "lat": lambda t: _float(t, -90.0, 90.0),
        "lon": lambda t: _float(t, -180.0, 180.0),
        "z": lambda t: int(_float(t, 0, 20)) if float(t).is_integer() else _bad(t),
        "view": lambda t: _choice(t, VIEWS),
        "site": lambda t: _choice(t, SITE_TARGETS),
        "smin": lambda t: _float(t, 0.0, 100_000.0),
        "snear": _near,
    }
    return parsers[name](text)


def _near(text: str) -> tuple[tuple[str, float], ...]:
    out: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        kind, _, km = part.partition(":")
        if kind not in NEAR_KINDS:
            raise ValueError(text)
        out[kind] = _float(km, 0.001, 2000.0)
    if not out:
        raise ValueError(text)
    return tuple(sorted(out.items()))


def _bad(text: str) -> Any:
    raise ValueError(text)
