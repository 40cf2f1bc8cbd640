"""Reader for the formats GDAL opens: GeoPackage, GeoJSON, FlatGeobuf and shapefiles."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyogrio

from geo.importer.crs import crs_of
from geo.importer.encoding import decode_dbf, repair_mis_stored
from geo.importer.geometry import geometry_type, geoms_from_wkb
from geo.importer.model import Layer, Options, Refusal, reading
from geo.text import fold, nfc

__all__ = ["read_gdal"]

# LIBKML's own fields; "description" is the author's and is kept.
_KML_SYSTEM = {"id", "timestamp", "begin", "end", "altitudemode", "tessellate", "extrude",
               "visibility", "draworder", "icon", "snippet"}


def read_gdal(path: Path, opts: Options, what: str, dbf_cpg: str | None = None) -> list[Layer]:
    """Read every layer of a dataset GDAL opens. ``dbf_cpg`` is set for shapefiles."""
    shapefile = dbf_cpg is not None
    with reading(what), warnings.catch_warnings(record=True):
        listed = pyogrio.list_layers(path)
    layers = []
    for name, gtype in listed:
        lname = nfc(str(name))
        if gtype is None:
            layers.append(Layer(name=lname, columns=[], rows=[], geoms=[], crs=None,
                                encoding=None, geometry_type=None,
                                reason="it is a table without geometry"))
            continue
        layers.append(_read_layer(path, str(name), opts, what, dbf_cpg if shapefile else None))
    if not layers:
        raise Refusal(f"{opts.filename} holds no layers: {what} is empty.")
    return layers


def _read_layer(path: Path, name: str, opts: Options, what: str,
                dbf_cpg: str | None) -> Layer:
    shapefile = dbf_cpg is not None
    text_encoding = "latin1" if shapefile else None
    limit = opts.limits.max_features
    # GDAL warns about what it repairs (unclosed rings); we report those ourselves.
    with reading(f"layer {name!r} of {what}"), warnings.catch_warnings(record=True):
        info = pyogrio.read_info(path, layer=name, encoding=text_encoding)
        if info["features"] > limit:
            raise Refusal(f"Layer {name!r} has {info['features']:,} features, more than the "
                          f"{limit:,} an import may hold.")
        meta, _, wkbs, field_data = pyogrio.raw.read(
            path, layer=name, encoding=text_encoding, max_features=limit + 1,
            datetime_as_string=True)
    if len(wkbs) > limit:
        raise Refusal(f"Layer {name!r} has more than {limit:,} features, the most an import "
                      "may hold.")
    columns = [str(c) for c in meta["fields"]]
    table = {c: list(values) for c, values in zip(columns, field_data, strict=True)}
    geoms, geom_notes = geoms_from_wkb(wkbs)
    crs = crs_of(meta.get("crs"), name)
    declared_type = str(info.get("geometry_type") or "")
    lyr = Layer(name=nfc(name), columns=columns, rows=[], geoms=geoms, crs=crs, encoding=None,
                geometry_type=geometry_type(geoms) or declared_type or None,
                geom_notes=geom_notes)
    if shapefile:
        columns, table, lyr.encoding = decode_dbf(columns, table, dbf_cpg or "", opts, lyr)
    else:
        columns, table, lyr.encoding = repair_mis_stored(columns, table, opts, lyr)
    lyr.columns = columns
    lyr.rows = [{c: table[c][i] for c in columns} for i in range(len(geoms))]
    if info.get("driver") == "LIBKML":
        lyr.ignore_columns = {c for c in columns if fold(c) in _KML_SYSTEM}
    return lyr
