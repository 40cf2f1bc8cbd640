"""Reader for the formats GDAL opens: GeoPackage, GeoJSON, FlatGeobuf and shapefiles.

Messages name the user's file and layer, never the private copy GDAL reads.
"""

from __future__ import annotations

import sqlite3
import struct
import warnings
from pathlib import Path
from typing import Any

import pyogrio

from geo.importer.crs import crs_of
from geo.importer.encoding import decode_dbf, repair_mis_stored
from geo.importer.geometry import geometry_type, geoms_from_wkb
from geo.importer.model import Layer, Options, Refusal, reading
from geo.text import nfc

__all__ = ["dbf_text_with_nulls", "read_gdal"]


def read_gdal(path: Path, opts: Options, what: str,
              dbf: tuple[str | None, str] | None = None,
              display: str | None = None) -> list[Layer]:
    """Read every layer of a dataset GDAL opens.

    Parameters
    ----------
    path
        The private copy to read.
    opts
        The import options.
    what
        The file as the user knows it, for messages: ``"the GeoPackage"``.
    dbf
        For a shapefile: the encoding its ``.cpg`` or code-page byte declares, and
        which of them declares it. Its text is then decoded from the DBF's bytes.
    display
        The layer's name as the user knows it, when the file has one layer whose
        name GDAL takes from our copy (GeoJSON, FlatGeobuf, shapefiles).
    """
    with reading(what), warnings.catch_warnings(record=True):
        listed = pyogrio.list_layers(path)
    layers = []
    for name, gtype in listed:
        lname = display if display is not None else nfc(str(name))
        if gtype is None:
            layers.append(Layer(name=lname, columns=[], rows=[], geoms=[], crs=None,
                                encoding=None, geometry_type=None,
                                reason="it is a table without geometry"))
            continue
        layers.append(_read_layer(path, str(name), lname, opts, what, dbf))
    if not layers:
        raise Refusal(f"{opts.filename} holds no layers: {what} is empty.")
    return layers


def _read_layer(path: Path, name: str, label: str, opts: Options, what: str,
                dbf: tuple[str | None, str] | None) -> Layer:
    text_encoding = "latin1" if dbf is not None else None
    limit = opts.limits.max_features
    # GDAL warns about what it repairs (unclosed rings); we report those ourselves.
    with reading(f"layer {label!r} of {what}"), warnings.catch_warnings(record=True):
        info = pyogrio.read_info(path, layer=name, encoding=text_encoding)
        if info["features"] > limit:
            raise Refusal(f"Layer {label!r} has {info['features']:,} features, more than the "
                          f"{limit:,} an import may hold.")
        meta, fids, wkbs, field_data = pyogrio.raw.read(
            path, layer=name, encoding=text_encoding, max_features=limit + 1,
            datetime_as_string=True, return_fids=True)
    if len(wkbs) > limit:
        raise Refusal(f"Layer {label!r} has more than {limit:,} features, the most an import "
                      "may hold.")
    columns = [str(c) for c in meta["fields"]]
    table: dict[str, list[Any]] = {c: list(values)
                                   for c, values in zip(columns, field_data, strict=True)}
    geoms, geom_notes = geoms_from_wkb(wkbs)
    crs = crs_of(meta.get("crs"), label)
    declared_type = str(info.get("geometry_type") or "")
    lyr = Layer(name=label, columns=columns, rows=[], geoms=geoms, crs=crs, encoding=None,
                geometry_type=geometry_type(geoms) or declared_type or None,
                geom_notes=geom_notes)
    if dbf is not None:
        _restore_dbf_nulls(path, columns, table)
        columns, table, lyr.encoding = decode_dbf(columns, table, dbf[0], dbf[1], opts, lyr)
        # A legacy file once opened as Western text and saved again as UTF-8.
        columns, table, again = repair_mis_stored(columns, table, opts, lyr)
        lyr.encoding = again or lyr.encoding
    else:
        if info.get("driver") == "GPKG":
            _restore_gpkg_nulls(path, name, columns, table, list(fids))
        columns, table, lyr.encoding = repair_mis_stored(columns, table, opts, lyr)
    lyr.columns = columns
    lyr.rows = [{c: table[c][i] for c in columns} for i in range(len(geoms))]
    return lyr


def _restore_gpkg_nulls(path: Path, layer: str, columns: list[str],
                        table: dict[str, list[Any]], fids: list[Any]) -> None:
    """Put back the text GDAL cut at a null byte, reading the GeoPackage's table itself."""
    at = {int(f): i for i, f in enumerate(fids)}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        pk = next((row[1] for row in conn.execute(f'PRAGMA table_info("{_ident(layer)}")')
                   if row[5]), None)
        if pk is None:
            return
        for col in columns:
            sql = (f'SELECT "{_ident(pk)}", CAST("{_ident(col)}" AS BLOB) FROM '  # noqa: S608
                   f'"{_ident(layer)}" WHERE instr(CAST("{_ident(col)}" AS BLOB), X\'00\') > 0')
            for fid, blob in conn.execute(sql):
                if int(fid) in at and isinstance(blob, bytes):
                    table[col][at[int(fid)]] = blob.decode("utf-8", errors="replace")
    except sqlite3.Error:
        return  # not a table we can read: GDAL's reading stands
    finally:
        conn.close()


def _ident(name: str) -> str:
    return name.replace('"', '""')


def dbf_text_with_nulls(path: Path) -> dict[tuple[int, int], str]:
    """Find text values that hold a null byte before more text, in a DBF file.

    GDAL ends a value at its first null byte. Returns ``{(record, field): value}``,
    the whole value read as Latin-1 (the importer decodes it later), for the
    records GDAL reads (deleted ones are skipped) and the fields in their order.
    """
    found: dict[tuple[int, int], str] = {}
    with path.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return found
        count, header_len, record_len = struct.unpack("<IHH", head[4:12])
        fields: list[tuple[int, int, int]] = []  # field index, offset, length of C fields
        offset, index = 1, 0
        while fh.tell() + 32 <= header_len:
            desc = fh.read(32)
            if not desc or desc[0] == 0x0D:
                break
            kind, length = chr(desc[11]), desc[16]
            if kind == "C":
                length += desc[17] << 8  # long character fields keep the high byte here
                fields.append((index, offset, length))
            offset += length
            index += 1
        if not fields or record_len <= 0:
            return found
        fh.seek(header_len)
        record = 0
        for _ in range(count):
            raw = fh.read(record_len)
            if len(raw) < record_len:
                break
            if raw[:1] == b"*":  # deleted
                continue
            for field_index, start, length in fields:
                cell = raw[start:start + length].rstrip(b" \x00")
                if b"\x00" in cell:
                    found[(record, field_index)] = cell.decode("latin1")
            record += 1
    return found


def _restore_dbf_nulls(path: Path, columns: list[str], table: dict[str, list[Any]]) -> None:
    """Put back the text GDAL cut at a null byte, from the DBF beside ``path``."""
    dbf = path.with_suffix(".dbf")
    if not dbf.exists():
        return
    for (record, field_index), value in dbf_text_with_nulls(dbf).items():
        if field_index < len(columns) and record < len(table[columns[field_index]]):
            table[columns[field_index]][record] = value
