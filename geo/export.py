"""Exports of the zones and projects a user sees: GeoJSON, GeoPackage, CSV, Excel and KML.

:func:`export_selection` turns a selection of the register into the bytes of
one file; it never touches a path the caller gives and never imports Streamlit,
so the app only has to offer the bytes for download.

Every format carries the same attribute table. Each row names its source in
plain columns (``source_document``, ``source_issuer``, ``source_date``,
``source_section``, ``as_of``), and each zone attribute with a citation of its
own in ``zone_values`` gets a ``<field>_source`` column holding that citation
on one line. ``name``, ``kind_label`` and ``status_label`` are in the export's
language. Numbers stay numbers, text stays Unicode NFC, and a missing value is
empty (JSON ``null``, SQL ``NULL``, an empty CSV field or Excel cell), never
"nan" or "None". The XML formats (Excel, KML) drop the control characters
XML 1.0 cannot hold, and every format drops null bytes (GDAL would cut the text
short at one). In CSV, a text cell a spreadsheet would run as a formula (it
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading ``'``, as the OWASP guidance on CSV injection says; numbers stay
numbers. Nothing else in the text is changed.

:func:`table_csv` and :func:`table_xlsx` give any table (the dashboard's) the
same protection.
"""

from __future__ import annotations

import html
import io
import json
import math
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry, BaseMultipartGeometry

from geo.analysis import citation
from geo.crs import STORE_CRS
from geo.i18n import LABELS, local_today, number, project_name, t, zone_name
from geo.register import Register, ordered_values
from geo.schema import PROJECT_COLUMNS, SOURCE_COLUMNS, VALUE_FIELDS, ZONE_COLUMNS
from geo.text import nfc

__all__ = ["EXPORT_FORMATS", "ExportFile", "export_selection", "neutralise", "table_csv",
           "table_xlsx"]

EXPORT_FORMATS: tuple[str, ...] = ("geojson", "gpkg", "csv", "xlsx", "kml")

LANGS: tuple[str, ...] = ("vi", "en")

MIME_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",  # RFC 7946
    "gpkg": "application/geopackage+sqlite3",  # OGC's registered type
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "kml": "application/vnd.google-earth.kml+xml",
}

# Excel refuses longer text in a cell (it "repairs" the workbook, dropping data).
EXCEL_CELL_LIMIT = 32_767

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"

# The keys GeoJSON's ``kcn_atlas.sources`` gives for each cited source.
GEOJSON_SOURCE_KEYS = ("source_id", "document", "issuer", "date", "file")

_SOURCE_INFO = ["source_document", "source_issuer", "source_date", "source_tier",
                "source_section", "as_of"]
_ZONE_EXPORT = [
    "record_type", "id", "name", "kind", "kind_label", "name_vi", "name_en", "parent_id",
    "province", "province_current", "district", "commune", "status", "status_label",
    "area_total_ha", "area_industrial_ha", "leased_ha", "occupancy_pct", "year_established",
    "plan_period", "developer", "sectors", "kcn_count", "geometry_quality", "source_id",
    *_SOURCE_INFO,
    "notes",
]
_PROJECT_EXPORT = [
    "record_type", "id", "name", "kind", "kind_label", "name_vi", "name_en", "status",
    "status_label", "period", "serves", "province", "geometry_quality", "source_id",
    *_SOURCE_INFO, "quote", "notes",
]
_INT_COLUMNS = [f for f, kind in VALUE_FIELDS.items() if kind is int]  # all exported
_FLOAT_COLUMNS = [f for f, kind in VALUE_FIELDS.items() if kind is float]
_GEOMETRY_TEXT = ["wkt", "lon", "lat"]

# What each column means, one line per language: the Excel ``about`` sheet.
COLUMN_HELP: dict[str, dict[str, str]] = {
    "record_type": {"vi": "zone (khu) hoặc project (công trình hạ tầng)",
                    "en": "zone or project (infrastructure project)"},
    "id": {"vi": "Mã định danh ổn định của bản ghi", "en": "Stable identifier of the record"},
    "name": {"vi": "Tên theo ngôn ngữ của tệp (tên tiếng Việt nếu thiếu bản dịch)",
             "en": "Name in the export's language (the Vietnamese name when untranslated)"},
    "kind": {"vi": "Mã loại: KKT, KCN, CCN với khu; expressway, seaport… với công trình",
             "en": "Kind code: KKT, KCN, CCN for zones; expressway, seaport… for projects"},
    "kind_label": {"vi": "Loại, bằng chữ", "en": "Kind in words"},
    "name_vi": {"vi": "Tên tiếng Việt", "en": "Vietnamese name"},
    "name_en": {"vi": "Tên tiếng Anh", "en": "English name"},
    "parent_id": {"vi": "Mã khu kinh tế chứa khu này", "en": "id of the economic zone it lies in"},
    "province": {"vi": "Tỉnh/thành phố theo văn bản nguồn",
                 "en": "Province as named in the source"},
    "province_current": {"vi": "Tỉnh/thành phố hiện nay (sau sáp nhập 2025)",
                         "en": "Province today (after the 2025 merger)"},
    "district": {"vi": "Quận/huyện (theo nguồn, trước 01/07/2025)",
                 "en": "District (as the source names it, before 1 July 2025)"},
    "commune": {"vi": "Xã/phường", "en": "Commune or ward"},
    "kcn_count": {"vi": "Số KCN trong khu kinh tế theo nguồn",
                  "en": "Number of KCN in the economic zone, per its source"},
    "source_tier": {"vi": "Cấp độ nguồn: legal (văn bản pháp lý), official (cơ quan nhà nước), "
                          "press (báo chí), developer (chủ đầu tư), editors (biên tập viên)",
                    "en": "Source tier: legal (legal document), official (an authority), "
                          "press, developer, editors (atlas editors' placement)"},
    "status": {"vi": "Mã hiện trạng: operating, under_construction, planned, proposed",
               "en": "Status code: operating, under_construction, planned, proposed"},
    "status_label": {"vi": "Hiện trạng, bằng chữ", "en": "Status in words"},
    "area_total_ha": {"vi": "Tổng diện tích (ha)", "en": "Total area (hectares)"},
    "area_industrial_ha": {"vi": "Diện tích đất công nghiệp (ha)",
                           "en": "Industrial land (hectares)"},
    "leased_ha": {"vi": "Diện tích đã cho thuê (ha)", "en": "Land leased (hectares)"},
    "occupancy_pct": {"vi": "Tỷ lệ lấp đầy (%)", "en": "Occupancy (percent)"},
    "year_established": {"vi": "Năm thành lập", "en": "Year established"},
    "plan_period": {"vi": "Kỳ quy hoạch", "en": "Plan period"},
    "developer": {"vi": "Chủ đầu tư hạ tầng", "en": "Infrastructure developer"},
    "sectors": {"vi": "Ngành nghề ưu tiên", "en": "Priority sectors"},
    "geometry_quality": {"vi": "Độ tin cậy của vị trí: surveyed (đo đạc), digitised (số hoá "
                               "từ bản vẽ), approximate (gần đúng)",
                         "en": "How far the location can be trusted: surveyed, digitised "
                               "(from a plan drawing) or approximate"},
    "source_id": {"vi": "Mã văn bản nguồn của bản ghi (xem trang sources)",
                  "en": "id of the record's source (see the sources sheet)"},
    "source_document": {"vi": "Tên văn bản nguồn", "en": "Title of the source document"},
    "source_issuer": {"vi": "Cơ quan ban hành văn bản nguồn", "en": "Issuer of the source"},
    "source_date": {"vi": "Ngày của văn bản nguồn", "en": "Date of the source"},
    "source_section": {"vi": "Mục của văn bản nêu bản ghi",
                       "en": "Section of the source that states the record"},
    "as_of": {"vi": "Thời điểm của thông tin", "en": "Date the information refers to"},
    "notes": {"vi": "Ghi chú của người biên tập", "en": "Editors' notes"},
    "period": {"vi": "Thời gian thực hiện công trình", "en": "Period of the project"},
    "serves": {"vi": "Mã các khu mà công trình phục vụ, cách nhau bởi “;”",
               "en": "ids of the zones the project serves, separated by “;”"},
    "quote": {"vi": "Trích dẫn nguyên văn từ văn bản nguồn", "en": "The source's own words"},
    "wkt": {"vi": "Hình dạng (WKT, kinh độ/vĩ độ WGS 84); để trống nếu quá dài cho một ô "
                  "Excel: dùng GeoPackage hoặc GeoJSON",
            "en": "Geometry as WKT (WGS 84 longitude/latitude); empty when too long for an "
                  "Excel cell: use GeoPackage or GeoJSON"},
    "lon": {"vi": "Kinh độ của một điểm nằm trong hình (WGS 84)",
            "en": "Longitude of a point inside the geometry (WGS 84)"},
    "lat": {"vi": "Vĩ độ của một điểm nằm trong hình (WGS 84)",
            "en": "Latitude of a point inside the geometry (WGS 84)"},
}

# The export's own phrases (metadata rows, the KML document description).
_TEXT: dict[str, dict[str, str]] = {
    "generated": {"vi": "Ngày xuất", "en": "Generated"},
    "link": {"vi": "Xem trực tuyến", "en": "Live view"},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "zones": {"vi": "Số khu", "en": "Zones"},
    "projects": {"vi": "Số công trình hạ tầng", "en": "Infrastructure projects"},
    "sources": {"vi": "Văn bản nguồn", "en": "Sources"},
    "empty": {"vi": "Ô trống: chưa có số liệu", "en": "An empty cell: the value is not known"},
    "field_source": {"vi": "Nguồn của cột {field}: văn bản, cơ quan ban hành, ngày, §mục",
                     "en": "Source of {field}: document, issuer, date, §section"},
    "field_tier": {"vi": "Cấp độ nguồn của cột {field} (xem source_tier)",
                   "en": "Tier of the source of {field} (see source_tier)"},
}


@dataclass(frozen=True)
class ExportFile:
    """One exported file, ready to offer for download."""

    data: bytes
    filename: str  # e.g. "kcn-atlas-2026-11-22.geojson"
    mime: str


@dataclass(frozen=True)
class _Selection:
    """The exported rows as tables, shared by every format."""

    zones: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    sources: pd.DataFrame  # the cited sources, SOURCE_COLUMNS
    generated: str
    link: str | None
    lang: str


def export_selection(
    register: Register,
    zone_ids: Sequence[str],
    project_ids: Sequence[str],
    fmt: str,
    *,
    lang: str = "vi",
    link: str | None = None,
    generated: str | None = None,
) -> ExportFile:
    """Export the selected zones and projects, with their sources, as one file.

    Rows come in the register's order (by id), zones before projects, whatever
    the order of the ids given; an empty selection gives a valid file with no
    features.

    Parameters
    ----------
    register
        The register the ids refer to.
    zone_ids, project_ids
        Ids of the zones and projects the user sees; duplicates are ignored.
    fmt
        One of :data:`EXPORT_FORMATS`:

        ``geojson``
            One RFC 7946 FeatureCollection (WGS 84 longitude/latitude, polygon
            rings counter-clockwise), zones then projects, told apart by the
            property ``record_type``. The top-level member ``kcn_atlas`` holds
            ``generated``, ``link`` and ``sources`` (the cited sources only).
        ``gpkg``
            GeoPackage with the layers ``zones`` and ``projects`` and the
            tables ``sources`` and ``export_info`` (one row: generated, link,
            language, zone and project counts).
        ``csv``
            One table, zones then projects, with ``record_type``; the geometry
            as ``wkt`` plus ``lon``/``lat`` of a point inside it. UTF-8 with a
            byte-order mark, so that Excel opens Vietnamese text correctly;
            CRLF line ends (RFC 4180). A text cell starting with ``=``, ``+``,
            ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that
            no spreadsheet runs it as a formula; numbers stay numbers.
        ``xlsx``
            Sheets ``zones``, ``projects``, ``sources`` and ``about``
            (generated, link, one line on each column). Numbers are numeric
            cells; text is always a text cell, never a formula. ``wkt`` is
            empty where it would exceed Excel's 32,767 characters per cell.
        ``kml``
            KML 2.2 for Google Earth: one Document "KCN Atlas" whose
            description lists the generated date, the link and the cited
            sources; one Folder per record type (``zones``, ``projects``); a
            Placemark per row, named by ``name``, with the record id as its
            XML id, a short plain-text summary as description (kind, status,
            area, occupancy, source) and the other columns as typed
            ExtendedData (SchemaData). Descriptions are HTML escaped, since
            KML viewers render them as HTML; GDAL reads the file back with
            its LIBKML driver.
    lang
        Language of ``name``, the labels and the metadata: "vi" or "en".
    link
        Address of the live view of this selection, named in the file.
    generated
        ISO date of the export (``YYYY-MM-DD``); today by default.

    Returns
    -------
    ExportFile
        The bytes, a file name ``kcn-atlas-<generated>.<fmt>`` and the MIME type.

    Raises
    ------
    ValueError
        If ``fmt`` or ``lang`` is not supported, ``generated`` is not an ISO
        date, or an id is not in the register.
    TypeError
        If ``zone_ids`` or ``project_ids`` is a single string.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(
            f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}"
        )
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
    try:
        day = local_today() if generated is None else date.fromisoformat(generated)
    except ValueError:
        raise ValueError(f"generated must be an ISO date (YYYY-MM-DD), not {generated!r}") from None
    selection = _select(register, zone_ids, project_ids, lang, link, day.isoformat())
    return ExportFile(
        data=writer(selection),
        filename=f"kcn-atlas-{day.isoformat()}.{fmt}",
        mime=MIME_TYPES[fmt],
    )


# --- building the tables ---------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _text(value: Any) -> str | None:
    # A null byte would end the text in GDAL (GeoPackage) and C readers: drop it.
    return None if _missing(value) else nfc(str(value)).replace("\x00", "")


def _label(prefix: str, value: str | None, lang: str) -> str | None:
    """Return the label of a vocabulary value; the value itself when it has none."""
    if value is None:
        return None
    key = f"{prefix}.{value}"
    return t(key, lang) if key in LABELS else value


class _Citations:
    """One-line citations, looked up once per source and section."""

    def __init__(self, register: Register) -> None:
        self._register = register
        self._cache: dict[tuple[str | None, str | None], dict[str, Any]] = {}
        self.cited: set[str] = set()

    def record(self, source_id: str | None, section: str | None) -> dict[str, Any]:
        key = (source_id, section)
        if key not in self._cache:
            self._cache[key] = citation(self._register, source_id, section)
        if source_id is not None:
            self.cited.add(source_id)
        return self._cache[key]

    def line(self, source_id: str | None, section: str | None) -> str | None:
        """Return "document, issuer, date, §section", or None without a source."""
        if source_id is None:
            return None
        cite = self.record(source_id, section)
        return _citation_line(source_id, cite["document"], cite["issuer"], cite["date"], section)


def _citation_line(source_id: str | None, document: str | None, issuer: str | None,
                   day: str | None, section: str | None) -> str | None:
    """Return "document, issuer, date, §section" (the id when the document is unknown)."""
    parts = [document or source_id, issuer, day, f"§{section}" if section else None]
    return ", ".join(p for p in parts if p) or None


def _pick(frame: gpd.GeoDataFrame, ids: Sequence[str], what: str) -> gpd.GeoDataFrame:
    if isinstance(ids, str):  # a lone id would otherwise be read letter by letter
        raise TypeError(f"{what} ids must be a sequence of ids, not a string")
    wanted = set(ids)
    unknown = sorted(wanted - set(frame["id"]))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise ValueError(f"{len(unknown)} {what} ids are not in the register: {shown}")
    return frame[frame["id"].isin(wanted)].sort_values("id", kind="stable")


def _typed_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Build a frame whose text columns keep None (object), numbers float and years Int64."""
    data: dict[str, pd.Series] = {}
    for col in columns:
        values: list[Any] = [row.get(col) for row in rows]
        if col in _FLOAT_COLUMNS:
            data[col] = pd.Series([np.nan if _missing(v) else float(v) for v in values],
                                  dtype="float64")
        elif col in _INT_COLUMNS:
            data[col] = pd.Series([pd.NA if _missing(v) else round(float(v)) for v in values],
                                  dtype="Int64")
        else:
            # An explicit object dtype: pandas 3 would infer "str" and turn None into NaN.
            data[col] = pd.Series([_text(v) for v in values], dtype=object)
    return pd.DataFrame(data, columns=columns)


def _geo(frame: pd.DataFrame, geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry=np.asarray(geometry.values), crs=STORE_CRS)


def _describe(row: dict[str, Any], record_type: str, name: str, kind_vocab: str, lang: str,
              cites: _Citations) -> None:
    """Add the columns every exported record has: type, name, labels and its source."""
    cite = cites.record(row["source_id"], row["source_section"])
    row.update(
        record_type=record_type,
        name=name,
        kind_label=_label(kind_vocab, row["kind"], lang),
        status_label=_label("status", row["status"], lang),
        source_document=cite["document"],
        source_issuer=cite["issuer"],
        source_date=cite["date"],
        source_tier=cite.get("tier"),
    )


def _zone_table(register: Register, zones: gpd.GeoDataFrame, lang: str,
                cites: _Citations) -> gpd.GeoDataFrame:
    values = ordered_values(register.zone_values, register.sources)
    values = values[values["chosen"] & values["zone_id"].isin(set(zones["id"]))
                    & values["field"].isin(list(VALUE_FIELDS))]
    value_source: dict[tuple[str, str], str | None] = {
        (v.zone_id, v.field): cites.line(v.source_id, v.source_section)
        for v in values.itertuples(index=False)
    }
    value_tier = {(v.zone_id, v.field): v.tier for v in values.itertuples(index=False)}
    fields = [f for f in VALUE_FIELDS if f in set(values["field"])]
    rows = []
    for rec in pd.DataFrame(zones.drop(columns=zones.geometry.name)).to_dict("records"):
        row = {c: rec.get(c) for c in ZONE_COLUMNS}
        row = {k: None if _missing(v) else v for k, v in row.items()}
        _describe(row, "zone", zone_name(row, lang), "kind", lang, cites)
        for field in fields:
            row[f"{field}_source"] = value_source.get((row["id"], field))
            row[f"{field}_tier"] = value_tier.get((row["id"], field))
        rows.append(row)
    columns = _ZONE_EXPORT + [c for f in fields for c in (f"{f}_source", f"{f}_tier")]
    return _geo(_typed_frame(rows, columns), zones.geometry)


def _project_table(projects: gpd.GeoDataFrame, lang: str,
                   cites: _Citations) -> gpd.GeoDataFrame:
    rows = []
    for rec in pd.DataFrame(projects.drop(columns=projects.geometry.name)).to_dict("records"):
        row = {c: None if _missing(rec.get(c)) else rec.get(c) for c in PROJECT_COLUMNS}
        _describe(row, "project", project_name(row, lang), "pkind", lang, cites)
        rows.append(row)
    return _geo(_typed_frame(rows, _PROJECT_EXPORT), projects.geometry)


def _select(register: Register, zone_ids: Sequence[str], project_ids: Sequence[str],
            lang: str, link: str | None, generated: str) -> _Selection:
    cites = _Citations(register)
    zones = _zone_table(register, _pick(register.zones, zone_ids, "zone"), lang, cites)
    projects = _project_table(_pick(register.projects, project_ids, "project"), lang, cites)
    src = register.sources
    src = src[src["source_id"].isin(cites.cited)].sort_values("source_id", kind="stable")
    sources = _typed_frame(pd.DataFrame(src).to_dict("records"), SOURCE_COLUMNS)
    return _Selection(zones=zones, projects=projects, sources=sources,
                      generated=generated, link=link, lang=lang)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return rows as plain Python values: None for missing, int, float or str."""
    out = []
    for rec in frame.to_dict("records"):
        out.append({k: _plain(v) for k, v in rec.items()})
    return out


def _plain(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attributes(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))


def _geometry_type(geoms: gpd.GeoSeries) -> str:
    """Return the one geometry type of a layer, or "Unknown" when mixed or empty."""
    kinds = set(geoms[geoms.notna()].geom_type)
    return kinds.pop() if len(kinds) == 1 else "Unknown"


def _with_geometry_text(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the attributes plus ``wkt`` and ``lon``/``lat`` of a point inside each shape."""
    geoms = np.asarray(gdf.geometry.values)
    inside = shapely.point_on_surface(geoms)  # the same point as representative_point()
    out = _attributes(gdf)
    # rounding_precision=-1: every digit, so that the geometry survives the round trip.
    out["wkt"] = pd.Series(list(shapely.to_wkt(geoms, rounding_precision=-1)), dtype=object,
                           index=out.index)
    out["lon"] = shapely.get_x(inside)
    out["lat"] = shapely.get_y(inside)
    return out


def _union_columns(frames: Iterable[pd.DataFrame]) -> list[str]:
    columns: list[str] = []
    for frame in frames:
        columns += [c for c in frame.columns if c not in columns and c not in _GEOMETRY_TEXT]
    return columns + _GEOMETRY_TEXT


def _phrase(key: str, lang: str, **values: str) -> str:
    text = _TEXT[key][lang]
    return text.format(**values) if values else text


# --- writers ---------------------------------------------------------------------------


def _geojson(sel: _Selection) -> bytes:
    features = []
    for gdf in (sel.zones, sel.projects):
        # RFC 7946 wants exterior rings counter-clockwise and holes clockwise.
        geoms = shapely.orient_polygons(np.asarray(gdf.geometry.values))
        for props, geom in zip(_records(_attributes(gdf)), geoms, strict=True):
            features.append({
                "type": "Feature",
                "geometry": None if geom is None else mapping(geom),
                "properties": props,
            })
    sources = [{k: rec[k] for k in GEOJSON_SOURCE_KEYS} for rec in _records(sel.sources)]
    doc = {
        "type": "FeatureCollection",
        "kcn_atlas": {"generated": sel.generated, "link": sel.link, "sources": sources},
        "features": features,
    }
    # allow_nan=False: a NaN that slipped past _plain would make invalid JSON.
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _export_info(sel: _Selection) -> pd.DataFrame:
    return pd.DataFrame({
        "generated": pd.Series([sel.generated], dtype=object),
        "link": pd.Series([sel.link], dtype=object),
        "language": pd.Series([sel.lang], dtype=object),
        "zones": pd.Series([len(sel.zones)], dtype="int64"),
        "projects": pd.Series([len(sel.projects)], dtype="int64"),
        "sources": pd.Series([len(sel.sources)], dtype="int64"),
    })


def _gpkg(sel: _Selection) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kcn-atlas-export-") as tmp:
        path = Path(tmp) / "export.gpkg"
        for name, gdf in (("zones", sel.zones), ("projects", sel.projects)):
            pyogrio.write_dataframe(
                gdf, path, layer=name, driver="GPKG",
                geometry_type=_geometry_type(gdf.geometry),
                layer_options={"DESCRIPTION": f"KCN Atlas {name}, {sel.generated}"},
            )
        pyogrio.write_dataframe(sel.sources, path, layer="sources", driver="GPKG")
        pyogrio.write_dataframe(_export_info(sel), path, layer="export_info", driver="GPKG")
        return path.read_bytes()


def _csv(sel: _Selection) -> bytes:
    parts = [_with_geometry_text(sel.zones), _with_geometry_text(sel.projects)]
    columns = _union_columns(parts)
    table = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    for col in _INT_COLUMNS:  # projects lack them, and the concat made them floats
        table[col] = table[col].astype("Int64")
    return table_csv(table)


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Return text a spreadsheet would run as a formula with a leading ``'``; else as is.

    >>> neutralise('=HYPERLINK("http://x")'), neutralise("-5"), neutralise(-5.0)
    ('\'=HYPERLINK("http://x")', "'-5", -5.0)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def table_csv(frame: pd.DataFrame) -> bytes:
    """Return a table as CSV a spreadsheet opens safely: UTF-8 with BOM, CRLF.

    Every text cell (and header) that a spreadsheet would run as a formula is
    neutralised (:func:`neutralise`); numeric columns are written as numbers.
    """
    table = frame.copy()
    for col in table.columns:
        if not (pd.api.types.is_numeric_dtype(table[col])
                or pd.api.types.is_bool_dtype(table[col])):
            table[col] = pd.Series([neutralise(v) for v in table[col]], index=table.index,
                                   dtype=object)
    table.columns = [neutralise(str(c)) for c in table.columns]
    text = table.to_csv(index=False, lineterminator="\r\n", na_rep="")
    # The byte-order mark is how Excel knows the file is UTF-8 (Vietnamese text).
    return text.encode("utf-8-sig")


def table_xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """Return a table as a one-sheet workbook: numbers numeric, text never a formula."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has an active sheet
    ws.title = sheet[:31]  # Excel's limit on sheet names
    _write_sheet(ws, frame)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, str):
        # openpyxl refuses control characters, which XML cannot hold anyway.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    """Write a frame with a bold, frozen header, numbers as numbers and text as text."""
    bold = Font(bold=True)
    widths = []
    for j, col in enumerate(frame.columns, start=1):
        ws.cell(row=1, column=j, value=str(col)).font = bold
        widths.append(len(str(col)))
    for i, rec in enumerate(frame.itertuples(index=False), start=2):
        for j, raw in enumerate(rec, start=1):
            value = _cell_value(raw)
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                # A cut WKT is no geometry: leave it empty (lon/lat remain). Other text
                # is cut, since most of it is still worth reading.
                value = None if frame.columns[j - 1] == "wkt" else value[:EXCEL_CELL_LIMIT]
            if value is None:
                continue
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, str):
                # openpyxl stores text starting with "=" as a formula: keep data as data.
                cell.data_type = "s"
            widths[j - 1] = max(widths[j - 1], len(str(value)))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6), 60) + 2
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"


def _about(sel: _Selection, columns: Iterable[str]) -> pd.DataFrame:
    lang = sel.lang
    rows: list[tuple[str, Any]] = [
        ("generated", sel.generated),
        ("link", sel.link),
        ("language", sel.lang),
        ("zones", len(sel.zones)),
        ("projects", len(sel.projects)),
        ("sources", len(sel.sources)),
        ("empty", _phrase("empty", lang)),
    ]
    for col in columns:
        if col in COLUMN_HELP:
            rows.append((col, COLUMN_HELP[col][lang]))
        elif col.endswith("_source"):
            rows.append((col, _phrase("field_source", lang, field=col.removesuffix("_source"))))
        elif col.endswith("_tier"):
            rows.append((col, _phrase("field_tier", lang, field=col.removesuffix("_tier"))))
    return pd.DataFrame({
        "item": pd.Series([r[0] for r in rows], dtype=object),
        "value": pd.Series([r[1] for r in rows], dtype=object),
    })


def _xlsx(sel: _Selection) -> bytes:
    zones = _with_geometry_text(sel.zones)
    projects = _with_geometry_text(sel.projects)
    wb = Workbook()
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("zones", zones),
        ("projects", projects),
        ("sources", sel.sources),
        ("about", _about(sel, _union_columns([zones, projects]))),
    ]
    for k, (title, frame) in enumerate(sheets):
        ws = wb.active if k == 0 else wb.create_sheet()
        assert ws is not None  # a new Workbook always has an active sheet
        ws.title = title
        _write_sheet(ws, frame)
    if sel.link and sel.link.startswith(("https://", "http://")):
        about = wb["about"]
        for row in about.iter_rows(min_row=2, max_col=2):
            if row[0].value == "link":
                row[1].hyperlink = sel.link
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _summary(rec: Mapping[str, Any], lang: str) -> str:
    """Return a Placemark's plain-text summary: kind, status, area, occupancy, source."""
    unknown = t("unknown", lang)
    lines = [f"{rec['kind_label'] or unknown} · {rec['status_label'] or unknown}"]
    if rec["record_type"] == "zone":
        for field in ("area_total_ha", "occupancy_pct"):
            lines.append(f"{t('attr.' + field, lang)}: {number(rec[field], lang) or unknown}")
    elif rec.get("period"):
        lines.append(f"{t('attr.period', lang)}: {rec['period']}")
    cite = _citation_line(rec["source_id"], rec["source_document"], rec["source_issuer"],
                          rec["source_date"], rec["source_section"])
    lines.append(f"{t('panel.source', lang)}: {cite or unknown}")
    return "\n".join(lines)


def _kml_description(sel: _Selection) -> str:
    lang = sel.lang
    lines = [f"{_phrase('generated', lang)}: {sel.generated}"]
    if sel.link:
        lines.append(f"{_phrase('link', lang)}: {sel.link}")
    records = _records(sel.sources)
    if records:
        lines.append(f"{_phrase('sources', lang)}:")
    for rec in records:
        cite = ", ".join(str(rec[k]) for k in ("document", "issuer", "date") if rec[k])
        file = f" ({rec['file']})" if rec["file"] else ""
        lines.append(f"- [{rec['source_id']}] {cite}{file}")
    return "\n".join(lines)


def _xml_text(value: str) -> str:
    # ElementTree escapes markup but writes control characters XML 1.0 forbids.
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _html_text(value: str) -> str:
    # Viewers render a KML description as HTML: escape it so that data stays text.
    return _xml_text(html.escape(value, quote=False))


def _kml_coordinates(coords: Iterable[Sequence[float]]) -> str:
    # repr gives the shortest text that reads back as the same float.
    return " ".join(",".join(repr(float(c)) for c in xy) for xy in coords)


def _kml_geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    """Append ``geom`` to ``parent`` as KML (longitude,latitude[,height])."""
    if geom.is_empty:
        return
    if isinstance(geom, Point):
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = (
            _kml_coordinates(geom.coords))
    elif isinstance(geom, LineString):
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"  # follow the ground in Google Earth
        ET.SubElement(line, "coordinates").text = _kml_coordinates(geom.coords)
    elif isinstance(geom, Polygon):
        poly = ET.SubElement(parent, "Polygon")
        rings = [("outerBoundaryIs", geom.exterior)]
        rings += [("innerBoundaryIs", ring) for ring in geom.interiors]
        for tag, ring in rings:
            lr = ET.SubElement(ET.SubElement(poly, tag), "LinearRing")
            ET.SubElement(lr, "coordinates").text = _kml_coordinates(ring.coords)
    elif isinstance(geom, BaseMultipartGeometry):
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:
            _kml_geometry(multi, part)
    else:  # LinearRing on its own, the one shape left
        _kml_geometry(parent, LineString(geom.coords))


def _kml_type(dtype: Any) -> str:
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    return "double" if pd.api.types.is_float_dtype(dtype) else "string"


def _kml_folder(doc: ET.Element, layer: str, gdf: gpd.GeoDataFrame, lang: str) -> None:
    attributes = _attributes(gdf)
    # name becomes the Placemark's name and id its XML id, which is where GDAL and
    # Google Earth look for them; every other column is ExtendedData.
    fields = [c for c in attributes.columns if c not in ("id", "name")]
    folder = ET.SubElement(doc, "Folder", id=layer)
    ET.SubElement(folder, "name").text = layer
    for rec, geom in zip(_records(attributes), gdf.geometry.values, strict=True):
        placemark = ET.SubElement(folder, "Placemark", id=_xml_text(rec["id"]))
        ET.SubElement(placemark, "name").text = _xml_text(rec["name"] or "")
        ET.SubElement(placemark, "description").text = _html_text(_summary(rec, lang))
        data = ET.SubElement(ET.SubElement(placemark, "ExtendedData"), "SchemaData",
                             schemaUrl=f"#{layer}.schema")
        for col in fields:
            value = rec[col]
            if value is not None:
                text = repr(value) if isinstance(value, float) else str(value)
                ET.SubElement(data, "SimpleData", name=col).text = _xml_text(text)
        if geom is not None:
            _kml_geometry(placemark, geom)


def _kml(sel: _Selection) -> bytes:
    # Written with ElementTree rather than GDAL: LIBKML (GDAL 3.12) puts text in
    # CDATA sections without splitting "]]>", so a value holding it breaks the file
    # (and can inject elements), and the KML driver cannot name the document.
    kml = ET.Element("kml", xmlns=KML_NAMESPACE)
    doc = ET.SubElement(kml, "Document", id="kcn-atlas")
    ET.SubElement(doc, "name").text = "KCN Atlas"
    ET.SubElement(doc, "description").text = _html_text(_kml_description(sel))
    layers = (("zones", sel.zones), ("projects", sel.projects))
    for layer, gdf in layers:  # KML wants every Schema before the first feature
        schema = ET.SubElement(doc, "Schema", name=layer, id=f"{layer}.schema")
        for col, dtype in _attributes(gdf).dtypes.items():
            if col not in ("id", "name"):
                ET.SubElement(schema, "SimpleField", name=str(col), type=_kml_type(dtype))
    for layer, gdf in layers:
        _kml_folder(doc, layer, gdf, sel.lang)
    ET.indent(kml)
    return bytes(ET.tostring(kml, encoding="UTF-8", xml_declaration=True))


_WRITERS: dict[str, Callable[[_Selection], bytes]] = {
    "geojson": _geojson,
    "gpkg": _gpkg,
    "csv": _csv,
    "xlsx": _xlsx,
    "kml": _kml,
}
