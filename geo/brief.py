"""One-page investor briefs (PDF) of a zone or a province.

A brief is a single A4 page that a developer or a provincial investment office
can print or e-mail: the zone (or the province's zones) on a small vector map
drawn from the register alone, the key figures with their sources, the
linked infrastructure, the documents cited, and a QR code of the live view.

Honesty rules of the register apply on paper too: a value no source gives is
printed as "unknown", never guessed; approximate locations are flagged on
the map and beside every distance measured from them. Text from the data is
written as plain text (never through fpdf2's markdown or HTML parsers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import segno
from fpdf import FPDF
from fpdf.enums import WrapMode
from shapely.geometry import box as shapely_box
from shapely.geometry.base import BaseGeometry

from geo.analysis import (
    find_provinces,
    nearest_projects,
    projects_serving,
    province_summary,
)
from geo.crs import VN2000_UTM48N
from geo.i18n import (
    figure_text,
    local_today,
    number,
    project_name,
    sectors_label,
    t,
    year_text,
    zone_name,
)
from geo.register import Register, ordered_values
from geo.sitefinder import plot_occupancy
from geo.style import PROJECT_COLORS, STATUS_COLORS, UNKNOWN_COLOR
from geo.text import fold

__all__ = [
    "DEFAULT_FONTS",
    "fonts_available",
    "MAP_RADIUS_KM",
    "NEAREST_KINDS",
    "BriefError",
    "figure_value",
    "link_qr",
    "province_brief_pdf",
    "rank_figures",
    "zone_brief_pdf",
]

DEFAULT_FONTS = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT = "DejaVu"

# Project kinds whose nearest instance an investor asks about first.
NEAREST_KINDS = ("seaport", "airport", "expressway")
# The zone map shows this much ground around the zone on every side.
MAP_RADIUS_KM = 15.0

# Official figures shown first on a province brief, in this order; a trailing
# underscore matches every indicator with that prefix.
PRIORITY_INDICATORS = ("planned_zone_count", "planned_area_ha", "occupancy_pct", "target_",
                       "additional_area_ha")

# --- page geometry and colours (mm, RGB) ------------------------------------------

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 12.0
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - MARGIN
FOOTER_H = 31.0  # QR code, link, date and disclaimer
PT = 25.4 / 72  # one typographic point in mm

Rgb = tuple[int, int, int]
INK: Rgb = (27, 38, 49)
MUTED: Rgb = (96, 108, 120)
ACCENT: Rgb = (20, 72, 120)
RULE: Rgb = (205, 210, 215)
ZEBRA: Rgb = (243, 246, 248)
WHITE: Rgb = (255, 255, 255)
WARN_BG: Rgb = (255, 244, 206)
WARN_EDGE: Rgb = (196, 140, 0)
MAP_BG: Rgb = (236, 241, 244)
GRID: Rgb = (220, 227, 232)
SELECTED: Rgb = (200, 30, 30)
LINK: Rgb = (21, 67, 160)


def fonts_available(fonts: Path | None = None) -> bool:
    """Tell whether the brief's fonts are installed (in ``fonts`` or the default folder)."""
    folder = Path(fonts) if fonts is not None else DEFAULT_FONTS
    return all((folder / name).is_file() for name in FONT_FILES.values())


class BriefError(RuntimeError):
    """A brief cannot be made, e.g. because a font file is missing."""


def _rgb(hex_colour: str) -> Rgb:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def link_qr(link: str) -> segno.QRCode:
    """Return the QR code printed on the briefs for ``link``.

    A full (not micro) QR code with error correction level M, which survives
    a printed page being folded or slightly smudged.

    Raises
    ------
    ValueError
        If ``link`` is empty.
    BriefError
        If ``link`` is too long for any QR code.
    """
    if not link:
        raise ValueError("a brief needs the link of its live view; got an empty link")
    try:
        return segno.make(link, error="m", micro=False, boost_error=False)
    except segno.DataOverflowError as exc:
        raise BriefError(f"the link is too long for a QR code ({len(link)} characters): "
                         f"{exc}") from exc


# --- citations ---------------------------------------------------------------


@dataclass
class _Citations:
    """Numbers the documents a brief cites, in order of first citation."""

    reg: Register
    order: dict[str, int] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=dict)
    as_of: dict[str, list[str]] = field(default_factory=dict)

    def ref(self, source_id: Any, section: Any = None, as_of: Any = None) -> str:
        """Return the short reference "[n] §section" and remember the citation."""
        if _missing(source_id) or not source_id:
            return ""
        sid = str(source_id)
        n = self.order.setdefault(sid, len(self.order) + 1)
        for store, value in ((self.sections, section), (self.as_of, as_of)):
            items = store.setdefault(sid, [])
            if not _missing(value) and value and str(value) not in items:
                items.append(str(value))
        return f"[{n}] §{section}" if not _missing(section) and section else f"[{n}]"

    def copy(self) -> _Citations:
        """Return an independent copy, to try a layout without citing anything."""
        return _Citations(self.reg, dict(self.order),
                          {k: list(v) for k, v in self.sections.items()},
                          {k: list(v) for k, v in self.as_of.items()})

    def entries(self, lang: str) -> list[str]:
        """Return one line per cited document: document, issuer, date, sections, as-of."""
        out = []
        for sid, n in self.order.items():
            row = self.reg.sources[self.reg.sources["source_id"] == sid]
            if len(row):
                doc = row.iloc[0]
                head = ", ".join(str(v) for v in (doc["document"], doc["issuer"], doc["date"])
                                 if not _missing(v) and v)
            else:
                head = sid
            parts = [f"[{n}] {head}"]
            if self.sections.get(sid):
                parts.append(t("brief.sections", lang, s=", ".join(self.sections[sid])))
            if self.as_of.get(sid):
                parts.append(t("brief.as_of", lang, d=", ".join(sorted(self.as_of[sid]))))
            out.append("; ".join(parts))
        return out


# --- the page ----------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """One table cell: plain text and how to print it."""

    text: str
    bold: bool = False
    color: Rgb = INK
    align: str = "L"


def _cell(value: str | _Cell) -> _Cell:
    return value if isinstance(value, _Cell) else _Cell(value)


class _Page:
    """One A4 page with the brief's fonts and a few layout helpers."""

    def __init__(self, fonts: Path | None, lang: str, generated: str) -> None:
        folder = Path(fonts) if fonts is not None else DEFAULT_FONTS
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.c_margin = 0.8
        for style, name in FONT_FILES.items():
            path = folder / name
            if not path.is_file():
                raise BriefError(
                    f"font file {path} not found: the brief embeds DejaVu Sans to print every "
                    "Vietnamese letter. Install it with `apt-get install fonts-dejavu-core`, "
                    "or pass fonts= a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf."
                )
            self.pdf.add_font(FONT, style, str(path))
        self.lang = lang
        self.generated = generated
        self._heights: dict[tuple[float, str, float, bool, WrapMode], float] = {}
        try:
            day = date.fromisoformat(generated)
        except ValueError:
            day = None
        if day is not None:  # the same inputs give the same bytes
            self.pdf.set_creation_date(datetime(day.year, day.month, day.day, tzinfo=UTC))
        self.pdf.set_lang(lang)
        self.pdf.set_creator("KCN Atlas")
        self.pdf.add_page()

    # text -------------------------------------------------------------------

    def font(self, size: float, bold: bool = False, color: Rgb = INK) -> None:
        """Select the font size (pt), weight and colour."""
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    @staticmethod
    def line_h(size: float) -> float:
        """Return the line height (mm) of text of ``size`` points."""
        return size * PT * 1.28

    def height(self, w: float, text: str, size: float, bold: bool = False,
               wrap: WrapMode = WrapMode.WORD) -> float:
        """Return the height that ``text`` wrapped in width ``w`` needs."""
        key = (round(w, 3), text, size, bold, wrap)
        if key not in self._heights:  # layouts are tried several times: measure once
            self.font(size, bold)
            lines = self.pdf.multi_cell(w, self.line_h(size), text, dry_run=True,
                                        output="LINES", wrapmode=wrap)
            self._heights[key] = len(lines) * self.line_h(size)  # type: ignore[arg-type]
        return self._heights[key]

    def write(self, x: float, y: float, w: float, text: str, size: float, *,
              bold: bool = False, color: Rgb = INK, align: str = "L",
              wrap: WrapMode = WrapMode.WORD, link: str = "") -> float:
        """Write wrapped plain text at (x, y); return the y below it."""
        self.font(size, bold, color)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(w, self.line_h(size), text, align=align, wrapmode=wrap,
                            link=link or None)
        return y + self.height(w, text, size, bold, wrap)

    def heading(self, x: float, y: float, w: float, text: str) -> float:
        """Write a section heading with a rule under it; return the y below."""
        self.font(9.5, True, ACCENT)
        self.pdf.set_xy(x, y)
        self.pdf.cell(w, 4.6, text)
        self.pdf.set_draw_color(*ACCENT)
        self.pdf.set_line_width(0.35)
        self.pdf.line(x, y + 5.0, x + w, y + 5.0)
        return y + 6.6

    def note(self, x: float, y: float, w: float, text: str, size: float = 7.0) -> float:
        """Write a warning box (pale yellow, amber edge); return the y below it."""
        h = self.height(w - 5, text, size) + 2.4
        self.pdf.set_fill_color(*WARN_BG)
        self.pdf.set_draw_color(*WARN_EDGE)
        self.pdf.set_line_width(0.3)
        self.pdf.rect(x, y, w, h, style="F")
        self.pdf.set_fill_color(*WARN_EDGE)
        self.pdf.rect(x, y, 1.2, h, style="F")
        self.write(x + 3, y + 1.2, w - 5, text, size, color=INK)
        return y + h

    # tables -----------------------------------------------------------------

    def row_heights(self, widths: Sequence[float], rows: Sequence[Sequence[str | _Cell]],
                    size: float) -> list[float]:
        """Return the height of each table row (the tallest cell, plus padding)."""
        out = []
        for row in rows:
            cells = [_cell(c) for c in row]
            out.append(max(self.height(w, c.text, size, c.bold)
                           for w, c in zip(widths, cells, strict=True)) + 1.0)
        return out

    def fitting(self, y: float, heights: Sequence[float], bottom: float, more_h: float) -> int:
        """Return how many rows fit between y and bottom, keeping room for a "more" line."""
        if y + sum(heights) <= bottom:
            return len(heights)
        used, n = more_h, 0
        for h in heights:
            if y + used + h > bottom:
                break
            used += h
            n += 1
        return n

    def table(self, x: float, y: float, widths: Sequence[float], header: Sequence[str] | None,
              rows: Sequence[Sequence[str | _Cell]], size: float) -> float:
        """Draw a table with a bold header, a rule and zebra rows; return the y below."""
        w_all = sum(widths)
        if header:
            hh = max(self.height(w, label, size - 0.5, True)
                     for w, label in zip(widths, header, strict=True))
            cx = x
            for w, label in zip(widths, header, strict=True):
                self.write(cx, y, w, label, size - 0.5, bold=True, color=MUTED)
                cx += w
            y += hh + 0.3
            self.pdf.set_draw_color(*RULE)
            self.pdf.set_line_width(0.25)
            self.pdf.line(x, y, x + w_all, y)
            y += 0.4
        for i, (row, h) in enumerate(zip(rows, self.row_heights(widths, rows, size),
                                         strict=True)):
            if i % 2:
                self.pdf.set_fill_color(*ZEBRA)
                self.pdf.rect(x, y, w_all, h, style="F")
            cx = x
            for w, raw in zip(widths, row, strict=True):
                c = _cell(raw)
                self.write(cx, y + 0.5, w, c.text, size, bold=c.bold, color=c.color,
                           align=c.align)
                cx += w
            y += h
        return y

    # frame ------------------------------------------------------------------

    def header(self, kicker: str, title: str, subtitle: str) -> float:
        """Write the kicker band, title and subtitle; return the y below."""
        pdf = self.pdf
        pdf.set_fill_color(*ACCENT)
        pdf.rect(0, 0, PAGE_W, 3.0, style="F")
        self.font(7.5, True, ACCENT)
        pdf.set_xy(MARGIN, MARGIN - 4)
        pdf.cell(CONTENT_W * 0.7, 4, kicker.upper())
        self.font(7.5, False, MUTED)
        pdf.set_xy(MARGIN + CONTENT_W * 0.7, MARGIN - 4)
        pdf.cell(CONTENT_W * 0.3, 4, self.generated, align="R")
        y = self.write(MARGIN, MARGIN + 1.0, CONTENT_W, title, 19, bold=True)
        if subtitle:
            y = self.write(MARGIN, y + 0.6, CONTENT_W, subtitle, 9, color=MUTED)
        return y + 2.0

    def footer(self, link: str) -> None:
        """Write the QR code, the live link, the generation date and the disclaimer."""
        pdf, lang = self.pdf, self.lang
        top = BOTTOM - FOOTER_H + 3.0
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.line(MARGIN, top - 2.0, MARGIN + CONTENT_W, top - 2.0)
        qr_size = FOOTER_H - 4.0
        qr_x = MARGIN + CONTENT_W - qr_size
        self.qr(link, qr_x, top - 0.5, qr_size)
        pdf.link(qr_x, top - 0.5, qr_size, qr_size, link)
        w = CONTENT_W - qr_size - 6.0
        generated = t("brief.generated", lang, date=self.generated)
        disclaimer = t("brief.disclaimer", lang)
        room = (BOTTOM - top - self.height(w, t("brief.link", lang), 8, True) - 2.1
                - self.height(w, generated, 7) - self.height(w, disclaimer, 6.5))
        size, shown = self.link_text(link, w, room)
        y = self.write(MARGIN, top, w, t("brief.link", lang), 8, bold=True, color=ACCENT)
        y = self.write(MARGIN, y + 0.3, w, shown, size, color=LINK, wrap=WrapMode.CHAR,
                       link=link)
        y = self.write(MARGIN, y + 1.2, w, generated, 7, color=MUTED)
        self.write(MARGIN, y + 0.6, w, disclaimer, 6.5, color=MUTED)

    def link_text(self, link: str, w: float, room: float) -> tuple[float, str]:
        """Return the font size and text of the printed link that fit ``room`` mm.

        Smaller type is tried first; a link too long even then is shortened in
        the middle with an ellipsis (the QR code and the click target keep it whole).
        """
        for size in (7.5, 6.5, 5.5):
            if self.height(w, link, size, wrap=WrapMode.CHAR) <= room:
                return size, link
        lo, hi = 0, len(link)
        while lo < hi:  # the longest head + "…" + tail that still fits
            mid = (lo + hi + 1) // 2
            text = f"{link[: mid // 2]}…{link[len(link) - (mid - mid // 2):]}"
            if self.height(w, text, 5.5, wrap=WrapMode.CHAR) <= room:
                lo = mid
            else:
                hi = mid - 1
        return 5.5, f"{link[: lo // 2]}…{link[len(link) - (lo - lo // 2):]}"

    def qr(self, link: str, x: float, y: float, size: float) -> None:
        """Draw the QR code of ``link`` as vector squares, quiet zone included."""
        matrix = link_qr(link).matrix
        n = len(matrix)
        quiet = 2  # the footer around it is white too
        module = size / (n + 2 * quiet)
        self.pdf.set_fill_color(*WHITE)
        self.pdf.rect(x, y, size, size, style="F")
        self.pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < n:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < n and row[c]:
                    c += 1
                # Runs are drawn a hair taller so no white hairline shows between rows.
                self.pdf.rect(x + (quiet + start) * module, y + (quiet + r) * module,
                              (c - start) * module, module * 1.02, style="F")

    def output(self) -> bytes:
        """Return the PDF, checking that it is one page."""
        if self.pdf.pages_count != 1:  # the layout never breaks pages; guard it anyway
            raise BriefError(f"brief has {self.pdf.pages_count} pages, expected 1")
        return bytes(self.pdf.output())


# --- the map -----------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Maps metres of EPSG:3405 to millimetres of a box on the page."""

    minx: float
    miny: float
    scale: float  # mm per metre
    x: float
    y: float
    w: float
    h: float

    @classmethod
    def fit(cls, bounds: tuple[float, float, float, float],
            box: tuple[float, float, float, float]) -> _Frame:
        """Fit ``bounds`` (metres) into ``box`` (x, y, w, h in mm), one scale both ways."""
        x0, y0, x1, y1 = bounds
        bx, by, bw, bh = box
        ew, eh = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        scale = min(bw / ew, bh / eh)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return cls(cx - bw / scale / 2, cy - bh / scale / 2, scale, bx, by, bw, bh)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        """Return the page position of a point in metres."""
        return self.x + (x - self.minx) * self.scale, self.y + self.h - (y - self.miny) * self.scale

    def ground(self) -> BaseGeometry:
        """Return the box's ground footprint in metres."""
        return shapely_box(self.minx, self.miny, self.minx + self.w / self.scale,
                           self.miny + self.h / self.scale)


@dataclass(frozen=True)
class _LegendItem:
    symbol: str  # "zone", "kkt", "selected", "line", "seaport", "airport", "point", "dash"
    color: Rgb
    text: str
    dash: str | None = None  # status of a line: its dash pattern


_LINE_DASH = {"under_construction": (1.6, 1.0), "planned": (0.35, 0.9), "proposed": (0.35, 0.9)}
_APPROX_DASH = (1.0, 0.7)
_KIND_ORDER = {"KKT": 0, "KCN": 1, "CCN": 2}


class _Labels:
    """Places map labels beside their anchors without overlapping each other.

    A label goes next to its marker where there is room, else a little further
    out with a thin leader line, else it is left out (the selected zone's
    label is always written).
    """

    def __init__(self, page: _Page, frame: _Frame) -> None:
        self.page = page
        self.frame = frame
        self.taken: list[tuple[float, float, float, float]] = []

    def block(self, x: float, y: float, r: float) -> None:
        """Keep labels off a marker of radius ``r`` at (x, y)."""
        self.taken.append((x - r, y - r, x + r, y + r))

    def block_rect(self, x: float, y: float, w: float, h: float) -> None:
        """Keep labels off a rectangle (the north arrow, the scale bar)."""
        self.taken.append((x, y, x + w, y + h))

    def _free(self, rect: tuple[float, float, float, float]) -> bool:
        f = self.frame
        if rect[0] < f.x + 0.5 or rect[2] > f.x + f.w - 0.5:
            return False
        if rect[1] < f.y + 0.5 or rect[3] > f.y + f.h - 0.5:
            return False
        return not any(rect[0] < o[2] and rect[2] > o[0] and rect[1] < o[3] and rect[3] > o[1]
                       for o in self.taken)

    @staticmethod
    def _candidates(x: float, y: float, gap: float, w: float,
                    h: float) -> list[tuple[float, float]]:
        d = gap * 0.75
        return [(x + gap, y - h / 2), (x - gap - w, y - h / 2),
                (x - w / 2, y - gap - h), (x - w / 2, y + gap),
                (x + d, y - d - h), (x + d, y + d), (x - d - w, y - d - h), (x - d - w, y + d)]

    def place(self, x: float, y: float, r: float, text: str, size: float, *,
              bold: bool = False, color: Rgb = INK, force: bool = False) -> bool:
        """Write ``text`` on a white box near (x, y) where it fits; tell whether it did."""
        if not text:
            return False
        page = self.page
        page.font(size, bold, color)
        w = page.pdf.get_string_width(text) + 0.8
        h = size * PT + 0.7
        for ring, extra in enumerate((0.0, 2.5, 5.5, 9.0)):
            for lx, ly in self._candidates(x, y, r + 0.6 + extra, w, h):
                if self._free((lx, ly, lx + w, ly + h)):
                    self._draw(x, y, r, lx, ly, w, h, text, size, bold, color, ring > 0)
                    return True
        if force:
            f = self.frame
            lx = min(max(x + r + 0.6, f.x + 0.5), f.x + f.w - w - 0.5)
            ly = min(max(y - h / 2, f.y + 0.5), f.y + f.h - h - 0.5)
            self._draw(x, y, r, lx, ly, w, h, text, size, bold, color, False)
            return True
        return False

    def _draw(self, x: float, y: float, r: float, lx: float, ly: float, w: float, h: float,
              text: str, size: float, bold: bool, color: Rgb, leader: bool) -> None:
        pdf = self.page.pdf
        self.taken.append((lx, ly, lx + w, ly + h))
        if leader:
            tx, ty = min(max(x, lx), lx + w), min(max(y, ly), ly + h)
            d = math.hypot(tx - x, ty - y) or 1.0
            pdf.set_draw_color(*MUTED)
            pdf.set_line_width(0.15)
            pdf.line(x + (tx - x) * r / d, y + (ty - y) * r / d, tx, ty)
        with pdf.local_context(fill_opacity=0.85):
            pdf.set_fill_color(*WHITE)
            pdf.rect(lx, ly, w, h, style="F")
        self.page.font(size, bold, color)
        pdf.text(lx + 0.4, ly + h - 0.35 - 0.18 * size * PT, text)


def _parts(geom: BaseGeometry) -> Iterator[BaseGeometry]:
    if hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from _parts(g)
    else:
        yield geom


def _nice_km(target_km: float) -> float:
    steps = (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
    return max([s for s in steps if s <= target_km] or [steps[0]])


@contextmanager
def _dash(page: _Page, pattern: tuple[float, float] | None) -> Iterator[None]:
    if pattern is None:
        yield
        return
    page.pdf.set_dash_pattern(*pattern)
    try:
        yield
    finally:
        page.pdf.set_dash_pattern()


def _zone_marker(page: _Page, row: dict[str, Any], x: float, y: float) -> float:
    """Draw a zone's point symbol; return its radius."""
    pdf = page.pdf
    colour = _rgb(STATUS_COLORS.get(row.get("status") or "", UNKNOWN_COLOR))
    kind = row.get("kind")
    if kind == "KKT":
        r = 3.4
        with page.pdf.local_context(fill_opacity=0.12):
            pdf.set_fill_color(*colour)
            pdf.ellipse(x - r, y - r, 2 * r, 2 * r, style="F")
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.55)
        approx = row.get("geometry_quality") == "approximate"
        with _dash(page, _APPROX_DASH if approx else None):
            pdf.ellipse(x - r, y - r, 2 * r, 2 * r, style="D")
        return r
    r = 1.35 if kind == "KCN" else 1.1
    pdf.set_fill_color(*colour)
    pdf.set_draw_color(*WHITE)
    pdf.set_line_width(0.3)
    if kind == "CCN":
        pdf.rect(x - r, y - r, 2 * r, 2 * r, style="DF")
    else:
        pdf.ellipse(x - r, y - r, 2 * r, 2 * r, style="DF")
    return r


def _project_marker(page: _Page, kind: str, colour: Rgb, x: float, y: float) -> float:
    """Draw an infrastructure point symbol; return its radius."""
    pdf = page.pdf
    pdf.set_fill_color(*colour)
    pdf.set_draw_color(*WHITE)
    pdf.set_line_width(0.3)
    r = 1.5
    if kind == "airport":
        pdf.polygon([(x, y - r * 1.15), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)],
                    style="DF")
    elif kind == "seaport":
        pdf.rect(x - r, y - r, 2 * r, 2 * r, style="DF")
    else:
        pdf.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], style="DF")
    return r


def _to_metres(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    with_geom = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return with_geom.to_crs(VN2000_UTM48N)


def _draw_map(page: _Page, box: tuple[float, float, float, float],
              bounds: tuple[float, float, float, float], zones: gpd.GeoDataFrame,
              projects: gpd.GeoDataFrame, *, selected: str | None,
              labels: dict[str, str], approximate_note: bool) -> list[_LegendItem]:
    """Draw zones and projects (EPSG:3405) in ``box``; return what the legend must explain.

    ``labels`` maps zone ids to the text written beside them; the selected zone
    is labelled first, then the infrastructure points, then the other zones,
    each only where it fits without overlapping.
    """
    pdf, lang = page.pdf, page.lang
    frame = _Frame.fit(bounds, box)
    bx, by, bw, bh = box
    ground = frame.ground()
    legend: list[_LegendItem] = []
    placer = _Labels(page, frame)
    # Map furniture: scale bar (bottom left), north arrow (top right), the badge.
    km = _nice_km(bw / frame.scale / 1000 / 4)
    bar = km * 1000 * frame.scale
    sx, sy = bx + 3.0, by + bh - 4.0
    nx, ny = bx + bw - 6.0, by + 3.0
    placer.block_rect(sx - 1.5, sy - 3.6, bar + 10.0, 6.0)
    placer.block_rect(nx - 3.2, ny - 1.2, 6.4, 10.4)
    badge = t("brief.map.approximate", lang)
    page.font(6.5, True)
    badge_w = pdf.get_string_width(badge) + 3.0
    if approximate_note:
        placer.block_rect(bx + 2.0, by + 2.0, badge_w, 4.4)
    dashed = False
    with pdf.local_context():
        pdf.set_fill_color(*MAP_BG)
        pdf.rect(bx, by, bw, bh, style="F")
        with pdf.rect_clip(bx, by, bw, bh):
            pdf.set_draw_color(*GRID)
            pdf.set_line_width(0.15)
            step = km * 1000
            gx = math.ceil(frame.minx / step) * step
            while frame.xy(gx, 0)[0] < bx + bw:
                px = frame.xy(gx, 0)[0]
                pdf.line(px, by, px, by + bh)
                gx += step
            gy = math.ceil(frame.miny / step) * step
            while frame.xy(0, gy)[1] > by:
                py = frame.xy(0, gy)[1]
                pdf.line(bx, py, bx + bw, py)
                gy += step

            # Zone areas first, so lines and markers stay on top.
            shown = zones[zones.geometry.intersects(ground)]
            shown = shown.assign(_order=shown["kind"].map(_KIND_ORDER).fillna(3))
            shown = shown.sort_values("_order", kind="stable")
            for row in shown.to_dict("records"):
                geom = row["geometry"]
                colour = _rgb(STATUS_COLORS.get(row.get("status") or "", UNKNOWN_COLOR))
                approx = row.get("geometry_quality") == "approximate"
                for part in _parts(geom):
                    if part.geom_type != "Polygon":
                        continue
                    pts = [frame.xy(*c) for c in part.exterior.coords]
                    if row["kind"] != "KKT":
                        with pdf.local_context(fill_opacity=0.35):
                            pdf.set_fill_color(*colour)
                            pdf.polygon(pts, style="F")
                    pdf.set_draw_color(*colour)
                    pdf.set_line_width(0.6 if row["kind"] == "KKT" else 0.4)
                    dashed |= approx
                    with _dash(page, _APPROX_DASH if approx else None):
                        pdf.polygon(pts, style="D")

            # Infrastructure lines, with a white casing so they read over anything.
            pshown = projects[projects.geometry.intersects(ground)]
            kinds_seen: dict[str, str] = {}
            for row in pshown.to_dict("records"):
                colour = _rgb(PROJECT_COLORS.get(row["kind"] or "", UNKNOWN_COLOR))
                for part in _parts(row["geometry"]):
                    if part.geom_type != "LineString":
                        continue
                    pts = [frame.xy(*c) for c in part.coords]
                    pdf.set_draw_color(*WHITE)
                    pdf.set_line_width(1.2)
                    pdf.polyline(pts)
                    pdf.set_draw_color(*colour)
                    pdf.set_line_width(0.7)
                    with _dash(page, _LINE_DASH.get(row["status"] or "")):
                        pdf.polyline(pts)
                    kinds_seen.setdefault(row["kind"], "line")
            point_labels: list[tuple[float, float, float, str]] = []
            for row in pshown.to_dict("records"):
                colour = _rgb(PROJECT_COLORS.get(row["kind"] or "", UNKNOWN_COLOR))
                for part in _parts(row["geometry"]):
                    if part.geom_type != "Point":
                        continue
                    x, y = frame.xy(part.x, part.y)
                    r = _project_marker(page, row["kind"], colour, x, y)
                    placer.block(x, y, r)
                    point_labels.append((x, y, r, project_name(row, lang)))
                    kinds_seen.setdefault(row["kind"], "point")

            # Zone markers: KKT rings under KCN and CCN dots, the selected zone last.
            anchors: dict[str, tuple[float, float, float]] = {}
            for row in shown.to_dict("records"):
                for part in _parts(row["geometry"]):
                    if part.geom_type == "Point":
                        x, y = frame.xy(part.x, part.y)
                        r = _zone_marker(page, row, x, y)
                    else:
                        c = part.representative_point()
                        x, y = frame.xy(c.x, c.y)
                        r = 0.8
                    placer.block(x, y, r)
                    anchors.setdefault(row["id"], (x, y, r))
            if selected in anchors:
                x, y, r = anchors[selected]
                sel = shown[shown["id"] == selected].iloc[0]
                ring = max(r, 1.35) + 1.1
                pdf.set_draw_color(*SELECTED)
                pdf.set_line_width(0.7)
                if sel.geometry.geom_type == "Point":
                    pdf.ellipse(x - ring, y - ring, 2 * ring, 2 * ring, style="D")
                else:
                    for part in _parts(sel.geometry):
                        if part.geom_type == "Polygon":
                            pdf.polygon([frame.xy(*c) for c in part.exterior.coords], style="D")
                placer.block(x, y, ring)
                placer.place(x, y, ring, labels.get(selected, ""), 7.0, bold=True,
                             color=SELECTED, force=True)
            for x, y, r, text in point_labels:
                placer.place(x, y, r, text, 5.6, color=MUTED)
            for zid, (x, y, r) in anchors.items():
                if zid != selected and zid in labels:
                    placer.place(x, y, r, labels[zid], 5.6)

        # Scale bar and north arrow, outside the clip so they are never cut.
        with pdf.local_context(fill_opacity=0.7):
            pdf.set_fill_color(*WHITE)
            pdf.rect(sx - 1.5, sy - 3.6, bar + 10.0, 6.0, style="F")
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.2)
        for i in range(2):
            pdf.set_fill_color(*(INK if i == 0 else WHITE))
            pdf.rect(sx + i * bar / 2, sy, bar / 2, 1.1, style="DF")
        page.font(5.8, False, INK)
        pdf.text(sx - 0.4, sy - 0.8, "0")
        label = f"{number(km, lang)} km"
        pdf.text(sx + bar - page.pdf.get_string_width(number(km, lang) or "") / 2, sy - 0.8,
                 label)
        with pdf.local_context(fill_opacity=0.85):
            pdf.set_fill_color(*WHITE)
            pdf.rect(nx - 3.2, ny - 1.2, 6.4, 10.4, style="F")
        pdf.set_fill_color(*INK)
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.2)
        pdf.polygon([(nx, ny), (nx + 1.8, ny + 5.2), (nx, ny + 4.2)], style="DF")
        pdf.set_fill_color(*WHITE)
        pdf.polygon([(nx, ny), (nx - 1.8, ny + 5.2), (nx, ny + 4.2)], style="DF")
        page.font(6.5, True, INK)
        north = t("brief.north", lang)
        pdf.text(nx - pdf.get_string_width(north) / 2, ny + 8.3, north)
        if approximate_note:
            page.font(6.5, True, INK)
            pdf.set_fill_color(*WARN_BG)
            pdf.set_draw_color(*WARN_EDGE)
            pdf.set_line_width(0.3)
            pdf.rect(bx + 2.0, by + 2.0, badge_w, 4.4, style="DF")
            pdf.text(bx + 3.5, by + 5.2, badge)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.rect(bx, by, bw, bh, style="D")

    # Legend: only what the map shows.
    if selected in anchors:
        legend.append(_LegendItem("selected", SELECTED, t("brief.legend.selected", lang)))
    for status, hex_colour in STATUS_COLORS.items():
        if (shown["status"] == status).any():
            legend.append(_LegendItem("zone", _rgb(hex_colour), t(f"status.{status}", lang)))
    if (shown["kind"] == "KKT").any():
        legend.append(_LegendItem("kkt", MUTED, t("layer.kkt", lang)))
    for kind, shape in kinds_seen.items():
        symbol = shape if shape == "line" else (kind if kind in ("seaport", "airport")
                                                else "point")
        legend.append(_LegendItem(symbol, _rgb(PROJECT_COLORS.get(kind, UNKNOWN_COLOR)),
                                  t(f"pkind.{kind}", lang)))
    if any(v == "line" for v in kinds_seen.values()):
        legend.append(_LegendItem("dash", MUTED, t("legend.infra_status", lang)))
    if dashed or ((shown["kind"] == "KKT") & (shown["geometry_quality"] == "approximate")).any():
        legend.append(_LegendItem("approx", MUTED, t("brief.legend.approximate", lang)))
    return legend


def _draw_legend(page: _Page, x: float, y: float, w: float,
                 items: Sequence[_LegendItem]) -> float:
    """Draw legend items flowing in rows; return the y below."""
    pdf = page.pdf
    size, row_h = 6.2, 3.9
    cx, cy = x, y
    for item in items:
        page.font(size)
        tw = pdf.get_string_width(item.text)
        iw = 6.0 + tw + 4.0
        if item.symbol == "dash":
            iw = w  # the line-status key gets its own row
        if cx + iw > x + w and cx > x:
            cx, cy = x, cy + row_h
        mx, my = cx + 2.2, cy + row_h / 2
        pdf.set_line_width(0.3)
        if item.symbol == "zone":
            pdf.set_fill_color(*item.color)
            pdf.set_draw_color(*WHITE)
            pdf.ellipse(mx - 1.3, my - 1.3, 2.6, 2.6, style="DF")
        elif item.symbol == "selected":
            pdf.set_draw_color(*item.color)
            pdf.set_line_width(0.6)
            pdf.ellipse(mx - 1.6, my - 1.6, 3.2, 3.2, style="D")
        elif item.symbol in ("kkt", "approx"):
            pdf.set_draw_color(*item.color)
            pdf.set_line_width(0.45)
            with _dash(page, _APPROX_DASH if item.symbol == "approx" else None):
                if item.symbol == "kkt":
                    pdf.ellipse(mx - 1.7, my - 1.7, 3.4, 3.4, style="D")
                else:
                    pdf.line(mx - 2.0, my, mx + 2.2, my)
        elif item.symbol == "line":
            pdf.set_draw_color(*item.color)
            pdf.set_line_width(0.7)
            pdf.line(mx - 2.0, my, mx + 2.4, my)
        elif item.symbol == "dash":
            pdf.set_draw_color(*item.color)
            pdf.set_line_width(0.5)
            pdf.line(mx - 2.0, my, mx + 2.4, my)
        else:
            _project_marker(page, item.symbol, item.color, mx, my)
        page.font(size, False, INK)
        pdf.text(cx + 6.0, my + size * PT * 0.35, item.text)
        cx += iw
    return cy + row_h


def _map_bounds(geoms: gpd.GeoSeries, pad_m: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = geoms.total_bounds
    return x0 - pad_m, y0 - pad_m, x1 + pad_m, y1 + pad_m


# --- values ------------------------------------------------------------------

def figure_value(record: dict[str, Any], lang: str) -> str:
    """Return an official figure as words (see :func:`geo.i18n.figure_text`)."""
    return figure_text(record, lang)


def _zone_value(field_name: str, value: Any, lang: str) -> str | None:
    if _missing(value) or value == "":
        return None
    if field_name == "year_established":
        return year_text(value)
    if field_name == "sectors":
        return sectors_label(str(value), lang)
    if isinstance(value, float):
        return number(value, lang)
    return str(value)


def _today(generated: str | None) -> str:
    return generated if generated else local_today().isoformat()


# --- the zone brief ----------------------------------------------------------

_KEY_FIELDS = ("area_total_ha", "area_industrial_ha", "leased_ha", "occupancy_pct",
               "year_established", "plan_period", "sectors", "developer")
ZONE_MAP_H = 92.0  # the zone map grows into whatever room the page leaves
ZONE_MAP_MAX_GROWTH = 40.0


def _zone_row(reg: Register, zone_id: str) -> dict[str, Any]:
    hit = reg.zones[reg.zones["id"] == zone_id]
    if hit.empty:
        raise KeyError(f"no zone with id {zone_id!r} in the register "
                       f"({len(reg.zones)} zones; ids look like 'kcn-dinh-vu')")
    return hit.iloc[0].to_dict()


def _km(value: float, lang: str) -> str:
    text = number(round(value, 1), lang, 1) or ""
    if not any(sep in text[-2:] for sep in ",."):
        text += ",0" if lang == "vi" else ".0"
    return f"{text} km"


def _fact_box(page: _Page, x: float, y: float, w: float, caption: str, value: str,
              detail: str, *, height: float = 0.0, dry: bool = False) -> float:
    """Draw one box of the fact strip (caption, bold value, detail); return its height."""
    h_val = page.height(w - 3, value, 9.5, True)
    h_det = page.height(w - 3, detail, 6.8) if detail else 0.0
    h = max(height, 1.3 + page.line_h(6.5) + h_val + h_det + 1.4)
    if dry:
        return h
    page.pdf.set_fill_color(*ZEBRA)
    page.pdf.rect(x, y, w, h, style="F")
    page.pdf.set_fill_color(*ACCENT)
    page.pdf.rect(x, y, 0.8, h, style="F")
    yy = page.write(x + 2, y + 1.3, w - 3, caption, 6.5, color=MUTED)
    yy = page.write(x + 2, yy, w - 3, value, 9.5, bold=True)
    if detail:
        page.write(x + 2, yy, w - 3, detail, 6.8, color=MUTED)
    return h


def _sources_height(page: _Page, cites: _Citations) -> float:
    """Return the height of the sources block listing ``cites``."""
    return 3.5 + 6.6 + sum(page.height(CONTENT_W, e, SOURCE_SIZE) + 0.6
                           for e in cites.entries(page.lang))


def _fit_with_sources(page: _Page, y: float, heights: Sequence[float],
                      refs: Sequence[tuple[Any, Any, Any]], cites: _Citations,
                      bottom: float, more_h: float, floor: float = 0.0) -> int:
    """Return how many rows fit from ``y`` with, below them, the sources they cite.

    The sources block starts under the rows, or at ``floor`` when that is lower
    (a column beside the rows reaches further down).
    """
    for n in range(len(heights), -1, -1):
        probe = cites.copy()
        for ref in refs[:n]:
            probe.ref(*ref)
        rows_end = y + sum(heights[:n]) + (more_h if n < len(heights) else 0.0)
        if max(rows_end, floor) + _sources_height(page, probe) <= bottom:
            return n
    return 0


def _sources_block(page: _Page, cites: _Citations, y: float, bottom: float) -> float:
    """List the cited documents between y and bottom; say how many did not fit."""
    lang = page.lang
    y = page.heading(MARGIN, y, CONTENT_W, t("brief.sources", lang))
    entries = cites.entries(lang)
    heights = [page.height(CONTENT_W, e, SOURCE_SIZE) + 0.6 for e in entries]
    n = page.fitting(y, heights, bottom, page.line_h(SOURCE_SIZE))
    for entry in entries[:n]:
        y = page.write(MARGIN, y, CONTENT_W, entry, SOURCE_SIZE) + 0.6
    if n < len(entries):
        y = page.write(MARGIN, y, CONTENT_W, t("brief.more_sources", lang, n=len(entries) - n),
                       SOURCE_SIZE, color=MUTED)
    return y


SOURCE_SIZE = 6.5


def zone_brief_pdf(register: Register, zone_id: str, lang: str, link: str, *,
                   generated: str | None = None, fonts: Path | None = None) -> bytes:
    """Return the one-page investor brief of a zone as PDF bytes.

    The page holds the zone's name, kind, status and province (today and as
    in the source); a vector map of the zone and everything within about
    15 km; its key figures, each with its source or "unknown"; the
    infrastructure serving it and the nearest seaport, airport and expressway;
    the documents cited; and the live link as text and QR code.

    Parameters
    ----------
    register
        The register to read the zone, its infrastructure and sources from.
    zone_id
        Id of the zone, e.g. ``"kcn-dinh-vu"``.
    lang
        ``"vi"`` or ``"en"``: every label, name and number follows it.
    link
        The live-view URL, printed as text and as a QR code.
    generated
        Date printed as the generation date (ISO, ``YYYY-MM-DD``); today by default.
        An ISO date is also the PDF's creation date, so the output is reproducible.
    fonts
        Folder holding ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``; the Debian
        fonts-dejavu-core folder by default.

    Raises
    ------
    KeyError
        If the register has no zone ``zone_id``.
    ValueError
        If ``link`` is empty.
    BriefError
        If a font file is missing, or the link is too long for a QR code.
    """
    zone = _zone_row(register, zone_id)
    link_qr(link)  # fail before any layout on a link no QR code can hold
    day = _today(generated)
    # Lay the page out once, then again with the map grown into the room left over.
    page, end = _zone_page(register, zone, lang, link, day, fonts, ZONE_MAP_H)
    room = BOTTOM - FOOTER_H - 2.0 - end
    if room > 3.0:
        grown = ZONE_MAP_H + min(room - 2.0, ZONE_MAP_MAX_GROWTH)
        page, _ = _zone_page(register, zone, lang, link, day, fonts, grown)
    return page.output()


def _zone_page(register: Register, zone: dict[str, Any], lang: str, link: str, day: str,
               fonts: Path | None, map_h: float) -> tuple[_Page, float]:
    """Lay out a zone brief with a map ``map_h`` mm tall; return it and its lowest y."""
    zone_id = zone["id"]
    page = _Page(fonts, lang, day)
    cites = _Citations(register)
    # The value the register shows for each field (higher tier, then newer) and its source.
    values = ordered_values(register.zone_values, register.sources)
    values = values[(values["zone_id"] == zone_id) & values["chosen"]].set_index("field")

    def value_ref(field_name: str) -> str:
        """The value's source as a reference, with its tier in front ("Press · [2]")."""
        if field_name in values.index:
            v = values.loc[field_name]
            ref = cites.ref(v["source_id"], v["source_section"], v["as_of"])
            return f"{t(f'tier.{v.tier}', lang)} · {ref}" if v["tier"] else ref
        return ""

    name = zone_name(zone, lang)
    approximate = zone.get("geometry_quality") == "approximate"
    has_location = not _missing(zone["geometry"]) and not zone["geometry"].is_empty
    province = zone.get("province") or t("unknown", lang)
    today_province = zone.get("province_current") or province
    record_ref = cites.ref(zone.get("source_id"), zone.get("source_section"), zone.get("as_of"))
    subtitle = " · ".join(p for p in (
        f"{t('kind.' + str(zone['kind']), lang)} ({zone['kind']})",
        t("brief.province_today", lang, p=today_province),
        t("brief.named_in", lang, ref=record_ref) if record_ref else "",
    ) if p)
    y = page.header(t("brief.kicker", lang), name, subtitle)

    # Fact strip: status, province, district, then the parent KKT or the zones inside.
    status = zone.get("status")
    status_as_of = values.loc["status", "as_of"] if "status" in values.index else None
    status_detail = " · ".join(p for p in (
        value_ref("status") if status else "",
        t("brief.as_of", lang, d=status_as_of) if status and status_as_of else "") if p)
    parent = register.zones[register.zones["id"] == zone.get("parent_id")]
    children = register.zones[register.zones["parent_id"] == zone_id]
    district = zone.get("district")
    boxes = [
        (t("attr.status", lang),
         t(f"status.{status}", lang) if status else t("unknown", lang), status_detail),
        (t("attr.province_current", lang), str(today_province),
         t("brief.in_source", lang, p=province)),
        (t("attr.district", lang), str(district) if district else t("unknown", lang), ""),
    ]
    if len(parent):
        boxes.append((t("panel.parent", lang), zone_name(parent.iloc[0].to_dict(), lang), ""))
    elif len(children):
        boxes.append((t("panel.children", lang), t("brief.contains", lang, n=len(children)), ""))
    else:
        quality = zone.get("geometry_quality")
        boxes.append((t("attr.geometry_quality", lang),
                      t(f"quality.{quality}", lang) if quality else t("unknown", lang), ""))
    gap = 3.0
    bw = (CONTENT_W - gap * (len(boxes) - 1)) / len(boxes)
    strip_h = max(_fact_box(page, 0, 0, bw, *b, dry=True) for b in boxes)
    for i, b in enumerate(boxes):
        _fact_box(page, MARGIN + i * (bw + gap), y, bw, *b, height=strip_h)
    y += strip_h + 3.0
    if approximate:
        y = page.note(MARGIN, y, CONTENT_W, t("panel.approximate", lang)) + 3.0

    # Left: the map and its legend. Right: key figures and nearest infrastructure.
    map_w = 104.0
    right_x = MARGIN + map_w + 6.0
    right_w = CONTENT_W - map_w - 6.0
    top = y
    y_left = page.heading(MARGIN, top, map_w,
                          t("brief.map", lang, km=number(MAP_RADIUS_KM, lang)))
    map_box = (MARGIN, y_left, map_w, map_h)
    if has_location:
        zones_m = _to_metres(register.zones)
        here = zones_m[zones_m["id"] == zone_id].geometry
        labels = {row["id"]: zone_name(row, lang) for row in zones_m.to_dict("records")}
        legend = _draw_map(page, map_box, _map_bounds(here, MAP_RADIUS_KM * 1000), zones_m,
                           _to_metres(register.projects), selected=zone_id, labels=labels,
                           approximate_note=approximate)
        y_left = _draw_legend(page, MARGIN, y_left + map_h + 1.5, map_w, legend)
    else:
        page.pdf.set_fill_color(*MAP_BG)
        page.pdf.rect(*map_box, style="F")
        page.write(MARGIN + 4, y_left + map_h / 2 - 2, map_w - 8,
                   t("brief.map.no_location", lang), 8, color=MUTED, align="C")
        y_left += map_h

    y_right = page.heading(right_x, top, right_w, t("brief.key_figures", lang))
    rows: list[list[str | _Cell]] = []
    for field_name in _KEY_FIELDS:
        text = _zone_value(field_name, zone.get(field_name), lang)
        label = t(f"attr.{field_name}", lang)
        if text is None:
            rows.append([label, _Cell(t("unknown", lang), color=MUTED),
                         _Cell(t("panel.missing", lang), color=MUTED)])
        else:
            rows.append([label, _Cell(text, bold=True),
                         _Cell(value_ref(field_name) or record_ref, color=MUTED)])
    plots = register.plots[register.plots["zone_id"] == zone_id]
    if len(plots):  # the zone's land from its plots, computed, beside the stated figures
        occ = plot_occupancy(plots).iloc[0]
        rows.append([t("brief.vacant_from_plots", lang),
                     _Cell(f"{number(occ['vacant_ha'], lang)} ha", bold=True),
                     _Cell(t("brief.from_plots", lang, n=int(occ["plots"]),
                             d=occ["as_of"] or "—"), color=MUTED)])
    y_right = page.table(right_x, y_right, [right_w * 0.41, right_w * 0.31, right_w * 0.28],
                         None, rows, 7.2)

    y_right = page.heading(right_x, y_right + 3.5, right_w, t("brief.nearest", lang))
    near = (nearest_projects(zone["geometry"], register.projects, NEAREST_KINDS)
            if has_location else dict.fromkeys(NEAREST_KINDS))
    by_id = register.projects.set_index("id", drop=False)
    near_rows: list[list[str | _Cell]] = []
    near_approx = approximate
    for kind in NEAREST_KINDS:
        hit = near[kind]
        if hit is None:
            none = t("panel.nearest.none", lang) if has_location else t("unknown", lang)
            near_rows.append([t(f"pkind.{kind}", lang), _Cell(none, color=MUTED), ""])
            continue
        project = by_id.loc[hit[0]].to_dict()
        near_approx |= project.get("geometry_quality") == "approximate"
        near_rows.append([t(f"pkind.{kind}", lang), project_name(project, lang),
                          _Cell(_km(hit[1], lang), bold=True, align="R")])
    y_right = page.table(right_x, y_right, [right_w * 0.26, right_w * 0.52, right_w * 0.22],
                         None, near_rows, 7.0)
    if has_location:
        y_right = page.write(right_x, y_right + 0.8, right_w,
                             t("brief.nearest.approximate" if near_approx
                               else "brief.nearest.exact", lang), 6.5, color=MUTED)

    # Right column, below: the infrastructure serving the zone, as many as fit.
    footer_top = BOTTOM - FOOTER_H - 2.0
    y_right = page.heading(right_x, y_right + 3.5, right_w, t("brief.infra", lang))
    serving = projects_serving(register.projects, zone_id).to_dict("records")
    if not serving:
        y_right = page.write(right_x, y_right, right_w, t("panel.no_projects", lang), 7,
                             color=MUTED)
    else:
        refs = [(p.get("source_id"), p.get("source_section"), p.get("as_of")) for p in serving]

        def detail(p: dict[str, Any], ref: str) -> str:
            period = p.get("period") or t("unknown", lang)
            status = t(f"status.{p['status']}", lang) if p.get("status") else t("unknown", lang)
            return " · ".join((t(f"pkind.{p['kind']}", lang), status,
                               f"{t('attr.period', lang)}: {period}", ref))

        heights = [page.height(right_w - 2, project_name(p, lang), 7.2, True)
                   + page.height(right_w - 2, detail(p, f"[9] §{r[1] or ''}"), 6.4) + 1.4
                   for p, r in zip(serving, refs, strict=True)]
        more_h = page.line_h(6.6) + 1.0
        n = _fit_with_sources(page, y_right, heights, refs, cites, footer_top, more_h,
                              floor=y_left)
        for i, (p, r) in enumerate(zip(serving[:n], refs[:n], strict=True)):
            if i % 2 == 0:
                page.pdf.set_fill_color(*ZEBRA)
                page.pdf.rect(right_x, y_right, right_w, heights[i], style="F")
            yy = page.write(right_x + 1, y_right + 0.7, right_w - 2, project_name(p, lang), 7.2,
                            bold=True)
            page.write(right_x + 1, yy, right_w - 2, detail(p, cites.ref(*r)), 6.4,
                       color=MUTED)
            y_right += heights[i]
        if n < len(serving):
            y_right = page.write(right_x, y_right + 0.5, right_w,
                                 t("brief.more_projects", lang, n=len(serving) - n), 6.6,
                                 bold=True, color=ACCENT)
    y = max(y_left, y_right)
    end = _sources_block(page, cites, y + 3.5, footer_top)
    page.footer(link)
    page.pdf.set_title(f"{name} – {t('brief.kicker', lang)}")
    return page, end


# --- the province brief ------------------------------------------------------


def _resolve_province(reg: Register, province: str) -> str:
    """Return the province as named in the sources that ``province`` names."""
    names = find_provinces(reg, None)
    if province in names:
        return province
    hits = find_provinces(reg, province) if province.strip() else []
    # A whole name (any spelling, or today's name) is accepted, not a fragment.
    if len(hits) == 1:
        pairs = pd.concat([reg.zones[["province", "province_current"]],
                           reg.figures[["province", "province_current"]]])
        spellings = {fold(hits[0])} | {
            fold(p) for p in pairs.loc[pairs["province"] == hits[0], "province_current"]
            if isinstance(p, str)}
        if fold(province) in spellings:
            return hits[0]
    known = ", ".join(names)
    raise LookupError(f"no province {province!r} in the register; it has: {known}")


def _natural(name: str) -> str:
    """Return a sort key that puts "Zone 2" before "Zone 10" and ignores diacritics."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), fold(name))


def _indicator_rank(indicator: str) -> int:
    for i, key in enumerate(PRIORITY_INDICATORS):
        if indicator == key or (key.endswith("_") and indicator.startswith(key)):
            return i
    return len(PRIORITY_INDICATORS)


_SCOPE_ORDER = {"KKT": 0, "KCN": 1, "CCN": 2}


def rank_figures(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order a province's official figures by relevance to an investor.

    The key source (the one giving the most priority indicators, then the most
    figures, then the newest) comes first; within it, planned counts and
    areas, occupancy, targets and additional areas lead, in that order.

    Parameters
    ----------
    records
        ``official_figures`` of :func:`geo.analysis.province_summary`.
    """
    if not records:
        return []
    stats: dict[str, tuple[int, int, str]] = {}
    for r in records:
        sid = r["citation"]["source_id"] or ""
        prio, count, newest = stats.get(sid, (0, 0, ""))
        stats[sid] = (prio + (_indicator_rank(r["indicator"] or "") < len(PRIORITY_INDICATORS)),
                      count + 1, max(newest, str(r["citation"]["date"] or r.get("as_of") or "")))
    key = max(stats, key=lambda sid: stats[sid])

    def order(item: tuple[int, dict[str, Any]]) -> tuple[Any, ...]:
        i, r = item
        return ((r["citation"]["source_id"] or "") != key, _indicator_rank(r["indicator"] or ""),
                _SCOPE_ORDER.get(r["scope"] or "", 3), str(r["period"] or "9999"), i)

    return [r for _, r in sorted(enumerate(records), key=order)]


PROVINCE_MAP_H = 84.0
MIN_FIGURE_ROWS = 10  # the zones table yields room until this many figures fit


def province_brief_pdf(register: Register, province: str, lang: str, link: str, *,
                       generated: str | None = None, fonts: Path | None = None) -> bytes:
    """Return the one-page investor brief of a province as PDF bytes.

    The page holds a map and a table of the province's zones, the register's
    counts beside the official ones, the official figures and targets (the
    most relevant that fit, with a note of how many more the atlas holds),
    the documents cited, and the live link as text and QR code.

    Parameters
    ----------
    register
        The register to read the zones, figures and sources from.
    province
        The province as named in the sources (e.g. ``"Hải Phòng"``); its name
        today or a diacritic-free spelling is accepted when it names one province.
    lang
        ``"vi"`` or ``"en"``.
    link
        The live-view URL, printed as text and as a QR code.
    generated
        Date printed as the generation date (ISO); today by default.
    fonts
        Folder holding ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``.

    Raises
    ------
    LookupError
        If no province of the register matches ``province``.
    ValueError
        If ``link`` is empty.
    BriefError
        If a font file is missing, or the link is too long for a QR code.
    """
    name = _resolve_province(register, province)
    link_qr(link)  # fail before any layout on a link no QR code can hold
    summary = province_summary(register, name)
    page = _Page(fonts, lang, _today(generated))
    cites = _Citations(register)
    current = summary["province_current"] or name
    subtitle = " · ".join((t("brief.province_title", lang),
                           t("brief.province_today", lang, p=current),
                           t("brief.in_source", lang, p=name)))
    y = page.header(t("brief.kicker.province", lang), name, subtitle)
    footer_top = BOTTOM - FOOTER_H - 2.0

    zones = register.zones[register.zones["province"] == name].copy()
    zones["_k"] = zones["kind"].map(_KIND_ORDER).fillna(3)
    zones["_f"] = [_natural(zone_name(r, lang)) for r in zones.to_dict("records")]
    zones = zones.sort_values(["_k", "_f"], kind="stable").drop(columns=["_k", "_f"])
    numbers = {zid: str(i + 1) for i, zid in enumerate(zones["id"])}

    map_w = 94.0
    right_x = MARGIN + map_w + 5.0
    right_w = CONTENT_W - map_w - 5.0
    top = y
    y_left = page.heading(MARGIN, top, map_w, t("brief.map.province", lang))
    zones_m = _to_metres(zones)
    map_box = (MARGIN, y_left, map_w, PROVINCE_MAP_H)
    if len(zones_m):
        x0, y0, x1, y1 = zones_m.total_bounds
        pad = max(4000.0, 0.08 * max(x1 - x0, y1 - y0))
        approximate = bool((zones_m["geometry_quality"] == "approximate").any())
        legend = _draw_map(page, map_box, (x0 - pad, y0 - pad, x1 + pad, y1 + pad), zones_m,
                           _to_metres(register.projects), selected=None, labels=numbers,
                           approximate_note=approximate)
        y_left = _draw_legend(page, MARGIN, y_left + PROVINCE_MAP_H + 1.5, map_w, legend)
        y_left = page.write(MARGIN, y_left + 0.5, map_w, t("brief.map.numbers", lang), 6.2,
                            color=MUTED)
    else:
        page.pdf.set_fill_color(*MAP_BG)
        page.pdf.rect(*map_box, style="F")
        page.write(MARGIN + 4, y_left + PROVINCE_MAP_H / 2 - 2, map_w - 8,
                   t("brief.no_zones", lang), 8, color=MUTED, align="C")
        y_left += PROVINCE_MAP_H

    # Right column: the register's counts beside the official ones, then the zones.
    y_right = page.heading(right_x, top, right_w, t("brief.coverage.title", lang))
    figures = {r["id"]: r for r in summary["official_figures"]}
    held = summary["register"]["by_kind"]
    y_right = page.write(right_x, y_right, right_w, t(
        "brief.register_counts", lang, kkt=held["KKT"]["count"], kcn=held["KCN"]["count"],
        ccn=held["CCN"]["count"]), 7.2)

    def figure_ref(figure_id: str) -> str:
        fig = figures[figure_id]
        return cites.ref(fig["citation"]["source_id"], fig["citation"]["section"], fig["as_of"])

    if not summary["coverage"]:
        y_right = page.write(right_x, y_right + 1.2, right_w, t("brief.coverage.none", lang), 6.8,
                             color=MUTED)
    for cov in summary["coverage"]:
        if cov["official_count"] is not None:
            text = t("brief.coverage", lang, n=cov["register_count"],
                     total=number(cov["official_count"], lang), kind=cov["kind"])
            y_right = page.write(right_x, y_right + 1.2, right_w,
                                 f"{text} {figure_ref(cov['official_count_figure'])}", 7.2,
                                 bold=True)
        if cov["official_area_ha"] is not None:
            n_zones = cov["register_count"]
            known = t("brief.coverage.known", lang, n=n_zones,
                      k=n_zones - cov["register_area_unknown"])
            if cov["register_area_ha"] is not None:
                known += f" ({number(cov['register_area_ha'], lang)} ha)"
            area = t("brief.coverage.area", lang, total=number(cov["official_area_ha"], lang))
            y_right = page.write(right_x, y_right + 0.2, right_w,
                                 f"{area} {figure_ref(cov['official_area_figure'])} · {known}",
                                 6.8, color=MUTED)

    # The official figures: measured now, so the zones table leaves them room.
    ranked = rank_figures(summary["official_figures"])
    label_key, other_key = ("label_en", "label_vi") if lang == "en" else ("label_vi", "label_en")
    fig_widths = [88.0, 46.0, 22.0, 30.0]
    fig_refs = [(r["citation"]["source_id"], r["citation"]["section"], r["as_of"])
                for r in ranked]

    def figure_row(r: dict[str, Any], ref: str) -> list[str | _Cell]:
        return [r[label_key] or r[other_key] or r["indicator"],
                _Cell(figure_value(r, lang), bold=True),
                r["period"] or _Cell(t("unknown", lang), color=MUTED), _Cell(ref, color=MUTED)]

    fig_heights = page.row_heights(
        fig_widths, [figure_row(r, f"[9] §{ref[1] or ''}") for r, ref in zip(ranked, fig_refs,
                                                                            strict=True)], 6.8)
    more_h = page.line_h(7.0) + 1.0
    least = min(len(ranked), MIN_FIGURE_ROWS)
    probe = cites.copy()
    for ref in fig_refs[:least]:
        probe.ref(*ref)
    figures_need = (3.5 + 6.6 + 5.0 + sum(fig_heights[:least])
                    + (more_h if least < len(ranked) else 0.0) + _sources_height(page, probe))

    y_right = page.heading(right_x, y_right + 3.0, right_w, t("brief.zones", lang))
    if zones.empty:
        y_right = page.write(right_x, y_right, right_w, t("brief.no_zones", lang), 7,
                             color=MUTED)
    else:
        widths = [5.0, right_w - 5.0 - 9.0 - 23.0 - 13.0, 9.0, 23.0, 13.0]
        header = ["#", t("brief.col.name", lang), t("brief.col.kind", lang),
                  t("brief.col.status", lang), t("brief.col.area", lang)]
        zone_rows: list[list[str | _Cell]] = []
        for row in zones.to_dict("records"):
            hectares = number(row.get("area_total_ha"), lang)
            zone_rows.append([
                _Cell(numbers[row["id"]], color=MUTED), zone_name(row, lang), row["kind"],
                t(f"status.{row['status']}", lang) if row.get("status") else t("unknown", lang),
                _Cell(hectares, align="R") if hectares
                else _Cell(t("unknown", lang), color=MUTED, align="R"),
            ])
        limit = max(y_left, footer_top - figures_need)
        n = page.fitting(y_right + 5.0, page.row_heights(widths, zone_rows, 6.6), limit,
                         page.line_h(6.6) + 1.0)
        y_right = page.table(right_x, y_right, widths, header, zone_rows[:n], 6.6)
        if n < len(zone_rows):
            y_right = page.write(right_x, y_right + 0.5, right_w,
                                 t("brief.more_zones", lang, n=len(zone_rows) - n), 6.6,
                                 bold=True, color=ACCENT)

    # Full width: the most relevant official figures that fit, then the sources.
    y = page.heading(MARGIN, max(y_left, y_right) + 3.5, CONTENT_W, t("brief.figures", lang))
    if not ranked:
        y = page.write(MARGIN, y, CONTENT_W, t("brief.no_figures", lang), 7.5, color=MUTED)
    else:
        fig_header = [t("brief.col.figure", lang), t("brief.col.value", lang),
                      t("brief.col.period", lang), t("brief.col.source", lang)]
        n = _fit_with_sources(page, y + 5.0, fig_heights, fig_refs, cites, footer_top, more_h)
        y = page.table(MARGIN, y, fig_widths, fig_header,
                       [figure_row(r, cites.ref(*ref)) for r, ref in zip(ranked[:n],
                                                                         fig_refs[:n],
                                                                         strict=True)], 6.8)
        if n < len(ranked):
            y = page.write(MARGIN, y + 0.5, CONTENT_W,
                           t("brief.more_figures", lang, n=len(ranked) - n), 7, bold=True,
                           color=ACCENT)
    _sources_block(page, cites, y + 3.5, footer_top)
    page.footer(link)
    page.pdf.set_title(f"{name} – {t('brief.province_title', lang)}")
    return page.output()
