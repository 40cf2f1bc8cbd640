"""Tables as offices make them: find the header, read coordinates or WKT into geometries."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import Point

from geo.importer.coords import coordinate
from geo.importer.encoding import header_text, repair_mis_stored
from geo.importer.fields import coord_role, map_header
from geo.importer.geometry import geometry_type
from geo.importer.model import Layer, Options, unique_names

__all__ = ["table_layer"]


def table_layer(name: str, header: list[str] | None, grid: list[list[Any]], opts: Options,
                row_word: str = "row") -> Layer:
    """Build a layer from a spreadsheet-like grid; find the header row if not given."""
    lyr = Layer(name=name, columns=[], rows=[], geoms=[], crs=None, encoding=None,
                geometry_type=None, row_word=row_word)
    width = len(header) if header is not None else max((len(r) for r in grid), default=0)
    grid = [(list(r) + [None] * width)[:width] for r in grid]
    head_at, strong = _find_header(grid, grid) if header is None else (-1, True)
    if header is None and strong:
        # The header reads as it is: repair the rows under it only.
        header = [header_text(v, v) for v in grid[head_at]]
        grid = grid[head_at + 1:]
        lyr.first_row = head_at + 2
    if header is None:
        # Perhaps the header itself is mis-stored: repair everything, then look again.
        keys = [str(i) for i in range(width)]
        cells = {k: [r[i] for r in grid] for i, k in enumerate(keys)}
        _, fixed, lyr.encoding = repair_mis_stored(keys, cells, opts, lyr)
        repaired = [[fixed[k][j] for k in keys] for j in range(len(grid))]
        head_at, _ = _find_header(grid, repaired)
        header = [header_text(a, b) for a, b in zip(grid[head_at], repaired[head_at],
                                                    strict=True)] if grid else []
        body = repaired[head_at + 1:]
        lyr.first_row = head_at + 2
    else:
        cells = {c: [r[i] for r in grid] for i, c in enumerate(header)}
        header, fixed, lyr.encoding = repair_mis_stored(header, cells, opts, lyr)
        body = [[fixed[c][j] for c in header] for j in range(len(grid))]
    header = unique_names(header)
    lyr.columns = header
    lyr.rows = [dict(zip(header, r, strict=True)) for r in body]
    roles = {role: c for c in reversed(header) if (role := coord_role(c))}
    if "wkt" in roles and any(isinstance(r.get(roles["wkt"]), str) for r in lyr.rows):
        col = roles["wkt"]
        lyr.ignore_columns = {col}
        for i, r in enumerate(lyr.rows):
            text = r.get(col)
            geom = None
            if isinstance(text, str):
                geom = shapely.from_wkt(text.strip(), on_invalid="ignore")
                if geom is None:
                    geom = shapely.from_wkt(text.strip(), on_invalid="fix")
                    lyr.geom_notes[i] = ("a ring of its boundary was not closed; closed it"
                                         if geom is not None else "its WKT cannot be read")
            lyr.geoms.append(geom)
    elif "lat" in roles and "lon" in roles:
        lat_col, lon_col = roles["lat"], roles["lon"]
        lyr.ignore_columns = {lat_col, lon_col}
        for i, r in enumerate(lyr.rows):
            lat, lon = coordinate(r.get(lat_col)), coordinate(r.get(lon_col))
            if lat is None or lon is None:
                lyr.geoms.append(None)
                if r.get(lat_col) is not None or r.get(lon_col) is not None:
                    lyr.geom_notes[i] = (f"its coordinates ({r.get(lat_col)!r}, "
                                         f"{r.get(lon_col)!r}) are not numbers")
            else:
                lyr.geoms.append(Point(lon, lat))
    else:
        lyr.geoms = [None] * len(lyr.rows)
        lyr.reason = ("it has no coordinates: a sheet or CSV needs latitude and longitude "
                      "columns (lat/lon, vĩ độ/kinh độ) or a WKT column (wkt/geometry)")
    lyr.geometry_type = geometry_type(lyr.geoms)
    return lyr


def _find_header(raw: list[list[Any]], repaired: list[list[Any]]) -> tuple[int, bool]:
    """Return the index of the header row among the first rows, and whether it names
    both a name column and coordinates (else it is the best guess)."""
    fallback = -1
    for j in range(min(len(raw), 20)):
        names = [header_text(a, b) for a, b in zip(raw[j], repaired[j], strict=True)]
        fields = {map_header(n) for n in names if n}
        roles = {coord_role(n) for n in names if n}
        if "name_vi" in fields and ("wkt" in roles or {"lat", "lon"} <= roles):
            return j, True
        if fallback < 0 and ("name_vi" in fields or "wkt" in roles or {"lat", "lon"} <= roles):
            fallback = j
    return max(fallback, 0), False
