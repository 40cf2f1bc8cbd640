"""The import pipeline: options, reading the upload, each layer into zones, the report.

Stages, in order: stage the upload and read it into layers (:mod:`.upload`); map
each layer's columns and read its rows, text cleaned of control characters and
geometries repaired (here, with :mod:`.fields`, :mod:`.crs` and :mod:`.geometry`);
join the sheets of a workbook that describe the same zones (:mod:`.join`); place
every feature: reproject, check it lies in Vietnam, measure it (:mod:`.geometry`);
fold a zone given twice into one (:mod:`.join`); fill in what the file leaves
open and check values the way :func:`geo.validate.validate` will, give ids
(:mod:`.zones`); write the report (:mod:`.report`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geo import vntext
from geo.importer.crs import UnknownDatum, crs_hint, degrees, layer_crs, parse_crs_option
from geo.importer.encoding import ENCODING_ALIASES, clean_control
from geo.importer.fields import (
    PLOTS,
    ColumnMap,
    check_mapping,
    clean,
    coord_role,
    kind_from_layer,
    map_columns,
    read_row,
    target_of,
)
from geo.importer.geometry import place, prepare_geometry
from geo.importer.join import fold_repeats, join_sheets
from geo.importer.kml import STANDARD_COLUMNS
from geo.importer.model import (
    Collector,
    Feature,
    ImportLimits,
    Layer,
    Options,
    Refusal,
    missing,
    names_list,
)
from geo.importer.plots import (
    assign_plot_ids,
    assign_zones,
    finish_plots,
    plots_frame,
    read_plot_row,
    resolve_zone,
)
from geo.importer.report import (
    ColumnMapping,
    ImportReport,
    LayerReport,
    PlotImportReport,
    ZoneSummary,
    centroids,
    plot_statuses,
    rejected,
    rejected_plots,
    zones_frame,
)
from geo.importer.upload import read_layers, stage
from geo.importer.zones import assign_ids, finish, flag_shared_geometries
from geo.text import fold

__all__ = ["read_import", "read_plots"]


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
            staged = stage(source, opts, Path(tmp))
            layers = read_layers(staged, opts.filename, opts, Path(tmp))
        return _build_report(layers, opts)
    except Refusal as exc:
        return rejected([str(exc)])


def read_plots(source: bytes | str | os.PathLike[str], filename: str | None = None, *,
               zones: gpd.GeoDataFrame, zone: str | None = None, layer: str | None = None,
               crs: str | None = None, encoding: str | None = None,
               limits: ImportLimits | None = None, source_id: str = "import",
               as_of: str | None = None,
               mapping: Mapping[str, str | None] | None = None) -> PlotImportReport:
    """Read an uploaded file of plots (lô đất) into plots to merge, with a report.

    The file is read as :func:`read_import` reads zones (the same formats,
    encodings, coordinate systems, repairs and limits); its columns are mapped
    onto the plots' fields (code, zone, status, declared area, lessee, sector,
    lease end, as-of date, notes).

    Parameters
    ----------
    zones
        The register's zones: each plot is given one of them, by the file's zone
        column (id, or name without its kind word), else by location.
    zone
        The zone of every plot in the file (its id, or a name naming one zone):
        wins over the file's zone column and the plots' locations. An unknown
        zone refuses the import.
    source, filename, layer, crs, encoding, limits, source_id, as_of
        As for :func:`read_import`.
    mapping
        Column name → plot field (``code``, ``zone_id``, ``status``,
        ``area_declared_ha``, ``area_declared_m2``, ``lessee``, ``sector``,
        ``lease_end``, ``as_of``, ``source_section``, ``notes``) or ``lat``,
        ``lon``, ``wkt``; ``""`` or None keeps the column in the notes.

    Returns
    -------
    PlotImportReport
        Never raises for bad input. Plots no zone can be found for, or several
        zones claim, are left out with a warning (an error when none is left).
    """
    name = filename if filename is not None else (
        Path(os.fsdecode(source)).name if not isinstance(source, bytes) else "upload")
    try:
        chosen = resolve_zone(zones, zone) if zone is not None and zone.strip() else None
        opts = _options(name, layer, crs, encoding, limits or ImportLimits(), source_id,
                        as_of, mapping, None, "plots")
        with tempfile.TemporaryDirectory(prefix="kcn-import-") as tmp:
            staged = stage(source, opts, Path(tmp))
            layers = read_layers(staged, opts.filename, opts, Path(tmp))
        return _build_plot_report(layers, opts, zones, chosen)
    except Refusal as exc:
        return rejected_plots([str(exc)], zone=zone)


def _options(filename: str, layer: str | None, crs: str | None, encoding: str | None,
             limits: ImportLimits, source_id: str, as_of: str | None,
             mapping: Mapping[str, str | None] | None, prefer: str | None,
             target: str = "zones") -> Options:
    forced_crs, label = (None, None) if crs is None else parse_crs_option(crs)
    forced_encoding = None
    if encoding is not None:
        forced_encoding = ENCODING_ALIASES.get(encoding.strip().lower().replace("_", "-"))
        if forced_encoding not in vntext.ENCODINGS:
            raise Refusal(f"Unknown text encoding {encoding!r}: use one of "
                          f"{', '.join(vntext.ENCODINGS)}.")
    return Options(filename=filename, layer=layer, crs=forced_crs, crs_label=label,
                   encoding=forced_encoding, limits=limits, source_id=source_id, as_of=as_of,
                   mapping=check_mapping(mapping or {}, target), prefer=prefer, target=target)


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


def _read_layer(lyr: Layer, opts: Options, out: Collector, prefix: str) -> _LayerState:
    """Map a layer's columns, check its CRS and read its rows into features."""
    def report(imported: bool, reason: str | None, crs: str | None = None) -> LayerReport:
        rows = len(lyr.rows) - len(lyr.skipped)
        return LayerReport(lyr.name, rows, lyr.geometry_type, crs, lyr.encoding, imported,
                           reason)

    tgt = target_of(opts.target)
    state = _LayerState(lyr, report(False, lyr.reason))
    # A plot needs its boundary: a sheet without coordinates lends nothing to plots.
    if lyr.reason and (not lyr.attributes_only or tgt is PLOTS):
        return state
    if not lyr.rows:
        state.report = report(False, "it is empty")
        return state
    _clean_columns(lyr, out)
    standard = STANDARD_COLUMNS if lyr.crs is not None and not lyr.table else frozenset()
    cmap = map_columns(lyr, opts.mapping, standard, tgt)
    state.cmap = cmap
    if tgt.key not in cmap.fields:
        cols = ", ".join(c for c in lyr.columns if c not in lyr.ignore_columns) or "none"
        what = "name column" if tgt.key == "name_vi" else \
            "plot-code column (such as Mã lô, Ký hiệu lô, plot_id)"
        reason = lyr.reason or f"it has no {what} (its columns: {cols})"
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
    out.notes += _unit_notes(lyr, cmap)
    state.features = _features(lyr, cmap, state.crs, prefix, out, opts)
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


def _unit_notes(lyr: Layer, cmap: ColumnMap) -> list[str]:
    """Say which area columns were read in m² or km² and converted to hectares."""
    notes = []
    squares = dict(cmap.scale)
    if "area_declared_m2" in cmap.fields:
        squares["area_declared_m2"] = 1e-4
    for fld, scale in squares.items():
        unit = "square metres (divided by 10,000)" if scale == 1e-4 else \
            "square kilometres (multiplied by 100)"
        notes.append(f"{lyr.word} {lyr.name}: read {cmap.fields[fld]!r} as {unit} into "
                     "hectares.")
    return notes


def _features(lyr: Layer, cmap: ColumnMap, crs: CRS | None, prefix: str,
              out: Collector, opts: Options) -> list[Feature]:
    """Read a layer's rows into features: values parsed, geometry repaired in its CRS."""
    tgt = target_of(opts.target)
    name_col = cmap.fields[tgt.key]
    layer_kind = kind_from_layer(lyr.name) if tgt.key == "name_vi" else None
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
        label = prefix + (name or f"{lyr.row_word} {number}")
        where = f"{label} ({lyr.row_word} {number})" if lyr.row_word == "row" and name \
            else label
        f = Feature(lyr.name, i, number, label, name, where=where, layers=[lyr.name])
        if bad:
            controls.append(f"{where} ({', '.join(bad)})")
        feats.append(f)
        if not name:
            f.refused = "no name"
            missing_key = "name" if tgt.key == "name_vi" else "plot code"
            out.dropped.append(f"{prefix}{lyr.row_word.capitalize()} {number} has no "
                               f"{missing_key}; skipped it.")
            continue
        read = read_plot_row(row, cmap) if tgt is PLOTS else read_row(row, cmap)
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
        f.geom_src = prepare_geometry(geom, lyr.geom_notes.get(i), where, crs, out)
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


# --------------------------------------------------------------------------- report


def _build_report(layers: list[Layer], opts: Options) -> ImportReport:
    layers = _select_layers(layers, opts)
    out = Collector()
    readable = [lyr for lyr in layers if not lyr.reason or lyr.attributes_only]
    several = len(readable) > 1
    states = [_read_layer(lyr, opts, out, f"{lyr.name}: " if several else "")
              for lyr in layers]
    join_sheets([(s.layer, s.features) for s in states if s.processed], opts, out)
    place([f for s in states for f in s.features], out)
    described = [f for s in states for f in s.features
                 if f.refused not in ("joined", "not a zone sheet")]
    placed = [f for f in described if f.refused is None and f.geom is not None]
    zones = fold_repeats(placed, out)
    names = [f.name for f in described if f.refused != "repeat"]
    mapping = _mapping(states, opts)
    reports = _layer_reports(states, zones)
    crs_label, encoding, unknown = _described(states, out, "zone")
    if out.errors or not zones:
        errors = _refusal(opts.filename, "zones", reports, out)
        return rejected(errors, reports, len(names), names, crs_label, encoding,
                        notes=out.notes, mapping=mapping,
                        warnings=out.warnings if out.errors else [])
    finish(zones, opts, out)
    assign_ids(zones, out)
    flag_shared_geometries(zones, out)
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


def _refusal(filename: str, what: str, reports: list[Any], out: Any) -> list[str]:
    """Why nothing of the file can be imported: its errors, else what was left out, else
    each layer's reason for holding no ``what`` ("zones", "plots")."""
    errors = list(out.errors or out.dropped or [
        f"{filename} holds no {what} to import: "
        + "; ".join(f"layer {r.name}: {r.reason}" for r in reports if r.reason) + "."])
    if not out.errors and out.dropped:
        errors.append(f"Nothing in {filename} can be imported.")
    return errors


def _described(states: list[_LayerState], out: Any,
               record: str) -> tuple[str | None, str | None, list[str]]:
    """The CRS and text encoding the layers were read in, and the columns kept aside.

    The columns the register has no field for get a note in ``out``.

    ``record`` names what each row became ("zone", "plot") for the note.
    """
    crs_label = "; ".join(dict.fromkeys(s.report.crs for s in states if s.report.crs)) or None
    encoding = "; ".join(dict.fromkeys(s.layer.encoding for s in states
                                       if s.processed and s.layer.encoding)) or None
    unknown = list(dict.fromkeys(c for s in states if s.processed and s.cmap
                                 for c in s.cmap.notes if c not in STANDARD_COLUMNS))
    if unknown:
        out.notes.append("Columns that the register has no field for were kept in the notes "
                         f"of each {record}: {', '.join(unknown)}.")
    return crs_label, encoding, unknown


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


def _build_plot_report(layers: list[Layer], opts: Options, zones: gpd.GeoDataFrame,
                       zone: str | None) -> PlotImportReport:
    layers = _select_layers(layers, opts)
    out = Collector()
    readable = [lyr for lyr in layers if not lyr.reason]
    several = len(readable) > 1
    states = [_read_layer(lyr, opts, out, f"{lyr.name}: " if several else "")
              for lyr in layers]
    feats = [f for s in states for f in s.features]
    place(feats, out)
    placed = [f for f in feats if f.refused is None and f.geom is not None]
    finish_plots(placed, opts, out)
    assign_zones(placed, zones, zone, out)
    plots = assign_plot_ids([f for f in placed if f.refused is None], out)
    names = [f.name for f in feats if f.refused != "repeat"]
    mapping = _mapping(states, opts)
    reports = _layer_reports(states, plots)
    crs_label, encoding, unknown = _described(states, out, "plot")
    unmatched = sum(1 for f in placed if f.refused == "no zone")
    ambiguous = sum(1 for f in placed if f.refused == "several zones")
    if out.errors or not plots:
        errors = _refusal(opts.filename, "plots", reports, out)
        return rejected_plots(errors, reports, len(names), names, crs_label, encoding,
                              notes=out.notes, mapping=mapping,
                              warnings=out.warnings if out.errors else [], zone=zone,
                              unmatched=unmatched, ambiguous=ambiguous)
    frame = plots_frame(plots)
    warnings_ = out.warnings + out.dropped
    fields_of = {s.layer.name: tuple(sorted(
        {("area_declared_ha" if f == "area_declared_m2" else f) for f in s.cmap.fields}
        - {"code", "zone_id", "notes"})) for s in states if s.cmap}
    covered = {str(f.values["id"]): tuple(sorted({fld for lyr in f.layers
                                                   for fld in fields_of.get(lyr, ())}))
               for f in plots}
    area = frame["area_declared_ha"].fillna(frame["area_measured_ha"])
    names_of = dict(zip(zones["id"], zones["name_vi"], strict=True))
    by_zone: dict[str, dict[str, Any]] = {}
    for zid, group in frame.groupby("zone_id", sort=True):
        by_zone[str(zid)] = {"name": names_of.get(zid), "plots": len(group),
                             "area_ha": round(float(area[group.index].sum()), 4)}
    return PlotImportReport(
        outcome="accept_with_warnings" if warnings_ else "accept",
        features=len(names), names=names,
        total_area_ha=round(float(area.sum()), 4) if area.notna().any() else None,
        crs=crs_label, encoding=encoding, layers=reports, warnings=warnings_, errors=[],
        plots=frame, unknown_columns=unknown, notes=out.notes, mapping=mapping, zone=zone,
        zones=by_zone, statuses=plot_statuses(frame), unmatched=unmatched,
        ambiguous=ambiguous, covered=covered)
