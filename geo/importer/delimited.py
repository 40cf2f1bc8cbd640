"""Reader for CSV and other delimited text, in UTF-8, UTF-16 or a legacy Vietnamese encoding."""

from __future__ import annotations

import csv
import io
from typing import Any

from geo import vntext
from geo.importer.encoding import choose_encoding, decode_text
from geo.importer.model import Layer, Options, Refusal, reading
from geo.importer.sheets import table_layer
from geo.importer.sniff import stem

__all__ = ["read_csv"]


def read_csv(data: bytes, filename: str, opts: Options) -> list[Layer]:
    """Read delimited text: its encoding from its bytes, its delimiter, then its header."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as Excel saves "Unicode text"
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(f"{filename} starts like UTF-16 text but is not.") from None
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    # A null byte would end a value in most programs: it is kept as a mark, and the
    # report names the feature it was found in.
    raw = raw.replace(b"\x00", "\ufffd".encode())
    lines = [line for line in raw.splitlines() if line.strip()]
    declared = "utf-8" if data.startswith(b"\xef\xbb\xbf") else None
    choice = choose_encoding(lines, declared, "its byte-order mark", filename, opts.encoding)
    enc = choice.encoding
    try:
        text = decode_text(raw, enc)
    except ValueError:
        raise Refusal(f"{filename} is not valid {enc} text: import again with another "
                      f"encoding=({', '.join(vntext.ENCODINGS)}).") from None
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
    lyr = table_layer(stem(filename), grid, opts)
    lyr.encoding = lyr.encoding or enc
    if choice.warning:
        lyr.notes.insert(0, choice.warning)
    return [lyr]
