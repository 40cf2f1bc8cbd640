"""Editors' readings of OCR quotes: the same passage, with its diacritics and letters restored.

Every register row quoting a scanned seed document keeps the raw OCR in ``quote_ocr``
and shows users ``quote``, the editors' reading of exactly that passage. A reading may
fix letters, diacritics and OCR-broken characters, never a number or a word order.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from pathlib import Path

import pytest

from geo.register import bundled_source_dir

SRC = bundled_source_dir()
QUOTED_TABLES = ("zone_values", "projects", "figures")

# OCR fragments where letters were read as digits (or "%" as "0/o"), with the editors'
# reading. These are the only places where a reading's digits may differ from the OCR's.
OCR_DIGIT_MISREADS = {
    "qubc 16": "quốc lộ",  # "các tuyến đường quốc lộ"
    "Ty 18 1ap": "Tỷ lệ lấp",  # "Tỷ lệ lấp đầy", the occupancy rate
    "170/o": "17%",  # figures.csv gives the value as 17 (%/year)
}

# A number standing on its own: "12.702", "1.079,92", "63" in "63%", "2006" in "(2006-2010)",
# "4" in "4B". Digits glued to letters or OCR debris ("c6" for "có", "x4y" for "xây",
# "1€" for "lệ") are misread letters and do not count. Atomic, so "12.702ha" is not "12".
NUMBER = re.compile(r"(?<![^\s(/+\-–])(?>\d+(?:[.,]\d+)*)(?![^\s)%,;:./\-–A-Z])")

# Marks of Vietnamese spelling (NFD): grave, acute, circumflex, tilde, breve, hook above,
# horn, dot below.
VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")
PUNCTUATION = frozenset(" ,.;:()%/+-–")


def _rows() -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for table in QUOTED_TABLES:
        with (SRC / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["quote_ocr"]:
                    key = row.get("id") or f"{row['zone_id']}.{row['field']}"
                    rows.append((table, key, row))
    return rows


ROWS = _rows()
ROW_IDS = [f"{table}:{key}" for table, key, _ in ROWS]


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def _ocr_numbers(ocr: str) -> list[str]:
    for fragment, reading in OCR_DIGIT_MISREADS.items():
        ocr = ocr.replace(fragment, reading)
    return _numbers(ocr)


def _is_vietnamese_letter(ch: str) -> bool:
    """Tell whether a letter carries Vietnamese diacritics (đ included)."""
    if ch in "đĐ":
        return True
    return any(c in VIETNAMESE_MARKS for c in unicodedata.normalize("NFD", ch)[1:])


def _allowed_char(ch: str) -> bool:
    if ch.isdigit() or ch in PUNCTUATION:
        return ch.isascii() or ch == "–"
    base, *marks = unicodedata.normalize("NFD", ch)
    if ch in "đĐ":
        return True
    return base.isascii() and base.isalpha() and all(m in VIETNAMESE_MARKS for m in marks)


def _seeds_dir() -> Path | None:
    """The shared seed documents: $KCN_ATLAS_SEEDS, else a shared/seeds beside a parent."""
    if os.environ.get("KCN_ATLAS_SEEDS"):
        return Path(os.environ["KCN_ATLAS_SEEDS"])
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "seeds").is_dir():
            return parent / "shared" / "seeds"
    return None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def test_there_are_readings_to_check():
    assert len(ROWS) > 100


@pytest.mark.parametrize(("table", "key", "row"), ROWS, ids=ROW_IDS)
def test_reading_keeps_the_numbers(table, key, row):
    assert _numbers(row["quote"]) == _ocr_numbers(row["quote_ocr"])
    assert re.findall(r"\d", row["quote"]) == re.findall(
        r"\d", "".join(_ocr_numbers(row["quote_ocr"]))
    ), "a digit outside a number"


@pytest.mark.parametrize(("table", "key", "row"), ROWS, ids=ROW_IDS)
def test_reading_is_clean_vietnamese(table, key, row):
    quote, ocr = row["quote"], row["quote_ocr"]
    assert quote == unicodedata.normalize("NFC", quote)
    if re.search(r"\b[a-z]{2,}\b", ocr, re.ASCII) or any(map(_is_vietnamese_letter, ocr)):
        assert any(map(_is_vietnamese_letter, quote))
    assert [ch for ch in quote if not _allowed_char(ch)] == []
    # Digits glued to letters are OCR debris ("c6"); "4B" (Quốc lộ 4B) is a real name.
    assert re.findall(r"[^\W\d_]\d|\d[^\W\d_A-Z]", quote) == []


@pytest.mark.parametrize(("table", "key", "row"), ROWS, ids=ROW_IDS)
def test_reading_has_the_same_words_in_the_same_order(table, key, row):
    assert len(row["quote"].split()) == len(row["quote_ocr"].split())
    for fragment, reading in OCR_DIGIT_MISREADS.items():
        if fragment in row["quote_ocr"]:
            assert reading in row["quote"]


def test_one_passage_has_one_reading():
    readings: dict[str, set[str]] = {}
    for _, _, row in ROWS:
        readings.setdefault(row["quote_ocr"], set()).add(row["quote"])
    assert {ocr: r for ocr, r in readings.items() if len(r) > 1} == {}


def test_every_digit_misread_is_used():
    unused = [f for f in OCR_DIGIT_MISREADS if not any(f in row["quote_ocr"] for *_, row in ROWS)]
    assert unused == []


def test_number_pattern():
    text = "(25 khu cong nghi€p véi dién tich 12.702 ha, 1.079,92 ha) c6 8 khu; 10%-15%, QL 4B"
    assert _numbers(text) == ["25", "12.702", "1.079,92", "8", "10", "15", "4"]
    assert _numbers("vé6i x4y 1€ 16n 12.702ha") == []


def test_raw_ocr_occurs_in_its_seed_document():
    seeds = _seeds_dir()
    if seeds is None:
        pytest.skip("the seed documents (shared/seeds) are not on this machine")
    with (SRC / "sources.csv").open(encoding="utf-8", newline="") as fh:
        files = {s["source_id"]: s["file"] for s in csv.DictReader(fh)}
    texts: dict[str, str] = {}
    missing = []
    for table, key, row in ROWS:
        name = files[row["source_id"]]
        if name not in texts:
            texts[name] = _collapse((seeds / name).read_text(encoding="utf-8"))
        if _collapse(row["quote_ocr"]) not in texts[name]:
            missing.append(f"{table}:{key}")
    assert missing == []
