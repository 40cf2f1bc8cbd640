"""The import pipeline: options, reading the upload, each layer into zones, the report."""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo import vntext
from geo.crs import STORE_CRS, area_ha, inside_vietnam
from geo.importer.crs import crs_hint, degrees, layer_crs, parse_crs_option
from geo.importer.delimited import read_csv
from geo.importer.encoding import ENCODING_ALIASES
from geo.importer.excel import read_excel
from geo.importer.fields import assign_ids, clean, fill_values, map_columns
from geo.importer.gdal import read_gdal
from geo.importer.geometry import flag_duplicate_geometries, outside_reason, prepare_geometry
from geo.importer.model import (
    LIST_CAP,
    Collector,
    Feature,
    ImportLimits,
    Layer,
    Options,
    Refusal,
    mb,
    reading,
)
from geo.importer.parquet import read_parquet
from geo.importer.report import ImportReport, LayerReport, rejected, zones_frame
from geo.importer.shapefile import read_shapefiles
from geo.importer.sniff import (
    DATA_SUFFIXES,
    Budget,
    check_zip,
    copy_member,
    member_path,
    sniff,
    stem,
)
from geo.text import fold

__all__ = ["read_import"]


def read_import(data: bytes, filename: str, *, layer: str | None = None, crs: str | None = None,
                encoding: str | None = None, limits: ImportLimits | None = None,
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
        Size limits of the upload; :class:`ImportLimits` by default.
    source_id, as_of
        Stamped on every zone; ``as_of`` defaults to today.

    Returns
    -------
    ImportReport
        Never raises for bad input: problems are sentences in ``errors`` (outcome
        ``"reject"``) or ``warnings`` (outcome ``"accept_with_warnings"``).
    """
    try:
        opts = _options(filename, layer, crs, encoding, limits or ImportLimits(), source_id,
                        as_of)
        with tempfile.TemporaryDirectory(prefix="kcn-import-") as tmp:
            layers = _read_upload(data, opts, Path(tmp))
        return _build_report(layers, opts)
    except Refusal as exc:
        return rejected([str(exc)])


def _options(filename: str, layer: str | None, crs: str | None, encoding: str | None,
             limits: ImportLimits, source_id: str, as_of: str | None) -> Options:
    forced_crs, label = (None, None) if crs is None else parse_crs_option(crs)
    forced_encoding = None
    if encoding is not None:
        forced_encoding = ENCODING_ALIASES.get(encoding.strip().lower().replace("_", "-"))
        if forced_encoding not in vntext.ENCODINGS:
            raise Refusal(f"Unknown text encoding {encoding!r}: use one of "
                          f"{', '.join(vntext.ENCODINGS)}.")
    return Options(filename=filename, layer=layer, crs=forced_crs, crs_label=label,
                   encoding=forced_encoding, limits=limits, source_id=source_id, as_of=as_of)


# --------------------------------------------------------------------------- reading


def _read_upload(data: bytes, opts: Options, tmp: Path) -> list[Layer]:
    if not data:
        raise Refusal(f"{opts.filename} is empty: there is nothing to import.")
    if len(data) > opts.limits.max_file_bytes:
        raise Refusal(f"{opts.filename} is {mb(len(data))}, more than the "
                      f"{mb(opts.limits.max_file_bytes)} an import may be.")
    return _read_bytes(data, opts.filename, opts, tmp, depth=0)


def _read_bytes(data: bytes, filename: str, opts: Options, tmp: Path,
                depth: int) -> list[Layer]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as Excel saves "Unicode text"
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(f"{filename} starts like UTF-16 text but is not.") from None
    kind = sniff(data[:4096], filename)
    ext = Path(filename).suffix.lower()
    if kind == "zip":
        if depth > 0:
            raise Refusal(f"{opts.filename} holds a zip inside the zip: unpack it and import "
                          "the inner file.")
        return _read_zip(data, filename, opts, tmp)
    readers: dict[str, Callable[[Path, Options], list[Layer]]] = {
        "gpkg": lambda p, o: read_gdal(p, o, "the GeoPackage"),
        "fgb": lambda p, o: read_gdal(p, o, "the FlatGeobuf file"),
        "geojson": lambda p, o: read_gdal(p, o, "the GeoJSON"),
        "kml": lambda p, o: read_gdal(p, o, "the KML"),
        "parquet": read_parquet,
    }
    if kind == "csv":
        return read_csv(data, filename, opts)
    suffix = {"gpkg": ".gpkg", "fgb": ".fgb", "geojson": ".geojson", "kml": ".kml",
              "parquet": ".parquet"}[kind]
    # The user's file name never becomes a path: it could hold anything.
    path = tmp / f"upload{depth}{suffix}"
    path.write_bytes(data)
    layers = readers[kind](path, opts)
    name = stem(filename)
    for lyr in layers:
        if kind in ("geojson", "fgb", "parquet") or lyr.name in (path.stem, "doc", ""):
            lyr.name = name
        if ext and ext not in (suffix, ".json", ".geoparquet") and depth == 0:
            lyr.notes.append(f"{filename} holds {kind.upper()} data despite its name; "
                             f"read it as {kind.upper()}.")
    return layers


def _read_zip(data: bytes, filename: str, opts: Options, tmp: Path) -> list[Layer]:
    with reading(f"{filename} as a zip"):
        zf = zipfile.ZipFile(io.BytesIO(data))
    with zf:
        members = check_zip(zf, len(data), opts.limits)
        budget = Budget(opts.limits.max_unpacked_bytes)
        names = {(member_path(i.filename) or "").lower(): i for i in members}
        suffixes = {Path(n).suffix for n in names}
        if Path(filename).suffix.lower() == ".xlsx" or "xl/workbook.xml" in names:
            for info in members:  # prove the real sizes before openpyxl unpacks it
                copy_member(zf, info, None, budget)
            return read_excel(data, filename, opts)
        if ".shp" in suffixes:
            return read_shapefiles(zf, members, opts, tmp, budget)
        if ".kml" in suffixes:
            for info in members:  # prove the real sizes before GDAL unpacks it
                copy_member(zf, info, None, budget)
            path = tmp / "upload.kmz"
            path.write_bytes(data)
            return read_gdal(path, opts, "the KMZ")
        inner = [i for i in members if Path(i.filename).suffix.lower() in DATA_SUFFIXES]
        if len(inner) != 1:
            listed = ", ".join(i.filename for i in members[:LIST_CAP])
            what = "several data files" if inner else "no shapefile or other file it can read"
            raise Refusal(f"The zip holds {what} ({listed}): KCN Atlas reads a zip of "
                          "shapefiles, or a zip holding one GeoPackage, GeoJSON, KML, "
                          "FlatGeobuf, GeoParquet, CSV or Excel file.")
        buf = io.BytesIO()
        copy_member(zf, inner[0], buf, budget)
    return _read_bytes(buf.getvalue(), inner[0].filename, opts, tmp, depth=1)


# --------------------------------------------------------------------------- zones


def _build_report(layers: list[Layer], opts: Options) -> ImportReport:
    layers = _select_layers(layers, opts)
    out = Collector()
    reports: list[LayerReport] = []
    features: list[Feature] = []
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
        return rejected(errors, reports, read_count, names, crs_label, encoding)
    assign_ids(features, out)
    flag_duplicate_geometries(features, out)
    if unknown:
        out.warnings.append("Columns that the register has no field for were kept in the notes "
                            f"of each zone: {', '.join(unknown)}.")
    zones = zones_frame(features)
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


def _select_layers(layers: list[Layer], opts: Options) -> list[Layer]:
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
    return layers


@dataclass
class _LayerResult:
    report: LayerReport
    processed: bool
    names: list[str] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _process_layer(lyr: Layer, opts: Options, out: Collector, several: bool) -> _LayerResult:
    def report(imported: bool, reason: str | None, crs: str | None = None) -> LayerReport:
        return LayerReport(lyr.name, len(lyr.rows), lyr.geometry_type, crs, lyr.encoding,
                           imported, reason)

    if not lyr.rows:
        return _LayerResult(report(False, "it is empty"), False)
    mapping, unknown = map_columns(lyr)
    if "name_vi" not in mapping:
        cols = ", ".join(c for c in lyr.columns if c not in lyr.ignore_columns) or "none"
        return _LayerResult(report(False, f"it has no name column (its columns: {cols})"),
                            False)
    kinds = {g.geom_type for g in lyr.geoms if g is not None and not g.is_empty}
    usable = {"Polygon", "MultiPolygon", "Point", "MultiPoint", "GeometryCollection"}
    if not kinds & usable:
        held = ", ".join(sorted(kinds)) or "no geometries"
        return _LayerResult(report(False, f"it holds {held}, not polygons or points"), False)
    src_crs, crs_label = layer_crs(lyr, opts, out)
    if src_crs is None:
        reason = (f"it has no coordinate system; {crs_hint(lyr.geoms)}. Send its .prj with "
                  "it, or import again with crs=\"EPSG:…\"")
        out.dropped.append(f"Layer {lyr.name}: {reason}.")
        return _LayerResult(report(False, reason), False)
    if src_crs.is_geographic and not degrees(lyr.geoms):
        reason = (f"it says its coordinates are degrees ({crs_label}), but "
                  f"{crs_hint(lyr.geoms)}. Import again with the right crs=\"EPSG:…\"")
        out.dropped.append(f"Layer {lyr.name}: {reason}.")
        return _LayerResult(report(False, reason, crs_label), False)
    out.warnings += lyr.notes
    prefix = f"{lyr.name}: " if several else ""
    names: list[str] = []
    candidates: list[tuple[int, str, str, BaseGeometry, BaseGeometry]] = []
    for i, row in enumerate(lyr.rows):
        name = clean(row.get(mapping["name_vi"])) or ""
        names.append(name)
        label = prefix + (name or f"{lyr.row_word} {lyr.first_row + i}")
        geom = lyr.geoms[i] if i < len(lyr.geoms) else None
        if not name:
            out.dropped.append(f"{prefix}{lyr.row_word.capitalize()} {lyr.first_row + i} has no "
                               "name; skipped it.")
            continue
        fixed = prepare_geometry(geom, lyr.geom_notes.get(i), label, src_crs, out)
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
    feats: list[Feature] = []
    for (i, name, label, geom_src, _), geom, ok in zip(candidates, wgs, inside, strict=True):
        if ok:
            feats.append(Feature(lyr.name, label, name, {}, geom, i))
            continue
        out.dropped.append(outside_reason(label, geom_src, src_crs, geom, bool(
            np.isfinite(geom.bounds).all()) if geom is not None else False))
    if feats:
        areas = area_ha(gpd.GeoSeries([f.geom for f in feats], crs=STORE_CRS))
        for f, a in zip(feats, areas, strict=True):
            f.area = None if pd.isna(a) else float(a)
    fill_values(feats, lyr, mapping, unknown, opts, out)
    imported = bool(feats)
    return _LayerResult(report(imported, None if imported else
                               "none of its features can be imported", crs_label),
                        True, names, feats, unknown if imported else [])
