"""What the importer's stages hand each other: options, layers as read, features, refusals."""

from __future__ import annotations

import csv
import math
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyogrio.errors
from pyproj import CRS
from pyproj.exceptions import ProjError
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry.base import BaseGeometry

__all__ = [
    "LIST_CAP",
    "READ_ERRORS",
    "SURE",
    "Collector",
    "Feature",
    "ImportLimits",
    "Layer",
    "Options",
    "Refusal",
    "Unreadable",
    "mb",
    "missing",
    "names_list",
    "reading",
    "unique_names",
]

SURE = 0.6  # detection confidence below which the report says it may be wrong
LIST_CAP = 10  # names listed in one grouped warning


@dataclass(frozen=True)
class ImportLimits:
    """Size limits that keep an upload from exhausting memory or disk.

    Every limit is checked before the bytes it guards are read: the file's size
    from the file system, a zip's sizes from its directory (and again while
    unpacking, since a header may lie), a layer's feature count from its header.
    The zip ratio is checked only for archives that expand to more than 1 MiB:
    a small archive cannot hurt, and padded DBF files compress very well.
    """

    max_file_bytes: int = 200 * 1024**2  # uploaded/compressed size
    max_unpacked_bytes: int = 1024**3  # total uncompressed size of a zip/kmz
    max_ratio: float = 200.0  # uncompressed/compressed ratio of a zip
    max_members: int = 2000
    max_features: int = 200_000


class Refusal(Exception):
    """Bad input that stops the whole import; the message is the error sentence."""


class Unreadable(Refusal):
    """A reader failed on bad input."""


# Errors the readers raise for bad input, as opposed to programming errors.
READ_ERRORS: tuple[type[BaseException], ...] = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.CRSError,
    ProjError,
    GEOSException,
    ShapelyError,
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,  # zipfile: an unsupported compression method or flag
    EOFError,
    OSError,
    ValueError,
    KeyError,
    csv.Error,
)


@contextmanager
def reading(what: str, extra: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Turn a reader's error about bad input into a refusal naming ``what``.

    ``what`` names the user's file, layer or sheet: never a temporary path.
    """
    try:
        yield
    except Refusal:
        raise
    except (*READ_ERRORS, *extra) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unreadable(f"Could not read {what}: it is damaged or not what its name says "
                         f"({_no_paths(detail).rstrip('.')}). Export or zip it again and "
                         "import the new file.") from exc


def _no_paths(detail: str) -> str:
    """Drop the private temporary paths GDAL and Python put in their messages."""
    return re.sub(r"(/vsizip/)?/[^\s:'\"]*kcn-import-[^\s:'\"]*", "the file", detail)


@dataclass
class Options:
    """The caller's choices, checked."""

    filename: str
    layer: str | None
    crs: CRS | None
    crs_label: str | None
    encoding: str | None
    limits: ImportLimits
    source_id: str
    as_of: str | None  # None: the file's own as_of column, else today
    # Column name -> register field ("" or None: keep it in the notes), over the guesses.
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    prefer: str | None = None  # the sheet that wins when sheets disagree
    target: str = "zones"  # what the file is read into: "zones" or "plots"


@dataclass
class Layer:
    """One table of features as read, before mapping: text is Unicode (NFC)."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    geoms: list[BaseGeometry | None]
    crs: CRS | None
    encoding: str | None
    geometry_type: str | None
    row_word: str = "feature"  # "row" for spreadsheets and CSV
    first_row: int = 1  # number of the first row as the user sees it
    geom_notes: dict[int, str] = field(default_factory=dict)
    ignore_columns: set[str] = field(default_factory=set)  # read into the geometry
    reason: str | None = None  # set when the layer cannot be imported at all
    notes: list[str] = field(default_factory=list)  # warnings found while reading
    info: list[str] = field(default_factory=list)  # notes found while reading
    skipped: dict[int, str] = field(default_factory=dict)  # rows that are no features: why
    kind_hints: dict[int, str] = field(default_factory=dict)  # kind from a heading row
    table: bool = False  # a sheet or CSV: may join other sheets of the same workbook
    sheet: bool = False  # a sheet of a workbook
    attributes_only: bool = False  # a sheet without coordinates, read to join others

    @property
    def word(self) -> str:
        """How messages call this layer: "Sheet" for a workbook's, else "Layer"."""
        return "Sheet" if self.sheet else "Layer"


@dataclass
class Feature:
    """One feature on its way to becoming a zone.

    ``values`` holds only what the file states, parsed; the defaults (a kind
    from the name, ``unknown`` status, today's as-of date) come after sheets are
    joined, so a default never contradicts a stated value.
    """

    layer: str
    row: int  # index into the layer's rows
    number: int  # the row or feature number the user sees
    label: str  # how messages name it
    name: str
    where: str = ""  # how a refusal names it: the label, and its row in a table
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # "column=value" kept in the notes
    kind_hint: str | None = None  # from the layer name or a heading row
    geom_src: BaseGeometry | None = None  # in ``crs``, repaired
    crs: CRS | None = None
    geom: BaseGeometry | None = None  # WGS 84
    area: float | None = None  # measured, ha
    id_from_file: bool = False
    layers: list[str] = field(default_factory=list)  # every layer it was read from
    refused: str | None = None  # why it cannot be imported


class Collector:
    """What the stages found, for the report.

    ``warnings`` are what the user must act on (check a guess, fix the file);
    ``dropped`` name what was refused; ``notes`` say what was done quietly.
    """

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.dropped: list[str] = []  # layer- and feature-level refusals
        self.notes: list[str] = []
        self.errors: list[str] = []  # refuse the whole import


def missing(value: Any) -> bool:
    """Tell whether a cell is empty: None, NaN, NaT or blank text."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return value is pd.NaT


def names_list(labels: Iterable[str]) -> str:
    """Join labels for a sentence, listing at most :data:`LIST_CAP` of them."""
    items = list(labels)
    shown = ", ".join(items[:LIST_CAP])
    return shown + (f" and {len(items) - LIST_CAP} more" if len(items) > LIST_CAP else "")


def mb(n: float) -> str:
    """Format a byte count in megabytes."""
    return f"{n / 1024**2:,.1f} MB"


def unique_names(header: list[str]) -> list[str]:
    """Make column names unique (``name``, ``name_``) and name blank ones by position."""
    out: list[str] = []
    for i, h in enumerate(header):
        name = h or f"column {i + 1}"
        while name in out:
            name = f"{name}_"
        out.append(name)
    return out
