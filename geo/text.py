"""Vietnamese text helpers: normalisation, diacritic-free matching, slugs and numbers."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["fold", "matches", "name_key", "nfc", "parse_vn_number", "slugify"]

# Letters that Unicode decomposition does not reduce to ASCII.
_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form the register stores."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold text for matching: no diacritics, lower case, single spaces.

    >>> fold("  KCN  Đình Vũ ")
    'kcn dinh vu'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def matches(query: str, *candidates: str | None) -> bool:
    """Tell whether ``query`` occurs in any candidate, ignoring diacritics and case."""
    needle = fold(query)
    if not needle:
        return True
    return any(needle in fold(c) for c in candidates if c)


SLUG_MAX = 80  # every id fits a link and a QR code


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """Return the ASCII slug used for stable ids, at most ``max_length`` characters.

    A longer slug is cut at a hyphen and ends with a short hash of the whole slug, so
    two long names that share their start still get different slugs.

    >>> slugify("KCN Đình Vũ")
    'kcn-dinh-vu'
    >>> slugify("KKT Đình Vũ – Cát Hải")
    'kkt-dinh-vu-cat-hai'
    >>> len(slugify("KCN " + "rất dài " * 40)) <= 80
    True
    """
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    if len(slug) <= max_length:
        return slug
    digest = hashlib.sha1(slug.encode("ascii"), usedforsecurity=False).hexdigest()[:8]
    head = slug[: max_length - len(digest) - 1]
    if "-" in head and slug[len(head)] != "-":
        head = head.rsplit("-", 1)[0]  # end on a whole word
    return f"{head.rstrip('-')}-{digest}"


# The words a zone's name may start with that only say its kind.
_KIND_PREFIX = re.compile(r"^(kcn|kcx|ccn|kkt|khu-cong-nghiep|khu-che-xuat|cum-cong-nghiep|"
                          r"khu-kinh-te)-")


def name_key(name: str) -> str:
    """Return the key two names of one zone share: the slug without the kind it starts with.

    >>> name_key("KCN Nam Cầu Kiền") == name_key("Khu công nghiệp Nam Cầu Kiền")
    True
    """
    return _KIND_PREFIX.sub("", slugify(name, max_length=10_000))


_VN_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$|^[+-]?\d+(,\d+)?$")


def parse_vn_number(text: str) -> float:
    """Parse a number written the Vietnamese way (dot for thousands, comma for decimals).

    Plain machine notation ("1079.92") is accepted too when it is unambiguous.

    >>> parse_vn_number("1.079,92")
    1079.92
    >>> parse_vn_number("12.702")
    12702.0
    >>> parse_vn_number("63,5")
    63.5

    Raises
    ------
    ValueError
        If the text is not a number in either notation.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if _VN_NUMBER.match(s):
        return float(s.replace(".", "").replace(",", "."))
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
