"""Tests of geo.importer.kml: field names as written, standard fields kept quietly."""

from __future__ import annotations

import io
import zipfile

import pytest

from geo.importer import read_import
from geo.importer.kml import read_kml
from geo.importer.model import ImportLimits, Options
from tests.geo.importer.helpers import accepted, kml, square_kml

SCHEMA = ('<Schema name="kcn" id="kcn"><SimpleField name="Tên khu" type="string"/>'
          '<SimpleField name="Tỷ lệ lấp đầy (%)" type="string"/>'
          '<SimpleField name="Trạng thái" type="string"/></Schema>')


def _opts() -> Options:
    return Options(filename="a.kml", layer=None, crs=None, crs_label=None, encoding=None,
                   limits=ImportLimits(), source_id="import", as_of=None)


def test_qgis_schema_data_and_google_data_are_both_read(tmp_path):
    # QGIS writes SchemaData; an editor later added Data fields: GDAL drops those.
    doc = kml(
        '<Folder><name>Khu công nghiệp</name><Placemark><name>KCN Đình Vũ</name>'
        '<ExtendedData><SchemaData schemaUrl="#kcn"><SimpleData name="Tỷ lệ lấp đầy (%)">'
        '72</SimpleData><SimpleData name="Trạng thái">Đang hoạt động</SimpleData>'
        '</SchemaData><Data name="Chủ đầu tư"><value>Công ty CP Đình Vũ</value></Data>'
        f'</ExtendedData>{square_kml(106.70, 20.84)}</Placemark></Folder>', schema=SCHEMA)
    (tmp_path / "a.kml").write_bytes(doc)
    (lyr,) = read_kml(tmp_path / "a.kml", "a.kml", "a", _opts())
    assert lyr.name == "Khu công nghiệp"
    assert lyr.columns == ["Name", "Tỷ lệ lấp đầy (%)", "Trạng thái", "Chủ đầu tư"]
    report = accepted(read_import(doc, "a.kml"))
    zone = report.zones.iloc[0]
    assert (zone["occupancy_pct"], zone["status"], zone["developer"]) == (
        72.0, "operating", "Công ty CP Đình Vũ")
    assert [m.field for m in report.mapping] == ["name_vi", "occupancy_pct", "status",
                                                 "developer"]


def test_my_maps_descriptions_are_kept_quietly_and_their_lines_read(tmp_path):
    doc = kml(
        '<Folder><name>CCN</name><Placemark><name>CCN Tân Liên</name>'
        '<description><![CDATA[Diện tích: 20<br>Trạng thái: Quy hoạch<br>'
        'Chủ đầu tư: Công ty X<br>Liên hệ: 0225 123]]></description>'
        '<styleUrl>#poly</styleUrl><ExtendedData><Data name="Diện tích"><value>20</value>'
        f'</Data></ExtendedData>{square_kml(106.74, 20.848, 0.0042)}</Placemark></Folder>'
        '<Folder><name>CCN</name><Placemark><name>CCN Tân Liên 2</name>'
        '<description>&lt;table&gt;&lt;tr&gt;&lt;td&gt;Trạng thái&lt;/td&gt;&lt;td&gt;'
        'Đang xây dựng&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</description>'
        '<Point><coordinates>106.75,20.86,0</coordinates></Point></Placemark></Folder>')
    report = accepted(read_import(doc, "my_maps.kml"))
    assert report.outcome == "accept", report.warnings
    assert [lyr.name for lyr in report.layers] == ["CCN", "CCN (#2)"]
    z = report.zones.set_index("name_vi")
    first = z.loc["CCN Tân Liên"]
    assert (first["area_total_ha"], first["status"], first["developer"]) == (
        20.0, "planned", "Công ty X")
    assert first["notes"].startswith("Diện tích: 20; Trạng thái: Quy hoạch; Chủ đầu tư")
    assert z.loc["CCN Tân Liên 2", "status"] == "under_construction"
    assert not any("description" in w for w in report.warnings)


def test_kmz_with_linked_documents(tmp_path):
    # GDAL writes a doc.kml that links layers/<name>.kml holding the placemarks.
    layer = kml('<Folder><name>kcn</name><Placemark><name>KCN A</name>'
                '<ExtendedData><Data name="Loại khu"><value>KCN</value></Data></ExtendedData>'
                f'{square_kml(106.7, 20.85)}</Placemark></Folder>')
    doc = kml('<NetworkLink><name>kcn</name><Link><href>layers/kcn.kml</href></Link>'
              '</NetworkLink>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("doc.kml", doc)
        zf.writestr("layers/kcn.kml", layer)
    report = accepted(read_import(buf.getvalue(), "ban_do.kmz"))
    assert report.names == ["KCN A"] and report.zones["kind"].tolist() == ["KCN"]


def test_unclosed_rings_holes_and_multigeometry(tmp_path):
    ring = "106.70,20.85 106.71,20.85 106.71,20.86 106.70,20.86"
    hole = "106.703,20.853 106.707,20.853 106.707,20.857 106.703,20.857 106.703,20.853"
    doc = kml(
        f'<Placemark><name>KCN Hở</name><Polygon><outerBoundaryIs><LinearRing><coordinates>'
        f'{ring}</coordinates></LinearRing></outerBoundaryIs><innerBoundaryIs><LinearRing>'
        f'<coordinates>{hole}</coordinates></LinearRing></innerBoundaryIs></Polygon>'
        '</Placemark><Placemark><name>KCN Đôi</name><MultiGeometry>'
        f'{square_kml(106.72, 20.85, 0.002)}{square_kml(106.73, 20.85, 0.002)}</MultiGeometry>'
        '</Placemark>')
    report = accepted(read_import(doc, "a.kml"))
    z = report.zones.set_index("name_vi")
    assert z.loc["KCN Hở"].geometry.interiors and z.loc["KCN Đôi"].geometry.geom_type == \
        "MultiPolygon"
    assert any("not closed" in n for n in report.warnings + report.notes)


@pytest.mark.parametrize("fault", ["&#0;", "\x00", "&#x1B;"])
def test_a_control_character_is_removed_with_a_word(fault):
    doc = kml(f'<Placemark><name>KCN Đình{fault}Vũ</name>{square_kml(106.7, 20.85)}'
              '</Placemark>'.replace("\x00", "\x00"))
    report = accepted(read_import(doc, "a.kml"))
    assert report.names == ["KCN Đình Vũ"]
    assert any("control characters" in w and "KCN Đình Vũ" in w for w in report.warnings)


def test_too_many_placemarks_are_refused_while_reading():
    doc = kml("".join(f"<Placemark><name>P{i}</name><Point><coordinates>106.7,20.8"
                      "</coordinates></Point></Placemark>" for i in range(5)))
    report = read_import(doc, "a.kml", limits=ImportLimits(max_features=3))
    assert report.outcome == "reject" and "more than 3 placemarks" in report.errors[0]
