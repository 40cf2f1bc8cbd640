"""Coordinates as people write them in tables.

Decimal degrees with a dot or a comma (``20.85``, ``20,85``), and
degrees-minutes-seconds with any of the marks offices type: ``°``, ``º``, ``˚``
or a letter ``o`` for degrees; ``′``, ``'``, ``’`` or ``´`` for minutes; ``″``,
``"``, ``”`` or ``''`` for seconds; or only spaces between the parts
(``20 51 00``), or the words (``20 độ 51 phút``). A hemisphere may lead or
trail: ``N``/``S``/``E``/``W``, or the Vietnamese ``B`` (Bắc, north), ``N``
(Nam, south), ``Đ`` (Đông, east), ``T`` (Tây, west), or the words themselves.
``N`` is north in English and south in Vietnamese: a table that uses ``B``,
``Đ`` or ``T`` anywhere is read the Vietnamese way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo.importer.model import missing
from geo.text import fold

__all__ = ["Reading", "read_coordinate", "vietnamese_letters"]

_DEG = "°º˚ᵒ"
_MIN = "′'’‘´`"
_SEC = "″\"”“"
# Hemisphere words and letters, folded: (axis, sign, Vietnamese-only).
_HEMI_WORDS = {
    "bac": ("lat", 1, True), "nam": ("lat", -1, True), "dong": ("lon", 1, True),
    "tay": ("lon", -1, True), "north": ("lat", 1, False), "south": ("lat", -1, False),
    "east": ("lon", 1, False), "west": ("lon", -1, False),
    "b": ("lat", 1, True), "d": ("lon", 1, True), "t": ("lon", -1, True),
    "s": ("lat", -1, False), "e": ("lon", 1, False), "w": ("lon", -1, False),
}
_LEAD = re.compile(r"^([^\W\d_]+)\.?\s*(?=\d)")
_TRAIL = re.compile(r"(?<=[\d\s°º˚ᵒ′'’‘´`″\"”“])\s*([^\W\d_]+)\.?$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_UNIT = {**{c: "d" for c in _DEG}, **{c: "m" for c in _MIN}, **{c: "s" for c in _SEC}}
_AXIS_WORD = {"lat": "latitude", "lon": "longitude"}
# "20 độ 51 phút 00 giây": the words for the marks.
_WORDS = re.compile(r"(?<=\d)\s*(độ|do|phút|phut|giây|giay)\b", re.IGNORECASE)
_WORD_MARK = {"do": "°", "phut": "'", "giay": '"'}


@dataclass(frozen=True)
class Reading:
    """A coordinate read from a cell: its value in degrees, or why it cannot be read."""

    value: float | None
    error: str | None = None


def _hemisphere(word: str, vietnamese: bool) -> tuple[str, int, bool] | None:
    f = fold(word)
    if f == "n":
        return ("lat", -1, True) if vietnamese else ("lat", 1, False)
    return _HEMI_WORDS.get(f)


def vietnamese_letters(cells: Iterable[Any]) -> bool:
    """Tell whether a table's coordinates use Vietnamese hemisphere letters (B, Đ, T)."""
    for cell in cells:
        if not isinstance(cell, str):
            continue
        text = cell.strip()
        for pattern in (_LEAD, _TRAIL):
            m = pattern.search(text)
            if m and (h := _HEMI_WORDS.get(fold(m.group(1)))) and h[2]:
                return True
    return False


def _split(body: str) -> list[tuple[str, str | None]] | None:
    """Split ``20°51'00,5"`` into numbers with their marks; None if something else is there."""
    body = re.sub(r"''", '"', body)
    body = re.sub(r"(?<=\d)\s*o(?=\s*\d|\s*$)", "°", body)  # a letter o typed for a degree
    parts: list[tuple[str, str | None]] = []
    at = 0
    while at < len(body):
        if body[at].isspace():
            at += 1
            continue
        m = _NUMBER.match(body, at)
        if not m:
            return None
        at = m.end()
        while at < len(body) and body[at].isspace():
            at += 1
        mark = _UNIT.get(body[at]) if at < len(body) else None
        if mark:
            at += 1
        parts.append((m.group(0), mark))
    return parts


def read_coordinate(value: Any, axis: str, vietnamese: bool = False) -> Reading:
    """Read one latitude (``axis="lat"``) or longitude (``"lon"``) cell.

    Parameters
    ----------
    value
        The cell: a number, or text in any of the forms this module describes.
    axis
        ``"lat"`` or ``"lon"``: checks the hemisphere letter and the range.
    vietnamese
        Read ``N`` as Nam (south): the table uses Vietnamese letters.

    Returns
    -------
    Reading
        The value in degrees, or None and a sentence saying why it cannot be read.
    """
    what = _AXIS_WORD[axis]
    if missing(value):
        return Reading(None, f"it has no {what}")
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            return Reading(None, f"its {what} {value!r} is not a number")
        return _in_range(number, axis, value)
    text = _WORDS.sub(lambda m: _WORD_MARK[fold(m.group(1))], " ".join(str(value).split()))
    sign = 1
    for pattern in (_LEAD, _TRAIL):
        m = pattern.search(text)
        if not m or fold(m.group(1)) == "o":  # a letter o typed for the degree sign
            continue
        hemi = _hemisphere(m.group(1), vietnamese)
        if hemi is None:
            return Reading(None, f"its {what} {value!r} has {m.group(1)!r} where a hemisphere "
                                 "letter (N, S, E, W or B, N, Đ, T) should be")
        if hemi[0] != axis:
            return Reading(None, f"its {what} {value!r} is marked {m.group(1)}, a "
                                 f"{_AXIS_WORD[hemi[0]]}: the latitude and longitude columns "
                                 "seem swapped")
        sign = hemi[1]
        text = (text[:m.start()] + text[m.end():]).strip()
    parts = _split(text)
    if not parts:
        return Reading(None, f"its {what} {value!r} is not a number or degrees, minutes and "
                             "seconds")
    if len(parts) == 1 and parts[0][1] in (None, "d"):
        raw = parts[0][0]
        if raw.count(",") and raw.count("."):
            return Reading(None, f"its {what} {value!r} is not a number")
        return _in_range(sign * float(raw.replace(",", ".")), axis, value)
    marks = [m for _, m in parts]
    order = ["d", "m", "s"][: len(parts)]
    if len(parts) > 3 or any(m is not None and m != o for m, o in zip(marks, order, strict=True)):
        return Reading(None, f"its {what} {value!r} has its degrees, minutes and seconds out "
                             "of order")
    numbers = [float(n.replace(",", ".")) for n, _ in parts]
    if any(("." in n or "," in n) for n, _ in parts[:-1]):
        return Reading(None, f"its {what} {value!r} has a fraction before its last part")
    degrees, minutes = numbers[0], numbers[1]
    seconds = numbers[2] if len(numbers) > 2 else 0.0
    if minutes >= 60:
        return Reading(None, f"its {what} {value!r} has {minutes:g} minutes; a degree has 60")
    if seconds >= 60:
        return Reading(None, f"its {what} {value!r} has {seconds:g} seconds; a minute has 60")
    return _in_range(sign * (degrees + minutes / 60 + seconds / 3600), axis, value)


def _in_range(number: float, axis: str, original: Any) -> Reading:
    # A latitude beyond 90° is left to the check for swapped columns, which says more.
    if abs(number) > 180:
        return Reading(None, f"its {_AXIS_WORD[axis]} {original!r} is beyond ±180°")
    return Reading(number)
