"""Text repair: decode legacy Vietnamese text and undo text stored in the wrong encoding.

Shapefiles carry their text as bytes in whatever code page the office used
(TCVN3, VNI-Windows, Windows-1258, UTF-8); Unicode formats sometimes hold such
bytes mis-stored as Latin-1 characters. Both are turned into NFC Unicode here.
"""

from __future__ import annotations

from typing import Any

from geo import vntext
from geo.importer.fields import coord_role, map_header
from geo.importer.model import SURE, Layer, Options, Refusal, unique_names
from geo.text import fold, nfc

__all__ = ["ENCODING_ALIASES", "cpg_encoding", "decode_dbf", "header_text", "high",
           "repair_mis_stored", "suspect"]

# Latin-1 letters that genuine Vietnamese text uses: anything else from 0x80–0xFF
# in a Unicode file is a sign of legacy bytes mis-stored as Latin-1 characters.
_VN_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")

ENCODING_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8", "65001": "utf-8",
    "cp1258": "cp1258", "cp-1258": "cp1258", "windows-1258": "cp1258", "1258": "cp1258",
    "ansi-1258": "cp1258", "tcvn3": "tcvn3", "tcvn": "tcvn3", "tcvn-3": "tcvn3", "abc": "tcvn3",
    "tcvn5712": "tcvn3", "vni": "vni", "vni-windows": "vni", "vniwin": "vni",
}


def cpg_encoding(cpg: str) -> str | None:
    """Return the encoding a ``.cpg`` names, when it is one KCN Atlas reads."""
    value = fold(cpg).replace("_", "-").replace(" ", "-")
    if value in ("utf-8", "utf8", "65001"):
        return "utf-8"
    if value.endswith("1258"):
        return "cp1258"
    return None


def decode_dbf(columns: list[str], table: dict[str, list[Any]], cpg: str, opts: Options,
               lyr: Layer) -> tuple[list[str], dict[str, list[Any]], str]:
    """Decode a shapefile's text, read as Latin-1, with VN-2000 era encodings."""
    samples = [c.encode("latin1") for c in columns]
    samples += [v.encode("latin1") for values in table.values() for v in values
                if isinstance(v, str) and v]
    if opts.encoding:
        enc = opts.encoding
    elif cpg_encoding(cpg):
        enc = cpg_encoding(cpg) or "utf-8"
    else:
        found = vntext.detect(samples)
        enc = found.encoding
        if found.confidence < SURE:
            lyr.notes.append(f"Layer {lyr.name}: the text encoding is uncertain; read it as "
                             f"{enc} ({found.reason}). If names look wrong, import again with "
                             "encoding=\"tcvn3\", \"vni\", \"cp1258\" or \"utf-8\".")

    def dec(text: str) -> str:
        try:
            return nfc(vntext.decode(text.encode("latin1"), enc))
        except ValueError:
            raise Refusal(f"The text of layer {lyr.name} is not valid {enc}: import again "
                          "with another encoding=(utf-8, cp1258, tcvn3 or vni).") from None

    new_columns = unique_names([dec(c) for c in columns])
    new_table = {new: [dec(v) if isinstance(v, str) else v for v in table[old]]
                 for old, new in zip(columns, new_columns, strict=True)}
    return new_columns, new_table, enc


def suspect(text: str) -> bool:
    """Tell whether Unicode text looks like legacy bytes stored as Latin-1 characters."""
    return any(0x80 <= ord(ch) <= 0xFF and ch not in _VN_LATIN1 for ch in text)


def high(text: str) -> bool:
    """Tell whether text has characters beyond ASCII, all within Latin-1."""
    return any(ord(ch) >= 0x80 for ch in text) and all(ord(ch) <= 0xFF for ch in text)


def header_text(raw: Any, repaired: Any) -> str:
    """Choose between a header as read and as repaired: the one that names a field."""
    if raw is None:
        return ""
    text = nfc(str(raw).strip())
    if isinstance(repaired, str) and repaired != raw:
        fixed = nfc(repaired.strip())
        if map_header(text) is None and coord_role(text) is None and (
                map_header(fixed) or coord_role(fixed) or suspect(text)):
            return fixed
    return text


def repair_mis_stored(columns: list[str], table: dict[str, list[Any]], opts: Options,
                      lyr: Layer) -> tuple[list[str], dict[str, list[Any]], str | None]:
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
        mis = {c for c in columns if any(high(v) for v in texts(table[c]))}
    else:
        mis = {c for c in columns
               if any(suspect(v) for v in texts(table[c]))
               and all(ord(ch) <= 0xFF for v in texts(table[c]) for ch in v)}
        samples = [v.encode("latin1") for c in mis for v in texts(table[c]) if high(v)]
        samples += [c.encode("latin1") for c in columns if suspect(c) and high(c)]
        if not samples:
            return columns, table, None
        found = vntext.detect(samples)
        if found.confidence < SURE:
            return columns, table, None
        enc = found.encoding

    def dec(text: str) -> str:
        if not high(text):
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
        name = header_text(c, dec(c)) if high(c) else c
        if name != c and not example:
            example = f"{c!r} → {name!r}"
        name = unique_names([*new_columns, name])[-1]
        new_columns.append(name)
        new_table[name] = values
    if not example:
        return columns, table, None
    lyr.notes.append(f"Layer {lyr.name}: text was {enc} stored as Latin-1 characters; "
                     f"converted it to Unicode (e.g. {example}).")
    return new_columns, new_table, enc
