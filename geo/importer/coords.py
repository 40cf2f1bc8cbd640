"""Coordinates as people write them in tables: decimal degrees or degrees-minutes-seconds."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from geo.importer.model import missing

__all__ = ["coordinate"]

_DMS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[°º]\s*(?:(\d+(?:\.\d+)?)\s*['′]\s*)?"
                  r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|'')\s*)?([NSEWnsew])?\s*$")


def coordinate(value: Any) -> float | None:
    """Read one coordinate in degrees, or None when it cannot be read."""
    if missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    text = str(value).strip()
    m = _DMS.match(text)
    if m:
        deg, mins, secs, hemi = m.groups()
        number = float(deg) + float(mins or 0) / 60 + float(secs or 0) / 3600
        return -number if hemi and hemi.upper() in "SW" else number
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
