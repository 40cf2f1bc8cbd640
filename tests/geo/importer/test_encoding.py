"""Tests of geo.importer.encoding: declared encodings checked against the bytes."""

from __future__ import annotations

import zipfile

import pytest

from geo import vntext
from geo.importer.encoding import (
    choose_encoding,
    clean_control,
    cpg_codec,
    ldid_codec,
    member_names,
    repair_mis_stored,
    suspect,
)
from geo.importer.model import ImportLimits, Layer, Options

NAMES = ["KCN Đình Vũ", "KCN Nam Cầu Kiền", "Cụm công nghiệp Tân Liên", "Hải Phòng"]


def _opts(encoding: str | None = None) -> Options:
    return Options(filename="f", layer=None, crs=None, crs_label=None, encoding=encoding,
                   limits=ImportLimits(), source_id="import", as_of=None)


def _layer() -> Layer:
    return Layer(name="kcn", columns=[], rows=[], geoms=[], crs=None, encoding=None,
                 geometry_type=None)


@pytest.mark.parametrize(("cpg", "codec"), [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("65001", "utf-8"), ("1258", "cp1258"),
    ("ANSI 1258", "cp1258"), ("CP1258", "cp1258"), ("1252", "cp1252"),
    ("ANSI 1252", "cp1252"), ("ISO-8859-1", "latin-1"), ("88591", "latin-1"),
    ("TCVN3", "tcvn3"), ("", None), ("System", None),
])
def test_cpg_names(cpg, codec):
    assert cpg_codec(cpg) == codec


def test_ldid_byte():
    header = bytearray(32)
    header[29] = 0x57
    assert ldid_codec(bytes(header)) == "cp1252"
    header[29] = 0
    assert ldid_codec(bytes(header)) is None


@pytest.mark.parametrize(("encoding", "declared"), [
    ("utf-8", "cp1258"),  # UTF-8 text labelled 1258
    ("tcvn3", "utf-8"),  # TCVN3 text labelled UTF-8
    ("vni", "cp1252"),  # VNI text under a Western code page
    ("tcvn3", "cp1258"),  # TCVN3 text labelled 1258
])
def test_a_declaration_the_bytes_contradict_is_overruled_with_a_warning(encoding, declared):
    samples = [vntext.encode(n, encoding) for n in NAMES]
    choice = choose_encoding(samples, declared, "its .cpg", "Layer kcn")
    assert choice.encoding == encoding
    assert choice.warning and choice.warning.startswith("Layer kcn: its .cpg says")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "tcvn3"])
def test_a_true_declaration_is_kept_quietly(encoding):
    samples = [vntext.encode(n, encoding) for n in NAMES]
    choice = choose_encoding(samples, encoding, "its .cpg", "Layer kcn")
    assert (choice.encoding, choice.warning) == (encoding, None)


def test_western_text_under_a_western_code_page_stays_western():
    samples = ["Café Müller".encode("cp1252"), "Señor".encode("cp1252")]
    assert choose_encoding(samples, "cp1252", "its .cpg", "Layer x").encoding == "cp1252"


def test_ascii_text_needs_no_choice():
    assert choose_encoding([b"KCN Dinh Vu"], "cp1252", "its .cpg", "x").warning is None


def test_forced_encoding_wins():
    samples = [vntext.encode(n, "vni") for n in NAMES]
    assert choose_encoding(samples, "utf-8", "its .cpg", "x", forced="tcvn3").encoding == "tcvn3"


def _as_western(text: str, encoding: str) -> str:
    """Legacy bytes opened in a Western program: Windows-1252, undefined bytes kept."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                   for b in vntext.encode(text, encoding))


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_shown_as_windows_1252_is_repaired(encoding):
    values = [_as_western(n, encoding) for n in NAMES]
    assert any(suspect(v) for v in values)
    lyr = _layer()
    _, table, enc = repair_mis_stored(["ten"], {"ten": values}, _opts(), lyr)
    assert enc == encoding and table["ten"] == NAMES
    assert "stored as Latin-1" in lyr.notes[0]


@pytest.mark.parametrize("through", ["cp1252", "cp1258"])
def test_utf8_read_through_the_wrong_code_page_is_repaired(through):
    def mojibake(text: str) -> str:
        return "".join(bytes([b]).decode(through, errors="ignore") or chr(b)
                       for b in text.encode("utf-8"))

    values = [mojibake(n) for n in NAMES]
    lyr = _layer()
    _, table, enc = repair_mis_stored(["ten"], {"ten": values}, _opts(), lyr)
    assert enc == "utf-8" and table["ten"] == NAMES
    assert "UTF-8 read through the wrong code page" in lyr.notes[0]


@pytest.mark.parametrize("text", ["KCN Đình Vũ – Cát Hải", "Cà Mau", "Ý Yên, 5 m²", "“KCN” €"])
def test_genuine_unicode_is_left_alone(text):
    lyr = _layer()
    _, table, enc = repair_mis_stored(["ten"], {"ten": [text]}, _opts(), lyr)
    assert (table["ten"], enc, lyr.notes) == ([text], None, [])


@pytest.mark.parametrize(("text", "clean", "flagged"), [
    ("KCN Đình\x00Vũ", "KCN Đình Vũ", True),
    ("KCN\x07 Beep", "KCN Beep", True),
    ("KCN\ufffdX", "KCN X", True),
    ("KCN Đình Vũ\r\n(mở rộng)", "KCN Đình Vũ (mở rộng)", False),
    ("  KCN\tA  ", "KCN A", False),
    ("KCN A", "KCN A", False),
])
def test_control_characters(text, clean, flagged):
    assert clean_control(text) == (clean, flagged)


def _info(name: bytes, utf8_flag: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name.decode("cp437"))
    if utf8_flag:
        info.flag_bits |= 0x800
    return info


@pytest.mark.parametrize("encoding", ["utf-8", "tcvn3", "vni"])
def test_zip_member_names_without_the_utf8_flag(encoding):
    raw = [vntext.encode(f"Bản đồ/{n}.shp", encoding) for n in ("Khu công nghiệp", "Hải Phòng")]
    infos = [_info(r) for r in raw]
    names, note = member_names(infos)
    assert sorted(names.values()) == ["Bản đồ/Hải Phòng.shp", "Bản đồ/Khu công nghiệp.shp"]
    assert note and "without the flag" in note


def test_flagged_and_ascii_member_names_are_left_alone():
    info = zipfile.ZipInfo("Bản đồ/kcn.shp")
    info.flag_bits |= 0x800
    names, note = member_names([info, zipfile.ZipInfo("a/b.dbf")])
    assert names == {"Bản đồ/kcn.shp": "Bản đồ/kcn.shp", "a/b.dbf": "a/b.dbf"}
    assert note is None
