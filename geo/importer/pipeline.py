"""The import pipeline: options, reading the upload, each layer into zones, the report.

Stages, in order: stage the upload on disk (its size checked before a byte is
read); sniff and unpack it; read each layer; map each layer's columns and read
its rows (text cleaned of control characters); join the sheets of a workbook
that describe the same zones; place every feature (repair, reproject, check it
lies in Vietnam, measure it); fold a zone given twice into one; fill in what the
file leaves open (kind, ``unknown`` status, as-of date) and check values the way
:func:`geo.validate.validate` will; give ids; write the report.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from geo import vntext
from geo.crs import STORE_CRS, area_ha, inside_vietnam
from geo.importer.crs import UnknownDatum, crs_hint, degrees, layer_crs, parse_crs_option
from geo.importer.delimited import read_csv
from geo.importer.encoding import ENCODING_ALIASES, clean_control
from geo.importer.excel import read_excel
from geo.importer.fields import (
    ColumnMap,
    check_mapping,
    clean,
    coord_role,
    join_key,
    kind_from_layer,
    kind_from_name,
    make_id,
    map_columns,
    read_row,
)
from geo.importer.gdal import read_gdal
from geo.importer.geometry import outside_reason, prepare_geometry
from geo.importer.kml import STANDARD_COLUMNS, read_kml
from geo.importer.model import (
    LIST_CAP,
    Collector,
    Feature,
    ImportLimits,
    Layer,
    Options,
    Refusal,
    mb,
    missing,
    names_list,
    reading,
)
from geo.importer.parquet import read_parquet
from geo.importer.report import (
    ColumnMapping,
    ImportReport,
    LayerReport,
    ZoneSummary,
    centroids,
    rejected,
    zones_frame,
)
from geo.importer.shapefile import read_shapefiles
from geo.importer.sniff import DATA_SUFFIXES, Archive, sniff, stem
from geo.schema import ZONE_COLUMNS, Kind, Quality, Status
from geo.text import SLUG_MAX, fold

__all__ = ["read_import"]

_AREA_GAP = 0.20  # declared and measured areas further apart than this are reported
_SAME_PLACE_DEG = 1e-5  # about 1 m: two sheets place a zone at the same spot
_SAME_SHAPE_DEG = 1e-7  # about 1 cm: the same boundary drawn twice


def read_import(source: bytes | str | os.PathLike[str], filename: str | None = None, *,
                layer: str | None = None, crs: str | None = None,
                encoding: str | None = None, limits: ImportLimits | None = None,
                source_id: str = "import", as_of: str | None = None,
                mapping: Mapping[str, str | None] | None = None,
                prefer: str | None = None) -> ImportReport:
    """Read an uploaded GIS file into zones to merge, with a report of what happened.

    Parameters
    ----------
    source
        The upload: its bytes, or the path of a file on disk (read in place, its
        size checked before anything is read, so a huge file is refused at once).
    filename
        The file's name as the user knows it: messages name it, and its extension
        is a hint to the format. Defaults to the path's name.
    layer
        Import only this layer (of a GeoPackage, a zip of shapefiles, a KML or a
        workbook). An unknown name refuses the import and lists the layers.
    crs
        The coordinate system of the coordinates, as ``"EPSG:9210"``, ``"9210"`` or
        WKT (PROJ strings are refused: they lose VN-2000's 7-parameter shift). It is
        used when the file has none and overrides the file's, with a warning.
    encoding
        Force the text encoding of legacy text: one of ``utf-8``, ``cp1258``,
        ``tcvn3`` or ``vni``. By default the encoding is read from the bytes, and a
        ``.cpg`` or code page that contradicts them is reported.
    limits
        Size limits of the upload; :class:`ImportLimits` by default.
    source_id, as_of
        Stamped on every zone; ``as_of`` defaults to the file's own as-of column,
        else today.
    mapping
        Column name → register field (or ``"lat"``, ``"lon"``, ``"wkt"``), over the
        importer's guesses; ``""`` or None keeps the column in the notes.
    prefer
        The sheet whose values win when sheets of a workbook disagree about a zone.
        Without it, such a workbook is refused with the disagreements listed.

    Returns
    -------
    ImportReport
        Never raises for bad input: problems are sentences in ``errors`` (outcome
        ``"reject"``) or ``warnings`` (outcome ``"accept_with_warnings"``).
    """
    name = filename if filename is not None else (
        Path(os.fsdecode(source)).name if not isinstance(source, bytes) else "upload")
    try:
        opts = _options(name, layer, crs, encoding, limits or ImportLimits(), source_id,
                        as_of, mapping, prefer)
        with tempfile.TemporaryDirectory(prefix="kcn-import-") as tmp:
            staged = _stage(source, opts, Path(tmp))
            layers = _read_file(staged, opts.filename, opts, Path(tmp), depth=0)
        return _build_report(layers, opts)
    except Refusal as exc:
        return rejected([str(exc)])


def _options(filename: str, layer: str | None, crs: str | None, encoding: str | None,
             limits: ImportLimits, source_id: str, as_of: str | None,
             mapping: Mapping[str, str | None] | None, prefer: str | None) -> Options:
    forced_crs, label = (None, None) if crs is None else parse_crs_option(crs)
    forced_encoding = None
    if encoding is not None:
        forced_encoding = ENCODING_ALIASES.get(encoding.strip().lower().replace("_", "-"))
        if forced_encoding not in vntext.ENCODINGS:
            raise Refusal(f"Unknown text encoding {encoding!r}: use one of "
                          f"{', '.join(vntext.ENCODINGS)}.")
    return Options(filename=filename, layer=layer, crs=forced_crs, crs_label=label,
                   encoding=forced_encoding, limits=limits, source_id=source_id, as_of=as_of,
                   mapping=check_mapping(mapping or {}), prefer=prefer)


# --------------------------------------------------------------------------- reading


def _stage(source: bytes | str | os.PathLike[str], opts: Options, tmp: Path) -> Path:
    """Put the upload on disk, checking its size first; return its path."""
    limit = opts.limits.max_file_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
    else:
        path = Path(os.fsdecode(source))
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise Refusal(f"Could not open {opts.filename}: {exc.strerror or exc}.") from None
        if not path.is_file():
            raise Refusal(f"{opts.filename} is not a file.")
    if size == 0:
        raise Refusal(f"{opts.filename} is empty: there is nothing to import.")
    if size > limit:
        raise Refusal(f"{opts.filename} is {mb(size)}, more than the {mb(limit)} an import "
                      "may be.")
    if isinstance(source, bytes | bytearray | memoryview):
        staged = tmp / "upload"
        staged.write_bytes(source)
        return staged
    return path


def _head(path: Path) -> bytes:
    with reading(path.name if path.name.startswith("upload") else "the file"), \
            path.open("rb") as fh:
        return fh.read(4096)


def _read_file(path: Path, filename: str, opts: Options, tmp: Path, depth: int) -> list[Layer]:
    """Read one file (the upload, or the data file inside a zip) into layers."""
    head = _head(path)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as Excel saves "Unicode text"
        return read_csv(path.read_bytes(), filename, opts)
    kind = sniff(head, filename)
    ext = Path(filename).suffix.lower()
    if kind == "zip":
        if depth > 0:
            raise Refusal(f"{opts.filename} holds a zip inside the zip: unpack it and import "
                          "the inner file.")
        return _read_zip(path, filename, opts, tmp)
    if kind == "csv":
        return read_csv(path.read_bytes(), filename, opts)
    name = stem(filename)
    if kind == "kml":
        layers = read_kml(path, filename, name, opts)
    else:
        suffix = {"gpkg": ".gpkg", "fgb": ".fgb", "geojson": ".geojson",
                  "parquet": ".parquet"}[kind]
        # A copy of our own, under a name of our own: GDAL may write beside what it
        # opens (a GeoPackage's journal), and the user's name could hold anything.
        copy = tmp / f"copy{depth}{suffix}"
        if kind == "geojson":
            _copy_geojson(path, copy)
        elif path.parent == tmp:
            path.rename(copy)
        else:
            shutil.copyfile(path, copy)
        what = {"gpkg": f"the GeoPackage {filename}", "fgb": f"the FlatGeobuf file {filename}",
                "geojson": f"the GeoJSON {filename}"}.get(kind, filename)
        if kind == "parquet":
            layers = read_parquet(copy, name, opts, filename)
        else:
            layers = read_gdal(copy, opts, what, display=None if kind == "gpkg" else name)
    if ext and ext not in (f".{kind}", ".json", ".geoparquet", ".kml") and depth == 0 and \
            not (kind == "geojson" and ext == ".geojson"):
        for lyr in layers[:1]:
            lyr.info.append(f"{filename} holds {kind.upper()} data despite its name; read it "
                            f"as {kind.upper()}.")
    return layers


# "\u0000" in a JSON string: GDAL would end the string there.
_JSON_NULL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def _copy_geojson(path: Path, copy: Path) -> None:
    """Copy a GeoJSON, turning escaped null bytes into DEL, which the cleaning reports."""
    data = path.read_bytes()  # within the size limit, checked before
    copy.write_bytes(_JSON_NULL.sub(rb"\1\\u007f", data) if b"\\u0000" in data else data)


def _read_zip(path: Path, filename: str, opts: Options, tmp: Path) -> list[Layer]:
    with reading(f"{filename} as a zip"):
        zf = zipfile.ZipFile(path)
    with zf:
        archive = Archive(zf, path.stat().st_size, opts.limits)
        layers = _read_archive(archive, path, filename, opts, tmp)
    if archive.note and layers:
        layers[0].info.insert(0, archive.note)
    return layers


def _read_archive(archive: Archive, path: Path, filename: str, opts: Options,
                  tmp: Path) -> list[Layer]:
    names = {archive.name(i).lower(): i for i in archive.members}
    suffixes = {Path(n).suffix for n in names}
    if Path(filename).suffix.lower() == ".xlsx" or "xl/workbook.xml" in names:
        archive.prove_sizes()  # before openpyxl unpacks it
        return read_excel(path, filename, opts)
    if ".shp" in suffixes:
        return read_shapefiles(archive, opts, tmp)
    if ".kml" in suffixes:  # a KMZ: doc.kml, and the documents it links (GDAL writes those)
        return _read_kmz(archive, [i for n, i in names.items() if n.endswith(".kml")],
                         filename, opts, tmp)
    inner = [i for n, i in names.items() if Path(n).suffix in DATA_SUFFIXES]
    if len(inner) != 1:
        listed = ", ".join(archive.name(i) for i in archive.members[:LIST_CAP])
        what = "several data files" if inner else "no shapefile or other file it can read"
        raise Refusal(f"The zip holds {what} ({listed}): KCN Atlas reads a zip of "
                      "shapefiles, or a zip holding one GeoPackage, GeoJSON, KML, "
                      "FlatGeobuf, GeoParquet, CSV or Excel file.")
    target = tmp / f"inner{Path(archive.name(inner[0])).suffix.lower()}"
    with target.open("wb") as out:
        archive.copy(inner[0], out)
    return _read_file(target, archive.name(inner[0]), opts, tmp, depth=1)


def _read_kmz(archive: Archive, kmls: list[zipfile.ZipInfo], filename: str, opts: Options,
              tmp: Path) -> list[Layer]:
    kmls = sorted(kmls, key=lambda i: (archive.name(i).lower() != "doc.kml",
                                       archive.name(i).count("/"), archive.name(i)))
    layers: list[Layer] = []
    empty: Refusal | None = None
    for n, info in enumerate(kmls):
        doc = tmp / f"doc{n}.kml"
        with doc.open("wb") as out:
            archive.copy(info, out)
        try:
            layers += read_kml(doc, filename, stem(filename), opts)
        except Refusal as exc:
            if "holds no placemarks" not in str(exc):
                raise
            empty = exc  # doc.kml often only links the documents that hold the placemarks
    if not layers and empty is not None:
        raise empty
    return layers


# --------------------------------------------------------------------------- layers


def _select_layers(layers: list[Layer], opts: Options) -> list[Layer]:
    if opts.prefer is not None and not any(
            lyr.name == opts.prefer or fold(lyr.name) == fold(opts.prefer) for lyr in layers):
        raise Refusal(f"There is no sheet {opts.prefer!r} in {opts.filename} to prefer; its "
                      f"sheets are: {', '.join(lyr.name for lyr in layers)}.")
    if opts.layer is None:
        return layers
    names = [lyr.name for lyr in layers]
    chosen = [lyr for lyr in layers if lyr.name == opts.layer] or \
        [lyr for lyr in layers if fold(lyr.name) == fold(opts.layer)]
    if not chosen:
        raise Refusal(f"There is no layer {opts.layer!r} in {opts.filename}; its layers are: "
                      f"{', '.join(names)}.")
    pick = chosen[0]
    if pick.reason:
        raise Refusal(f"Layer {pick.name} cannot be imported: {pick.reason}.")
    for lyr in layers:
        if lyr is not pick and not lyr.reason:
            lyr.reason = f"not selected (layer={opts.layer!r})"
            lyr.attributes_only = False
    return layers


@dataclass
class _LayerState:
    """A layer on its way through the pipeline."""

    layer: Layer
    report: LayerReport
    cmap: ColumnMap | None = None
    crs: CRS | None = None
    features: list[Feature] = field(default_factory=list)
    processed: bool = False  # its rows were read into features


def _where(f: Feature, word: str) -> str:
    """Name a feature for a refusal: its label, and its row in a table."""
    return f"{f.label} ({word} {f.number})" if word == "row" and f.name else f.label


def _read_layer(lyr: Layer, opts: Options, out: Collector, prefix: str) -> _LayerState:
    """Map a layer's columns, check its CRS and read its rows into features."""
    def report(imported: bool, reason: str | None, crs: str | None = None) -> LayerReport:
        rows = len(lyr.rows) - len(lyr.skipped)
        return LayerReport(lyr.name, rows, lyr.geometry_type, crs, lyr.encoding, imported,
                           reason)

    state = _LayerState(lyr, report(False, lyr.reason))
    if lyr.reason and not lyr.attributes_only:
        return state
    if not lyr.rows:
        state.report = report(False, "it is empty")
        return state
    _clean_columns(lyr, out)
    standard = STANDARD_COLUMNS if lyr.crs is not None and not lyr.table else frozenset()
    cmap = map_columns(lyr, opts.mapping, standard)
    state.cmap = cmap
    if "name_vi" not in cmap.fields:
        cols = ", ".join(c for c in lyr.columns if c not in lyr.ignore_columns) or "none"
        reason = lyr.reason or f"it has no name column (its columns: {cols})"
        state.report = report(False, reason)
        return state
    crs_label = None
    if not lyr.attributes_only:
        kinds = {g.geom_type for g in lyr.geoms if g is not None and not g.is_empty}
        usable = {"Polygon", "MultiPolygon", "Point", "MultiPoint", "GeometryCollection"}
        if not kinds & usable and not lyr.geom_notes:
            held = ", ".join(sorted(kinds)) or "no geometries"
            state.report = report(False, f"it holds {held}, not polygons or points")
            return state
        try:
            src_crs, crs_label = layer_crs(lyr, opts, out)
        except UnknownDatum as exc:
            out.dropped.append(f"{lyr.word} {lyr.name}: {exc}.")
            state.report = report(False, str(exc))
            return state
        if src_crs is None:
            reason = (f"it has no coordinate system; {crs_hint(lyr.geoms)}. Send its .prj "
                      "with it, or import again with crs=\"EPSG:…\"")
            out.dropped.append(f"{lyr.word} {lyr.name}: {reason}.")
            state.report = report(False, reason)
            return state
        if src_crs.is_geographic and not degrees(lyr.geoms):
            reason = (f"it says its coordinates are degrees ({crs_label}), but "
                      f"{crs_hint(lyr.geoms)}. Import again with the right crs=\"EPSG:…\"")
            out.dropped.append(f"{lyr.word} {lyr.name}: {reason}.")
            state.report = report(False, reason, crs_label)
            return state
        state.crs = src_crs
    out.warnings += lyr.notes
    out.notes += lyr.info
    out.notes += [f"{lyr.word} {lyr.name}: {why}; left it out."
                  for why in lyr.skipped.values() if why]
    state.processed = True
    state.report = report(False, None, crs_label)
    state.features = _features(lyr, cmap, state.crs, prefix, out)
    return state


def _clean_columns(lyr: Layer, out: Collector) -> None:
    renamed = {}
    for col in lyr.columns:
        text, bad = clean_control(col)
        if text != col:
            renamed[col] = text or col
            if bad:
                out.warnings.append(f"{lyr.word} {lyr.name}: the column name {col!r} held null "
                                    "bytes or control characters; removed them.")
    if renamed:
        lyr.columns = [renamed.get(c, c) for c in lyr.columns]
        lyr.rows = [{renamed.get(k, k): v for k, v in r.items()} for r in lyr.rows]
        lyr.ignore_columns = {renamed.get(c, c) for c in lyr.ignore_columns}


def _clean_row(row: Mapping[str, Any], name_col: str) -> tuple[dict[str, Any], list[str]]:
    cleaned: dict[str, Any] = {}
    bad: list[str] = []
    for col, value in row.items():
        if isinstance(value, str):
            text, found = clean_control(value)
            if found:
                bad.append("name" if col == name_col else col)
            cleaned[col] = text
        else:
            cleaned[col] = value
    return cleaned, bad


def _features(lyr: Layer, cmap: ColumnMap, crs: CRS | None, prefix: str,
              out: Collector) -> list[Feature]:
    """Read a layer's rows into features: values parsed, geometry repaired in its CRS."""
    name_col = cmap.fields["name_vi"]
    layer_kind = kind_from_layer(lyr.name)
    feats: list[Feature] = []
    bad_values: dict[str, list[str]] = {}
    bad_kinds: dict[str, list[str]] = {}
    controls: list[str] = []
    for i, raw_row in enumerate(lyr.rows):
        if i in lyr.skipped:
            continue
        row, bad = _clean_row(raw_row, name_col)
        name = clean(row.get(name_col)) or ""
        number = lyr.first_row + i
        f = Feature(lyr.name, i, number, prefix + (name or f"{lyr.row_word} {number}"), name,
                    layers=[lyr.name])
        if bad:
            controls.append(f"{_where(f, lyr.row_word)} ({', '.join(bad)})")
        feats.append(f)
        if not name:
            f.refused = "no name"
            out.dropped.append(f"{prefix}{lyr.row_word.capitalize()} {number} has no name; "
                               "skipped it.")
            continue
        read = read_row(row, cmap)
        f.values, f.notes = read.values, read.notes
        f.kind_hint = lyr.kind_hints.get(i) or (layer_kind.value if layer_kind else None)
        for what in read.bad:
            bad_values.setdefault(what, []).append(f.label)
        if read.bad_kind:
            bad_kinds.setdefault(read.bad_kind, []).append(f.label)
        if lyr.attributes_only:
            continue
        f.crs = crs
        geom = lyr.geoms[i] if i < len(lyr.geoms) else None
        assert crs is not None
        f.geom_src = prepare_geometry(geom, lyr.geom_notes.get(i), _where(f, lyr.row_word),
                                      crs, out)
        if f.geom_src is None:
            f.refused = "geometry"
    _fractions(feats, lyr, out)
    if controls:
        out.warnings.append(f"Removed null bytes or control characters from the text of "
                            f"{names_list(controls)}; check those values.")
    for raw, labels in bad_kinds.items():
        out.warnings.append(f"Kind {raw!r} of {names_list(labels)} is not KCN, CCN or KKT: "
                            "kept the value in the notes.")
    for what, labels in bad_values.items():
        out.warnings.append(f"Could not read {what} for {names_list(labels)}: left it empty and "
                            "kept the value in the notes.")
    return feats


def _fractions(feats: list[Feature], lyr: Layer, out: Collector) -> None:
    """Read occupancies written as fractions (0.63) as percentages, when all of them are."""
    occupancy = [(f, f.values["occupancy_pct"]) for f in feats
                 if f.values.get("occupancy_pct") is not None]
    if occupancy and all(0 <= v <= 1 for _, v in occupancy) and any(v > 0 for _, v in occupancy):
        for f, v in occupancy:
            f.values["occupancy_pct"] = v * 100
        out.warnings.append(f"{lyr.word} {lyr.name}: every occupancy was between 0 and 1; read "
                            "them as fractions (0.63 → 63%) for "
                            f"{names_list(f.label for f, _ in occupancy)}.")


# --------------------------------------------------------------------------- joining sheets


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    return bool(a == b)


def _wgs84(f: Feature) -> Any:
    assert f.geom_src is not None and f.crs is not None
    with warnings.catch_warnings(record=True):
        return gpd.GeoSeries([f.geom_src], crs=f.crs).to_crs(STORE_CRS).iloc[0]


def _join_sheets(states: list[_LayerState], opts: Options, out: Collector) -> None:
    """Join rows of several sheets that describe the same zone (same code or name).

    A sheet without coordinates contributes attributes to the zones other sheets
    locate; a sheet none of whose rows another sheet locates is no zone sheet.
    """
    tables = [s for s in states if s.processed and s.layer.table]
    groups: list[list[Feature]] = []
    by_key: dict[tuple[str, str], int] = {}
    for s in tables if len(tables) > 1 else []:
        for f in s.features:
            if not f.name:
                continue
            keys = [("name", join_key(f.name))]
            if f.values.get("id"):
                keys.insert(0, ("id", str(f.values["id"])))
            at = next((by_key[k] for k in keys if k in by_key
                       and all(g.layer != f.layer for g in groups[by_key[k]])), None)
            if at is None:
                groups.append([f])
                at = len(groups) - 1
            else:
                groups[at].append(f)
            for k in keys:
                by_key.setdefault(k, at)
    conflicts: list[str] = []
    for group in groups:
        if len(group) > 1:
            _merge_group(group, opts, conflicts, out)
    if conflicts:
        out.errors += conflicts[:LIST_CAP * 2]
        sheets = ", ".join(repr(s.layer.name) for s in tables)
        out.errors.append(f"The sheets of {opts.filename} disagree, so KCN Atlas cannot tell "
                          f"which is right. Import again choosing the sheet to trust "
                          f"(prefer=, one of {sheets}; --prefer-sheet on the command line), or "
                          "one sheet alone (layer=).")
    for s in states:
        if not (s.processed and s.layer.attributes_only):
            continue
        joined = any(f.refused == "joined" for f in s.features)
        for f in s.features:
            if f.refused is not None:
                continue
            f.refused = "no coordinates" if joined else "not a zone sheet"
            if joined:
                out.dropped.append(f"{_where(f, 'row')}: sheet {s.layer.name} gives no "
                                   "coordinates for it and no other sheet has it; skipped it.")


def _merge_group(group: list[Feature], opts: Options, conflicts: list[str],
                 out: Collector) -> None:
    """Fold the rows of one zone from several sheets into the first that locates it."""
    located = [f for f in group if f.geom_src is not None]
    base = located[0] if located else group[0]
    preferred = next((f for f in group if opts.prefer is not None and (
        f.layer == opts.prefer or fold(f.layer) == fold(opts.prefer))), None)
    for fld in dict.fromkeys(k for f in group for k in f.values):
        distinct: list[tuple[str, Any]] = []
        for f in group:
            value = f.values.get(fld)
            if not missing(value) and not any(_same_value(value, v) for _, v in distinct):
                distinct.append((f.layer, value))
        if len(distinct) > 1 and preferred is not None and fld in preferred.values:
            base.values[fld] = preferred.values[fld]
        elif len(distinct) > 1:
            listed = ", ".join(f"{v!r} in {layer}" for layer, v in distinct)
            conflicts.append(f"{base.name}: the sheets give different {fld}: {listed}.")
        elif distinct:
            base.values[fld] = distinct[0][1]
    if len(located) > 1:
        places = [_wgs84(f) for f in located]
        far = [f for f, g in zip(located[1:], places[1:], strict=True)
               if g.hausdorff_distance(places[0]) > _SAME_PLACE_DEG]
        if far and preferred is not None and preferred.geom_src is not None:
            base.geom_src, base.crs = preferred.geom_src, preferred.crs
        elif far:
            conflicts.append(f"{base.name}: the sheets place it in different places "
                             f"({base.layer} and {', '.join(f.layer for f in far)}).")
    for f in group:
        if f is base:
            continue
        base.notes += [n for n in f.notes if n not in base.notes]
        base.kind_hint = base.kind_hint or f.kind_hint
        base.layers.append(f.layer)
        f.refused = "joined"
    if base.geom_src is not None:
        base.refused = None
    elif not any(f.refused == "geometry" for f in group):  # else already reported
        base.refused = "no coordinates"
        out.dropped.append(f"{base.label}: none of the sheets gives coordinates for it; skipped "
                           "it.")
    else:
        base.refused = "geometry"


# --------------------------------------------------------------------------- placing


def _place(states: list[_LayerState], out: Collector) -> None:
    """Reproject each feature to WGS 84, keep those in Vietnam, measure polygons."""
    for s in states:
        feats = [f for f in s.features if f.refused is None and f.geom_src is not None]
        if not feats:
            continue
        by_crs: dict[int, list[Feature]] = {}
        for f in feats:  # a layer's features share its CRS object; joined ones may not
            by_crs.setdefault(id(f.crs), []).append(f)
        for group in by_crs.values():
            src = gpd.GeoSeries([f.geom_src for f in group], crs=group[0].crs)
            with warnings.catch_warnings(record=True):
                wgs = src.to_crs(STORE_CRS)
            finite = np.array([g is not None and not g.is_empty
                               and bool(np.isfinite(g.bounds).all()) for g in wgs])
            inside = inside_vietnam(wgs).to_numpy() & finite
            for f, geom, ok in zip(group, wgs, inside, strict=True):
                if ok:
                    f.geom = geom
                    continue
                f.refused = "outside"
                assert f.geom_src is not None and f.crs is not None
                out.dropped.append(outside_reason(
                    _where(f, s.layer.row_word), f.geom_src, f.crs, geom,
                    bool(np.isfinite(geom.bounds).all()) if geom is not None else False))
        placed = [f for f in feats if f.geom is not None]
        if placed:
            areas = area_ha(gpd.GeoSeries([f.geom for f in placed], crs=STORE_CRS))
            for f, a in zip(placed, areas, strict=True):
                f.area = None if pd.isna(a) else float(a)


def _fold_repeats(feats: list[Feature], out: Collector) -> list[Feature]:
    """Read a zone given twice (same name, same boundary) once, with a note."""
    kept: list[Feature] = []
    seen: dict[str, list[Feature]] = {}
    for f in feats:
        key = fold(f.name)
        twin = next((k for k in seen.get(key, []) if shapely.equals_exact(
            shapely.normalize(k.geom), shapely.normalize(f.geom), tolerance=_SAME_SHAPE_DEG)),
            None)
        if twin is None:
            seen.setdefault(key, []).append(f)
            kept.append(f)
            continue
        differ = []
        for fld, value in f.values.items():
            if missing(twin.values.get(fld)):
                twin.values[fld] = value
            elif not _same_value(twin.values[fld], value):
                differ.append(f"{fld} {value!r}")
        twin.notes += [n for n in f.notes if n not in twin.notes]
        twin.layers += [x for x in f.layers if x not in twin.layers]
        f.refused = "repeat"
        where = f"{twin.layer} {twin.number}" if twin.layer != f.layer else str(twin.number)
        if differ:
            out.warnings.append(f"{f.label} appears twice with the same boundary ({where} and "
                                f"{f.number}) but with different values: kept those of the "
                                f"first and left out {', '.join(differ)}.")
        else:
            out.notes.append(f"{f.label} appears twice with the same name and boundary "
                             f"({where} and {f.number}); imported it once.")
    return kept


# --------------------------------------------------------------------------- values


def _finish(feats: list[Feature], opts: Options, out: Collector) -> None:
    """Fill in what the file leaves open and check values as validation will."""
    defaulted: list[str] = []
    no_status: list[str] = []
    today = dt.date.today().isoformat()
    for f in feats:
        stated = f.values
        values: dict[str, Any] = {c: None for c in ZONE_COLUMNS}
        values.update({k: v for k, v in stated.items() if k in values})
        values["name_vi"] = f.name
        kind = stated.get("kind") or (k.value if (k := kind_from_name(f.name)) else None) \
            or f.kind_hint
        if kind is None:
            kind = Kind.KCN.value
            defaulted.append(f.label)
        values["kind"] = kind
        if not stated.get("status"):
            values["status"] = Status.UNKNOWN.value
            no_status.append(f.label)
        polygon = isinstance(f.geom, Polygon | MultiPolygon)
        if stated.get("geometry_quality") not in {q.value for q in Quality}:
            if stated.get("geometry_quality"):
                f.notes.append(f"geometry_quality={stated['geometry_quality']}")
            values["geometry_quality"] = (Quality.DIGITISED if polygon
                                          else Quality.APPROXIMATE).value
        values["province_current"] = values["province_current"] or values["province"]
        values["source_id"] = opts.source_id
        values["as_of"] = opts.as_of or stated.get("as_of") or today
        values["area_measured_ha"] = round(f.area, 4) if polygon and f.area else None
        _check_numbers(f, values, out)
        own = stated.get("notes")
        values["notes"] = "; ".join([n for n in [own] if n] + f.notes) or None
        values["id"] = stated.get("id")
        f.id_from_file = bool(values["id"])
        declared = values["area_total_ha"]
        if f.area is not None and polygon and declared and \
                abs(f.area - declared) > _AREA_GAP * declared:
            out.warnings.append(f"{f.label}: declares {declared:,.6g} ha, measures "
                                f"{f.area:,.1f} ha.")
        f.values = values
    if defaulted:
        out.warnings.append(f"No kind (KCN, CCN or KKT) for {names_list(defaulted)}: recorded "
                            "them as KCN.")
    if no_status:
        out.warnings.append(f"No status for {names_list(no_status)}: recorded the status as "
                            "unknown, which the map shows as such; add it to the file or the "
                            "register when a source gives it.")


def _check_numbers(f: Feature, values: dict[str, Any], out: Collector) -> None:
    """Leave out numbers the register cannot hold, the way validation checks them."""
    def drop(fld: str, why: str) -> None:
        out.warnings.append(f"{f.label}: {why}; left {fld} empty and kept the value in the "
                            "notes.")
        f.notes.append(f"{fld}={values[fld]:g}")
        values[fld] = None

    for fld in ("area_total_ha", "area_industrial_ha", "leased_ha"):
        if values[fld] is not None and values[fld] <= 0:
            drop(fld, f"{fld} {values[fld]:g} is not a positive area")
    if values["occupancy_pct"] is not None and not 0 <= values["occupancy_pct"] <= 100:
        drop("occupancy_pct", f"occupancy {values['occupancy_pct']:g}% is outside 0–100")
    total, industrial = values["area_total_ha"], values["area_industrial_ha"]
    if industrial is not None and total is not None and industrial > total:
        drop("area_industrial_ha", f"its industrial land ({industrial:g} ha) exceeds its total "
             f"area ({total:g} ha)")
    leased, industrial = values["leased_ha"], values["area_industrial_ha"]
    if leased is not None and industrial is not None and leased > industrial:
        drop("leased_ha", f"its leased area ({leased:g} ha) exceeds its industrial land "
             f"({industrial:g} ha)")


def _assign_ids(feats: list[Feature], out: Collector) -> None:
    """Give every zone a unique id: the file's if usable, else from kind and name."""
    seen: dict[str, str] = {}
    for f in feats:
        base = f.values["id"] or make_id(f.values["kind"], f.name)
        zid, n = base, 1
        while zid in seen:
            n += 1
            zid = f"{base[:SLUG_MAX - len(str(n)) - 1]}-{n}"  # still short enough for a link
        if zid != base:
            out.warnings.append(f"{f.label} has the same id {base!r} as {seen[base]}; gave it "
                                f"the id {zid!r}.")
        seen[zid] = f.label
        f.values["id"] = zid


def _flag_shared_geometries(feats: list[Feature], out: Collector) -> None:
    first: dict[bytes, str] = {}
    keys = shapely.to_wkb(shapely.normalize(np.array([f.geom for f in feats], dtype=object)))
    for f, key in zip(feats, keys, strict=True):
        if key in first:
            out.warnings.append(f"{f.label} has exactly the same geometry as {first[key]}.")
        else:
            first[key] = f.label


# --------------------------------------------------------------------------- report


def _build_report(layers: list[Layer], opts: Options) -> ImportReport:
    layers = _select_layers(layers, opts)
    out = Collector()
    readable = [lyr for lyr in layers if not lyr.reason or lyr.attributes_only]
    several = len(readable) > 1
    states = [_read_layer(lyr, opts, out, f"{lyr.name}: " if several else "")
              for lyr in layers]
    _join_sheets(states, opts, out)
    _place(states, out)
    described = [f for s in states for f in s.features
                 if f.refused not in ("joined", "not a zone sheet")]
    placed = [f for f in described if f.refused is None and f.geom is not None]
    zones = _fold_repeats(placed, out)
    names = [f.name for f in described if f.refused != "repeat"]
    mapping = _mapping(states, opts)
    reports = _layer_reports(states, zones)
    crs_label = "; ".join(dict.fromkeys(s.report.crs for s in states if s.report.crs)) or None
    encoding = "; ".join(dict.fromkeys(s.layer.encoding for s in states
                                       if s.processed and s.layer.encoding)) or None
    unknown = list(dict.fromkeys(c for s in states if s.processed and s.cmap
                                 for c in s.cmap.notes if c not in STANDARD_COLUMNS))
    if unknown:
        out.notes.append("Columns that the register has no field for were kept in the notes "
                         f"of each zone: {', '.join(unknown)}.")
    if out.errors or not zones:
        errors = out.errors or out.dropped or [
            f"{opts.filename} holds no zones to import: "
            + "; ".join(f"layer {r.name}: {r.reason}" for r in reports if r.reason) + "."]
        if not out.errors and out.dropped:
            errors.append(f"Nothing in {opts.filename} can be imported.")
        return rejected(errors, reports, len(names), names, crs_label, encoding,
                        notes=out.notes, mapping=mapping,
                        warnings=out.warnings if out.errors else [])
    _finish(zones, opts, out)
    _assign_ids(zones, out)
    _flag_shared_geometries(zones, out)
    frame = zones_frame(zones)
    contributions = [f.area if f.area is not None else f.values.get("area_total_ha")
                     for f in zones]
    known = [float(a) for a in contributions if a is not None and not pd.isna(a)]
    warnings_ = out.warnings + out.dropped
    covered = {str(f.values["id"]): tuple(sorted(
        {fld for s in states if s.layer.name in f.layers and s.cmap for fld in s.cmap.fields}
        - {"name_vi", "id", "notes"})) for f in zones}
    return ImportReport(
        outcome="accept_with_warnings" if warnings_ else "accept",
        features=len(names), names=names,
        total_area_ha=round(sum(known), 4) if known else None,
        crs=crs_label, encoding=encoding, layers=reports, warnings=warnings_, errors=[],
        zones=frame, unknown_columns=unknown, notes=out.notes, mapping=mapping,
        summaries=[_summary(f, c) for f, c in zip(
            zones, centroids([f.geom for f in zones]), strict=True)], covered=covered)


def _layer_reports(states: list[_LayerState], zones: list[Feature]) -> list[LayerReport]:
    imported = {name for f in zones for name in f.layers}
    out = []
    for s in states:
        r = s.report
        if s.processed:
            ok = s.layer.name in imported
            reason = None if ok else (s.layer.reason if s.layer.attributes_only
                                      else "none of its features can be imported")
            r = LayerReport(r.name, r.features, r.geometry_type, r.crs, r.encoding, ok, reason)
        out.append(r)
    return out


def _mapping(states: list[_LayerState], opts: Options) -> list[ColumnMapping]:
    out = []
    for s in states:
        if s.cmap is None:
            continue
        roles = {c: r for c, r in s.cmap.roles.items()}
        for col in s.layer.columns:
            role = roles.get(col)
            if role == "coordinates":
                role = opts.mapping.get(col) or coord_role(col)
            example = next((clean(r.get(col)) for r in s.layer.rows
                            if not missing(r.get(col))), None)
            if example is not None and len(example) > 60:
                example = example[:57] + "…"
            field = None if role in ("ignored", "notes") else role
            out.append(ColumnMapping(s.layer.name, col, field, role == "notes", example))
    return out


def _summary(f: Feature, middle: tuple[float, float]) -> ZoneSummary:
    v = f.values
    assert f.geom is not None
    return ZoneSummary(
        id=str(v["id"]), name=f.name, kind=str(v["kind"]), status=str(v["status"]),
        declared_area_ha=None if v["area_total_ha"] is None else float(v["area_total_ha"]),
        measured_area_ha=None if v["area_measured_ha"] is None
        else round(float(v["area_measured_ha"]), 4),
        geometry_type=f.geom.geom_type, centroid=middle, layer=f.layer)
