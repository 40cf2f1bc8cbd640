"""Text repair: read text in the encoding its bytes are in, whatever the file claims.

Shapefiles carry their text as bytes in whatever code page the office used
(TCVN3, VNI-Windows, Windows-1258, UTF-8), and their ``.cpg`` or code-page byte
may say something else; Unicode formats sometimes hold legacy bytes mis-stored
as Windows-1252 or Latin-1 characters (a TCVN3 file opened in a Western program
and saved again), or UTF-8 read through the wrong code page. Text is decoded
from its bytes, and every contradiction is reported naming the layer and what
was wrong. The result is NFC Unicode without control characters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from geo import vntext
from geo.importer.fields import known_header
from geo.importer.model import SURE, Layer, Options, Refusal, unique_names
from geo.text import fold, nfc

__all__ = [
    "ENCODING_ALIASES",
    "Choice",
    "choose_encoding",
    "clean_control",
    "cpg_codec",
    "decode_dbf",
    "decode_text",
    "header_text",
    "high",
    "ldid_codec",
    "member_names",
    "repair_mis_stored",
    "suspect",
]

# Latin-1 letters that genuine Vietnamese text uses: anything else from 0x80–0xFF
# in a Unicode file is a sign of legacy bytes mis-stored as Latin-1 characters.
_VN_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")

ENCODING_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8", "65001": "utf-8",
    "cp1258": "cp1258", "cp-1258": "cp1258", "windows-1258": "cp1258", "1258": "cp1258",
    "ansi-1258": "cp1258", "tcvn3": "tcvn3", "tcvn": "tcvn3", "tcvn-3": "tcvn3", "abc": "tcvn3",
    "tcvn5712": "tcvn3", "vni": "vni", "vni-windows": "vni", "vniwin": "vni",
}

_NAMES = {"utf-8": "UTF-8", "cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)",
          "vni": "VNI-Windows", "cp1252": "Windows-1252 (Western)", "latin-1": "Latin-1",
          "cp437": "DOS code page 437"}

# The dBASE language driver id (byte 29 of a DBF header) -> Python codec. 0 says nothing.
_LDID = {0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x57: "cp1252", 0x58: "cp1252",
         0x59: "cp1252", 0x64: "cp852", 0x65: "cp866", 0x66: "cp865", 0x67: "cp861",
         0x6A: "cp737", 0x6B: "cp857", 0x78: "cp950", 0x79: "cp949", 0x7A: "cp936",
         0x7B: "cp932", 0x7C: "cp874", 0x7D: "cp1255", 0x7E: "cp1256", 0xC8: "cp1250",
         0xC9: "cp1251", 0xCA: "cp1254", 0xCB: "cp1253", 0xCC: "cp1257"}


def _name(encoding: str) -> str:
    return _NAMES.get(encoding, encoding)


def cpg_codec(cpg: str) -> str | None:
    """Return the encoding a ``.cpg`` names (ours or a Python codec), or None."""
    value = fold(cpg).replace("_", "-").replace(" ", "-").strip("-")
    if not value:
        return None
    if value in ("utf-8", "utf8", "65001", "utf-8-bom"):
        return "utf-8"
    if value.endswith("1258"):
        return "cp1258"
    if value in ENCODING_ALIASES:
        return ENCODING_ALIASES[value]
    digits = re.sub(r"^(ansi|windows|win|cp|code-?page|oem)-?", "", value)
    for candidate in (f"cp{digits}", value, value.replace("-", "")):
        if candidate in ("88591", "iso88591", "iso-8859-1"):
            return "latin-1"
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return None


def ldid_codec(dbf_header: bytes) -> str | None:
    """Return the code page a DBF header's language driver byte names, or None."""
    return _LDID.get(dbf_header[29]) if len(dbf_header) > 29 else None


def decode_text(raw: bytes, encoding: str) -> str:
    """Decode bytes in one of :data:`geo.vntext.ENCODINGS` or a Python codec, to NFC.

    Raises
    ------
    ValueError
        If the bytes are not valid in ``encoding``.
    """
    if encoding in vntext.ENCODINGS:
        return nfc(vntext.decode(raw, encoding))
    return nfc(raw.decode(encoding))


@dataclass(frozen=True)
class Choice:
    """The encoding chosen for a layer's text, and what the report should say."""

    encoding: str
    warning: str | None = None
    note: str | None = None


def choose_encoding(samples: Sequence[bytes], declared: str | None, declared_by: str,
                    where: str, forced: str | None = None) -> Choice:
    """Choose the encoding of raw text from its bytes, checking what the file declares.

    Parameters
    ----------
    samples
        The raw text values (and field names) of the layer.
    declared
        The encoding the file states (from :func:`cpg_codec` or :func:`ldid_codec`).
    declared_by
        What states it, for the report: ``"its .cpg"``, ``"its code-page byte"``.
    where
        How the report names the layer: ``"Layer kcn"``.
    forced
        The caller's ``encoding=``, which always wins.
    """
    if forced:
        return Choice(forced)
    text = [s for s in samples if s and not s.isascii()]
    if not text:
        return Choice(declared if declared in ("utf-8", "cp1258") else "utf-8")
    found = vntext.detect(text)
    utf8 = found.encoding == "utf-8"
    again = "If names look wrong, import again with encoding=\"tcvn3\", \"vni\", " \
            "\"cp1258\" or \"utf-8\"."
    if declared is None:
        if found.confidence < SURE:
            return Choice(found.encoding, f"{where}: the text encoding is uncertain; read it as "
                          f"{found.encoding} ({found.reason}). {again}")
        return Choice(found.encoding)
    if declared == "utf-8":
        if utf8:
            return Choice("utf-8")
        return Choice(found.encoding, f"{where}: {declared_by} says the text is UTF-8, but it "
                      f"is not; read it as {_name(found.encoding)} ({found.reason}). {again}")
    if utf8:
        return Choice("utf-8", f"{where}: {declared_by} says the text is {_name(declared)}, "
                      "but it is UTF-8; read it as UTF-8.")
    if declared in vntext.ENCODINGS:
        good, judged = vntext.syllable_share(text, declared)
        best_good, best_judged = vntext.syllable_share(text, found.encoding)
        if found.encoding != declared and found.confidence >= SURE and \
                best_good / max(best_judged, 1) > good / max(judged, 1) + 0.25:
            return Choice(found.encoding, f"{where}: {declared_by} says the text is "
                          f"{_name(declared)}, but it reads as {_name(found.encoding)} "
                          f"({found.reason}); read it as {_name(found.encoding)}.")
        return Choice(declared)
    # A Western or other code page: Vietnamese legacy text in it is the usual lie.
    best_good, _ = vntext.syllable_share(text, found.encoding)
    if best_good:
        warning = (f"{where}: {declared_by} says the text is {_name(declared)}, which has no "
                   f"Vietnamese letters, but it reads as {_name(found.encoding)} "
                   f"({found.reason}); read it as {_name(found.encoding)}.")
        if found.confidence < SURE:
            warning += f" {again}"
        return Choice(found.encoding, warning)
    return Choice(declared)


def decode_dbf(columns: list[str], table: dict[str, list[Any]], declared: str | None,
               declared_by: str, opts: Options,
               lyr: Layer) -> tuple[list[str], dict[str, list[Any]], str]:
    """Decode a shapefile's text, read as Latin-1, in the encoding its bytes are in."""
    samples = [c.encode("latin1") for c in columns]
    samples += [v.encode("latin1") for values in table.values() for v in values
                if isinstance(v, str) and v]
    choice = choose_encoding(samples, declared, declared_by, f"Layer {lyr.name}", opts.encoding)
    if choice.warning:
        lyr.notes.append(choice.warning)
    enc = choice.encoding

    def dec(text: str) -> str:
        try:
            return decode_text(text.encode("latin1"), enc)
        except ValueError:
            raise Refusal(f"The text of layer {lyr.name} is not valid {enc}: import again "
                          "with another encoding=(utf-8, cp1258, tcvn3 or vni).") from None

    new_columns = unique_names([dec(c) for c in columns])
    new_table = {new: [dec(v) if isinstance(v, str) else v for v in table[old]]
                 for old, new in zip(columns, new_columns, strict=True)}
    return new_columns, new_table, enc


# ----------------------------------------------------------------------- mis-stored text

# Characters a Western program shows for bytes 0x80–0x9F (Windows-1252), back to bytes.
_CP1252_BACK = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0)
                if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
# Characters Windows-1258 shows for bytes 0x80–0xFF, back to bytes.
_CP1258_BACK = {bytes([b]).decode("cp1258"): b for b in range(0x80, 0x100)
                if b not in (0x81, 0x8A, 0x8D, 0x8E, 0x8F, 0x90, 0x9A, 0x9D, 0x9E)}


def _back_latin(text: str) -> bytes | None:
    """The bytes text read as Latin-1 or Windows-1252 came from, or None."""
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if o < 0x100:
            out.append(o)
        elif ch in _CP1252_BACK:
            out.append(_CP1252_BACK[ch])
        else:
            return None
    return bytes(out)


def _back_cp1258(text: str) -> bytes | None:
    """The bytes text read as Windows-1258 came from, or None.

    Windows-1258 has combining tone marks, which NFC may have fused with the letter
    before them: such a letter is taken apart again.
    """
    out = bytearray()
    for ch in text:
        for part in (ch if ch in _CP1258_BACK or ord(ch) < 0xA0
                     else unicodedata.normalize("NFD", ch)):
            o = ord(part)
            if o < 0xA0 and part not in _CP1258_BACK:
                out.append(o)
            elif part in _CP1258_BACK:
                out.append(_CP1258_BACK[part])
            else:
                return None
    return bytes(out)


def suspect(text: str) -> bool:
    """Tell whether Unicode text looks like legacy bytes shown as Western characters.

    Latin-1 letters Vietnamese never uses (``¸``, ``¶``, ``Ä``…), Windows-1252's
    extras (``ƒ``, ``‰``…) other than punctuation, and C1 control characters are
    the marks of bytes read through the wrong code page.
    """
    for ch in text:
        o = ord(ch)
        if 0x80 <= o < 0xA0:
            return True
        if 0xA0 <= o <= 0xFF and ch not in _VN_LATIN1:
            return True
        if ch in _CP1252_BACK and ch not in "‘’“”–—…•€™":
            return True
    return False


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
        if not known_header(text) and (known_header(fixed) or suspect(text)):
            return fixed
    return text


def _strings(values: Iterable[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def _repair_plan(columns: list[str], table: dict[str, list[Any]],
                 opts: Options) -> tuple[str, Any, set[str]] | None:
    """Find how a table's mis-stored text came about: (encoding, back-mapping, columns)."""
    if opts.encoding:
        mis = {c for c in columns if any(high(v) for v in _strings(table[c]))}
        return (opts.encoding, _back_latin, mis) if mis else None
    best: tuple[float, str, Any, set[str]] | None = None
    for back in (_back_latin, _back_cp1258):
        mis = {c for c in columns
               if any(suspect(v) for v in _strings(table[c]))
               and all(back(v) is not None for v in _strings(table[c]))}
        samples = [b for c in mis for v in _strings(table[c])
                   if (b := back(v)) is not None and not b.isascii()]
        samples += [b for c in columns if suspect(c) and (b := back(c)) is not None]
        if not samples:
            continue
        found = vntext.detect(samples)
        if found.confidence >= SURE and (best is None or found.confidence > best[0]):
            best = (found.confidence, found.encoding, back, mis)
    return None if best is None else best[1:]


def repair_mis_stored(columns: list[str], table: dict[str, list[Any]], opts: Options,
                      lyr: Layer) -> tuple[list[str], dict[str, list[Any]], str | None]:
    """Decode legacy text that a Unicode table holds as Western characters.

    Text is taken back to its bytes through Windows-1252/Latin-1 or Windows-1258
    (whichever the characters fit) and decoded as the encoding those bytes read as:
    TCVN3, VNI-Windows, Windows-1258, or UTF-8 read through the wrong code page. A
    column is converted when some of its values look mis-stored and all of them can
    be taken back to bytes (genuine Vietnamese nearly never can); with a forced
    encoding, every column with Latin-1 text is. A header is converted when its
    converted form names a field, or when it looks mis-stored itself.
    """
    plan = _repair_plan(columns, table, opts)
    if plan is None:
        return columns, table, None
    enc, back, mis = plan

    def dec(text: str) -> str:
        raw = back(text)
        if raw is None or raw.isascii():
            return text
        try:
            return decode_text(raw, enc)
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
        name = header_text(c, dec(c)) if back(c) is not None and not c.isascii() else c
        if name != c and not example:
            example = f"{c!r} → {name!r}"
        name = unique_names([*new_columns, name])[-1]
        new_columns.append(name)
        new_table[name] = values
    if not example:
        return columns, table, None
    how = "UTF-8 read through the wrong code page" if enc == "utf-8" else \
        f"{enc} stored as Latin-1 characters"
    lyr.notes.append(f"Layer {lyr.name}: text was {how}; converted it to Unicode "
                     f"(e.g. {example}).")
    return new_columns, new_table, enc


# ----------------------------------------------------------------------- control characters

# Control characters and the replacement character (what is left of a broken byte).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]+")
_BREAKS = re.compile(r"\s*[\t\r\n]+\s*")


def clean_control(text: str) -> tuple[str, bool]:
    """Remove control characters and null bytes from one line of text.

    Returns the text and whether anything but a line break or a tab was removed
    (that is worth a warning: a null byte used to cut a name short). Line breaks
    and tabs become single spaces.
    """
    found = bool(_CONTROL.search(text))
    if found:
        text = _CONTROL.sub(" ", text)
    if found or "\t" in text or "\n" in text or "\r" in text:
        text = re.sub(r" {2,}", " ", _BREAKS.sub(" ", text)).strip()
    return text, found


# ----------------------------------------------------------------------- zip member names


def member_names(infos: Sequence[zipfile.ZipInfo]) -> tuple[dict[str, str], str | None]:
    """Decode zip member names written without the UTF-8 flag; return them and a note.

    Python reads such names as DOS code page 437, but Vietnamese offices' tools write
    UTF-8 or a Vietnamese code page there. The raw bytes are read as UTF-8 when they
    are valid UTF-8, else as the legacy encoding they read as.
    """
    raw = {i.filename: i.filename.encode("cp437") for i in infos
           if not i.flag_bits & 0x800 and not i.filename.isascii()}
    names = {i.filename: nfc(i.filename) for i in infos}
    if not raw:
        return names, None
    found = vntext.detect(list(raw.values()))
    if found.encoding != "utf-8" and found.confidence < 0.3:
        return names, None
    changed = 0
    for original, data in raw.items():
        try:
            names[original] = decode_text(data, found.encoding)
            changed += 1
        except ValueError:
            continue
    if not changed:
        return names, None
    return names, (f"The zip's file names are {_name(found.encoding)} without the flag that "
                   "says so; read them as such.")
