"""Legacy Vietnamese text encodings: TCVN3 (ABC), VNI-Windows, Windows-1258 and UTF-8.

Shapefiles and spreadsheets from Vietnamese offices are often typed with the
pre-Unicode fonts: the ABC fonts (``.VnTime``, TCVN3) in the north, the VNI fonts
(``VNI-Times``, VNI-Windows) in the south, sometimes Windows-1258. GDAL's own
decoding of these drops characters, so the importer reads DBF text as latin-1,
takes the raw bytes back with ``.encode("latin1")`` and hands them to
:func:`decode`; :func:`detect` guesses which encoding a column uses.

Everything here is pure: no I/O, no global state beyond the tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["ENCODINGS", "TCVN3_TABLE", "VNI_TABLE", "Detection", "decode", "detect", "encode",
           "syllable_share"]

ENCODINGS: tuple[str, ...] = ("utf-8", "cp1258", "tcvn3", "vni")

_NAMES: Final[dict[str, str]] = {
    "utf-8": "UTF-8",
    "cp1258": "Windows-1258",
    "tcvn3": "TCVN3 (ABC)",
    "vni": "VNI-Windows",
}

# --------------------------------------------------------------------------- tables

# TCVN 5712:1993, table VN3 ("TCVN3", the ABC fonts .VnTime, .VnArial, ...): ASCII,
# no-break space at A0, the seven upper-case letters without tone, and the 67 lower-case
# letters. Upper-case letters with a tone have no code of their own: they were typed
# with the capitals fonts (.VnTimeH, ...), which draw the lower-case codes as capitals.
# Checked against the VN1 table of XFree86 (TCVNtoUCS2.c) and a published TCVN3/VNI/
# VISCII/Unicode comparison chart; tones run huyền, hỏi, ngã, sắc, nặng as in the standard.
TCVN3_TABLE: Final[dict[str, bytes]] = {
    "Ă": b"\xa1", "Â": b"\xa2", "Ê": b"\xa3", "Ô": b"\xa4", "Ơ": b"\xa5", "Ư": b"\xa6",
    "Đ": b"\xa7",
    "ă": b"\xa8", "â": b"\xa9", "ê": b"\xaa", "ô": b"\xab", "ơ": b"\xac", "ư": b"\xad",
    "đ": b"\xae",
    "à": b"\xb5", "ả": b"\xb6", "ã": b"\xb7", "á": b"\xb8", "ạ": b"\xb9",
    "ằ": b"\xbb", "ẳ": b"\xbc", "ẵ": b"\xbd", "ắ": b"\xbe", "ặ": b"\xc6",
    "ầ": b"\xc7", "ẩ": b"\xc8", "ẫ": b"\xc9", "ấ": b"\xca", "ậ": b"\xcb",
    "è": b"\xcc", "ẻ": b"\xce", "ẽ": b"\xcf", "é": b"\xd0", "ẹ": b"\xd1",
    "ề": b"\xd2", "ể": b"\xd3", "ễ": b"\xd4", "ế": b"\xd5", "ệ": b"\xd6",
    "ì": b"\xd7", "ỉ": b"\xd8", "ĩ": b"\xdc", "í": b"\xdd", "ị": b"\xde",
    "ò": b"\xdf", "ỏ": b"\xe1", "õ": b"\xe2", "ó": b"\xe3", "ọ": b"\xe4",
    "ồ": b"\xe5", "ổ": b"\xe6", "ỗ": b"\xe7", "ố": b"\xe8", "ộ": b"\xe9",
    "ờ": b"\xea", "ở": b"\xeb", "ỡ": b"\xec", "ớ": b"\xed", "ợ": b"\xee",
    "ù": b"\xef", "ủ": b"\xf1", "ũ": b"\xf2", "ú": b"\xf3", "ụ": b"\xf4",
    "ừ": b"\xf5", "ử": b"\xf6", "ữ": b"\xf7", "ứ": b"\xf8", "ự": b"\xf9",
    "ỳ": b"\xfa", "ỷ": b"\xfb", "ỹ": b"\xfc", "ý": b"\xfd", "ỵ": b"\xfe",
}  # fmt: skip

# The codes VN3 leaves empty in A0-FF hold, in the VN2 table of the same standard,
# sixteen more capitals and the five tone marks as combining characters. Decoding
# reads them that way so that no byte is lost; encoding never writes them.
_TCVN_VN2: Final[dict[int, str]] = {
    0xAF: "Ằ", 0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323",
    0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề",
    0xCD: "Ể", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ", 0xF0: "Ỗ", 0xFF: "Ố",
}  # fmt: skip

# VNI-Windows (VNI Software's encoding for the VNI-* fonts): a base letter followed by
# one mark byte; i, ơ, ư, đ and ỵ have single bytes. Capitals use the upper-case
# Latin-1 form of each byte (aù = á, AÙ = Á). Checked against xvnkb's vni.h and the
# same comparison chart.
VNI_TABLE: Final[dict[str, bytes]] = {
    "à": b"a\xf8", "ả": b"a\xfb", "ã": b"a\xf5", "á": b"a\xf9", "ạ": b"a\xef",
    "ă": b"a\xea", "ằ": b"a\xe8", "ẳ": b"a\xfa", "ẵ": b"a\xfc", "ắ": b"a\xe9", "ặ": b"a\xeb",
    "â": b"a\xe2", "ầ": b"a\xe0", "ẩ": b"a\xe5", "ẫ": b"a\xe3", "ấ": b"a\xe1", "ậ": b"a\xe4",
    "è": b"e\xf8", "ẻ": b"e\xfb", "ẽ": b"e\xf5", "é": b"e\xf9", "ẹ": b"e\xef",
    "ê": b"e\xe2", "ề": b"e\xe0", "ể": b"e\xe5", "ễ": b"e\xe3", "ế": b"e\xe1", "ệ": b"e\xe4",
    "ì": b"\xec", "ỉ": b"\xe6", "ĩ": b"\xf3", "í": b"\xed", "ị": b"\xf2",
    "ò": b"o\xf8", "ỏ": b"o\xfb", "õ": b"o\xf5", "ó": b"o\xf9", "ọ": b"o\xef",
    "ô": b"o\xe2", "ồ": b"o\xe0", "ổ": b"o\xe5", "ỗ": b"o\xe3", "ố": b"o\xe1", "ộ": b"o\xe4",
    "ơ": b"\xf4", "ờ": b"\xf4\xf8", "ở": b"\xf4\xfb",
    "ỡ": b"\xf4\xf5", "ớ": b"\xf4\xf9", "ợ": b"\xf4\xef",
    "ù": b"u\xf8", "ủ": b"u\xfb", "ũ": b"u\xf5", "ú": b"u\xf9", "ụ": b"u\xef",
    "ư": b"\xf6", "ừ": b"\xf6\xf8", "ử": b"\xf6\xfb",
    "ữ": b"\xf6\xf5", "ứ": b"\xf6\xf9", "ự": b"\xf6\xef",
    "ỳ": b"y\xf8", "ỷ": b"y\xfb", "ỹ": b"y\xf5", "ý": b"y\xf9", "ỵ": b"\xee",
    "đ": b"\xf1",
    "À": b"A\xd8", "Ả": b"A\xdb", "Ã": b"A\xd5", "Á": b"A\xd9", "Ạ": b"A\xcf",
    "Ă": b"A\xca", "Ằ": b"A\xc8", "Ẳ": b"A\xda", "Ẵ": b"A\xdc", "Ắ": b"A\xc9", "Ặ": b"A\xcb",
    "Â": b"A\xc2", "Ầ": b"A\xc0", "Ẩ": b"A\xc5", "Ẫ": b"A\xc3", "Ấ": b"A\xc1", "Ậ": b"A\xc4",
    "È": b"E\xd8", "Ẻ": b"E\xdb", "Ẽ": b"E\xd5", "É": b"E\xd9", "Ẹ": b"E\xcf",
    "Ê": b"E\xc2", "Ề": b"E\xc0", "Ể": b"E\xc5", "Ễ": b"E\xc3", "Ế": b"E\xc1", "Ệ": b"E\xc4",
    "Ì": b"\xcc", "Ỉ": b"\xc6", "Ĩ": b"\xd3", "Í": b"\xcd", "Ị": b"\xd2",
    "Ò": b"O\xd8", "Ỏ": b"O\xdb", "Õ": b"O\xd5", "Ó": b"O\xd9", "Ọ": b"O\xcf",
    "Ô": b"O\xc2", "Ồ": b"O\xc0", "Ổ": b"O\xc5", "Ỗ": b"O\xc3", "Ố": b"O\xc1", "Ộ": b"O\xc4",
    "Ơ": b"\xd4", "Ờ": b"\xd4\xd8", "Ở": b"\xd4\xdb",
    "Ỡ": b"\xd4\xd5", "Ớ": b"\xd4\xd9", "Ợ": b"\xd4\xcf",
    "Ù": b"U\xd8", "Ủ": b"U\xdb", "Ũ": b"U\xd5", "Ú": b"U\xd9", "Ụ": b"U\xcf",
    "Ư": b"\xd6", "Ừ": b"\xd6\xd8", "Ử": b"\xd6\xdb",
    "Ữ": b"\xd6\xd5", "Ứ": b"\xd6\xd9", "Ự": b"\xd6\xcf",
    "Ỳ": b"Y\xd8", "Ỷ": b"Y\xdb", "Ỹ": b"Y\xd5", "Ý": b"Y\xd9", "Ỵ": b"\xce",
    "Đ": b"\xd1",
}  # fmt: skip

# ------------------------------------------------------------- derived byte tables

_VOWELS: Final = "aăâeêioôơuưy"
# Tone marks in the order TCVN3 lists them; index 0 is the level tone (no mark).
_TONE_MARKS: Final = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_SAC, _NANG = 4, 5

#: Lower-case Vietnamese letter -> (letter without tone, tone index).
_LETTERS: Final[dict[str, tuple[str, int]]] = {
    unicodedata.normalize("NFC", v + m): (v, t)
    for v in _VOWELS
    for t, m in enumerate(_TONE_MARKS)
}
_ALPHABET: Final = frozenset(
    [*_LETTERS, *(c.upper() for c in _LETTERS), "đ", "Đ"]
    + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
)


def _windows_byte(b: int) -> str:
    """Return what a Windows ANSI font shows for a byte no Vietnamese table assigns."""
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)  # the five holes of cp1252: keep them as the C1 controls


def _is_suspect(ch: str) -> bool:
    # A letter or mark that only a fallback produced: fine to show, but no evidence.
    return ch.isalpha() or unicodedata.category(ch).startswith("M")


def _build_tcvn3() -> tuple[tuple[str, ...], frozenset[int]]:
    table = [chr(b) if b < 0x80 else _windows_byte(b) for b in range(256)]
    table[0xA0] = "\xa0"
    for letter, code in TCVN3_TABLE.items():
        table[code[0]] = letter
    for b, ch in _TCVN_VN2.items():
        table[b] = ch
    standard = {0xA0, *(code[0] for code in TCVN3_TABLE.values())}
    suspect = frozenset(b for b in range(0x80, 256) if b not in standard and _is_suspect(table[b]))
    return tuple(table), suspect


def _build_vni() -> tuple[tuple[str, ...], dict[int, str], frozenset[int], frozenset[int]]:
    table = [chr(b) if b < 0x80 else _windows_byte(b) for b in range(256)]
    marks: dict[int, str] = {}
    for letter, code in VNI_TABLE.items():
        if len(code) == 1:
            table[code[0]] = letter
    for letter, code in VNI_TABLE.items():
        if len(code) == 2:
            # What the mark byte adds to its base letter, as combining characters.
            base = unicodedata.normalize("NFD", table[code[0]])
            full = unicodedata.normalize("NFD", letter)
            marks[code[1]] = full[len(base) :]
    for b, combining in marks.items():
        table[b] = combining  # a mark with no letter before it: the font draws a lone accent
    bases = frozenset(code[0] for code in VNI_TABLE.values() if len(code) == 2)
    standard = {code[0] for code in VNI_TABLE.values() if len(code) == 1}
    suspect = frozenset(
        b
        for b in range(0x80, 256)
        if b in marks or (b not in standard and _is_suspect(table[b]))
    )
    return tuple(table), marks, bases, suspect


def _build_cp1258() -> tuple[tuple[str, ...], frozenset[int]]:
    table, holes = [], set()
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1258"))
        except UnicodeDecodeError:
            table.append(chr(b))
            holes.add(b)
    return tuple(table), frozenset(holes)


_TCVN3_BYTES, _TCVN3_SUSPECT = _build_tcvn3()
_VNI_BYTES, _VNI_MARKS, _VNI_BASES, _VNI_SUSPECT = _build_vni()
_CP1258_BYTES, _CP1258_HOLES = _build_cp1258()


def _inverse(
    table: tuple[str, ...], letters: dict[str, bytes], suspect: frozenset[int]
) -> dict[str, bytes]:
    """Character -> bytes for encoding: the letter table plus the unambiguous fallbacks."""
    out = {chr(b): bytes([b]) for b in range(0x80)}
    for b in range(0x80, 256):
        ch = table[b]
        if b not in suspect and len(ch) == 1 and not _is_suspect(ch):
            out.setdefault(ch, bytes([b]))
    out.update(letters)
    return out


_TCVN3_ENCODE: Final[dict[str, bytes]] = {
    **_inverse(_TCVN3_BYTES, TCVN3_TABLE, _TCVN3_SUSPECT),
    "\xa0": b"\xa0",
}
_VNI_ENCODE: Final[dict[str, bytes]] = _inverse(_VNI_BYTES, VNI_TABLE, _VNI_SUSPECT)

# ------------------------------------------------------------------------ decoding


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _check(encoding: str) -> None:
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")


def _decode_vni(raw: bytes, strict: bool) -> str:
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b in _VNI_BASES:
            # Standard VNI has one mark byte; also accept a modifier and a tone as two
            # bytes, and a mark of the other case (the letter keeps the base's case).
            for k in (2, 1):
                follow = raw[i + 1 : i + 1 + k]
                if len(follow) == k and all(m in _VNI_MARKS for m in follow):
                    letter = _nfc(_VNI_BYTES[b] + "".join(_VNI_MARKS[m] for m in follow))
                    if letter.lower() in _LETTERS:
                        out.append(letter)
                        i += 1 + k
                        break
            else:
                out.append(_VNI_BYTES[b])
                i += 1
            continue
        out.append("\ufffd" if strict and b in _VNI_SUSPECT else _VNI_BYTES[b])
        i += 1
    return _nfc("".join(out))


def _decode(raw: bytes, encoding: str, strict: bool) -> str:
    # strict=True is for detection: bytes the standard does not assign become U+FFFD,
    # so that a fallback can never pass for a Vietnamese letter.
    if encoding == "utf-8":
        return _nfc(raw.decode("utf-8"))
    if encoding == "vni":
        return _decode_vni(raw, strict)
    if encoding == "tcvn3":
        table, suspect = _TCVN3_BYTES, _TCVN3_SUSPECT
    else:
        table, suspect = _CP1258_BYTES, _CP1258_HOLES
    if strict:
        return _nfc("".join("\ufffd" if b in suspect else table[b] for b in raw))
    return _nfc("".join(table[b] for b in raw))


def decode(raw: bytes, encoding: str) -> str:
    """Decode bytes in one of :data:`ENCODINGS` to NFC text.

    Parameters
    ----------
    raw
        The bytes, e.g. a DBF value read as latin-1 and taken back with
        ``.encode("latin1")``.
    encoding
        ``"utf-8"``, ``"cp1258"``, ``"tcvn3"`` or ``"vni"``.

    Returns
    -------
    str
        The text, NFC-normalised.

    Raises
    ------
    ValueError
        For an encoding name not in :data:`ENCODINGS`.
    UnicodeDecodeError
        For bytes that are not UTF-8, with ``"utf-8"`` only: every byte means
        something in the three legacy encodings.

    Notes
    -----
    TCVN3 has no upper-case letters with tones, so those come back lower case, as the
    standard defines them (a capitals font drew "ĐÌNH" from the codes of "Đình").
    Codes TCVN3 leaves empty read as the VN2 table of TCVN 5712 (A0-FF) or as
    Windows-1252 punctuation (80-9F). A VNI mark byte with no letter before it reads
    as the combining accent the font draws; a mark in the other case than its letter
    (``Aù``) and a modifier followed by a tone (``oâù``) are accepted too.
    The five holes of Windows-1258 read as C1 control characters.

    Examples
    --------
    >>> decode(b"\\xa7\\xd7nh V\\xf2", "tcvn3")
    'Đình Vũ'
    >>> decode(b"\\xd1\\xecnh Vu\\xf5", "vni")
    'Đình Vũ'
    """
    _check(encoding)
    return _decode(raw, encoding, strict=False)


# ------------------------------------------------------------------------ encoding


def _unrepresentable(ch: str, pos: int, encoding: str) -> ValueError:
    name = _NAMES[encoding]
    msg = f"{ch!r} (U+{ord(ch):04X}) at position {pos} cannot be written in {name}"
    if encoding == "tcvn3" and ch.lower() in _LETTERS:
        msg += (
            "; TCVN3 has no upper-case letters with tones (they were typed with a capitals"
            " font such as .VnTimeH), write the text in lower case"
        )
    return ValueError(msg)


def _encode_cp1258(text: str) -> bytes:
    out = bytearray()
    for pos, ch in enumerate(text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        # Windows-1258 has â, ê, ơ, ư, ... but most toned letters only as letter plus
        # combining tone mark: split the tone off and write the rest precomposed.
        nfd = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in nfd if c in _TONE_MARKS[1:])
        rest = _nfc("".join(c for c in nfd if c not in _TONE_MARKS[1:]))
        try:
            out += (rest + tones).encode("cp1258")
        except UnicodeEncodeError:
            raise _unrepresentable(ch, pos, "cp1258") from None
    return bytes(out)


def encode(text: str, encoding: str) -> bytes:
    """Encode text in one of :data:`ENCODINGS`, the inverse of :func:`decode`.

    For test fixtures and for writing legacy files. The text is NFC-normalised first.

    Parameters
    ----------
    text
        The text to encode.
    encoding
        ``"utf-8"``, ``"cp1258"``, ``"tcvn3"`` or ``"vni"``.

    Returns
    -------
    bytes
        The encoded text; ``decode(encode(s, e), e) == unicodedata.normalize("NFC", s)``.

    Raises
    ------
    ValueError
        For an unknown encoding name, or for a character the encoding cannot
        represent. TCVN3 has the capitals Ă Â Ê Ô Ơ Ư Đ but no upper-case letter with
        a tone: À, Ấ, Ệ, Ự, ... raise. Besides ASCII and the Vietnamese letters,
        TCVN3 and VNI-Windows write only what their fonts keep from Windows-1252:
        the punctuation at 80-9F (– “ ” …) and no-break space, and for VNI-Windows
        also the signs at A0-BF (° ± ©, ...).

    Examples
    --------
    >>> encode("Hải Phòng", "tcvn3")
    b'H\\xb6i Ph\\xdfng'
    """
    _check(encoding)
    text = _nfc(text)
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "cp1258":
        return _encode_cp1258(text)
    table = _TCVN3_ENCODE if encoding == "tcvn3" else _VNI_ENCODE
    out = bytearray()
    for pos, ch in enumerate(text):
        code = table.get(ch)
        if code is None:
            raise _unrepresentable(ch, pos, encoding)
        out += code
    return bytes(out)


# ----------------------------------------------------------------- syllable check

# Rimes of standard spelling: the vowel nucleus, then the final consonants it takes;
# "!" means a final is required, "" that none is allowed. k closes syllables in
# Central Highlands names (Đắk Lắk). Loanword rimes such as "oong" are left out on
# purpose: a VNI "oâ" read as TCVN3 gives "oõ", and must not pass.
_RIMES: Final[dict[str, tuple[bool, frozenset[str]]]] = {
    nucleus: (finals.startswith("!"), frozenset(finals.lstrip("! ").split()))
    for nucleus, finals in {
        "a": "c ch k m n ng nh p t", "ă": "! c k m n ng p t", "â": "! c k m n ng p t",
        "e": "c k m n ng p t", "ê": "ch m n nh p t", "i": "ch m n nh p t",
        "o": "c k m n ng p t", "ô": "c k m n ng p t", "ơ": "m n p t",
        "u": "c k m n ng p t", "ư": "c k m n ng t", "y": "",
        "oa": "c ch m n ng nh p t", "oă": "! c m n ng t", "oe": "n t",
        "uâ": "! c n ng t", "uê": "ch n nh t", "uy": "ch n nh p t",
        "iê": "! c m n ng p t", "yê": "! c m n ng p t", "uô": "! c m n ng t",
        "ươ": "! c m n ng p t", "uyê": "! n t",
        "ai": "", "ao": "", "au": "", "ay": "", "âu": "", "ây": "", "eo": "", "êu": "",
        "ia": "", "iu": "", "oi": "", "ôi": "", "ơi": "", "ua": "", "ui": "", "ưa": "",
        "ưi": "", "ưu": "", "uơ": "", "iêu": "", "yêu": "", "oai": "", "oay": "",
        "oao": "", "oeo": "", "uây": "", "uôi": "", "ươi": "", "ươu": "", "uya": "",
        "uyu": "",
    }.items()
}  # fmt: skip

_ONSETS: Final = frozenset({
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m",
    "n", "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
})  # fmt: skip
# Spelling rules: gh, ngh only before front vowels; c, g, ng never before them; qu
# never before a rounded vowel. k is left free: place names write Bắc Kạn, Kon Tum.
_FRONT_ONLY: Final = {"gh": "ieê", "ngh": "ieê"}
_NOT_BEFORE: Final = {"c": "ieêy", "g": "eê", "ng": "ieê", "qu": "oôuư"}
_STOPS: Final = frozenset({"c", "ch", "k", "p", "t"})
_MODIFIED: Final = "ăâêôơư"
_SHAPE: Final = re.compile(f"([^{_VOWELS}]*)([{_VOWELS}]+)([^{_VOWELS}]*)")
_CONSONANTS: Final = frozenset("bcdđfghjklmnpqrstvwxz")


def _tone_slots(nucleus: str, closed: bool) -> tuple[int, ...]:
    """Where the tone mark belongs in a nucleus: the (last) modified vowel, else by shape."""
    modified = [i for i, v in enumerate(nucleus) if v in _MODIFIED]
    if modified:
        return (modified[-1],)
    if closed or len(nucleus) == 1:
        return (len(nucleus) - 1,)
    if nucleus in ("oa", "oe", "uy"):
        return (0, 1)  # hòa and hoà, thủy and thuỷ are both in use
    return (0,) if len(nucleus) == 2 else (1,)


def _parses(onset: str, vowels: str) -> list[tuple[str, str]]:
    # gi and qu borrow their vowel letter: "già" is gi + à, "quốc" is qu + ốc.
    if onset == "q":
        return [("qu", vowels[1:])] if vowels.startswith("u") and len(vowels) > 1 else []
    if onset == "g" and vowels.startswith("i") and len(vowels) > 1:
        return [("g", vowels), ("gi", vowels[1:])]
    return [(onset, vowels)]


def _is_syllable(word: str) -> bool:
    """Tell whether a lower-case word is a well-formed Vietnamese syllable."""
    bases: list[str] = []
    tone, at = 0, -1
    for i, ch in enumerate(word):
        if ch in _LETTERS:
            base, t = _LETTERS[ch]
            if t:
                if tone:
                    return False
                tone, at = t, i
            bases.append(base)
        elif ch in _CONSONANTS:
            bases.append(ch)
        else:
            return False
    shape = _SHAPE.fullmatch("".join(bases))
    if shape is None:
        return False
    onset, vowels, final = shape.groups()
    # Syllables closed by a stop take only the rising (sắc) or heavy (nặng) tone.
    if final in _STOPS and tone not in (_SAC, _NANG):
        return False
    for head, nucleus in _parses(onset, vowels):
        rime = _RIMES.get(nucleus)
        if head not in _ONSETS or rime is None:
            continue
        required, finals = rime
        if (final and final not in finals) or (required and not final):
            continue
        first = nucleus[0]
        if first not in _FRONT_ONLY.get(head, first) or first in _NOT_BEFORE.get(head, ""):
            continue
        if tone and at - len(head) not in _tone_slots(nucleus, bool(final)):
            continue
        return True
    return False


def _case_ok(word: str, encoding: str) -> bool:
    if encoding == "tcvn3":
        # A capitals font draws lower-case codes as capitals: "ĐìNH" is how "ĐÌNH" reads.
        word = "".join(c for c in word if c.isascii() or not c.islower())
        if not word:
            return True
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


# ----------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Detection:
    """The guessed encoding of a column or file, for the import report.

    Attributes
    ----------
    encoding
        One of :data:`ENCODINGS`.
    confidence
        0 to 1.
    reason
        One plain English sentence, e.g. "text decodes as TCVN3 (ABC): 37 of 40
        accented words are Vietnamese syllables".
    """

    encoding: str
    confidence: float
    reason: str


# Raw words: runs of ASCII letters and high bytes. Every byte of a multi-byte character
# in the four encodings is a letter or a high byte, so words never split one.
_RAW_WORD: Final = re.compile(rb"[A-Za-z\x80-\xff]+")
# Windows punctuation that may cling to a decoded word: curly quotes, dashes, ellipsis.
# Not « and », whose bytes are the TCVN3 letters ô and ằ.
_GLUE: Final = re.compile(r"[\s\u2010-\u2015\u2018-\u201f\u2026\u2039\u203a]+")
_MAX_WORDS: Final = 5000
# When two legacy readings score the same, prefer the commoner in Vietnamese GIS data.
_PRIOR: Final[dict[str, int]] = {"tcvn3": 2, "vni": 1, "cp1258": 0}


@dataclass(frozen=True)
class _Score:
    encoding: str
    good: int  # accented words that are Vietnamese syllables
    words: int  # accented words judged
    junk: int  # control characters and replacement characters

    @property
    def value(self) -> float:
        return self.good / (self.words + self.junk) if self.words else 0.0


def _score(words: Counter[bytes], encoding: str) -> _Score:
    good = judged = junk = 0
    for raw, count in words.items():
        text = _decode(raw, encoding, strict=True)
        for word in _GLUE.split(text):
            if not word or word.isascii():
                continue  # plain ASCII reads the same in every encoding: no evidence
            judged += count
            bad = sum(1 for c in word if c == "\ufffd" or unicodedata.category(c) == "Cc")
            junk += bad * count
            if (
                not bad
                and all(c in _ALPHABET for c in word)
                and _case_ok(word, encoding)
                and _is_syllable(word.lower())
            ):
                good += count
    return _Score(encoding, good, judged, junk)


def _confidence(best: _Score, runner_up: _Score) -> float:
    second = runner_up.value
    size = best.words / (best.words + 0.5)  # one word is weak evidence, forty are strong
    return round(best.value * (1.0 - 0.5 * second) * size, 2)


def detect(samples: Iterable[bytes]) -> Detection:
    """Guess the encoding of a column's or file's raw byte strings.

    Each candidate decoding is scored by the share of accented words that are
    well-formed Vietnamese syllables (initial consonant, vowel nucleus, final
    consonant, at most one tone, a stop final only with sắc or nặng, sensible case);
    plain ASCII words count for nothing and bytes a standard does not assign count
    against. Valid UTF-8 with non-ASCII text wins outright, since legacy Vietnamese
    text is practically never valid UTF-8. When two readings are equally Vietnamese,
    as a single short name can be, TCVN3 is preferred to VNI-Windows and both to
    Windows-1258 (so a Latin-1-like misreading never wins), the reason says it was
    a tie and the confidence stays below 0.5.

    Parameters
    ----------
    samples
        Raw values, e.g. every text value of a DBF column as bytes. Empty values are
        skipped; at most 5,000 accented words are examined.

    Returns
    -------
    Detection
        The encoding, a confidence from 0 to 1 and a sentence for the import report.
        All-ASCII input (or none) gives ``"utf-8"`` with confidence 1.

    Examples
    --------
    >>> detect([b"H\\xb6i Ph\\xdfng", b"Qu\\xb6ng Ninh"]).encoding
    'tcvn3'
    """
    values = 0
    utf8 = True
    words: Counter[bytes] = Counter()
    seen = 0
    for raw in samples:
        if not raw:
            continue
        values += 1
        if raw.isascii():
            continue
        if utf8:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                utf8 = False
        if seen < _MAX_WORDS:
            found = [w for w in _RAW_WORD.findall(raw) if not w.isascii()]
            words.update(found)
            seen += len(found)

    if not words:
        if not values:
            return Detection("utf-8", 1.0, "there is no text to examine, so UTF-8 is assumed")
        noun = "value is" if values == 1 else f"{values} values are"
        article = "the" if values == 1 else "all"
        return Detection(
            "utf-8", 1.0, f"{article} {noun} plain ASCII, which reads the same in every encoding"
        )

    if utf8:
        s = _score(words, "utf-8")
        if s.good:
            reason = (
                f"text is valid UTF-8: {s.good} of {s.words} accented words"
                " are Vietnamese syllables"
            )
        else:
            reason = "text is valid UTF-8, though it has no Vietnamese words"
        return Detection("utf-8", round(0.9 + 0.09 * s.value, 2), reason)

    scores = sorted(
        (_score(words, e) for e in ("cp1258", "tcvn3", "vni")),
        key=lambda s: (s.value, s.good, -s.junk, _PRIOR[s.encoding]),
        reverse=True,
    )
    best, runner_up = scores[0], scores[1]
    name = _NAMES[best.encoding]
    # Nothing Vietnamese either way: Windows-1258 at least keeps Western letters and
    # Windows punctuation as they are.
    if not best.words:
        return Detection(
            "cp1258",
            0.5,
            "the only non-ASCII characters are punctuation, so Windows-1258 is a guess"
            " that changes no letter",
        )
    if not best.good:
        plural = "s" if best.words > 1 else ""
        return Detection(
            "cp1258",
            0.0,
            f"no encoding turns the {best.words} accented word{plural} into Vietnamese,"
            " so Windows-1258 is only a guess",
        )
    reason = (
        f"text decodes as {name}: {best.good} of {best.words} accented words are"
        f" Vietnamese syllables, against {runner_up.good} as {_NAMES[runner_up.encoding]}"
    )
    if (runner_up.value, runner_up.good) == (best.value, best.good):
        reason += f", a tie settled in favour of {name} as the commoner encoding"
    return Detection(best.encoding, _confidence(best, runner_up), reason)


def syllable_share(samples: Iterable[bytes], encoding: str) -> tuple[int, int]:
    """Count the accented words of ``samples`` that read as Vietnamese syllables in ``encoding``.

    Returns ``(good, judged)``: how many accented words decode to well-formed
    syllables, out of how many accented words (plus bytes the encoding does not
    assign, which count against it). Plain ASCII words are no evidence and are
    not counted. Used to tell whether a declared encoding fits the bytes.

    >>> syllable_share([b"H\\xb6i Ph\\xdfng"], "tcvn3")
    (2, 2)
    >>> syllable_share([b"H\\xb6i Ph\\xdfng"], "cp1258")[0]
    0
    """
    _check(encoding)
    words: Counter[bytes] = Counter()
    seen = 0
    for raw in samples:
        if not raw or raw.isascii() or seen >= _MAX_WORDS:
            continue
        found = [w for w in _RAW_WORD.findall(raw) if not w.isascii()]
        words.update(found)
        seen += len(found)
    if encoding == "utf-8":
        try:
            for raw in words:
                raw.decode("utf-8")
        except UnicodeDecodeError:
            return 0, sum(words.values())
    score = _score(words, encoding)
    return score.good, score.words + score.junk
