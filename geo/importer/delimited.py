"""Reader for CSV and other delimited text, in UTF-8 or a legacy Vietnamese encoding."""

from __future__ import annotations

import csv
import io
from typing import Any

from geo import vntext
from geo.importer.model import SURE, Layer, Options, Refusal, reading
from geo.importer.sheets import table_layer
from geo.importer.sniff import stem
from geo.text import nfc

__all__ = ["read_csv"]


def read_csv(data: bytes, filename: str, opts: Options) -> list[Layer]:
    """Read delimited text: detect its encoding and delimiter, then its header."""
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
            if found.confidence < SURE:
                notes.append(f"{filename}: the text encoding is uncertain; read it as {enc} "
                             f"({found.reason}). If names look wrong, import again with "
                             "encoding=\"tcvn3\", \"vni\", \"cp1258\" or \"utf-8\".")
    try:
        text = nfc(vntext.decode(raw, enc))
    except ValueError:
        raise Refusal(f"{filename} is not valid {enc} text: import again with another "
                      "encoding=(utf-8, cp1258, tcvn3 or vni).") from None
    sample = text[:16384]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    with reading(filename):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) > opts.limits.max_features + 20:
        raise Refusal(f"{filename} has {len(rows):,} rows, more than the "
                      f"{opts.limits.max_features:,} an import may hold.")
    width = max((len(r) for r in rows), default=0)
    grid: list[list[Any]] = [[v if v.strip() else None for v in r] + [None] * (width - len(r))
                             for r in rows]
    lyr = table_layer(stem(filename), None, grid, opts)
    lyr.encoding = lyr.encoding or enc
    lyr.notes = notes + lyr.notes
    return [lyr]
