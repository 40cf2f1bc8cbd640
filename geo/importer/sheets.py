"""Tables as offices make them: a layer from a grid of cells (a sheet or a CSV).

Offices put a title above the table, a header over two or three rows with merged
cells (``"Tọa độ trung tâm"`` over ``"Vĩ độ"`` and ``"Kinh độ"``), a row numbering
the columns, headings between groups of rows (``"I. KHU CÔNG NGHIỆP"``) and total
rows (``"Tổng cộng"``). The header is found by what its labels name; numbering,
headings and totals are kept out of the zones, each with a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.importer.coords import read_coordinate, vietnamese_letters
from geo.importer.encoding import header_text, repair_mis_stored
from geo.importer.fields import coord_role, kind_of, map_header, target_of
from geo.importer.geometry import CLOSED_RING, geometry_type
from geo.importer.model import Layer, Options, missing, unique_names
from geo.text import fold

__all__ = ["Merge", "table_layer"]

Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)

_HEADER_ROWS = 20  # the header lies within the first rows
_NUMERICISH = re.compile(r"^[\s+\-−]*[\d.,\s°º˚'′’″\"”%]+[A-Za-zĐđ]?\.?$")
_NUMBERING = re.compile(r"^[(\[]?\s*(\d{1,2}|[A-Za-z]|[IVX]{1,4})\s*[)\].]?$")
_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong|total|grand total|sub ?total|sum)\b"
                    r"(?P<rest>.*)$")
# What may follow the word of a total: nothing, numbers, "(I+II)", "toàn tỉnh", "các KCN".
_TOTAL_REST = re.compile(r"^[\s:.,()\[\]+\-\d]*(?:(?:[ivxlc]+|[a-z])\b[\s:.,()\[\]+\-\d]*)*$"
                         r"|^\s*(toan|cac|chung|dien tich|so)\b")
_KIND_HEADING = {"khu cong nghiep", "cac khu cong nghiep", "khu che xuat", "cum cong nghiep",
                 "cac cum cong nghiep", "khu kinh te", "cac khu kinh te", "kcn", "ccn", "kkt",
                 "industrial zones", "industrial clusters", "economic zones"}
_ROMAN = re.compile(r"^(?=[ivxlc]+$)(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_LEADING_NUMBER = re.compile(r"^\s*([IVXLC]+|[A-Za-z]|\d+)\s*[.)/-]\s*")


def _is_text(cell: Any) -> bool:
    return isinstance(cell, str) and bool(cell.strip()) and not _NUMERICISH.match(cell)


def _is_number(cell: Any) -> bool:
    if isinstance(cell, bool) or missing(cell):
        return False
    if isinstance(cell, int | float) or hasattr(cell, "year"):
        return True
    return isinstance(cell, str) and bool(_NUMERICISH.match(cell))


def _header_like(row: Sequence[Any]) -> bool:
    """A header row holds text, and no more numbers than text."""
    texts = sum(1 for c in row if _is_text(c))
    numbers = sum(1 for c in row if _is_number(c))
    return texts >= 1 and numbers <= texts // 3


def _title(row: Sequence[Any]) -> bool:
    """A title row says one thing, perhaps merged across the table."""
    return len(row) > 2 and len({str(c).strip() for c in row if _is_text(c)}) == 1


def _fill_merges(grid: list[list[Any]], merges: Sequence[Merge]) -> None:
    """Give every cell of a merged range the value of its first cell, as people read it."""
    for r0, c0, r1, c1 in merges:
        if r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                grid[r][c] = value


def _labels(rows: list[list[Any]]) -> list[str]:
    """Column labels of a header over ``rows``: ``"Tọa độ trung tâm / Vĩ độ"``.

    A group label typed once over the columns it spans (a merge saved to CSV) is
    carried to the right while the row below has labels.
    """
    width = len(rows[0])
    spans: list[list[str]] = [[] for _ in range(width)]
    for r, row in enumerate(rows):
        below = rows[r + 1] if r + 1 < len(rows) else None
        carry: str | None = None
        for c in range(width):
            cell = row[c]
            text = str(cell).strip() if not missing(cell) else ""
            if text:
                carry = text
            elif carry and below is not None and not missing(below[c]):
                text = carry
            else:
                carry = None
            if text and (not spans[c] or spans[c][-1] != text):
                spans[c].append(text)
    return [" / ".join(parts) for parts in spans]


def _score(labels: list[str], overrides: Mapping[str, str | None],
           target: str) -> tuple[int, bool]:
    key = target_of(target).key
    fields = {f for label in labels if label and (f := _field(label, overrides, target))}
    roles = {r for label in labels if label and (r := coord_role(label, overrides))}
    located = "wkt" in roles or {"lat", "lon"} <= roles
    score = len(fields) + (3 if key in fields else 0) + (3 if located else 0)
    return score, key in fields and located


def _field(label: str, overrides: Mapping[str, str | None], target: str) -> str | None:
    if label in overrides:
        return overrides[label]
    return map_header(label, target)


def _find_header(raw: list[list[Any]], repaired: list[list[Any]],
                 overrides: Mapping[str, str | None],
                 target: str = "zones") -> tuple[int, int, list[str], bool]:
    """Find the header: its first row, how many rows it spans, its labels, and whether
    it names both a name column and coordinates (else it is the best guess)."""
    best: tuple[int, int, int, list[str], bool] | None = None  # score, start, depth, ...
    for j in range(min(len(raw), _HEADER_ROWS)):
        if not _header_like(raw[j]) or _title(raw[j]):
            continue
        previous = -1
        for depth in (1, 2, 3):
            if j + depth > len(raw) or (depth > 1 and not _header_like(raw[j + depth - 1])):
                break
            rows = [[header_text(a, b) for a, b in zip(raw[k], repaired[k], strict=True)]
                    for k in range(j, j + depth)]
            labels = _labels(rows)
            score, strong = _score(labels, overrides, target)
            if score <= previous:
                break
            previous = score
            # Equal scores: the header with more rows, whose labels say more.
            if best is None or (score, depth) > (best[0], best[2]):
                best = (score, j, depth, labels, strong)
    if best is None or best[0] == 0:
        return 0, 1, _labels([[header_text(a, b) for a, b in zip(raw[0], repaired[0],
                                                                  strict=True)]]) \
            if raw else [], False
    return best[1], best[2], best[3], best[4]


def _numbering(row: Sequence[Any]) -> bool:
    """Tell whether a row only numbers the columns: ``(1) (2) (3)`` or ``A B C``."""
    cells = [str(c).strip() for c in row if not missing(c)]
    if len(cells) < 3 or not all(_NUMBERING.match(c) for c in cells):
        return False
    digits = [int(m.group(0)) for c in cells if (m := re.search(r"\d+", c))]
    return not digits or digits == list(range(digits[0], digits[0] + len(digits)))


def _strip_number(text: str) -> str:
    return _LEADING_NUMBER.sub("", text).strip()


def table_layer(name: str, grid: list[list[Any]], opts: Options,
                merges: Sequence[Merge] = (), first_line: int = 1) -> Layer:
    """Build a layer from a spreadsheet-like grid: header, rows, geometries.

    Parameters
    ----------
    name
        The sheet's or file's name, as the user knows it.
    grid
        The cells, row by row, as read.
    opts
        The import options (forced encoding, column mapping).
    merges
        Merged cell ranges (Excel); their cells take the first cell's value.
    first_line
        The number the user sees on the grid's first row.
    """
    overrides = opts.mapping
    lyr = Layer(name=name, columns=[], rows=[], geoms=[], crs=None, encoding=None,
                geometry_type=None, row_word="row", table=True)
    width = max((len(r) for r in grid), default=0)
    grid = [(list(r) + [None] * width)[:width] for r in grid]
    _fill_merges(grid, merges)
    head_at, depth, labels, strong = _find_header(grid, grid, overrides, opts.target)
    if strong:
        body = grid[head_at + depth:]
        cells = {str(i): [r[i] for r in body] for i in range(width)}
        _, fixed, lyr.encoding = repair_mis_stored(list(cells), cells, opts, lyr)
        body = [[fixed[str(i)][j] for i in range(width)] for j in range(len(body))]
    else:
        # Perhaps the header itself is mis-stored: repair everything, then look again.
        keys = [str(i) for i in range(width)]
        cells = {k: [r[i] for r in grid] for i, k in enumerate(keys)}
        _, fixed, lyr.encoding = repair_mis_stored(keys, cells, opts, lyr)
        repaired = [[fixed[k][j] for k in keys] for j in range(len(grid))]
        head_at, depth, labels, strong = _find_header(grid, repaired, overrides, opts.target)
        body = repaired[head_at + depth:]
    start = head_at + depth
    if body and _numbering(body[0]):
        body, start = body[1:], start + 1
    lyr.first_row = first_line + start
    header = unique_names(labels) if grid else []
    lyr.columns = header
    lyr.rows = [dict(zip(header, r, strict=True)) for r in body]
    lyr.geoms = _geometries(lyr, overrides)
    _totals_and_headings(lyr, overrides, opts.target)
    lyr.geometry_type = geometry_type(lyr.geoms)
    return lyr


def _geometries(lyr: Layer, overrides: Mapping[str, str | None]) -> list[BaseGeometry | None]:
    roles = {role: c for c in reversed(lyr.columns) if (role := coord_role(c, overrides))}
    geoms: list[BaseGeometry | None] = []
    if "wkt" in roles and any(isinstance(r.get(roles["wkt"]), str) for r in lyr.rows):
        col = roles["wkt"]
        lyr.ignore_columns = {col}
        for i, r in enumerate(lyr.rows):
            text = r.get(col)
            geom = None
            if isinstance(text, str) and text.strip():
                geom = shapely.from_wkt(text.strip(), on_invalid="ignore")
                if geom is None:
                    geom = shapely.from_wkt(text.strip(), on_invalid="fix")
                    lyr.geom_notes[i] = (CLOSED_RING
                                         if geom is not None else "its WKT cannot be read")
            geoms.append(geom)
        return geoms
    if "lat" in roles and "lon" in roles:
        lat_col, lon_col = roles["lat"], roles["lon"]
        lyr.ignore_columns = {lat_col, lon_col}
        vietnamese = vietnamese_letters(
            v for r in lyr.rows for v in (r.get(lat_col), r.get(lon_col)))
        for i, r in enumerate(lyr.rows):
            if missing(r.get(lat_col)) and missing(r.get(lon_col)):
                geoms.append(None)
                continue
            lat = read_coordinate(r.get(lat_col), "lat", vietnamese)
            lon = read_coordinate(r.get(lon_col), "lon", vietnamese)
            if lat.value is None or lon.value is None:
                geoms.append(None)
                lyr.geom_notes[i] = "; ".join(x.error for x in (lat, lon) if x.error)
            else:
                geoms.append(Point(lon.value, lat.value))
        return geoms
    lyr.attributes_only = True
    lyr.reason = ("it has no coordinates: a sheet or CSV needs latitude and longitude "
                  "columns (lat/lon, vĩ độ/kinh độ) or a WKT column (wkt/geometry)")
    return [None] * len(lyr.rows)


def _totals_and_headings(lyr: Layer, overrides: Mapping[str, str | None],
                         target: str = "zones") -> None:
    """Mark blank rows, total rows and group headings, which are no zones (or plots)."""
    tgt = target_of(target)
    name_col = next((c for c in lyr.columns if _field(c, overrides, target) == tgt.key), None)
    if name_col is None:
        return
    others = [c for c in lyr.columns if c != name_col and c not in lyr.ignore_columns
              and _field(c, overrides, target) is not None]
    kind: str | None = None
    for i, row in enumerate(lyr.rows):
        if all(missing(v) for v in row.values()):
            lyr.skipped[i] = ""
            continue
        text = row.get(name_col)
        title = str(text).strip() if not missing(text) else ""
        located = lyr.geoms[i] is not None or i in lyr.geom_notes
        total = _TOTAL.match(fold(title)) if title else None
        if total and _TOTAL_REST.match(total.group("rest")):
            lyr.skipped[i] = f"{lyr.row_word} {lyr.first_row + i} ({title!r}) is a total, not " \
                             f"a {tgt.word}"
            continue
        first = next((str(v).strip() for v in row.values() if not missing(v)), "")
        bare = _strip_number(title)
        numbered = bool(_ROMAN.match(fold(first))) or (len(first) == 1 and first.isalpha()) \
            or bool(_LEADING_NUMBER.match(title))
        if title and not located and all(missing(row.get(c)) for c in others) and (
                numbered or fold(bare) in _KIND_HEADING or (bare.isupper() and len(bare) > 3)):
            found = kind_of(re.sub(r"^(cac|the)\s+", "", fold(bare)))
            kind = found.value if found is not None else None
            lyr.skipped[i] = f"{lyr.row_word} {lyr.first_row + i} ({title!r}) is a heading, " \
                             f"not a {tgt.word}"
            continue
        if kind is not None:
            lyr.kind_hints[i] = kind
