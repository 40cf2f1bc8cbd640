"""Exports: every format is written, then read back with the tools a user would use."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

from geo.export import (
    EXPORT_FORMATS,
    MIME_TYPES,
    ExportFile,
    export_selection,
    table_csv,
    table_xlsx,
)
from geo.register import Register, read_source_dir
from geo.schema import VALUE_FIELDS
from tests.conftest import REGISTER_SRC

FORMATS = list(EXPORT_FORMATS)
GENERATED = "2026-11-22"
LINK = "https://atlas.example/?zone=kcn-alpha&lang=vi"
HOSTILE = '<img src=x onerror=alert(1)> & "quotes"'
HOSTILE_DOC = "Editors <script>alert(2)</script>"
DOC = "Test resolution 01-NQ/TEST"
CITE_I = f"{DOC}, Test committee, 2022-04-07, §I"
CITE_III3 = f"{DOC}, Test committee, 2022-04-07, §III.3"
CITE_PRESS = "Fixture press, KCN Atlas tests, 2026-11-22"
ZONE_IDS = ["ccn-gamma", "kcn-alpha", "kcn-beta", "kkt-test"]
PROJECT_IDS = ["port-test", "road-dike"]


def export(reg: Register, fmt: str, zones=None, projects=None, **kw: Any) -> ExportFile:
    zones = list(reg.zones["id"]) if zones is None else zones
    projects = list(reg.projects["id"]) if projects is None else projects
    kw.setdefault("generated", GENERATED)
    kw.setdefault("link", LINK)
    return export_selection(reg, zones, projects, fmt, **kw)


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    """Index by id, with shapely geometries in ``geometry`` (2-D)."""
    df = df.copy()
    if "wkt" in df.columns:
        df["geometry"] = [shapely.from_wkt(w) if isinstance(w, str) else None
                          for w in df["wkt"]]
    df["geometry"] = [None if g is None else shapely.force_2d(g) for g in df["geometry"]]
    return pd.DataFrame(df).set_index("id", drop=False)


def read_back(f: ExportFile, fmt: str, tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an export the way its users would; return (zones, projects)."""
    path = tmp_path / f.filename
    path.write_bytes(f.data)
    if fmt == "geojson":
        # GDAL would otherwise turn "2022-04-07" into a date field.
        both = gpd.read_file(path, engine="pyogrio", DATE_AS_STRING="YES")
        parts = [both[both["record_type"] == k] if len(both) else both
                 for k in ("zone", "project")]
    elif fmt == "gpkg":
        parts = [gpd.read_file(path, layer=layer) for layer in ("zones", "projects")]
    elif fmt == "kml":
        parts = [gpd.read_file(path, layer=layer).rename(columns={"Name": "name"})
                 for layer in ("zones", "projects")]
    elif fmt == "csv":
        both = pd.read_csv(io.BytesIO(f.data), encoding="utf-8-sig")
        parts = [both[both["record_type"] == k] for k in ("zone", "project")]
    else:
        parts = [pd.read_excel(io.BytesIO(f.data), sheet_name=s) for s in ("zones", "projects")]
    zones, projects = (_frame(p) for p in parts)
    return zones, projects


def value(frame: pd.DataFrame, row_id: str, col: str) -> Any:
    v = frame.loc[row_id, col]
    return None if pd.isna(v) else v


@pytest.fixture(scope="module")
def register() -> Register:
    """The fixture register, read once: exports never change it."""
    return read_source_dir(REGISTER_SRC)


@pytest.fixture(scope="module")
def hostile_register(register: Register) -> Register:
    """The fixture register with markup in a zone's and a project's name."""
    zones = register.zones.copy()
    zones.loc[zones["id"] == "ccn-gamma", ["name_vi", "name_en"]] = [HOSTILE, f"EN {HOSTILE}"]
    projects = register.projects.copy()
    projects.loc[projects["id"] == "port-test", "name_vi"] = HOSTILE
    sources = register.sources.copy()
    sources.loc[sources["source_id"] == "test-press", "document"] = HOSTILE_DOC
    return replace(register.with_zones(zones), projects=projects, sources=sources)


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_names_and_counts_come_back(register, tmp_path, fmt):
    f = export(register, fmt)
    zones, projects = read_back(f, fmt, tmp_path)
    assert list(zones["id"]) == ZONE_IDS
    assert list(projects["id"]) == PROJECT_IDS
    assert zones.loc["kcn-alpha", "name"] == "KCN Đình Vũ"
    assert zones.loc["kcn-alpha", "name_vi"] == "KCN Đình Vũ"
    assert zones.loc["kkt-test", "name"] == "KKT Đình Vũ – Cát Hải"
    assert projects.loc["road-dike", "name"] == "Tuyến đê biển Nam Đình Vũ"
    for name in [*zones["name"], *projects["name"]]:
        assert unicodedata.is_normalized("NFC", name)
    assert zones.loc["kcn-alpha", "kind_label"] == "Khu công nghiệp"
    assert zones.loc["kcn-alpha", "status_label"] == "Đang hoạt động"
    assert projects.loc["road-dike", "kind_label"] == "Đê biển"


@pytest.mark.parametrize("fmt", FORMATS)
def test_english_names_fall_back_to_vietnamese(register, tmp_path, fmt):
    zones, projects = read_back(export(register, fmt, lang="en"), fmt, tmp_path)
    assert zones.loc["kcn-alpha", "name"] == "Dinh Vu Industrial Zone"
    assert zones.loc["kcn-beta", "name"] == "KCN Nam Đình Vũ I"  # no English name
    assert zones.loc["kcn-beta", "status_label"] == "Under construction"
    assert projects.loc["port-test", "kind_label"] == "Seaport"


@pytest.mark.parametrize("fmt", FORMATS)
def test_numbers_stay_numbers(register, tmp_path, fmt):
    zones_in = register.zones.copy()
    zones_in.loc[zones_in["id"] == "kcn-alpha", ["year_established", "leased_ha"]] = [
        2008, 12.345678901234]
    f = export(register.with_zones(zones_in), fmt)
    zones, _ = read_back(f, fmt, tmp_path)
    for col in ("area_total_ha", "area_industrial_ha", "occupancy_pct", "leased_ha",
                "year_established"):
        assert pd.api.types.is_numeric_dtype(zones[col]), col
    assert zones.loc["kcn-alpha", "area_total_ha"] == 100
    assert zones.loc["kcn-alpha", "occupancy_pct"] == 50
    assert zones.loc["kcn-alpha", "leased_ha"] == 12.345678901234
    assert zones.loc["kcn-alpha", "year_established"] == 2008
    assert zones.loc["kkt-test", "area_total_ha"] == 22540
    assert value(zones, "ccn-gamma", "area_total_ha") is None
    assert value(zones, "ccn-gamma", "year_established") is None
    if fmt == "csv":  # a year is written as an integer
        assert ",2008," in f.data.decode("utf-8-sig")
    if fmt == "geojson":
        (alpha,) = [x for x in json.loads(f.data)["features"]
                    if x["properties"]["id"] == "kcn-alpha"]
        assert alpha["properties"]["year_established"] == 2008
        assert isinstance(alpha["properties"]["year_established"], int)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_names_its_source(register, tmp_path, fmt):
    zones, projects = read_back(export(register, fmt), fmt, tmp_path)
    alpha = {c: value(zones, "kcn-alpha", c) for c in (
        "source_id", "source_document", "source_issuer", "source_date", "source_section",
        "as_of")}
    assert alpha == {"source_id": "test-doc", "source_document": DOC,
                     "source_issuer": "Test committee", "source_date": "2022-04-07",
                     "source_section": "I", "as_of": "2022-04-07"}
    assert value(zones, "ccn-gamma", "source_document") == "Fixture press"
    assert value(zones, "ccn-gamma", "source_section") is None
    assert value(projects, "road-dike", "source_document") == DOC
    assert value(projects, "road-dike", "source_section") == "III.3"
    assert value(projects, "port-test", "source_section") == "III.9"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_cited_attribute_has_a_source_column(register, tmp_path, fmt):
    zones, _ = read_back(export(register, fmt), fmt, tmp_path)
    source_cols = {c for c in zones.columns if c.endswith("_source")}
    assert source_cols == {"status_source", "area_total_ha_source",
                           "area_industrial_ha_source", "occupancy_pct_source",
                           "parent_id_source", "district_source"}
    assert value(zones, "kcn-alpha", "area_total_ha_source") == CITE_I
    # A parent link and a district cite their own source, not the zone's document.
    assert value(zones, "kcn-beta", "parent_id_source") == CITE_III3
    assert value(zones, "kcn-alpha", "area_total_ha_tier") == "legal"
    assert value(zones, "ccn-gamma", "status_tier") == "press"
    assert value(zones, "kcn-beta", "status_source") == CITE_III3
    assert value(zones, "ccn-gamma", "status_source") == CITE_PRESS
    assert value(zones, "ccn-gamma", "occupancy_pct_source") is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_source_columns_only_for_fields_in_the_selection(register, tmp_path, fmt):
    zones, _ = read_back(export(register, fmt, zones=["ccn-gamma"]), fmt, tmp_path)
    assert {c for c in zones.columns if c.endswith("_source")} == {"status_source"}


@pytest.fixture(scope="module")
def precise_register(register: Register) -> Register:
    """The fixture register with every coordinate carrying 15 significant digits."""
    def shift(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        out = gdf.copy()
        out["geometry"] = shapely.transform(out.geometry.values, lambda c: c + 1.234567891e-7)
        return out

    return replace(register, zones=shift(register.zones), projects=shift(register.projects))


@pytest.mark.parametrize("fmt", FORMATS)
def test_geometries_survive(precise_register, tmp_path, fmt):
    zones, projects = read_back(export(precise_register, fmt), fmt, tmp_path)
    for original, back in ((precise_register.zones, zones),
                           (precise_register.projects, projects)):
        for row_id, geom in zip(original["id"], original.geometry, strict=True):
            got = back.loc[row_id, "geometry"]
            assert got.geom_type == geom.geom_type
            assert shapely.equals_exact(got.normalize(), geom.normalize(), tolerance=1e-9)


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv", "xlsx", "kml"])
def test_a_missing_geometry_is_still_exported(register, tmp_path, fmt):
    zones_in = register.zones.copy()
    zones_in.loc[zones_in["id"] == "kcn-beta", "geometry"] = None
    reg = register.with_zones(zones_in)
    zones, _ = read_back(export(reg, fmt), fmt, tmp_path)
    assert list(zones["id"]) == ZONE_IDS
    assert zones.loc["kcn-beta", "geometry"] is None
    if fmt in ("csv", "xlsx"):
        assert value(zones, "kcn-beta", "lon") is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_markup_in_names_survives_literally(hostile_register, tmp_path, fmt):
    zones, projects = read_back(export(hostile_register, fmt), fmt, tmp_path)
    assert zones.loc["ccn-gamma", "name"] == HOSTILE
    assert zones.loc["ccn-gamma", "name_vi"] == HOSTILE
    assert projects.loc["port-test", "name"] == HOSTILE
    assert zones.loc["ccn-gamma", "source_document"] == HOSTILE_DOC
    zones_en, _ = read_back(export(hostile_register, fmt, lang="en"), fmt, tmp_path)
    assert zones_en.loc["ccn-gamma", "name"] == f"EN {HOSTILE}"


def test_kml_is_well_formed_and_escapes_descriptions(hostile_register):
    # "]]>" would end a CDATA section early: GDAL's LIBKML driver breaks on it.
    zones = hostile_register.zones.copy()
    zones.loc[zones["id"] == "kcn-beta", "name_vi"] = "a ]]> b"
    reg = replace(hostile_register, zones=zones)
    kml = ET.fromstring(export(reg, "kml").data)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    doc = kml.find("k:Document", ns)
    assert doc.findtext("k:name", namespaces=ns) == "KCN Atlas"
    about = doc.findtext("k:description", namespaces=ns)
    assert GENERATED in about and DOC in about
    assert "zone=kcn-alpha&amp;lang=vi" in about  # HTML-escaped: viewers render HTML
    folders = {f.findtext("k:name", namespaces=ns): f for f in doc.findall("k:Folder", ns)}
    assert list(folders) == ["zones", "projects"]
    placemarks = {p.get("id"): p for p in folders["zones"].findall("k:Placemark", ns)}
    assert placemarks["ccn-gamma"].findtext("k:name", namespaces=ns) == HOSTILE
    assert placemarks["kcn-beta"].findtext("k:name", namespaces=ns) == "a ]]> b"
    summary = placemarks["kcn-alpha"].findtext("k:description", namespaces=ns)
    assert summary.splitlines() == [
        "Khu công nghiệp · Đang hoạt động",
        "Tổng diện tích (ha): 100",
        "Tỷ lệ lấp đầy (%): 50",
        f"Nguồn: {CITE_I}",
    ]
    gamma = placemarks["ccn-gamma"].findtext("k:description", namespaces=ns)
    assert "Editors &lt;script&gt;alert(2)&lt;/script&gt;" in gamma
    assert "Editors &lt;script&gt;" in about
    for p in kml.iter("{http://www.opengis.net/kml/2.2}description"):
        assert "<" not in p.text
    data = {d.get("name"): d.text for d in placemarks["ccn-gamma"].iter(
        "{http://www.opengis.net/kml/2.2}SimpleData")}
    assert data["source_document"] == HOSTILE_DOC  # ExtendedData is data, kept literal


def test_xlsx_cells_are_typed_and_the_sheet_is_tidy(hostile_register):
    zones = hostile_register.zones.copy()
    zones.loc[zones["id"] == "kcn-beta", "notes"] = "=HYPERLINK(\"http://evil\")"
    reg = replace(hostile_register, zones=zones)
    wb = openpyxl.load_workbook(io.BytesIO(export(reg, "xlsx").data))
    assert wb.sheetnames == ["zones", "projects", "sources", "about"]
    ws = wb["zones"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("id")].value: r for r in ws.iter_rows(min_row=2)}
    area = rows["kcn-alpha"][header.index("area_total_ha")]
    assert area.data_type == "n" and isinstance(area.value, int | float) and area.value == 100
    assert rows["ccn-gamma"][header.index("area_total_ha")].value is None
    notes = rows["kcn-beta"][header.index("notes")]
    assert notes.data_type == "s" and notes.value == "=HYPERLINK(\"http://evil\")"
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert 8 <= ws.column_dimensions["A"].width <= 62
    for sheet in wb:
        for row in sheet.iter_rows():
            assert not any(c.value in ("nan", "None", "NaN") for c in row)
    about = {r[0].value: r[1].value for r in wb["about"].iter_rows(min_row=2)}
    assert about["generated"] == GENERATED and about["link"] == LINK
    assert about["zones"] == 4 and about["projects"] == 2
    assert about["area_total_ha"] == "Tổng diện tích (ha)"
    assert "area_total_ha" in about["area_total_ha_source"]
    sources = pd.read_excel(io.BytesIO(export(reg, "xlsx").data), sheet_name="sources")
    assert list(sources["source_id"]) == ["test-doc", "test-press"]


def test_csv_has_a_bom_empty_missing_values_and_crlf(register):
    data = export(register, "csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    raw = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert not raw.isin(["nan", "NaN", "None", "<NA>"]).any().any()
    alpha = raw[raw["id"] == "kcn-alpha"].iloc[0]
    assert float(alpha["area_total_ha"]) == 100
    assert alpha["district"] == "Hải An"
    gamma = raw[raw["id"] == "ccn-gamma"].iloc[0]
    assert gamma["area_total_ha"] == "" and gamma["parent_id"] == ""
    # lon/lat: a point inside the polygon, the one shapely's representative_point gives
    alpha_geom = register.zones.set_index("id").geometry["kcn-alpha"]
    inside = Point(float(alpha["lon"]), float(alpha["lat"]))
    assert inside.equals(alpha_geom.representative_point())
    assert raw[raw["record_type"] == "project"]["area_total_ha"].eq("").all()


def test_geojson_names_generated_link_and_exactly_the_cited_sources(register):
    doc = json.loads(export(register, "geojson", zones=["kcn-alpha"],
                            projects=[]).data)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    meta = doc["kcn_atlas"]
    assert meta["generated"] == GENERATED and meta["link"] == LINK
    assert meta["sources"] == [{"source_id": "test-doc", "document": DOC,
                                "issuer": "Test committee", "date": "2022-04-07",
                                "file": "test.txt"}]
    (feature,) = doc["features"]
    assert feature["properties"]["record_type"] == "zone"
    assert feature["properties"]["year_established"] is None  # null, never NaN
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == [106.75, 20.83]  # longitude first
    assert shapely.Polygon(ring).exterior.is_ccw  # RFC 7946 winding

    gamma = json.loads(export(register, "geojson", zones=["ccn-gamma"],
                              projects=[], link=None).data)["kcn_atlas"]
    assert [s["source_id"] for s in gamma["sources"]] == ["test-press"]
    assert gamma["link"] is None
    every = json.loads(export(register, "geojson").data)
    assert [s["source_id"] for s in every["kcn_atlas"]["sources"]] == ["test-doc",
                                                                       "test-press"]
    assert [f["properties"]["record_type"] for f in every["features"]] == (
        ["zone"] * 4 + ["project"] * 2)


def test_geojson_cites_sources_named_only_by_an_attribute(register):
    values = register.zone_values.copy()
    values.loc[(values["zone_id"] == "kcn-alpha") & (values["field"] == "status"),
               "source_id"] = "test-press"
    reg = replace(register, zone_values=values)
    meta = json.loads(export(reg, "geojson", zones=["kcn-alpha"], projects=[]).data)
    assert [s["source_id"] for s in meta["kcn_atlas"]["sources"]] == ["test-doc",
                                                                      "test-press"]


def test_gpkg_carries_sources_and_export_info(register, tmp_path):
    path = tmp_path / "x.gpkg"
    path.write_bytes(export(register, "gpkg", zones=["kcn-beta"],
                            projects=["road-dike"], lang="en").data)
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"zones": "Point", "projects": "LineString", "sources": None,
                      "export_info": None}
    sources = pyogrio.read_dataframe(path, layer="sources")
    assert list(sources["source_id"]) == ["test-doc"]
    info = pyogrio.read_dataframe(path, layer="export_info").iloc[0]
    assert (info["generated"], info["link"], info["language"]) == (GENERATED, LINK, "en")
    assert (info["zones"], info["projects"], info["sources"]) == (1, 1, 1)
    mixed = tmp_path / "mixed.gpkg"
    mixed.write_bytes(export(register, "gpkg").data)
    assert dict(pyogrio.list_layers(mixed))["zones"] == "Unknown"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_selection_gives_a_readable_empty_file(register, tmp_path, fmt):
    f = export(register, fmt, zones=[], projects=[])
    path = tmp_path / f.filename
    path.write_bytes(f.data)
    if fmt == "geojson":
        doc = json.loads(f.data)
        assert doc["features"] == [] and doc["kcn_atlas"]["sources"] == []
        assert len(gpd.read_file(path)) == 0
    elif fmt in ("gpkg", "kml"):
        for layer in ("zones", "projects"):
            assert len(gpd.read_file(path, layer=layer)) == 0
    elif fmt == "csv":
        table = pd.read_csv(path, encoding="utf-8-sig")
        assert len(table) == 0 and "record_type" in table.columns
    else:
        sheets = pd.read_excel(path, sheet_name=None)
        assert len(sheets["zones"]) == 0 and len(sheets["projects"]) == 0
        assert "id" in sheets["zones"].columns


@pytest.mark.parametrize("fmt", FORMATS)
def test_filename_and_mime(register, fmt):
    f = export(register, fmt)
    assert f.filename == f"kcn-atlas-{GENERATED}.{fmt}"
    assert f.mime == MIME_TYPES[fmt]
    assert isinstance(f.data, bytes) and f.data


def test_generated_defaults_to_today(register):
    from geo.i18n import local_today

    # Today as in Vietnam (GMT+7), whatever the server's clock zone.
    f = export_selection(register, [], [], "geojson")
    assert f.filename == f"kcn-atlas-{local_today().isoformat()}.geojson"


def test_selection_order_and_duplicates_do_not_matter(register):
    a = export(register, "geojson")
    b = export(register, "geojson", zones=ZONE_IDS[::-1] + ZONE_IDS,
               projects=PROJECT_IDS[::-1])
    assert a.data == b.data


def test_formats_and_writers_agree():
    assert tuple(MIME_TYPES) == EXPORT_FORMATS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fmt": "shp"}, "geojson, gpkg, csv, xlsx, kml"),
        ({"fmt": "kml", "lang": "fr"}, "vi, en"),
        ({"fmt": "csv", "generated": "22/11/2026"}, "ISO date"),
        ({"fmt": "csv", "zone_ids": ["kcn-alpha", "kcn-nowhere"]}, "kcn-nowhere"),
        ({"fmt": "csv", "project_ids": ["no-such-road"]}, "no-such-road"),
    ],
)
def test_bad_arguments_raise_value_error(register, kwargs, message):
    args = {"zone_ids": [], "project_ids": [], **kwargs}
    with pytest.raises(ValueError, match=message):
        export_selection(register, args.pop("zone_ids"), args.pop("project_ids"),
                         args.pop("fmt"), **args)


def test_a_lone_id_string_is_refused(register):
    with pytest.raises(TypeError):
        export_selection(register, "kcn-alpha", [], "csv")


@pytest.fixture(scope="module")
def bundled() -> Register:
    return read_source_dir()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bundled_register_exports_every_record(bundled, tmp_path, fmt):
    f = export(bundled, fmt, lang="en")
    zones, projects = read_back(f, fmt, tmp_path)
    assert sorted(zones["id"]) == sorted(bundled.zones["id"])
    assert sorted(projects["id"]) == sorted(bundled.projects["id"])
    assert len(zones) == len(bundled.zones) and len(projects) == len(bundled.projects)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_about_sheet_explains_every_column(bundled, lang):
    sheets = pd.read_excel(io.BytesIO(export(bundled, "xlsx", lang=lang).data), sheet_name=None)
    about = dict(zip(sheets["about"]["item"], sheets["about"]["value"], strict=True))
    for sheet in ("zones", "projects"):
        for col in sheets[sheet].columns:
            assert isinstance(about.get(col), str) and about[col], (sheet, col)


# --- CSV injection and null bytes ---------------------------------------------------------

FORMULAS = ("=HYPERLINK(\"http://evil\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
            "\t=1+1", "\r=1+1")
_NUMERIC_CSV = {"lon", "lat"} | {f for f, kind in VALUE_FIELDS.items() if kind in (float, int)}
_CONSTANT_TEXT = {"record_type", "wkt"}  # written by the export itself, never from the data


@pytest.fixture(scope="module")
def formula_register(register: Register) -> Register:
    """Every text value of every zone, project and source starts like a formula."""
    def poison(frame: pd.DataFrame, skip: set[str]) -> pd.DataFrame:
        frame = frame.copy()
        for k, col in enumerate(frame.columns):
            if col in skip or col == "geometry" or frame[col].dtype != object:
                continue
            frame[col] = [FORMULAS[(k + i) % len(FORMULAS)] + ("" if v is None else str(v))
                          for i, v in enumerate(frame[col])]
        return frame

    # Ids and source ids link the tables: they keep their values (a hostile id is
    # exported as any other text, and tested below through the other columns).
    zones = poison(register.zones, {"id", "source_id", "parent_id"})
    zones.loc[zones["id"] == "kcn-alpha", "area_total_ha"] = -5.0  # a negative number
    projects = poison(register.projects, {"id", "source_id", "serves"})
    sources = poison(register.sources, {"source_id"})
    values = poison(register.zone_values, {"zone_id", "source_id", "field", "value",
                                           "value_max", "comparison"})
    return replace(register, zones=zones, projects=projects, sources=sources,
                   zone_values=values)


def test_csv_neutralises_every_text_cell_a_spreadsheet_would_run(formula_register):
    data = export(formula_register, "csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    header, body = rows[0], rows[1:]
    hit: set[str] = set()
    for row in body:
        for col, cell in zip(header, row, strict=True):
            if col in _NUMERIC_CSV:
                assert cell == "" or float(cell) == float(cell), (col, cell)
                continue
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (col, cell)
            if cell.startswith("'") and cell[1:].startswith(("=", "+", "-", "@", "\t", "\r")):
                hit.add(col)
    text_columns = set(header) - _NUMERIC_CSV - _CONSTANT_TEXT
    # Every text column carried a formula from the data, and each was neutralised.
    assert text_columns - hit <= {"id", "source_id", "parent_id", "serves"}
    assert {"name", "name_vi", "notes", "source_document", "kind_label"} <= hit
    alpha = next(r for r in body if r[header.index("id")] == "kcn-alpha")
    assert alpha[header.index("area_total_ha")] == "-5.0"  # numbers stay numbers


def test_csv_neutralises_ids_too():
    frame = pd.DataFrame({"id": ["=1+1", "kcn-a"], "n": [-1.5, 2.0], "y": pd.array([-3, None],
                                                                               dtype="Int64")})
    rows = list(csv.reader(io.StringIO(table_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows == [["id", "n", "y"], ["'=1+1", "-1.5", "-3"], ["kcn-a", "2.0", ""]]


@pytest.mark.parametrize("value", FORMULAS)
def test_the_dashboards_tables_are_safe_in_csv_and_excel(value):
    frame = pd.DataFrame({"Khu": [value, "KCN Đình Vũ"], "ha": [-12.5, 100.0]})
    rows = list(csv.reader(io.StringIO(table_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + value, "-12.5"]
    ws = openpyxl.load_workbook(io.BytesIO(table_xlsx(frame, "zones"))).active
    assert ws["A2"].data_type == "s" and ws["A2"].value.strip() == value.strip()
    assert ws["B2"].data_type == "n" and ws["B2"].value == -12.5


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_null_byte_is_dropped_never_cuts_the_text(register, tmp_path, fmt):
    zones = register.zones.copy()
    zones.loc[zones["id"] == "kcn-alpha", "name_vi"] = "KCN Đình\x00 Vũ"
    reg = replace(register, zones=zones)
    f = export(reg, fmt)
    if fmt in ("geojson", "csv", "kml"):  # text formats: not even escaped
        assert b"\x00" not in f.data and b"\\u0000" not in f.data
    zones_back, _ = read_back(f, fmt, tmp_path)
    assert value(zones_back, "kcn-alpha", "name_vi") == "KCN Đình Vũ"
