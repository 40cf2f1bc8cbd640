"""The one-page investor briefs: one A4 page, embedded fonts, honest values, a QR link."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import segno
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import LineString, Point

from geo.brief import (
    BriefError,
    figure_value,
    link_qr,
    province_brief_pdf,
    rank_figures,
    zone_brief_pdf,
)
from geo.register import Register, read_source_dir

REGISTER_SRC = Path(__file__).resolve().parents[1] / "fixtures" / "register"
BUNDLED_SRC = Path(__file__).resolve().parents[2] / "data" / "src"


def _bundled_rows(name: str) -> list[dict[str, str]]:
    with (BUNDLED_SRC / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# What the bundled register holds, read from its CSVs independently of geo.
_ZONES = _bundled_rows("zones.csv")
HP_KCN = sum(z["kind"] == "KCN" and z["province"] == "Hải Phòng" for z in _ZONES)
HP_CCN = sum(z["kind"] == "CCN" and z["province"] == "Hải Phòng" for z in _ZONES)
QN_KCN = sum(z["kind"] == "KCN" and z["province"] == "Quảng Ninh" for z in _ZONES)
KKT_DV_CHILDREN = len({v["zone_id"] for v in _bundled_rows("zone_values.csv")
                       if v["field"] == "parent_id" and v["value"] == "kkt-dinh-vu-cat-hai"})

LINK = "https://kcn-atlas.example.vn/?zone=kcn-dinh-vu&lang=vi"
DAY = "2026-11-30"



def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (apt-get install poppler-utils)")


@cache
def bundled() -> Register:
    return read_source_dir()


@cache
def fixture() -> Register:
    return read_source_dir(REGISTER_SRC)


@cache
def zone_pdf(which: str, zone_id: str, lang: str) -> bytes:
    reg = bundled() if which == "bundled" else fixture()
    return zone_brief_pdf(reg, zone_id, lang, LINK, generated=DAY)


@cache
def province_pdf(which: str, province: str, lang: str) -> bytes:
    reg = bundled() if which == "bundled" else fixture()
    return province_brief_pdf(reg, province, lang, LINK, generated=DAY)


def text_of(pdf: bytes) -> str:
    """Return the page's text as poppler extracts it, NFC, with single spaces."""
    needs("pdftotext")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", out.stdout.decode("utf-8")))


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def with_zone(reg: Register, zone_id: str, **changes: object) -> Register:
    zones = reg.zones.copy()
    for column, value in changes.items():
        zones.loc[zones["id"] == zone_id, column] = value
    return reg.with_zones(zones)


# --- the zone brief ----------------------------------------------------------

# (register, zone, lang, name, nearest seaport, missing-value word, labels)
ZONE_CASES = [
    ("fixture", "kcn-alpha", "vi", "KCN Đình Vũ", "Cảng thử", "chưa rõ",
     ["Số liệu chính", "Đã cho thuê (ha)", "Nguồn", "Cảng biển", "Hạ tầng kết nối phục vụ khu"]),
    ("fixture", "kcn-alpha", "en", "Dinh Vu Industrial Zone", "Test port", "unknown",
     ["Key figures", "Leased (ha)", "Sources", "Seaport", "Infrastructure serving the zone"]),
    ("bundled", "kcn-dinh-vu", "vi", "KCN Đình Vũ", "Khu cảng Đình Vũ", "chưa rõ",
     ["Số liệu chính", "Tổng diện tích (ha)", "Vị trí gần đúng", "Sân bay"]),
    ("bundled", "kcn-dinh-vu", "en", "Dinh Vu Industrial Zone", "Dinh Vu port area", "unknown",
     ["Key figures", "Total area (ha)", "Approximate location", "Airport"]),
    ("bundled", "kkt-dinh-vu-cat-hai", "vi", "KKT Đình Vũ – Cát Hải", "Khu cảng Đình Vũ",
     "chưa rõ", ["Số liệu chính", f"Gồm {KKT_DV_CHILDREN} khu", "Đường cao tốc"]),
    ("bundled", "kkt-dinh-vu-cat-hai", "en", "Dinh Vu – Cat Hai Economic Zone",
     "Dinh Vu port area", "unknown", ["Key figures", f"Contains {KKT_DV_CHILDREN} zones",
                                      "Expressway"]),
]


@pytest.mark.parametrize(("which", "zone_id", "lang", "name", "port", "unknown", "labels"),
                         ZONE_CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in ZONE_CASES])
def test_zone_brief_is_one_page_with_the_zone_labels_and_link(which, zone_id, lang, name, port,
                                                              unknown, labels):
    pdf = zone_pdf(which, zone_id, lang)
    assert pdf.startswith(b"%PDF-")
    assert pages(pdf) == 1
    text = text_of(pdf)
    assert name in text
    assert port in text
    assert unknown in text
    assert LINK in text
    assert DAY in text
    for label in labels:
        assert label in text, label


def test_zone_brief_never_mixes_languages():
    vi, en = text_of(zone_pdf("bundled", "kcn-dinh-vu", "vi")), text_of(
        zone_pdf("bundled", "kcn-dinh-vu", "en"))
    assert "Key figures" not in vi and "unknown" not in vi
    assert "Số liệu chính" not in en and "chưa rõ" not in en


def test_zone_brief_numbers_follow_the_language():
    # KKT Đình Vũ – Cát Hải: 22,540 ha in 06-NQ/TU.
    assert "22.540" in text_of(zone_pdf("bundled", "kkt-dinh-vu-cat-hai", "vi"))
    assert "22,540" in text_of(zone_pdf("bundled", "kkt-dinh-vu-cat-hai", "en"))
    # Distances keep one decimal: 1,3 km in Vietnamese, 1.3 km in English.
    assert re.search(r"Khu cảng Đình Vũ \d+,\d km", text_of(zone_pdf("bundled", "kcn-dinh-vu",
                                                                      "vi")))
    assert re.search(r"Dinh Vu port area \d+\.\d km", text_of(zone_pdf("bundled", "kcn-dinh-vu",
                                                                        "en")))


def test_zone_brief_cites_values_and_lists_the_sources():
    text = text_of(zone_pdf("fixture", "kcn-alpha", "en"))
    # Occupancy 50% from test-doc §I; the sources block names the document and its date.
    assert "Occupancy (%) 50 Legal · [1] §I" in text  # the tier beside each value
    assert "Test resolution 01-NQ/TEST, Test committee, 2022-04-07" in text
    assert "as of 2022-04-07" in text
    # Values no source gives are unknown, never zero.
    assert "Leased (ha) unknown no source yet" in text
    assert "Developer unknown no source yet" in text


def test_zone_brief_says_when_no_project_of_a_kind_exists():
    text = text_of(zone_pdf("fixture", "kcn-alpha", "en"))
    assert "Airport none in the register" in text
    assert "Expressway none in the register" in text


def test_zone_brief_flags_approximate_locations_and_distances():
    text = text_of(zone_pdf("bundled", "kcn-dinh-vu", "en"))
    assert "Approximate location: a point at the centre of the commune" in text
    assert "Approximate: measured from approximate locations." in text
    surveyed = text_of(zone_pdf("fixture", "kcn-alpha", "en"))
    assert "Approximate location: a point at the centre" not in surveyed


def test_zone_without_location_has_no_map_and_unknown_distances():
    reg = with_zone(fixture(), "kcn-beta", geometry=None)
    pdf = zone_brief_pdf(reg, "kcn-beta", "en", LINK, generated=DAY)
    assert pages(pdf) == 1
    text = text_of(pdf)
    assert "Location unknown: not in the register" in text
    assert "Seaport unknown" in text


EVERY_VOWEL = "Ằẳẵặ Ấầẩẫậ Đđ Ếềểễệ Ốồổỗộ Ờởỡợớ Ừửữựứ Ỳỷỹỵý"
# Each vowel with no tone and its five tones, upper and lower case.
ALL_FORMS = " ".join(
    "".join(unicodedata.normalize("NFC", base + tone) for tone in ("", "\u0300", "\u0309",
                                                                 "\u0303", "\u0323", "\u0301"))
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY") + " đĐ"


@pytest.mark.parametrize("name", [EVERY_VOWEL, ALL_FORMS], ids=["brief", "all-forms"])
def test_every_vietnamese_letter_comes_back_from_the_pdf(name):
    reg = with_zone(fixture(), "kcn-alpha", name_vi=name)
    text = text_of(zone_brief_pdf(reg, "kcn-alpha", "vi", LINK, generated=DAY))
    assert name in text


def test_data_text_is_printed_literally_not_as_markup():
    name = "KCN **đậm** <b>x</b> __gạch__ ~~y~~"
    reg = with_zone(fixture(), "kcn-alpha", name_vi=name)
    text = text_of(zone_brief_pdf(reg, "kcn-alpha", "vi", LINK, generated=DAY))
    assert name in text


def test_fonts_are_embedded_dejavu():
    reader = PdfReader(io.BytesIO(zone_pdf("bundled", "kcn-dinh-vu", "vi")))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = []
    for ref in fonts.values():
        font = ref.get_object()
        names.append(str(font["/BaseFont"]))
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is in the file
    assert names and all("DejaVuSans" in n for n in names)
    assert any("Bold" in n for n in names)


@pytest.mark.parametrize("kind", ["zone", "province"])
def test_page_renders_to_a_png_that_is_not_blank(tmp_path, kind):
    pdf = (zone_pdf("bundled", "kcn-dinh-vu", "vi") if kind == "zone"
           else province_pdf("bundled", "Hải Phòng", "vi"))
    needs("pdftoppm")
    (tmp_path / "brief.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "brief.pdf"), str(tmp_path / "page")], check=True)
    png = tmp_path / "page.png"
    assert png.exists() and png.stat().st_size > 5_000
    with Image.open(png) as image:
        assert abs(image.size[0] - 413) <= 1 and abs(image.size[1] - 585) <= 1  # A4, 50 dpi
        grey = image.convert("L")
        hist = grey.histogram()
    dark = sum(hist[:100])
    assert dark > 2_000  # text, the map and the QR code


def test_link_is_a_qr_code_and_a_click_target():
    pdf = zone_pdf("bundled", "kcn-dinh-vu", "en")
    qr = link_qr(LINK)
    assert not qr.is_micro and qr.error == "M"
    assert qr.matrix == segno.make(LINK, error="m", micro=False, boost_error=False).matrix
    assert qr.matrix != link_qr(LINK + "&x=1").matrix
    annots = PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]
    uris = {a.get_object()["/A"]["/URI"] for a in annots}
    assert uris == {LINK}


def test_a_long_link_still_fits_the_footer():
    link = "https://kcn-atlas.example.vn/?" + "&".join(f"p{i}=value{i}" for i in range(120))
    pdf = zone_brief_pdf(fixture(), "kcn-alpha", "en", link, generated=DAY)
    assert pages(pdf) == 1
    uris = {a.get_object()["/A"]["/URI"] for a in PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]}
    assert uris == {link}
    assert "…" in text_of(pdf)


def test_same_inputs_give_the_same_bytes():
    again = zone_brief_pdf(fixture(), "kcn-alpha", "vi", LINK, generated=DAY)
    assert again == zone_pdf("fixture", "kcn-alpha", "vi")


def test_many_projects_stay_on_one_page():
    reg = fixture()
    extra = pd.DataFrame([{
        "id": f"road-{i:02d}", "kind": "national_road", "name_vi": f"Quốc lộ thử {i}",
        "name_en": f"Test road {i}", "status": "planned", "period": "2030",
        "serves": "kcn-alpha", "province": "Hải Phòng", "geometry_quality": "approximate",
        "source_id": "test-doc", "source_section": f"IV.{i}", "as_of": "2022-04-07",
        "geometry": LineString([(106.70 + i / 500, 20.80), (106.72 + i / 500, 20.86)]),
    } for i in range(40)])
    projects = gpd.GeoDataFrame(pd.concat([reg.projects, extra], ignore_index=True),
                                geometry="geometry", crs="EPSG:4326")
    reg = Register(projects=projects, zones=reg.zones, figures=reg.figures,
                   sources=reg.sources, zone_values=reg.zone_values, audit=reg.audit)
    pdf = zone_brief_pdf(reg, "kcn-alpha", "en", LINK, generated=DAY)
    assert pages(pdf) == 1
    assert re.search(r"\d+ more projects in KCN Atlas", text_of(pdf))


def test_unknown_zone_is_a_key_error():
    with pytest.raises(KeyError, match="kcn-nowhere"):
        zone_brief_pdf(fixture(), "kcn-nowhere", "vi", LINK)


def test_missing_fonts_say_how_to_install_them(tmp_path):
    with pytest.raises(BriefError, match=r"DejaVuSans\.ttf.*apt-get install fonts-dejavu-core"):
        zone_brief_pdf(fixture(), "kcn-alpha", "vi", LINK, fonts=tmp_path)


def test_empty_link_is_refused():
    with pytest.raises(ValueError, match="link"):
        zone_brief_pdf(fixture(), "kcn-alpha", "vi", "")


# --- the province brief ------------------------------------------------------

PROVINCE_CASES = [
    ("fixture", "Hải Phòng", "vi", ["Hải Phòng", "Dữ liệu có 2 trên 25 KCN theo văn bản",
                                    "12.702 ha", "12,5–15 tỷ USD", "KCN Nam Đình Vũ I"]),
    ("fixture", "Hải Phòng", "en", ["Hải Phòng", "The register holds 2 of 25 KCN", "12,702 ha",
                                    "12.5–15 billion USD", "Dinh Vu Industrial Zone"]),
    ("bundled", "Hải Phòng", "vi", [f"Dữ liệu có {HP_KCN} trên 25 KCN theo văn bản",
                                    f"Dữ liệu có {HP_CCN} trên 26 CCN theo văn bản",
                                    "KCN Đình Vũ", "khoảng 63%", "số liệu khác trong KCN Atlas"]),
    ("bundled", "Hải Phòng", "en", [f"The register holds {HP_KCN} of 25 KCN",
                                    f"The register holds {HP_CCN} of 26 CCN",
                                    "Dinh Vu Industrial Zone", "about 63%",
                                    "more figures in KCN Atlas"]),
    # Quảng Ninh's provincial plan 2021-2030: 23 KCN (Thời báo Tài chính, 03/11/2025).
    ("bundled", "Quảng Ninh", "vi", ["Quảng Ninh", "KCN Cái Lân", "KKT Vân Đồn",
                                     f"Dữ liệu có {QN_KCN} trên 23 KCN theo văn bản"]),
    ("bundled", "Quảng Ninh", "en", ["Quảng Ninh", "Cai Lan Industrial Zone",
                                     f"The register holds {QN_KCN} of 23 KCN"]),
]


@pytest.mark.parametrize(("which", "province", "lang", "expected"), PROVINCE_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in PROVINCE_CASES])
def test_province_brief_is_one_page_with_counts_figures_and_link(which, province, lang,
                                                                 expected):
    pdf = province_pdf(which, province, lang)
    assert pages(pdf) == 1
    text = text_of(pdf)
    assert LINK in text
    for item in expected:
        assert item in text, item
    heading = "Số liệu và chỉ tiêu chính thức" if lang == "vi" else "Official figures and targets"
    assert heading in text


def test_province_brief_shows_the_key_figures_first():
    text = text_of(province_pdf("bundled", "Hải Phòng", "en"))
    # Planned counts and areas of 06-NQ/TU lead; the 2006 growth targets do not make it.
    assert "Planned industrial zones 25 zones 2008-2020" in text
    assert "Occupancy of operating industrial zones above 70% 2025" in text
    assert "Industrial export turnover" not in text


def test_province_brief_zone_areas_are_unknown_not_zero():
    text = text_of(province_pdf("bundled", "Hải Phòng", "vi"))
    # KCN Bến Rừng: its source gives only "more than 1,000 ha", a bound, never a figure.
    assert "KCN Bến Rừng KCN Quy hoạch chưa rõ" in text
    assert not any(v["zone_id"] == "kcn-ben-rung" and v["field"] == "area_total_ha"
                   and v["comparison"] in ("", "equal", "about")
                   for v in _bundled_rows("zone_values.csv"))


def test_too_many_zones_and_figures_still_fit_one_page():
    reg = fixture()
    zones = pd.concat([reg.zones] + [reg.zones.iloc[[1]].assign(
        id=f"kcn-extra-{i:02d}", name_vi=f"KCN Thêm {i}", name_en=f"Extra zone {i}",
        geometry=Point(106.6 + i / 100, 20.7 + (i % 7) / 50)) for i in range(45)],
        ignore_index=True)
    fdi = reg.figures[reg.figures["id"] == "t-fdi"]
    figures = pd.concat([reg.figures] + [fdi.assign(
        id=f"t-extra-{i:02d}", label_vi=f"Chỉ tiêu thêm {i}", label_en=f"Extra figure {i}",
        value=float(i)) for i in range(70)], ignore_index=True)
    reg = Register(zones=zones.set_geometry("geometry"), projects=reg.projects, figures=figures,
                   sources=reg.sources, zone_values=reg.zone_values, audit=reg.audit)
    pdf = province_brief_pdf(reg, "Hải Phòng", "en", LINK, generated=DAY)
    assert pages(pdf) == 1
    text = text_of(pdf)
    assert re.search(r"\d+ more zones in KCN Atlas", text)
    assert re.search(r"\d+ more figures in KCN Atlas", text)
    # The planned count and area come before the 70 extra FDI rows.
    assert "Planned KCN 25 zones" in text and "Planned KCN area 12,702 ha" in text


@pytest.mark.parametrize("spelling", ["hai phong", "HẢI PHÒNG"])
def test_province_spellings_are_accepted(spelling):
    assert pages(province_brief_pdf(fixture(), spelling, "en", LINK, generated=DAY)) == 1


def test_province_by_its_name_today():
    text = text_of(province_brief_pdf(bundled(), "Thái Nguyên", "vi", LINK, generated=DAY))
    assert "Bắc Kạn" in text and "Tỉnh/thành hiện nay: Thái Nguyên" in text


@pytest.mark.parametrize("name", ["Atlantis", "phong", ""])
def test_unknown_province_is_a_lookup_error(name):
    with pytest.raises(LookupError, match="no province"):
        province_brief_pdf(fixture(), name, "vi", LINK)


# --- helpers -----------------------------------------------------------------


@pytest.mark.parametrize(("record", "lang", "expected"), [
    ({"value": 12702.0, "unit": "ha", "comparison": "equal"}, "vi", "12.702 ha"),
    ({"value": 12702.0, "unit": "ha", "comparison": "equal"}, "en", "12,702 ha"),
    ({"value": 13781.0, "unit": "ha", "comparison": "about"}, "vi", "khoảng 13.781 ha"),
    ({"value": 70.0, "unit": "%", "comparison": "above"}, "en", "above 70%"),
    ({"value": 30000.0, "unit": "jobs", "comparison": "at_least"}, "vi", "ít nhất 30.000 việc làm"),
    ({"value": 12.5, "value_max": 15.0, "unit": "billion USD", "comparison": "range"}, "en",
     "12.5–15 billion USD"),
    ({"value": 14.0, "value_max": 14.5, "unit": "%/year", "comparison": "range"}, "vi",
     "14–14,5%/năm"),
    ({"value": 3.0, "unit": "furlongs", "comparison": "equal"}, "en", "3 furlongs"),
    ({"value": None, "unit": "ha", "comparison": "equal"}, "vi", "chưa rõ"),
])
def test_figure_value(record, lang, expected):
    assert figure_value(record, lang) == expected


def _record(fid: str, indicator: str, source: str, date: str = "2022") -> dict:
    return {"id": fid, "indicator": indicator, "scope": "KCN", "period": "2025",
            "as_of": date, "citation": {"source_id": source, "date": date}}


def test_rank_figures_puts_the_key_source_and_priority_indicators_first():
    records = [
        _record("a", "fdi_capital_busd", "old"),
        _record("b", "fdi_capital_busd", "key"),
        _record("c", "target_area_ha", "key"),
        _record("d", "planned_zone_count", "key"),
        _record("e", "occupancy_pct", "key"),
        _record("f", "planned_area_ha", "old"),
        _record("g", "additional_area_ha", "key"),
        _record("h", "planned_zone_count", "key"),
    ]
    assert [r["id"] for r in rank_figures(records)] == ["d", "h", "e", "c", "g", "b", "f", "a"]
    assert rank_figures([]) == []
