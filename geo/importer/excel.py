"""Reader for Excel workbooks (.xlsx): every sheet is a layer.

Cells are read as they are typed: numbers as numbers, dates as dates (a date
cell stays a date, never ``2024-12-31T00:00:00``), merged ranges as the value of
their first cell, which is how people read a merged header or a province written
once beside its zones.
"""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from geo.importer.model import Layer, Options, Refusal, missing, reading
from geo.importer.sheets import Merge, table_layer
from geo.text import nfc

__all__ = ["read_excel"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_excel(path: Path, filename: str, opts: Options) -> list[Layer]:
    """Read each sheet of a workbook into a layer."""
    from openpyxl import load_workbook  # optional engine
    from openpyxl.utils.exceptions import InvalidFileException

    errors = (InvalidFileException, TypeError, ElementTree.ParseError, DefusedXmlException)
    with reading(f"{filename} as an Excel workbook", errors):
        merges = _merged_ranges(path)
    with reading(f"{filename} as an Excel workbook", errors), \
            warnings.catch_warnings(record=True), path.open("rb") as fh:
        # A file object: openpyxl judges a path by its extension, and ours has none.
        book = load_workbook(fh, read_only=True, data_only=True)
        try:
            layers = []
            for sheet in book.worksheets:
                grid = _grid(sheet, opts, filename)
                lyr = table_layer(nfc(str(sheet.title)), grid, opts,
                                  merges.get(sheet.title, ()))
                lyr.sheet = True
                layers.append(lyr)
        finally:
            book.close()
    return layers


def _grid(sheet: Any, opts: Options, filename: str) -> list[list[Any]]:
    limit = opts.limits.max_features + 20
    grid: list[list[Any]] = []
    for row in sheet.iter_rows(values_only=True):
        grid.append([None if missing(v) else v for v in row])
        if len(grid) > limit:
            raise Refusal(f"Sheet {sheet.title!r} of {filename} has more than "
                          f"{opts.limits.max_features:,} rows, the most an import may hold.")
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid


def _merged_ranges(path: Path) -> dict[str, list[Merge]]:
    """Read each sheet's merged cell ranges from the workbook's XML, streaming."""
    from openpyxl.utils.cell import range_boundaries

    out: dict[str, list[Merge]] = {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            return out
        rels_name = "xl/_rels/workbook.xml.rels"
        targets: dict[str, str] = {}
        if rels_name in names:
            for rel in SafeTree.fromstring(zf.read(rels_name)).iter(f"{_RELS}Relationship"):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join("xl", target))
                targets[rel.get("Id", "")] = target
        book = SafeTree.fromstring(zf.read("xl/workbook.xml"))
        for sheet in book.iter(f"{_MAIN}sheet"):
            part = targets.get(sheet.get(_DOC_REL, ""))
            if part not in names:
                continue
            ranges: list[Merge] = []
            with zf.open(part) as fh:
                for _, elem in SafeTree.iterparse(fh):
                    if elem.tag == f"{_MAIN}mergeCell" and (ref := elem.get("ref")):
                        c0, r0, c1, r1 = range_boundaries(ref)
                        if None not in (c0, r0, c1, r1):
                            ranges.append((int(r0) - 1, int(c0) - 1, int(r1) - 1,  # type: ignore[arg-type]
                                           int(c1) - 1))  # type: ignore[arg-type]
                    elif elem.tag == f"{_MAIN}row":
                        elem.clear()  # cells are read by openpyxl; keep memory flat
            out[str(sheet.get("name"))] = ranges
    return out
