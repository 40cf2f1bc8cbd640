"""What the importer's stages hand each other: options, layers as read, features, refusals."""

from __future__ import annotations

import csv
import math
import zipfile
import zlib
from collections.abc import Iterable, Iterator
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
    """Turn a reader's error about bad input into a refusal naming ``what``."""
    try:
        yield
    except Refusal:
        raise
    except (*READ_ERRORS, *extra) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unreadable(f"Could not read {what}: it is damaged or not what its name says "
                         f"({detail.rstrip('.')}). Export or zip it again and import the new "
                         "file.") from exc


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
    row_word: str = "feature"  # "row" for spreadsheets
    first_row: int = 1  # number of the first row as the user sees it
    geom_notes: dict[int, str] = field(default_factory=dict)
    ignore_columns: set[str] = field(default_factory=set)
    reason: str | None = None  # set when the layer cannot be imported at all
    notes: list[str] = field(default_factory=list)  # warnings found while reading


@dataclass
class Feature:
    """One feature on its way to becoming a zone."""

    layer: str
    label: str
    name: str
    values: dict[str, Any]
    geom: BaseGeometry
    row: int  # index into the layer's rows
    area: float | None = None
    id_from_file: bool = False


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


class Collector:
    """Warnings about what was dropped or changed, gathered across the stages."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.dropped: list[str] = []  # layer- and feature-level refusals
