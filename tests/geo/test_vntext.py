"""Tests for geo.vntext: legacy Vietnamese encodings and how they are detected."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from geo.vntext import ENCODINGS, TCVN3_TABLE, VNI_TABLE, Detection, decode, detect, encode


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# The alphabet, built from Unicode rather than from the tables under test:
# 12 vowels x 6 tones in both cases, plus đ and Đ.
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = [nfc(v + t) for v in "aăâeêioôơuưy" for t in TONES] + ["đ"]
UPPER = [c.upper() for c in LOWER]
LETTERS = LOWER + UPPER
NON_ASCII = [c for c in LETTERS if not c.isascii()]
TCVN3_CAPITALS = list("ĂÂÊÔƠƯĐ")
TCVN3_MISSING = [c for c in UPPER if not c.isascii() and c not in TCVN3_CAPITALS]
LEGACY = ("cp1258", "tcvn3", "vni")


def writable(encoding: str) -> list[str]:
    if encoding == "tcvn3":
        return LOWER + [c for c in UPPER if c.isascii()] + TCVN3_CAPITALS
    return LETTERS


# ------------------------------------------------------------------------ tables


def test_alphabet_has_134_non_ascii_letters():
    assert len(LETTERS) == 146
    assert len(set(NON_ASCII)) == 134


def test_vni_table_covers_every_letter_once():
    assert set(VNI_TABLE) == set(NON_ASCII)
    assert len(set(VNI_TABLE.values())) == len(VNI_TABLE)


def test_tcvn3_table_is_lower_case_plus_seven_capitals():
    lower = {c for c in LOWER if not c.isascii()}
    assert set(TCVN3_TABLE) == lower | set(TCVN3_CAPITALS)
    assert len(TCVN3_TABLE) == 74  # TCVN 5712 VN3: 67 lower-case and 7 capitals
    assert all(len(code) == 1 and code[0] >= 0xA1 for code in TCVN3_TABLE.values())
    assert len(set(TCVN3_TABLE.values())) == len(TCVN3_TABLE)


@pytest.mark.parametrize("letter", [c for c in LOWER if not c.isascii()])
def test_vni_capitals_use_the_capital_mark_bytes(letter):
    # VNI writes a capital with the upper-case Latin-1 form of every byte: aù -> AÙ.
    lower = VNI_TABLE[letter]
    assert VNI_TABLE[letter.upper()] == bytes(b - 0x20 for b in lower)


# ------------------------------------------------------------------ round trips

SENTENCES = [
    "Khu kinh tế Đình Vũ – Cát Hải",
    "Cụm công nghiệp Tân Liên, huyện Vĩnh Bảo, thành phố Hải Phòng",
    "dịch vụ hàng hải; cảng nước sâu Lạch Huyện (15 km)",
    "Tỷ lệ lấp đầy: 85% – “đã cho thuê” … quyết định số 1107/QĐ-TTg",
    "Đắk Lắk, Thừa Thiên Huế, Bà Rịa – Vũng Tàu, Khánh Hòa, thuỷ lợi, khuỷu",
]
UPPER_SENTENCES = ["KHU CÔNG NGHIỆP NAM CẦU KIỀN", "ỨNG DỤNG ĐƯỜNG THUỶ NỘI ĐỊA Ở QUẢNG NINH"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_letter_round_trips(encoding):
    lost = [c for c in writable(encoding) if decode(encode(c, encoding), encoding) != c]
    assert lost == []
    word = "".join(writable(encoding))
    assert decode(encode(word, encoding), encoding) == word


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("text", SENTENCES)
def test_sentences_round_trip_without_losing_characters(encoding, text):
    back = decode(encode(text, encoding), encoding)
    assert back == nfc(text)
    assert len(back) == len(nfc(text))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "vni"])
@pytest.mark.parametrize("text", UPPER_SENTENCES)
def test_capitals_round_trip(encoding, text):
    assert decode(encode(text, encoding), encoding) == text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encode_normalises_to_nfc_first(encoding):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    assert encode(decomposed, encoding) == encode("Nguyễn Thị Thủy", encoding)


def test_tcvn3_has_no_capitals_with_tones():
    for letter in TCVN3_MISSING:
        with pytest.raises(ValueError, match="capitals font"):
            encode(letter, "tcvn3")
    assert len(TCVN3_MISSING) == 60


@pytest.mark.parametrize("encoding", LEGACY)
@pytest.mark.parametrize("text", ["漢字", "ö Ω", "😀"])
def test_encode_rejects_what_the_encoding_cannot_hold(encoding, text):
    with pytest.raises(ValueError, match="cannot be written"):
        encode(text, encoding)


# --------------------------------------------------------------- known bytes

# Worked out from TCVN 5712:1993 VN3, the VNI-Windows table and Windows-1258
# (the TCVN3 ones are the familiar mojibake "H¶i Phßng", "Hµ Néi", "ViÖt Nam").
KNOWN = [
    ("tcvn3", "Đình Vũ", b"\xa7\xd7nh V\xf2"),
    ("tcvn3", "Hải Phòng", b"H\xb6i Ph\xdfng"),
    ("tcvn3", "Hà Nội", b"H\xb5 N\xe9i"),
    ("tcvn3", "Việt Nam", b"Vi\xd6t Nam"),
    ("tcvn3", "Đà Nẵng", b"\xa7\xb5 N\xbdng"),
    ("tcvn3", "Thừa Thiên Huế", b"Th\xf5a Thi\xaan Hu\xd5"),
    ("tcvn3", "được", b"\xae\xad\xeec"),
    ("tcvn3", "Ưu Ơn Ăn Ân Ên Ôn", b"\xa6u \xa5n \xa1n \xa2n \xa3n \xa4n"),
    ("vni", "Đình Vũ", b"\xd1\xecnh Vu\xf5"),
    ("vni", "Hải Phòng", b"Ha\xfbi Pho\xf8ng"),
    ("vni", "Việt Nam", b"Vie\xe4t Nam"),
    ("vni", "Trường", b"Tr\xf6\xf4\xf8ng"),
    ("vni", "ĐƯỜNG", b"\xd1\xd6\xd4\xd8NG"),
    ("vni", "Bắc Kạn", b"Ba\xe9c Ka\xefn"),
    ("vni", "Tỉnh Quảng Ninh", b"T\xe6nh Qua\xfbng Ninh"),
    ("vni", "ỵ Ỵ", b"\xee \xce"),
    ("cp1258", "Đình Vũ", b"\xd0i\xccnh Vu\xde"),
    ("cp1258", "Việt", b"Vi\xea\xf2t"),
    ("cp1258", "Hải Phòng", b"Ha\xd2i Pho\xccng"),
    ("cp1258", "Hà Nội", b"H\xe0 N\xf4\xf2i"),
    ("cp1258", "Ưu Ơn Ăn", b"\xddu \xd5n \xc3n"),
    ("utf-8", "Đình Vũ", "Đình Vũ".encode()),
]


@pytest.mark.parametrize(("encoding", "text", "raw"), KNOWN)
def test_known_bytes(encoding, text, raw):
    assert encode(text, encoding) == raw
    decoded = decode(raw, encoding)
    assert decoded == text
    assert unicodedata.is_normalized("NFC", decoded)


# ------------------------------------------------------------------ decoding


def test_cp1258_combining_marks_come_back_precomposed():
    assert decode(b"a\xcc", "cp1258") == "à" == decode(b"\xe0", "cp1258")
    assert decode(b"\xe2\xec", "cp1258") == "ấ"


def test_tcvn3_capitals_font_text_reads_as_the_standard_codes():
    # "ĐÌNH" typed with .VnTimeH is stored with the lower-case code of ì.
    assert decode(b"\xa7\xd7NH", "tcvn3") == "ĐìNH"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"A\xf9", "Á"),  # capital letter, lower-case mark
        (b"a\xd9", "á"),  # lower-case letter, capital mark
        (b"o\xe2\xf9", "ố"),  # modifier and tone as two marks
        (b"\xf4\xd9", "ớ"),
        (b"y\xef", "ỵ"),
    ],
)
def test_vni_tolerates_variant_mark_sequences(raw, text):
    assert decode(raw, "vni") == text


@pytest.mark.parametrize("encoding", LEGACY)
def test_every_byte_decodes_to_something(encoding):
    every = bytes(range(256))
    text = decode(every, encoding)
    assert unicodedata.is_normalized("NFC", text)
    assert "\ufffd" not in text
    for b in every:
        assert decode(bytes([b]), encoding) != ""


def test_a_lone_vni_mark_is_kept_as_an_accent():
    assert decode(b"n\xf9", "vni") == "ń"


def test_invalid_utf8_raises():
    with pytest.raises(UnicodeDecodeError):
        decode(b"H\xb6i Ph\xdfng", "utf-8")


@pytest.mark.parametrize("name", ["latin-1", "TCVN3", "UTF-8", "vni-windows", ""])
@pytest.mark.parametrize("func", [decode, encode])
def test_unknown_encoding_raises(func, name):
    arg = b"abc" if func is decode else "abc"
    with pytest.raises(ValueError, match="unknown encoding"):
        func(arg, name)


# ----------------------------------------------------------------- detection

NAMES = [
    "KCN Đình Vũ",
    "Cụm công nghiệp Tân Liên",
    "Khu công nghiệp Nam Cầu Kiền",
    "Thủy Nguyên",
    "Hải Phòng",
    "Quảng Ninh",
    "Bắc Kạn",
    "Khu kinh tế Đình Vũ – Cát Hải",
    "dịch vụ hàng hải",
    "An Dương",
    "Kiến Thụy",
    "Tiên Lãng",
    "Vĩnh Bảo",
    "Đồ Sơn",
    "Hồng Bàng",
    "Ngô Quyền",
    "Lê Chân",
    "Kiến An",
    "Hạ Long",
    "Cẩm Phả",
    "Uông Bí",
    "Móng Cái",
    "Đông Triều",
    "Quảng Yên",
    "Vân Đồn",
    "Đầm Hà",
    "Bình Liêu",
    "Chợ Đồn",
    "Ba Bể",
    "Pác Nặm",
    "Na Rì",
    "KCN Tràng Duệ",
    "KCN VSIP Hải Phòng",
    "Thị xã Đông Triều",
]


def tcvn3_capitals_font(text: str) -> str:
    """Upper-case text as TCVN3 stores it: toned capitals keep their lower-case codes."""
    return "".join(c if c in TCVN3_CAPITALS or c.isascii() else c.lower() for c in text.upper())


def in_case(names: list[str], case: str, encoding: str) -> list[str]:
    if case == "lower":
        return [n.lower() for n in names]
    if case == "upper":
        up = tcvn3_capitals_font if encoding == "tcvn3" else str.upper
        return [up(n) for n in names]
    return names


@pytest.mark.parametrize("case", ["mixed", "lower", "upper"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detects_the_encoding_of_a_column(encoding, case):
    samples = [encode(n, encoding) for n in in_case(NAMES, case, encoding)]
    found = detect(samples)
    assert found.encoding == encoding, found.reason
    assert found.confidence >= 0.8


@pytest.mark.parametrize("case", ["mixed", "lower", "upper"])
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("size", [2, 3])
def test_detects_every_run_of_two_or_three_names(encoding, case, size):
    names = in_case(NAMES, case, encoding)
    wrong = []
    for i in range(len(names) - size + 1):
        group = names[i : i + size]
        found = detect([encode(n, encoding) for n in group])
        if found.encoding != encoding:
            wrong.append((group, found))
    assert wrong == []


SHORT = [
    ["KCN Đình Vũ"],
    ["Hải Phòng"],
    ["Quảng Ninh"],
    ["Khu công nghiệp Nam Cầu Kiền"],
    ["Khu kinh tế Đình Vũ – Cát Hải"],
    ["Thủy Nguyên", "Bắc Kạn"],
    ["Cụm công nghiệp Tân Liên", "Quảng Ninh", "dịch vụ hàng hải"],
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("names", SHORT, ids=lambda names: names[0])
def test_detects_short_samples(encoding, names):
    found = detect([encode(n, encoding) for n in names])
    assert found.encoding == encoding, found.reason


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_a_latin1_reading_never_beats_a_legacy_encoding(encoding):
    # Read as Windows-1258 (Latin-1 with a few changes) legacy bytes give "H¶i Phßng";
    # that must never win, not even for a single short name.
    for name in NAMES:
        found = detect([encode(name, encoding)])
        assert found.encoding != "cp1258", (name, found)


def test_reason_names_the_encoding_and_counts_words():
    found = detect([encode(n, "tcvn3") for n in NAMES])
    assert found.reason.startswith("text decodes as TCVN3 (ABC): ")
    assert " of " in found.reason
    assert "Vietnamese syllables" in found.reason


def test_valid_utf8_wins_with_high_confidence():
    found = detect([n.encode() for n in NAMES[:3]])
    assert found.encoding == "utf-8"
    assert found.confidence >= 0.95
    assert found.reason.startswith("text is valid UTF-8")


@pytest.mark.parametrize("samples", [[b"KCN Nomura", b"VSIP", b"Deep C 2"], [b"", b"abc"]])
def test_plain_ascii_reads_as_utf8(samples):
    found = detect(samples)
    assert found == Detection("utf-8", 1.0, found.reason)
    assert "ASCII" in found.reason


def test_no_samples_reads_as_utf8():
    assert detect([]).encoding == "utf-8"
    assert detect(iter([b"", b""])).encoding == "utf-8"


def test_a_tie_is_reported_with_low_confidence():
    # TCVN3 "Vũ" read as VNI is "Vị": both are Vietnamese, so say so.
    found = detect([encode("Vũ", "tcvn3")])
    assert found.encoding == "tcvn3"
    assert found.confidence < 0.5
    assert "tie" in found.reason


def test_text_that_is_not_vietnamese_gets_no_confidence():
    found = detect([b"Caf\xe9 cr\xe8me br\xfbl\xe9e"])
    assert found.encoding == "cp1258"
    assert found.confidence == 0.0


def test_detection_is_frozen():
    found = detect([b"abc"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.encoding = "vni"  # type: ignore[misc]
