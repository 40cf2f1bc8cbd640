"""Read a GIS file someone uploads into zones the register can merge, with a report.

One function, :func:`read_import`, takes the bytes of an upload and returns an
:class:`ImportReport`: what was found, what was refused and why, and the zones to
merge in the store's columns. Bad input never raises: every problem becomes a
sentence in ``errors`` (the import is refused) or ``warnings`` (the import goes on).

Formats, recognised by their content first and their extension second: zipped
shapefiles (any folder depth, several per zip), GeoPackage, GeoJSON, KML, KMZ,
FlatGeobuf, GeoParquet, CSV and Excel (.xlsx) with latitude/longitude or WKT
columns, and a zip holding one file of any of these. Uploads are written to a
private temporary folder under names of our own and removed afterwards; a zip's
sizes, ratio and paths are checked before anything is unpacked, and the bytes
actually unpacked are counted against the limits as well.

Decisions the callers rely on:

- ``crs=`` always wins. It is used when the file declares no CRS and it
  overrides a declared one; a warning names both when they differ. A CSV or
  sheet without ``crs=`` whose coordinates are degrees is read as WGS 84
  (EPSG:4326), the convention of latitude/longitude columns; any other layer
  without a CRS is refused with a description of its coordinates and the
  coordinate systems they fit.
- VN-2000 in any form (EPSG code, ESRI or custom-named WKT with the VN-2000
  datum or its 7-parameter shift) is reported and transformed as its EPSG code,
  e.g. ``"EPSG:9210 (VN-2000 / TM-3 105-45)"``; a VN-2000 projection with no
  EPSG code keeps its parameters on the EPSG:4756 datum. Every CRS label has
  the form ``"EPSG:<code> (<name>)"``, or the CRS name when it has no code.
- ``layer=`` picks one layer (exact name, else the same name ignoring case and
  diacritics). Without it, every layer that holds zones is imported: polygons or
  points with a column that maps onto ``name_vi``. Other layers are listed with
  ``imported=False`` and the reason.
- ``features`` and ``names`` cover every feature read from the layers that were
  processed (they held zones and had a usable CRS), including features refused
  one by one (``""`` for a feature without a name); ``zones`` holds only those
  that can be merged. A layer is ``imported`` when at least one of its features is.
- Feature- and layer-level problems are warnings when something can still be
  imported, and errors when nothing can.
- ``total_area_ha`` adds, per zone, its measured area (polygons, in EPSG:3405)
  or else its declared ``area_total_ha`` (points); None when no zone has either.
- When several layers differ, ``crs`` and ``encoding`` list the distinct values
  joined with ``"; "``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import posixpath
import re
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS
from pyproj.crs import ProjectedCRS
from pyproj.exceptions import CRSError as ProjCRSError
from pyproj.exceptions import ProjError
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo import vntext
from geo.crs import (
    STORE_CRS,
    VIETNAM_BOUNDS,
    VN2000_GEOGRAPHIC,
    VN2000_TM3_BY_PROVINCE,
    VN2000_UTM48N,
    area_ha,
    inside_vietnam,
)
from geo.register import normalise_zones
from geo.schema import ZONE_COLUMNS, Kind, Quality, Status
from geo.text import fold, nfc, parse_vn_number, slugify

__all__ = ["ImportLimits", "ImportReport", "LayerReport", "read_import"]


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


@dataclass
class LayerReport:
    """What one layer of the file held and whether it was imported."""

    name: str
    features: int
    geometry_type: str | None
    crs: str | None
    encoding: str | None
    imported: bool
    reason: str | None  # why skipped/refused


@dataclass
class ImportReport:
    """The result of reading an upload: outcome, findings and the zones to merge."""

    outcome: str  # "accept" | "accept_with_warnings" | "reject"
    features: int
    names: list[str]
    total_area_ha: float | None
    crs: str | None
    encoding: str | None
    layers: list[LayerReport]
    warnings: list[str]
    errors: list[str]
    zones: gpd.GeoDataFrame
    unknown_columns: list[str]

    def to_json(self) -> dict[str, Any]:
        """Return the report as the CLI's ``--json`` object (without the zones)."""
        return {
            "outcome": self.outcome,
            "features": self.features,
            "names": list(self.names),
            "total_area_ha": self.total_area_ha,
            "crs": self.crs,
            "encoding": self.encoding,
            "layers": [asdict(layer) for layer in self.layers],
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }


# --------------------------------------------------------------------------- constants

_RATIO_FLOOR_BYTES = 1024**2
_CHUNK = 1024**2
_SURE = 0.6  # detection confidence below which the report says it may be wrong
_AREA_GAP = 0.20  # declared and measured areas further apart than this are reported
_LIST_CAP = 10  # names listed in one grouped warning

_SUPPORTED = ("zipped shapefile, GeoPackage, GeoJSON, KML, KMZ, FlatGeobuf, GeoParquet, "
              "CSV or Excel (.xlsx)")
_DATA_SUFFIXES = {".gpkg", ".geojson", ".json", ".fgb", ".parquet", ".geoparquet", ".csv",
                  ".txt", ".tsv", ".xlsx", ".kml"}
_SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}

# LIBKML's own fields; "description" is the author's and is kept.
_KML_SYSTEM = {"id", "timestamp", "begin", "end", "altitudemode", "tessellate", "extrude",
               "visibility", "draworder", "icon", "snippet"}

# Latin-1 letters that genuine Vietnamese text uses: anything else from 0x80–0xFF
# in a Unicode file is a sign of legacy bytes mis-stored as Latin-1 characters.
_VN_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")

_ENCODING_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8", "65001": "utf-8",
    "cp1258": "cp1258", "cp-1258": "cp1258", "windows-1258": "cp1258", "1258": "cp1258",
    "ansi-1258": "cp1258", "tcvn3": "tcvn3", "tcvn": "tcvn3", "tcvn-3": "tcvn3", "abc": "tcvn3",
    "tcvn5712": "tcvn3", "vni": "vni", "vni-windows": "vni", "vniwin": "vni",
}

_VN2000_SHIFT = (-191.904, -39.303, -111.450)
_VN2000_CODES = (4756, 3405, 3406, *range(9205, 9219), *range(5896, 5900))

# Header aliases, folded and joined with underscores.
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name_vi": ("ten", "ten_khu", "ten_kcn", "ten_ccn", "ten_kkt", "ten_khu_cn", "tenkhu",
                "ten_khu_cong_nghiep", "ten_cum_cong_nghiep", "ten_khu_kinh_te",
                "ten_tieng_viet", "ten_viet", "ten_goi", "name", "name_vi", "ten_vi"),
    "name_en": ("name_en", "ten_tieng_anh", "ten_ta", "ten_anh", "ten_en", "english_name",
                "name_english"),
    "kind": ("loai", "loai_khu", "kind", "type", "loai_hinh", "phan_loai", "category"),
    "province": ("tinh", "tinh_thanh", "tinh_thanh_pho", "tinh_tp", "province"),
    "province_current": ("province_current", "tinh_hien_nay", "tinh_moi"),
    "district": ("huyen", "quan_huyen", "quan", "district", "huyen_thi", "huyen_thi_xa"),
    "status": ("trang_thai", "hien_trang", "status", "tinh_trang", "tinh_trang_hoat_dong"),
    "area_total_ha": ("dien_tich", "dien_tich_", "dien_tich_ha", "area", "area_ha",
                      "area_total_ha", "tong_dien_tich", "dt", "dt_ha", "dien_tich_quy_hoach",
                      "dt_quy_hoach"),
    "area_industrial_ha": ("dt_dat_cn", "dien_tich_dat_cong_nghiep", "dien_tich_dat_cn",
                           "dat_cong_nghiep", "area_industrial", "area_industrial_ha",
                           "industrial_land_ha", "dt_cn"),
    "leased_ha": ("da_cho_thue", "dien_tich_da_cho_thue", "dt_da_cho_thue", "dt_cho_thue",
                  "leased", "leased_ha"),
    "occupancy_pct": ("ty_le_lap", "ty_le_lap_", "ty_le_lap_day", "ti_le_lap_day",
                      "ti_le_lap", "lap_day", "occupancy", "occupancy_pct"),
    "year_established": ("nam_thanh_lap", "nam_tl", "year", "year_established", "nam"),
    "developer": ("chu_dau_tu", "developer", "cdt", "nha_dau_tu", "chu_dau_tu_ha_tang"),
    "sectors": ("nganh", "nganh_nghe", "sectors", "linh_vuc", "nganh_nghe_thu_hut"),
    "id": ("ma", "ma_khu", "id", "code", "ma_kcn", "ma_so"),
    "parent_id": ("parent_id", "thuoc_kkt", "ma_kkt"),
    "plan_period": ("plan_period", "giai_doan", "ky_quy_hoach", "thoi_ky_quy_hoach"),
    "geometry_quality": ("geometry_quality",),
    "source_section": ("source_section",),
    "as_of": ("as_of",),
    "notes": ("notes", "ghi_chu", "note"),
}
_COORD_ALIASES: dict[str, tuple[str, ...]] = {
    "lat": ("lat", "latitude", "vi_do", "y"),
    "lon": ("lon", "lng", "long", "longitude", "kinh_do", "x"),
    "wkt": ("wkt", "geometry", "geom", "the_geom", "geometry_wkt", "shape"),
}
_ALIAS = {alias: f for f, aliases in _FIELD_ALIASES.items() for alias in aliases}
_COORD_ALIAS = {alias: f for f, aliases in _COORD_ALIASES.items() for alias in aliases}
_NUMBER_FIELDS = ("area_total_ha", "area_industrial_ha", "leased_ha", "occupancy_pct")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_DMS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[°º]\s*(?:(\d+(?:\.\d+)?)\s*['′]\s*)?"
                  r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|'')\s*)?([NSEWnsew])?\s*$")


class _Refusal(Exception):
    """Bad input that stops the whole import; the message is the error sentence."""


class _Unreadable(_Refusal):
    """A reader failed on bad input."""


# Errors the readers raise for bad input, as opposed to programming errors.
_READ_ERRORS: tuple[type[BaseException], ...] = (
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
def _reading(what: str, extra: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Turn a reader's error about bad input into a refusal naming ``what``."""
    try:
        yield
    except _Refusal:
        raise
    except (*_READ_ERRORS, *extra) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _Unreadable(f"Could not read {what}: it is damaged or not what its name says "
                          f"({detail.rstrip('.')}). Export or zip it again and import the new "
                          "file.") from exc


# --------------------------------------------------------------------------- context


@dataclass
class _Options:
    filename: str
    layer: str | None
    crs: CRS | None
    crs_label: str | None
    encoding: str | None
    limits: ImportLimits
    source_id: str
    as_of: str | None  # None: the file's own as_of column, else today


@dataclass
class _Layer:
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
class _Feature:
    layer: str
    label: str
    name: str
    values: dict[str, Any]
    geom: BaseGeometry
    row: int  # index into the layer's rows
    area: float | None = None
    id_from_file: bool = False


# --------------------------------------------------------------------------- entry point


def read_import(data: bytes, filename: str, *, layer: str | None = None, crs: str | None = None,
                encoding: str | None = None, limits: ImportLimits = ImportLimits(),
                source_id: str = "import", as_of: str | None = None) -> ImportReport:
    """Read an uploaded GIS file into zones to merge, with a report of what happened.

    Parameters
    ----------
    data
        The bytes of the upload.
    filename
        Its name as uploaded; only its extension is used, as a hint.
    layer
        Import only this layer (of a GeoPackage, a zip of shapefiles, a KML or a
        workbook). An unknown name refuses the import and lists the layers.
    crs
        The coordinate system of the coordinates, as ``"EPSG:9210"``, ``"9210"`` or
        WKT (PROJ strings are refused: they lose VN-2000's 7-parameter shift). It is
        used when the file has none and overrides the file's, with a warning.
    encoding
        Force the text encoding of legacy text: one of ``utf-8``, ``cp1258``,
        ``tcvn3`` or ``vni``. By default a ``.cpg`` is trusted when it names UTF-8
        or 1258, else the encoding is detected.
    limits
        Size limits of the upload.
    source_id, as_of
        Stamped on every zone; ``as_of`` defaults to today.

    Returns
    -------
    ImportReport
        Never raises for bad input: problems are sentences in ``errors`` (outcome
        ``"reject"``) or ``warnings`` (outcome ``"accept_with_warnings"``).
    """
    try:
        opts = _options(filename, layer, crs, encoding, limits, source_id, as_of)
        with tempfile.TemporaryDirectory(prefix="kcn-import-") as tmp:
            layers = _read_upload(data, opts, Path(tmp))
        return _build_report(layers, opts)
    except _Refusal as exc:
        return _rejected([str(exc)])


def _options(filename: str, layer: str | None, crs: str | None, encoding: str | None,
             limits: ImportLimits, source_id: str, as_of: str | None) -> _Options:
    forced_crs, label = (None, None) if crs is None else _parse_crs_option(crs)
    forced_encoding = None
    if encoding is not None:
        forced_encoding = _ENCODING_ALIASES.get(encoding.strip().lower().replace("_", "-"))
        if forced_encoding not in vntext.ENCODINGS:
            raise _Refusal(f"Unknown text encoding {encoding!r}: use one of "
                           f"{', '.join(vntext.ENCODINGS)}.")
    return _Options(filename=filename, layer=layer, crs=forced_crs, crs_label=label,
                    encoding=forced_encoding, limits=limits, source_id=source_id, as_of=as_of)


def _parse_crs_option(text: str) -> tuple[CRS, str]:
    value = text.strip()
    if "+proj" in value:
        raise _Refusal(f"The CRS {value!r} is a PROJ string, which loses VN-2000's "
                       "7-parameter shift: give an EPSG code such as \"EPSG:9210\" or WKT.")
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        parsed = CRS.from_user_input(value)
    except ProjCRSError:
        raise _Refusal(f"Unknown CRS {text!r}: give an EPSG code such as \"EPSG:9210\" "
                       "(VN-2000 / TM-3 105-45) or WKT.") from None
    identified, label, _ = _identify_crs(parsed)
    return identified, label


def _empty_zones() -> gpd.GeoDataFrame:
    empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in ZONE_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    return normalise_zones(empty)


def _rejected(errors: list[str], layers: list[LayerReport] | None = None, features: int = 0,
              names: list[str] | None = None, crs: str | None = None,
              encoding: str | None = None) -> ImportReport:
    return ImportReport(outcome="reject", features=features, names=names or [],
                        total_area_ha=None, crs=crs, encoding=encoding, layers=layers or [],
                        warnings=[], errors=errors, zones=_empty_zones(), unknown_columns=[])


# --------------------------------------------------------------------------- formats


def _sniff(data: bytes, filename: str) -> str:
    """Name the format of ``data`` from its first bytes, then its extension."""
    ext = Path(filename).suffix.lower()
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith(b"fgb\x03"):
        return "fgb"
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Refusal(f"{filename} is an old Excel (.xls) workbook: save it as .xlsx and "
                       "import that.")
    if data.startswith(b"\x00\x00\x27\x0a"):
        raise _Refusal(f"{filename} is only the .shp part of a shapefile: zip the .shp, .shx, "
                       ".dbf and .prj files together and import the zip.")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"\x00" in data[:4096]:
        raise _Refusal(f"KCN Atlas cannot read {filename}: it is not a {_SUPPORTED} file.")
    if head[:1] in (b"{", b"["):
        return "geojson"
    if head[:1] == b"<":
        if b"<kml" in data[:4096].lower():
            return "kml"
        raise _Refusal(f"{filename} is XML but not KML: KCN Atlas reads {_SUPPORTED}.")
    if ext in (".geojson", ".json", ".kml", ".gpkg", ".fgb", ".parquet", ".kmz", ".zip",
               ".xlsx", ".shp"):
        start = data[:40].decode("utf-8", errors="replace").splitlines()[0] if data else ""
        raise _Refusal(f"{filename} is not a {ext[1:].upper()} file: it is plain text "
                       f"starting with {start!r}.")
    return "csv"


def _read_upload(data: bytes, opts: _Options, tmp: Path) -> list[_Layer]:
    if not data:
        raise _Refusal(f"{opts.filename} is empty: there is nothing to import.")
    if len(data) > opts.limits.max_file_bytes:
        raise _Refusal(f"{opts.filename} is {_mb(len(data))}, more than the "
                       f"{_mb(opts.limits.max_file_bytes)} an import may be.")
    return _read_bytes(data, opts.filename, opts, tmp, depth=0)


def _read_bytes(data: bytes, filename: str, opts: _Options, tmp: Path,
                depth: int) -> list[_Layer]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as Excel saves "Unicode text"
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise _Refusal(f"{filename} starts like UTF-16 text but is not.") from None
    kind = _sniff(data, filename)
    ext = Path(filename).suffix.lower()
    if kind == "zip":
        if depth > 0:
            raise _Refusal(f"{opts.filename} holds a zip inside the zip: unpack it and import "
                           "the inner file.")
        return _read_zip(data, filename, opts, tmp)
    readers: dict[str, Callable[[Path, _Options], list[_Layer]]] = {
        "gpkg": lambda p, o: _read_gdal(p, o, "the GeoPackage"),
        "fgb": lambda p, o: _read_gdal(p, o, "the FlatGeobuf file"),
        "geojson": lambda p, o: _read_gdal(p, o, "the GeoJSON"),
        "kml": lambda p, o: _read_gdal(p, o, "the KML"),
        "parquet": _read_parquet,
    }
    if kind == "csv":
        return _read_csv(data, filename, opts)
    suffix = {"gpkg": ".gpkg", "fgb": ".fgb", "geojson": ".geojson", "kml": ".kml",
              "parquet": ".parquet"}[kind]
    # The user's file name never becomes a path: it could hold anything.
    path = tmp / f"upload{depth}{suffix}"
    path.write_bytes(data)
    layers = readers[kind](path, opts)
    stem = _stem(filename)
    for lyr in layers:
        if kind in ("geojson", "fgb", "parquet") or lyr.name in (path.stem, "doc", ""):
            lyr.name = stem
        if ext and ext not in (suffix, ".json", ".geoparquet") and depth == 0:
            lyr.notes.append(f"{filename} holds {kind.upper()} data despite its name; "
                             f"read it as {kind.upper()}.")
    return layers


def _stem(filename: str) -> str:
    name = re.split(r"[\\/]", filename)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return nfc(stem) or "layer"


def _mb(n: float) -> str:
    return f"{n / 1024**2:,.1f} MB"


# --------------------------------------------------------------------------- zips


class _Budget:
    """Counts bytes actually unpacked, whatever the zip's headers say."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0


def _member_path(name: str) -> str | None:
    """Return the member's normalised relative path, or None if it leaves its folder."""
    parts = name.replace("\\", "/")
    if parts.startswith("/") or re.match(r"^[A-Za-z]:", parts):
        return None
    norm = posixpath.normpath(parts)
    if norm == ".." or norm.startswith("../") or norm.startswith("/"):
        return None
    return norm


def _check_zip(zf: zipfile.ZipFile, packed: int, opts: _Options) -> list[zipfile.ZipInfo]:
    """Check a zip's members before reading any; return the members worth reading."""
    limits = opts.limits
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _Refusal(f"The zip has {len(infos):,} members, more than the "
                       f"{limits.max_members:,} an import may hold.")
    for info in infos:
        if _member_path(info.filename) is None:
            raise _Refusal(f"The zip has a path that leaves its folder: {info.filename!r}. "
                           "Nothing was unpacked; zip the files again without such paths.")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise _Refusal(f"The zip would unpack to {_mb(declared)}, more than the "
                       f"{_mb(limits.max_unpacked_bytes)} allowed: it was not unpacked.")
    if declared > _RATIO_FLOOR_BYTES and declared / max(packed, 1) > limits.max_ratio:
        raise _Refusal(f"The zip would unpack to {declared / max(packed, 1):,.0f} times its "
                       f"size (at most {limits.max_ratio:,.0f} is allowed): it was not "
                       "unpacked.")
    members = []
    for info in infos:
        path = _member_path(info.filename) or ""
        base = path.rsplit("/", 1)[-1]
        if info.is_dir() or path.startswith("__MACOSX/") or base.startswith("._"):
            continue
        if info.flag_bits & 0x1:
            raise _Refusal(f"The zip member {info.filename!r} is encrypted: zip it again "
                           "without a password.")
        members.append(info)
    if not members:
        raise _Refusal("The zip is empty: it holds no files.")
    return members


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: BinaryIO | None,
                 budget: _Budget) -> None:
    """Unpack one member into ``out`` (or nowhere), stopping at the size limits."""
    seen = 0
    with _reading(f"{info.filename} in the zip"), zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            seen += len(chunk)
            budget.used += len(chunk)
            if seen > info.file_size:
                raise _Refusal(f"The zip member {info.filename!r} is larger than its header "
                               "says: the zip is damaged or crafted; it was not unpacked.")
            if budget.used > budget.limit:
                raise _Refusal(f"The zip unpacks to more than {_mb(budget.limit)}: "
                               "unpacking stopped.")
            if out is not None:
                out.write(chunk)


def _read_zip(data: bytes, filename: str, opts: _Options, tmp: Path) -> list[_Layer]:
    with _reading(f"{filename} as a zip"):
        zf = zipfile.ZipFile(io.BytesIO(data))
    with zf:
        members = _check_zip(zf, len(data), opts)
        budget = _Budget(opts.limits.max_unpacked_bytes)
        names = {(_member_path(i.filename) or "").lower(): i for i in members}
        suffixes = {Path(n).suffix for n in names}
        if Path(filename).suffix.lower() == ".xlsx" or "xl/workbook.xml" in names:
            for info in members:  # prove the real sizes before openpyxl unpacks it
                _copy_member(zf, info, None, budget)
            return _read_excel(data, filename, opts)
        if ".shp" in suffixes:
            return _read_shapefiles(zf, members, opts, tmp, budget)
        if ".kml" in suffixes:
            for info in members:  # prove the real sizes before GDAL unpacks it
                _copy_member(zf, info, None, budget)
            path = tmp / "upload.kmz"
            path.write_bytes(data)
            return _read_gdal(path, opts, "the KMZ")
        inner = [i for i in members if Path(i.filename).suffix.lower() in _DATA_SUFFIXES]
        if len(inner) != 1:
            listed = ", ".join(i.filename for i in members[:_LIST_CAP])
            what = "several data files" if inner else "no shapefile or other file it can read"
            raise _Refusal(f"The zip holds {what} ({listed}): KCN Atlas reads a zip of "
                           "shapefiles, or a zip holding one GeoPackage, GeoJSON, KML, "
                           "FlatGeobuf, GeoParquet, CSV or Excel file.")
        buf = io.BytesIO()
        _copy_member(zf, inner[0], buf, budget)
    return _read_bytes(buf.getvalue(), inner[0].filename, opts, tmp, depth=1)


def _read_shapefiles(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], opts: _Options,
                     tmp: Path, budget: _Budget) -> list[_Layer]:
    """Unpack each shapefile's parts under names of our own, then read them."""
    root = tmp / "unzipped"
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in members:
        rel = _member_path(info.filename) or ""
        suffix = Path(rel).suffix.lower()
        if suffix in _SHAPEFILE_PARTS:
            groups.setdefault(rel[: -len(suffix)].lower(), {})[suffix] = info
    shapes = sorted(k for k, v in groups.items() if ".shp" in v)
    stems = [k.rsplit("/", 1)[-1] for k in shapes]
    layers = []
    for n, key in enumerate(shapes):
        infos = groups[key]
        rel = _member_path(infos[".shp"].filename) or key
        stem = rel.rsplit("/", 1)[-1][: -len(".shp")]
        name = nfc(stem if stems.count(stem.lower()) == 1 else rel[: -len(".shp")])
        missing = [s for s in (".shx", ".dbf") if s not in infos]
        if missing:
            layers.append(_Layer(name=name, columns=[], rows=[], geoms=[], crs=None,
                                 encoding=None, geometry_type=None,
                                 reason=f"{stem}.shp comes without its "
                                        f"{' and '.join(missing)}: add "
                                        f"{'them' if len(missing) > 1 else 'it'} to the zip"))
            continue
        # The zip's names never become paths: each shapefile gets a folder and names of ours.
        folder = root / f"{n:04d}"
        folder.mkdir(parents=True)
        for suffix, info in infos.items():
            with (folder / f"shape{suffix}").open("wb") as out:
                _copy_member(zf, info, out, budget)
        cpg = (folder / "shape.cpg").read_text("latin1").strip() if ".cpg" in infos else ""
        try:
            read = _read_gdal(folder / "shape.shp", opts, f"the shapefile {stem}.shp",
                              dbf_cpg=cpg)
        except _Unreadable as exc:  # one broken shapefile does not sink the others
            layers.append(_Layer(name=name, columns=[], rows=[], geoms=[], crs=None,
                                 encoding=None, geometry_type=None,
                                 reason=str(exc).rstrip(".")))
            continue
        for lyr in read:
            lyr.name = name
            layers.append(lyr)
    return layers


# --------------------------------------------------------------------------- GDAL formats


def _read_gdal(path: Path, opts: _Options, what: str, dbf_cpg: str | None = None) -> list[_Layer]:
    """Read every layer of a dataset GDAL opens. ``dbf_cpg`` is set for shapefiles."""
    shapefile = dbf_cpg is not None
    with _reading(what), warnings.catch_warnings(record=True):
        listed = pyogrio.list_layers(path)
    layers = []
    for name, gtype in listed:
        lname = nfc(str(name))
        if gtype is None:
            layers.append(_Layer(name=lname, columns=[], rows=[], geoms=[], crs=None,
                                 encoding=None, geometry_type=None,
                                 reason="it is a table without geometry"))
            continue
        layers.append(_read_gdal_layer(path, str(name), opts, what, dbf_cpg if shapefile else None))
    if not layers:
        raise _Refusal(f"{opts.filename} holds no layers: {what} is empty.")
    return layers


def _read_gdal_layer(path: Path, name: str, opts: _Options, what: str,
                     dbf_cpg: str | None) -> _Layer:
    shapefile = dbf_cpg is not None
    text_encoding = "latin1" if shapefile else None
    limit = opts.limits.max_features
    # GDAL warns about what it repairs (unclosed rings); we report those ourselves.
    with _reading(f"layer {name!r} of {what}"), warnings.catch_warnings(record=True):
        info = pyogrio.read_info(path, layer=name, encoding=text_encoding)
        if info["features"] > limit:
            raise _Refusal(f"Layer {name!r} has {info['features']:,} features, more than the "
                           f"{limit:,} an import may hold.")
        meta, _, wkbs, field_data = pyogrio.raw.read(
            path, layer=name, encoding=text_encoding, max_features=limit + 1,
            datetime_as_string=True)
    if len(wkbs) > limit:
        raise _Refusal(f"Layer {name!r} has more than {limit:,} features, the most an import "
                       "may hold.")
    columns = [str(c) for c in meta["fields"]]
    table = {c: list(values) for c, values in zip(columns, field_data, strict=True)}
    geoms, geom_notes = _geoms_from_wkb(wkbs)
    crs = _crs_of(meta.get("crs"), name)
    declared_type = str(info.get("geometry_type") or "")
    lyr = _Layer(name=nfc(name), columns=columns, rows=[], geoms=geoms, crs=crs, encoding=None,
                 geometry_type=_geometry_type(geoms) or declared_type or None,
                 geom_notes=geom_notes)
    if shapefile:
        columns, table, lyr.encoding = _decode_dbf(columns, table, dbf_cpg or "", opts, lyr)
    else:
        columns, table, lyr.encoding = _repair_mis_stored(columns, table, opts, lyr)
    lyr.columns = columns
    lyr.rows = [{c: table[c][i] for c in columns} for i in range(len(geoms))]
    if info.get("driver") == "LIBKML":
        lyr.ignore_columns = {c for c in columns if fold(c) in _KML_SYSTEM}
    return lyr


def _crs_of(value: object, layer: str) -> CRS | None:
    if not value:
        return None
    try:
        return CRS.from_user_input(value)
    except ProjCRSError:
        raise _Refusal(f"The CRS of layer {layer!r} cannot be understood; import the file "
                       "again with crs=\"EPSG:…\".") from None


def _geoms_from_wkb(wkbs: Sequence[bytes | None]) -> tuple[list[BaseGeometry | None],
                                                             dict[int, str]]:
    """Decode WKB one by one so that one broken geometry does not sink the layer."""
    arr = np.array(list(wkbs), dtype=object)
    strict = shapely.from_wkb(arr, on_invalid="ignore")
    geoms: list[BaseGeometry | None] = list(strict)
    notes: dict[int, str] = {}
    for i, (raw, geom) in enumerate(zip(arr, strict, strict=True)):
        if raw is not None and geom is None:
            fixed = shapely.from_wkb(raw, on_invalid="fix")
            geoms[i] = fixed
            notes[i] = ("a ring of its boundary was not closed; closed it" if fixed is not None
                        else "its geometry cannot be read")
    return geoms, notes


def _read_parquet(path: Path, opts: _Options) -> list[_Layer]:
    import pyarrow  # optional engine: only GeoParquet needs it
    import pyarrow.parquet as pq

    limit = opts.limits.max_features
    arrow_errors = (pyarrow.ArrowException, TypeError)
    with _reading("the GeoParquet file", arrow_errors):
        rows = pq.ParquetFile(path).metadata.num_rows
    if rows > limit:
        raise _Refusal(f"The GeoParquet file has {rows:,} rows, more than the {limit:,} an "
                       "import may hold.")
    with _reading("the GeoParquet file", arrow_errors):
        meta = pq.read_schema(path).metadata or {}
        if b"geo" not in meta:
            frame = pd.read_parquet(path)
            grid = [[None if _missing(v) else v for v in r]
                    for r in frame.astype(object).to_numpy().tolist()]
            return [_table_layer("", [str(c) for c in frame.columns], grid, opts)]
        gdf = gpd.read_parquet(path)
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    table = {c: gdf[c].astype(object).tolist() for c in columns}
    geoms = [None if g is None or g.is_empty else g for g in gdf.geometry]
    lyr = _Layer(name="", columns=columns, rows=[], geoms=geoms, crs=gdf.crs, encoding=None,
                 geometry_type=_geometry_type(geoms))
    columns, table, lyr.encoding = _repair_mis_stored(columns, table, opts, lyr)
    lyr.columns = columns
    lyr.rows = [{c: table[c][i] for c in columns} for i in range(len(geoms))]
    return [lyr]


# --------------------------------------------------------------------------- text


def _cpg_encoding(cpg: str) -> str | None:
    value = fold(cpg).replace("_", "-").replace(" ", "-")
    if value in ("utf-8", "utf8", "65001"):
        return "utf-8"
    if value.endswith("1258"):
        return "cp1258"
    return None


def _decode_dbf(columns: list[str], table: dict[str, list[Any]], cpg: str, opts: _Options,
                lyr: _Layer) -> tuple[list[str], dict[str, list[Any]], str]:
    """Decode a shapefile's text, read as Latin-1, with VN-2000 era encodings."""
    samples = [c.encode("latin1") for c in columns]
    samples += [v.encode("latin1") for values in table.values() for v in values
                if isinstance(v, str) and v]
    if opts.encoding:
        enc = opts.encoding
    elif _cpg_encoding(cpg):
        enc = _cpg_encoding(cpg) or "utf-8"
    else:
        found = vntext.detect(samples)
        enc = found.encoding
        if found.confidence < _SURE:
            lyr.notes.append(f"Layer {lyr.name}: the text encoding is uncertain; read it as "
                             f"{enc} ({found.reason}). If names look wrong, import again with "
                             "encoding=\"tcvn3\", \"vni\", \"cp1258\" or \"utf-8\".")

    def dec(text: str) -> str:
        try:
            return nfc(vntext.decode(text.encode("latin1"), enc))
        except ValueError:
            raise _Refusal(f"The text of layer {lyr.name} is not valid {enc}: import again "
                           "with another encoding=(utf-8, cp1258, tcvn3 or vni).") from None

    new_columns = _unique([dec(c) for c in columns])
    new_table = {new: [dec(v) if isinstance(v, str) else v for v in table[old]]
                 for old, new in zip(columns, new_columns, strict=True)}
    return new_columns, new_table, enc


def _suspect(text: str) -> bool:
    """Tell whether Unicode text looks like legacy bytes stored as Latin-1 characters."""
    return any(0x80 <= ord(ch) <= 0xFF and ch not in _VN_LATIN1 for ch in text)


def _high(text: str) -> bool:
    return any(ord(ch) >= 0x80 for ch in text) and all(ord(ch) <= 0xFF for ch in text)


def _repair_mis_stored(columns: list[str], table: dict[str, list[Any]], opts: _Options,
                       lyr: _Layer) -> tuple[list[str], dict[str, list[Any]], str | None]:
    """Decode TCVN3/VNI/CP1258 text that a Unicode file holds as Latin-1 characters.

    A column is converted when some of its values look mis-stored and none holds a
    character beyond Latin-1 (genuine Vietnamese nearly always does); with a forced
    encoding, every column with such values is. A header is converted when its
    converted form names a field, or when it looks mis-stored itself.
    """
    def texts(values: list[Any]) -> list[str]:
        return [v for v in values if isinstance(v, str)]

    if opts.encoding:
        enc = opts.encoding
        mis = {c for c in columns if any(_high(v) for v in texts(table[c]))}
    else:
        mis = {c for c in columns
               if any(_suspect(v) for v in texts(table[c]))
               and all(ord(ch) <= 0xFF for v in texts(table[c]) for ch in v)}
        samples = [v.encode("latin1") for c in mis for v in texts(table[c]) if _high(v)]
        samples += [c.encode("latin1") for c in columns if _suspect(c) and _high(c)]
        if not samples:
            return columns, table, None
        found = vntext.detect(samples)
        if found.confidence < _SURE:
            return columns, table, None
        enc = found.encoding

    def dec(text: str) -> str:
        if not _high(text):
            return text
        try:
            return nfc(vntext.decode(text.encode("latin1"), enc))
        except ValueError:
            return text

    example = ""
    new_columns: list[str] = []
    new_table: dict[str, list[Any]] = {}
    for c in columns:
        values = table[c]
        if c in mis:
            converted = [dec(v) if isinstance(v, str) else v for v in values]
            if not example:
                example = next((f"{v!r} → {w!r}" for v, w in zip(values, converted, strict=True)
                                if isinstance(v, str) and v != w), "")
            values = converted
        name = _header_text(c, dec(c)) if _high(c) else c
        if name != c and not example:
            example = f"{c!r} → {name!r}"
        name = _unique([*new_columns, name])[-1]
        new_columns.append(name)
        new_table[name] = values
    if not example:
        return columns, table, None
    lyr.notes.append(f"Layer {lyr.name}: text was {enc} stored as Latin-1 characters; "
                     f"converted it to Unicode (e.g. {example}).")
    return new_columns, new_table, enc


# --------------------------------------------------------------------------- tables


def _read_csv(data: bytes, filename: str, opts: _Options) -> list[_Layer]:
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    notes = []
    if opts.encoding:
        enc = opts.encoding
    else:
        try:
            raw.decode("utf-8")
            enc = "utf-8"
        except UnicodeDecodeError:
            found = vntext.detect([line for line in raw.splitlines() if line.strip()])
            enc = found.encoding
            if found.confidence < _SURE:
                notes.append(f"{filename}: the text encoding is uncertain; read it as {enc} "
                             f"({found.reason}). If names look wrong, import again with "
                             "encoding=\"tcvn3\", \"vni\", \"cp1258\" or \"utf-8\".")
    try:
        text = nfc(vntext.decode(raw, enc))
    except ValueError:
        raise _Refusal(f"{filename} is not valid {enc} text: import again with another "
                       "encoding=(utf-8, cp1258, tcvn3 or vni).") from None
    sample = text[:16384]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    with _reading(filename):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) > opts.limits.max_features + 20:
        raise _Refusal(f"{filename} has {len(rows):,} rows, more than the "
                       f"{opts.limits.max_features:,} an import may hold.")
    width = max((len(r) for r in rows), default=0)
    grid: list[list[Any]] = [[v if v.strip() else None for v in r] + [None] * (width - len(r))
                             for r in rows]
    lyr = _table_layer(_stem(filename), None, grid, opts)
    lyr.encoding = lyr.encoding or enc
    lyr.notes = notes + lyr.notes
    return [lyr]


def _read_excel(data: bytes, filename: str, opts: _Options) -> list[_Layer]:
    from openpyxl.utils.exceptions import InvalidFileException  # optional engine

    with _reading(f"{filename} as an Excel workbook", (InvalidFileException, TypeError)), \
            warnings.catch_warnings(record=True):
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object,
                               engine="openpyxl")
    layers = []
    for sheet, frame in sheets.items():
        if len(frame) > opts.limits.max_features + 20:
            raise _Refusal(f"Sheet {sheet!r} has {len(frame):,} rows, more than the "
                           f"{opts.limits.max_features:,} an import may hold.")
        grid = [[None if _missing(v) else v for v in row] for row in frame.to_numpy().tolist()]
        layers.append(_table_layer(nfc(str(sheet)), None, grid, opts))
    return layers


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return value is pd.NaT


def _header_key(text: str) -> str:
    return _NON_ALNUM.sub("_", fold(text)).strip("_")


def _map_header(text: str) -> str | None:
    """Return the register field a header names, allowing DBF's 10-character cut."""
    key = _header_key(text)
    if key in _ALIAS:
        return _ALIAS[key]
    if len(text) == 10 and len(key) >= 6:
        fields = {f for alias, f in _ALIAS.items() if alias.startswith(key)}
        if len(fields) == 1:
            return fields.pop()
    return None


def _coord_role(text: str) -> str | None:
    return _COORD_ALIAS.get(_header_key(text))


def _table_layer(name: str, header: list[str] | None, grid: list[list[Any]], opts: _Options,
                 row_word: str = "row") -> _Layer:
    """Build a layer from a spreadsheet-like grid; find the header row if not given."""
    lyr = _Layer(name=name, columns=[], rows=[], geoms=[], crs=None, encoding=None,
                 geometry_type=None, row_word=row_word)
    width = len(header) if header is not None else max((len(r) for r in grid), default=0)
    grid = [(list(r) + [None] * width)[:width] for r in grid]
    head_at, strong = _find_header(grid, grid) if header is None else (-1, True)
    if header is None and strong:
        # The header reads as it is: repair the rows under it only.
        header = [_header_text(v, v) for v in grid[head_at]]
        grid = grid[head_at + 1:]
        lyr.first_row = head_at + 2
    if header is None:
        # Perhaps the header itself is mis-stored: repair everything, then look again.
        keys = [str(i) for i in range(width)]
        cells = {k: [r[i] for r in grid] for i, k in enumerate(keys)}
        _, fixed, lyr.encoding = _repair_mis_stored(keys, cells, opts, lyr)
        repaired = [[fixed[k][j] for k in keys] for j in range(len(grid))]
        head_at, _ = _find_header(grid, repaired)
        header = [_header_text(a, b) for a, b in zip(grid[head_at], repaired[head_at],
                                                     strict=True)] if grid else []
        body = repaired[head_at + 1:]
        lyr.first_row = head_at + 2
    else:
        cells = {c: [r[i] for r in grid] for i, c in enumerate(header)}
        header, fixed, lyr.encoding = _repair_mis_stored(header, cells, opts, lyr)
        body = [[fixed[c][j] for c in header] for j in range(len(grid))]
    header = _unique(header)
    lyr.columns = header
    lyr.rows = [dict(zip(header, r, strict=True)) for r in body]
    roles = {role: c for c in reversed(header) if (role := _coord_role(c))}
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
            lat, lon = _coordinate(r.get(lat_col)), _coordinate(r.get(lon_col))
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
    lyr.geometry_type = _geometry_type(lyr.geoms)
    return lyr


def _find_header(raw: list[list[Any]], repaired: list[list[Any]]) -> tuple[int, bool]:
    """Return the index of the header row among the first rows, and whether it names
    both a name column and coordinates (else it is the best guess)."""
    fallback = -1
    for j in range(min(len(raw), 20)):
        names = [_header_text(a, b) for a, b in zip(raw[j], repaired[j], strict=True)]
        fields = {_map_header(n) for n in names if n}
        roles = {_coord_role(n) for n in names if n}
        if "name_vi" in fields and ("wkt" in roles or {"lat", "lon"} <= roles):
            return j, True
        if fallback < 0 and ("name_vi" in fields or "wkt" in roles or {"lat", "lon"} <= roles):
            fallback = j
    return max(fallback, 0), False


def _header_text(raw: Any, repaired: Any) -> str:
    if raw is None:
        return ""
    text = nfc(str(raw).strip())
    if isinstance(repaired, str) and repaired != raw:
        fixed = nfc(repaired.strip())
        if _map_header(text) is None and _coord_role(text) is None and (
                _map_header(fixed) or _coord_role(fixed) or _suspect(text)):
            return fixed
    return text


def _unique(header: list[str]) -> list[str]:
    out: list[str] = []
    for i, h in enumerate(header):
        name = h or f"column {i + 1}"
        while name in out:
            name = f"{name}_"
        out.append(name)
    return out


def _coordinate(value: Any) -> float | None:
    if _missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    text = str(value).strip()
    m = _DMS.match(text)
    if m:
        deg, mins, secs, hemi = m.groups()
        number = float(deg) + float(mins or 0) / 60 + float(secs or 0) / 3600
        return -number if hemi and hemi.upper() in "SW" else number
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _geometry_type(geoms: Sequence[BaseGeometry | None]) -> str | None:
    kinds = sorted({g.geom_type for g in geoms if g is not None})
    return "/".join(kinds) if kinds else None


# --------------------------------------------------------------------------- CRS


@lru_cache(maxsize=1)
def _vn2000_candidates() -> list[tuple[int, dict[str, float]]]:
    out = []
    for code in _VN2000_CODES:
        crs = CRS.from_epsg(code)
        params = _tm_params(crs) if crs.is_projected else {}
        out.append((code, params))
    return out


def _tm_params(crs: CRS) -> dict[str, float]:
    conv = crs.coordinate_operation
    if conv is None or "transverse mercator" not in conv.method_name.lower():
        return {}
    return {p.name.lower(): float(p.value) for p in conv.params}


def _is_wgs84_ellipsoid(crs: CRS) -> bool:
    ell = crs.ellipsoid
    return ell is not None and abs(ell.semi_major_metre - 6378137.0) < 0.01 and \
        abs(ell.inverse_flattening - 298.257223563) < 1e-6


def _is_vn2000_datum(crs: CRS) -> bool:
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    name = re.sub(r"[^a-z0-9]", "", fold(base.datum.name if base.datum else ""))
    if "vn2000" in name or "vietnam2000" in name:
        return True
    if crs.is_bound and crs.coordinate_operation is not None:
        shift = [float(p.value) for p in list(crs.coordinate_operation.params)[:3]]
        return len(shift) == 3 and all(
            abs(a - b) < 0.01 for a, b in zip(shift, _VN2000_SHIFT, strict=True))
    return False


def _match_tm(params: dict[str, float]) -> int | None:
    """Return the VN-2000 projected EPSG code with these Transverse Mercator parameters."""
    keys = ("longitude of natural origin", "scale factor at natural origin", "false easting",
            "false northing", "latitude of natural origin")
    if not all(k in params for k in keys):
        return None
    for code, cand in _vn2000_candidates():
        if cand and all(abs(params[k] - cand[k]) < (1e-9 if "scale" in k else 1e-6)
                        for k in keys):
            return code
    return None


def _label(crs: CRS, code: int | None) -> str:
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _identify_crs(crs: CRS) -> tuple[CRS, str, str | None]:
    """Return the CRS to transform from, its label, and a warning about it if any.

    VN-2000 in any form (EPSG, ESRI or custom-named WKT with the VN-2000 datum or its
    7-parameter shift) becomes its EPSG code, so PROJ applies the right shift.
    """
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    if _is_vn2000_datum(crs) and _is_wgs84_ellipsoid(base):
        if base.is_geographic:
            vn = CRS.from_user_input(VN2000_GEOGRAPHIC)
            return vn, _label(vn, 4756), None
        if base.is_projected:
            code = _match_tm(_tm_params(base))
            if code:
                vn = CRS.from_epsg(code)
                return vn, _label(vn, code), None
            if base.coordinate_operation is not None:
                custom = ProjectedCRS(conversion=base.coordinate_operation,
                                      geodetic_crs=CRS.from_user_input(VN2000_GEOGRAPHIC),
                                      name=base.name)
                return custom, f"{base.name} (VN-2000)", None
    code = crs.to_epsg(min_confidence=70)
    if code:
        known = CRS.from_epsg(code)
        return known, _label(known, code), None
    warning = None
    if base.is_projected and not _is_vn2000_datum(crs):
        tm = _match_tm(_tm_params(base))
        if tm and tm not in (3405, 3406):
            warning = (f"the file's CRS {crs.name!r} has the projection of "
                       f"{_label(CRS.from_epsg(tm), tm)} but not the VN-2000 datum; if the "
                       f"coordinates come from a VN-2000 survey, import again with "
                       f"crs=\"EPSG:{tm}\" (positions differ by about 200 m).")
    return crs, crs.name, warning


_PROVINCE_NAMES = {"hai phong": "Hải Phòng", "quang ninh": "Quảng Ninh"}


def _crs_hint(geoms: Sequence[BaseGeometry | None]) -> str:
    """Describe the coordinates and name the coordinate systems they fit."""
    valid = [g for g in geoms if g is not None and not g.is_empty]
    if not valid:
        return "there are no coordinates to look at"
    x0, y0, x1, y1 = shapely.total_bounds(np.array(valid, dtype=object))
    vx0, vy0, vx1, vy1 = VIETNAM_BOUNDS
    if _degrees(valid):
        where = f"x {x0:.4f} to {x1:.4f}, y {y0:.4f} to {y1:.4f}"
        if vx0 <= x0 and x1 <= vx1 and vy0 <= y0 and y1 <= vy1:
            return (f"its coordinates look like degrees inside Vietnam ({where}); they fit "
                    "EPSG:4326 (WGS 84) or EPSG:4756 (VN-2000)")
        if vx0 <= y0 and y1 <= vx1 and vy0 <= x0 and x1 <= vy1:
            return (f"its coordinates look like degrees, but latitude and longitude seem "
                    f"swapped ({where}); longitude must come first")
        return f"its coordinates look like degrees but lie outside Vietnam ({where})"
    where = f"x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}"
    if 100_000 <= x0 <= x1 <= 900_000 and 900_000 <= y0 <= y1 <= 2_700_000:
        utm: list[int] = []
        tm3: list[int] = []
        for code, _ in _vn2000_candidates():
            if code == 4756:
                continue
            cand = CRS.from_epsg(code)
            centre = gpd.GeoSeries([Point((x0 + x1) / 2, (y0 + y1) / 2)], crs=cand)
            lon, lat = centre.to_crs(STORE_CRS).iloc[0].coords[0]
            aou = cand.area_of_use
            if aou and aou.west <= lon <= aou.east and aou.south <= lat <= aou.north:
                (utm if code in (3405, 3406) else tm3).append(code)
        examples = ", ".join(
            f"{code} ({CRS.from_user_input(code).name}) for "
            f"{_PROVINCE_NAMES.get(name, name.title())}"
            for name, code in VN2000_TM3_BY_PROVINCE.items())
        utm_text = " or ".join(_label(CRS.from_epsg(c), c) for c in utm) or \
            _label(CRS.from_user_input(VN2000_UTM48N), 3405)
        fitting = f" (the TM-3 zones whose area they fall in: " \
                  f"{', '.join(f'EPSG:{c}' for c in tm3)})" if tm3 else ""
        return (f"its coordinates look like metres ({where}), as VN-2000 eastings and "
                f"northings; they fit {utm_text}, or the TM-3 zone of the file's province, "
                f"e.g. {examples}{fitting}")
    return f"its coordinates ({where}) fit no coordinate system used in Vietnam"


# --------------------------------------------------------------------------- zones


def _clean(value: Any) -> str | None:
    """Return a value as NFC text, or None when missing."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    text = nfc(str(value).strip())
    return text or None


def _number(value: Any) -> float | None:
    """Read a number written either way; raise ValueError if it is not one."""
    if _missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    text = re.sub(r"(?i)\s*(%|ha|héc\s*ta|hecta)\s*$", "", str(value).strip())
    return parse_vn_number(text)


def _kind(value: str | None) -> Kind | None:
    if not value:
        return None
    f = fold(value)
    if f.upper() in Kind.__members__:
        return Kind[f.upper()]
    if f in ("kcx", "iz", "ip", "epz") or f.startswith(("khu cong nghiep", "khu che xuat",
                                                       "industrial zone", "industrial park",
                                                       "export processing")):
        return Kind.KCN
    if f.startswith(("cum cong nghiep", "industrial cluster", "cluster")):
        return Kind.CCN
    if f in ("ez",) or f.startswith(("khu kinh te", "economic zone")):
        return Kind.KKT
    return None


def _kind_from_name(name: str) -> Kind | None:
    f = fold(name)
    for prefix, kind in (("kcn ", Kind.KCN), ("kcx ", Kind.KCN), ("khu cong nghiep", Kind.KCN),
                         ("khu che xuat", Kind.KCN), ("ccn ", Kind.CCN),
                         ("cum cong nghiep", Kind.CCN), ("kkt ", Kind.KKT),
                         ("khu kinh te", Kind.KKT)):
        if f.startswith(prefix):
            return kind
    for suffix, kind in (("industrial zone", Kind.KCN), ("industrial park", Kind.KCN),
                         ("industrial cluster", Kind.CCN), ("economic zone", Kind.KKT)):
        if f.endswith(suffix):
            return kind
    return None


def _kind_from_layer(name: str) -> Kind | None:
    tokens = set(_NON_ALNUM.split(fold(name)))
    found = [k for k in Kind if k.value.lower() in tokens]
    return found[0] if len(found) == 1 else None


def _status(value: str | None) -> Status | None:
    if not value:
        return None
    f = fold(value).replace("_", " ")
    for status in Status:
        if f == status.value.replace("_", " "):
            return status
    rules = (
        (("chua hoat dong", "chua trien khai", "chua xay dung"), Status.PLANNED),
        (("de xuat", "du kien", "proposed"), Status.PROPOSED),
        (("xay dung", "trien khai", "construction"), Status.UNDER_CONSTRUCTION),
        (("hoat dong", "van hanh", "operat", "active"), Status.OPERATING),
        (("quy hoach", "plan"), Status.PLANNED),
    )
    for needles, status in rules:
        if any(n in f for n in needles):
            return status
    return None


def _year(value: Any) -> float | None:
    if _missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 1800 <= number <= 2100:
            return number
        raise ValueError(value)
    if isinstance(value, dt.date):
        return float(value.year)
    m = _YEAR.search(str(value))
    if not m:
        raise ValueError(value)
    return float(m.group(1))


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """Keep the polygonal parts of a geometry (as from make_valid), or None."""
    if isinstance(geom, Polygon | MultiPolygon):
        return None if geom.is_empty else geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if isinstance(merged, Polygon | MultiPolygon) and not merged.is_empty \
        else None


def _fmt_ha(value: float) -> str:
    return f"{value:,.1f} ha"


def _measure_src(geom: BaseGeometry, crs: CRS) -> float:
    """Area in hectares of a geometry in its source CRS, measured in EPSG:3405."""
    projected = gpd.GeoSeries([geom], crs=crs).to_crs(VN2000_UTM48N).iloc[0]
    return float(projected.area) / 10_000.0


class _Collector:
    """Warnings about what was dropped or changed, and the layers' reports."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.dropped: list[str] = []  # layer- and feature-level refusals


def _build_report(layers: list[_Layer], opts: _Options) -> ImportReport:
    layers = _select_layers(layers, opts)
    out = _Collector()
    reports: list[LayerReport] = []
    features: list[_Feature] = []
    names: list[str] = []
    unknown: list[str] = []
    crs_labels: list[str] = []
    encodings: list[str] = []
    read_count = 0
    several = sum(1 for lyr in layers if not lyr.reason) > 1
    for lyr in layers:
        if lyr.reason:
            reports.append(LayerReport(lyr.name, len(lyr.rows), lyr.geometry_type, None,
                                       lyr.encoding, False, lyr.reason))
            continue
        result = _process_layer(lyr, opts, out, several)
        reports.append(result.report)
        if result.processed:
            read_count += len(lyr.rows)
            names += result.names
            features += result.features
            unknown += [c for c in result.unknown if c not in unknown]
            if result.report.crs and result.report.crs not in crs_labels:
                crs_labels.append(result.report.crs)
            if lyr.encoding and lyr.encoding not in encodings:
                encodings.append(lyr.encoding)
    crs_label = "; ".join(crs_labels) or None
    encoding = "; ".join(encodings) or None
    if not features:
        errors = out.dropped or [
            f"{opts.filename} holds no zones to import: "
            + "; ".join(f"layer {r.name}: {r.reason}" for r in reports if r.reason)
            + "."]
        if out.dropped:
            errors.append(f"Nothing in {opts.filename} can be imported.")
        return _rejected(errors, reports, read_count, names, crs_label, encoding)
    _assign_ids(features, out)
    _flag_duplicate_geometries(features, out)
    if unknown:
        out.warnings.append("Columns that the register has no field for were kept in the notes "
                            f"of each zone: {', '.join(unknown)}.")
    zones = _zones_frame(features, opts)
    contributions = [f.area if f.area is not None else f.values.get("area_total_ha")
                     for f in features]
    known = [float(a) for a in contributions if a is not None and not pd.isna(a)]
    warnings_ = out.warnings + out.dropped
    return ImportReport(
        outcome="accept_with_warnings" if warnings_ else "accept",
        features=read_count, names=names,
        total_area_ha=round(sum(known), 4) if known else None,
        crs=crs_label, encoding=encoding, layers=reports, warnings=warnings_, errors=[],
        zones=zones, unknown_columns=unknown)


def _select_layers(layers: list[_Layer], opts: _Options) -> list[_Layer]:
    if opts.layer is None:
        return layers
    names = [lyr.name for lyr in layers]
    chosen = [lyr for lyr in layers if lyr.name == opts.layer] or \
        [lyr for lyr in layers if fold(lyr.name) == fold(opts.layer)]
    if not chosen:
        raise _Refusal(f"There is no layer {opts.layer!r} in {opts.filename}; its layers are: "
                       f"{', '.join(names)}.")
    pick = chosen[0]
    if pick.reason:
        raise _Refusal(f"Layer {pick.name} cannot be imported: {pick.reason}.")
    for lyr in layers:
        if lyr is not pick and not lyr.reason:
            lyr.reason = f"not selected (layer={opts.layer!r})"
    return layers


@dataclass
class _LayerResult:
    report: LayerReport
    processed: bool
    names: list[str] = field(default_factory=list)
    features: list[_Feature] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _map_columns(lyr: _Layer) -> tuple[dict[str, str], list[str]]:
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for col in lyr.columns:
        if col in lyr.ignore_columns:
            continue
        target = _map_header(col)
        if target and target not in mapping:
            mapping[target] = col
        elif any(not _missing(r.get(col)) for r in lyr.rows):
            unknown.append(col)
    return mapping, unknown


def _process_layer(lyr: _Layer, opts: _Options, out: _Collector, several: bool) -> _LayerResult:
    def report(imported: bool, reason: str | None, crs: str | None = None) -> LayerReport:
        return LayerReport(lyr.name, len(lyr.rows), lyr.geometry_type, crs, lyr.encoding,
                           imported, reason)

    if not lyr.rows:
        return _LayerResult(report(False, "it is empty"), False)
    mapping, unknown = _map_columns(lyr)
    if "name_vi" not in mapping:
        cols = ", ".join(c for c in lyr.columns if c not in lyr.ignore_columns) or "none"
        return _LayerResult(report(False, f"it has no name column (its columns: {cols})"),
                            False)
    kinds = {g.geom_type for g in lyr.geoms if g is not None and not g.is_empty}
    usable = {"Polygon", "MultiPolygon", "Point", "MultiPoint", "GeometryCollection"}
    if not kinds & usable:
        held = ", ".join(sorted(kinds)) or "no geometries"
        return _LayerResult(report(False, f"it holds {held}, not polygons or points"), False)
    src_crs, crs_label = _layer_crs(lyr, opts, out)
    if src_crs is None:
        reason = (f"it has no coordinate system; {_crs_hint(lyr.geoms)}. Send its .prj with "
                  "it, or import again with crs=\"EPSG:…\"")
        out.dropped.append(f"Layer {lyr.name}: {reason}.")
        return _LayerResult(report(False, reason), False)
    if src_crs.is_geographic and not _degrees(lyr.geoms):
        reason = (f"it says its coordinates are degrees ({crs_label}), but "
                  f"{_crs_hint(lyr.geoms)}. Import again with the right crs=\"EPSG:…\"")
        out.dropped.append(f"Layer {lyr.name}: {reason}.")
        return _LayerResult(report(False, reason, crs_label), False)
    out.warnings += lyr.notes
    prefix = f"{lyr.name}: " if several else ""
    names: list[str] = []
    candidates: list[tuple[int, str, str, BaseGeometry, BaseGeometry]] = []
    for i, row in enumerate(lyr.rows):
        name = _clean(row.get(mapping["name_vi"])) or ""
        names.append(name)
        label = prefix + (name or f"{lyr.row_word} {lyr.first_row + i}")
        geom = lyr.geoms[i] if i < len(lyr.geoms) else None
        if not name:
            out.dropped.append(f"{prefix}{lyr.row_word.capitalize()} {lyr.first_row + i} has no "
                               "name; skipped it.")
            continue
        fixed = _prepare_geometry(geom, lyr.geom_notes.get(i), label, src_crs, out)
        if fixed is not None:
            candidates.append((i, name, label, fixed, geom))
    if not candidates:
        return _LayerResult(report(False, "none of its features can be imported", crs_label),
                            True, names)
    src = gpd.GeoSeries([c[3] for c in candidates], crs=src_crs)
    with warnings.catch_warnings(record=True):
        wgs = src.to_crs(STORE_CRS)
    finite = np.array([g is not None and not g.is_empty and bool(np.isfinite(g.bounds).all())
                       for g in wgs])
    inside = inside_vietnam(wgs).to_numpy() & finite
    feats: list[_Feature] = []
    for (i, name, label, geom_src, _), geom, ok in zip(candidates, wgs, inside, strict=True):
        if ok:
            feats.append(_Feature(lyr.name, label, name, {}, geom, i))
            continue
        out.dropped.append(_outside_reason(label, geom_src, src_crs, geom, bool(
            np.isfinite(geom.bounds).all()) if geom is not None else False))
    if feats:
        areas = area_ha(gpd.GeoSeries([f.geom for f in feats], crs=STORE_CRS))
        for f, a in zip(feats, areas, strict=True):
            f.area = None if pd.isna(a) else float(a)
    _fill_values(feats, lyr, mapping, unknown, opts, out)
    imported = bool(feats)
    return _LayerResult(report(imported, None if imported else
                               "none of its features can be imported", crs_label),
                        True, names, feats, unknown if imported else [])


def _layer_crs(lyr: _Layer, opts: _Options, out: _Collector) -> tuple[CRS | None, str | None]:
    declared = lyr.crs
    if opts.crs is not None:
        if declared is not None:
            ident, label, _ = _identify_crs(declared)
            if not ident.equals(opts.crs):
                out.warnings.append(f"Layer {lyr.name} declares {label}, but crs= asked for "
                                    f"{opts.crs_label}: used {opts.crs_label}.")
        return opts.crs, opts.crs_label
    if declared is None:
        if lyr.row_word == "row" and _degrees(lyr.geoms):
            wgs = CRS.from_user_input(STORE_CRS)
            return wgs, _label(wgs, 4326)
        return None, None
    ident, label, warning = _identify_crs(declared)
    if warning:
        out.warnings.append(f"Layer {lyr.name}: {warning}")
    return ident, label


def _degrees(geoms: Sequence[BaseGeometry | None]) -> bool:
    """Tell whether coordinates can be degrees, possibly with lat and lon swapped."""
    valid = [g for g in geoms if g is not None and not g.is_empty]
    if not valid:
        return True
    x0, y0, x1, y1 = shapely.total_bounds(np.array(valid, dtype=object))
    in_lon = -180 <= x0 <= x1 <= 180 and -180 <= y0 <= y1 <= 180
    return in_lon and (-90 <= y0 <= y1 <= 90 or -90 <= x0 <= x1 <= 90)


def _outside_reason(label: str, geom_src: BaseGeometry, crs: CRS, geom: BaseGeometry | None,
                    finite: bool) -> str:
    swapped_src = shapely.transform(geom_src, lambda xy: xy[:, ::-1])
    with warnings.catch_warnings(record=True):
        swapped = gpd.GeoSeries([swapped_src], crs=crs).to_crs(STORE_CRS)
    if bool(inside_vietnam(swapped).iloc[0]):
        return (f"{label}: lies outside Vietnam; latitude and longitude seem swapped. Fix the "
                "file (longitude is x, about 102–110 in Vietnam) and import again.")
    if not finite or geom is None:
        return f"{label}: its coordinates cannot be placed on the earth in {crs.name}; skipped it."
    x0, y0, x1, y1 = geom.bounds
    return (f"{label}: lies outside Vietnam (longitude {x0:.4f}–{x1:.4f}, latitude "
            f"{y0:.4f}–{y1:.4f}); skipped it. Check the coordinates or the CRS.")


def _prepare_geometry(geom: BaseGeometry | None, note: str | None, label: str, crs: CRS,
                      out: _Collector) -> BaseGeometry | None:
    """Return a polygonal or point geometry in the source CRS, repaired, or None."""
    if geom is None or geom.is_empty:
        reason = note or "it has no geometry"
        out.dropped.append(f"{label}: {reason}; skipped it.")
        return None
    if note:
        out.warnings.append(f"{label}: {note}.")
    geom = shapely.force_2d(geom)
    if isinstance(geom, MultiPoint) and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if isinstance(geom, Point | MultiPoint):
        return geom
    if not isinstance(geom, Polygon | MultiPolygon):
        poly = _polygonal(geom)
        if poly is None:
            points = [g for g in getattr(geom, "geoms", []) if isinstance(g, Point)]
            if points:
                return points[0] if len(points) == 1 else MultiPoint(points)
            out.dropped.append(f"{label}: it is a {geom.geom_type}, not a polygon or point; "
                               "skipped it.")
            return None
        geom = poly
    if geom.is_valid:
        return geom
    with np.errstate(all="ignore"):  # garbage coordinates overflow; the checks say so
        why = re.sub(r"\s*\[.*\]$", "", str(shapely.is_valid_reason(geom))).lower()
        repaired = _polygonal(shapely.make_valid(geom))
    if repaired is None:
        out.dropped.append(f"{label}: its polygon has no area ({why}); skipped it.")
        return None
    before, after = _measure_src(geom, crs), _measure_src(repaired, crs)
    out.warnings.append(f"{label}: its boundary was invalid ({why}); repaired it "
                        f"({_fmt_ha(before)} before, {_fmt_ha(after)} after).")
    return repaired


def _fill_values(feats: list[_Feature], lyr: _Layer, mapping: dict[str, str],
                 unknown: list[str], opts: _Options, out: _Collector) -> None:
    """Map each feature's attributes onto the store's columns."""
    layer_kind = _kind_from_layer(lyr.name)
    defaulted: list[str] = []
    bad_values: dict[str, list[str]] = {}
    bad_kinds: dict[tuple[str, str], list[str]] = {}
    occupancy: list[tuple[_Feature, float]] = []
    for f in feats:
        row = lyr.rows[f.row]
        notes: list[str] = []
        own_notes = _clean(row.get(mapping["notes"])) if "notes" in mapping else None
        values: dict[str, Any] = {c: None for c in ZONE_COLUMNS}
        values["name_vi"] = f.name
        for fld in ("name_en", "province", "district", "developer", "sectors", "parent_id",
                    "plan_period", "source_section", "province_current"):
            if fld in mapping:
                values[fld] = _clean(row.get(mapping[fld]))
        raw_kind = _clean(row.get(mapping["kind"])) if "kind" in mapping else None
        kind = _kind(raw_kind)
        if kind is None:
            kind = _kind_from_name(f.name) or layer_kind or Kind.KCN
            if raw_kind:
                bad_kinds.setdefault((raw_kind, kind.value), []).append(f.label)
                notes.append(f"{mapping['kind']}={raw_kind}")
            elif not (_kind_from_name(f.name) or layer_kind):
                defaulted.append(f.label)
        values["kind"] = kind.value
        raw_status = _clean(row.get(mapping["status"])) if "status" in mapping else None
        status = _status(raw_status)
        values["status"] = status.value if status else None
        if raw_status and status is None:
            bad_values.setdefault(f"status {raw_status!r}", []).append(f.label)
            notes.append(f"{mapping['status']}={raw_status}")
        for fld in (*_NUMBER_FIELDS, "year_established"):
            if fld not in mapping:
                continue
            raw = row.get(mapping[fld])
            try:
                values[fld] = _year(raw) if fld == "year_established" else _number(raw)
            except ValueError:
                bad_values.setdefault(f"{mapping[fld]} {_clean(raw)!r}", []).append(f.label)
                notes.append(f"{mapping[fld]}={_clean(raw)}")
        if values["occupancy_pct"] is not None:
            occupancy.append((f, values["occupancy_pct"]))
        quality = _clean(row.get(mapping["geometry_quality"])) \
            if "geometry_quality" in mapping else None
        if quality not in {q.value for q in Quality}:
            quality = (Quality.DIGITISED if isinstance(f.geom, Polygon | MultiPolygon)
                       else Quality.APPROXIMATE).value
        values["geometry_quality"] = quality
        values["province_current"] = values["province_current"] or values["province"]
        values["source_id"] = opts.source_id
        file_as_of = _clean(row.get(mapping["as_of"])) if "as_of" in mapping else None
        values["as_of"] = opts.as_of or file_as_of or dt.date.today().isoformat()
        file_id = _clean(row.get(mapping["id"])) if "id" in mapping else None
        f.id_from_file = bool(file_id and _SLUG.match(file_id) and re.search("[a-z]", file_id))
        values["id"] = file_id if f.id_from_file else None
        if file_id and not f.id_from_file:
            notes.append(f"{mapping['id']}={file_id}")
        for col in unknown:
            text = _clean(row.get(col))
            if text is not None:
                notes.append(f"{col}={text}")
        values["notes"] = "; ".join([n for n in [own_notes] if n] + notes) or None
        f.values = values
        declared = values["area_total_ha"]
        if f.area is not None and declared and abs(f.area - declared) > _AREA_GAP * declared:
            out.warnings.append(f"{f.label}: declares {declared:,.6g} ha, measures "
                                f"{f.area:,.1f} ha.")
    if occupancy and all(0 <= v <= 1 for _, v in occupancy) and any(v > 0 for _, v in occupancy):
        for f, v in occupancy:
            f.values["occupancy_pct"] = v * 100
        out.warnings.append(f"Layer {lyr.name}: every occupancy was between 0 and 1; read them "
                            "as fractions (0.63 → 63%) for "
                            f"{_names(f.label for f, _ in occupancy)}.")
    if defaulted:
        out.warnings.append(f"No kind (KCN, CCN or KKT) for {_names(defaulted)}: recorded them "
                            "as KCN.")
    for (raw, chosen), labels in bad_kinds.items():
        out.warnings.append(f"Kind {raw!r} of {_names(labels)} is not KCN, CCN or KKT: recorded "
                            f"{chosen} and kept the value in the notes.")
    for what, labels in bad_values.items():
        out.warnings.append(f"Could not read {what} for {_names(labels)}: left it empty and "
                            "kept the value in the notes.")


def _names(labels: Any) -> str:
    items = list(labels)
    shown = ", ".join(items[:_LIST_CAP])
    return shown + (f" and {len(items) - _LIST_CAP} more" if len(items) > _LIST_CAP else "")


def _assign_ids(features: list[_Feature], out: _Collector) -> None:
    """Give every zone a unique id: the file's if usable, else from kind and name."""
    seen: dict[str, str] = {}
    for f in features:
        base = f.values["id"] or _make_id(f.values["kind"], f.name)
        zid, n = base, 1
        while zid in seen:
            n += 1
            zid = f"{base}-{n}"
        if zid != base:
            out.warnings.append(f"{f.label} has the same id {base!r} as {seen[base]}; gave it "
                                f"the id {zid!r}.")
        seen[zid] = f.label
        f.values["id"] = zid


_KIND_WORDS = {
    "KCN": ("kcn", "khu-cong-nghiep", "kcx", "khu-che-xuat"),
    "CCN": ("ccn", "cum-cong-nghiep"),
    "KKT": ("kkt", "khu-kinh-te"),
}


def _make_id(kind: str, name: str) -> str:
    """Return ``slugify(f"{kind} {name}")`` without repeating a kind the name starts with.

    >>> _make_id("CCN", "Cụm công nghiệp Tân Liên")
    'ccn-tan-lien'
    """
    slug = slugify(name)
    for word in _KIND_WORDS.get(kind, ()):
        if slug.startswith(f"{word}-"):
            slug = slug[len(word) + 1:]
            break
    return slugify(f"{kind} {slug}") or "zone"


def _flag_duplicate_geometries(features: list[_Feature], out: _Collector) -> None:
    first: dict[bytes, str] = {}
    for f in features:
        key = shapely.to_wkb(shapely.normalize(f.geom))
        if key in first:
            out.warnings.append(f"{f.label} has exactly the same geometry as {first[key]}.")
        else:
            first[key] = f.label


def _zones_frame(features: list[_Feature], opts: _Options) -> gpd.GeoDataFrame:
    frame = pd.DataFrame([f.values for f in features], columns=ZONE_COLUMNS, dtype=object)
    gdf = gpd.GeoDataFrame(frame, geometry=[f.geom for f in features], crs=STORE_CRS)
    return normalise_zones(gdf)
