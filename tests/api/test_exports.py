"""The export endpoint: files built from a map link's parameters, refusals as pages."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api import views
from api.exports import EXPORTS, export_path
from api.routes import routes
from geo import live
from geo.brief import fonts_available
from layers.shown import shown
from layers.state import MapState


@pytest.fixture
def client(fixture_store, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))
    monkeypatch.delenv("KCN_ATLAS_PUBLIC_URL", raising=False)
    live.forget()
    yield TestClient(Starlette(routes=routes()))
    live.forget()


def _geojson(client, state: MapState) -> dict:
    r = client.get(export_path("geojson", state))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith('attachment; filename="kcn-atlas-')
    assert r.headers["cache-control"] == "no-store"
    return json.loads(r.content)


def _zone_ids(doc: dict) -> list[str]:
    return [f["properties"]["id"] for f in doc["features"]
            if f["properties"]["record_type"] == "zone"]


def test_a_data_export_holds_what_the_link_shows(client, fixture_register):
    for state in (MapState(), MapState(period="2030"), MapState(layers=("kcn", "ccn"))):
        expected = shown(fixture_register, state).zone_rows(fixture_register)["id"].tolist()
        assert _zone_ids(_geojson(client, state)) == expected
        assert expected
    kcn = _geojson(client, MapState(kind=("KCN",), layers=("kcn",)))
    assert [f["properties"]["id"] for f in kcn["features"]] == ["kcn-alpha", "kcn-beta"]
    # The file names the link it was made from, on the address the app was opened at.
    assert kcn["kcn_atlas"]["link"].startswith("http://testserver/?v=1&")
    assert "kind=KCN" in kcn["kcn_atlas"]["link"]


def test_the_public_address_is_the_one_files_link_to(client, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_PUBLIC_URL", "https://atlas.example.vn/")
    doc = _geojson(client, MapState(lang="en"))
    assert doc["kcn_atlas"]["link"] == "https://atlas.example.vn/?v=1&lang=en"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg", "kml"])
def test_every_data_format_downloads(client, fmt):
    r = client.get(export_path(fmt, MapState()))
    assert r.status_code == 200 and len(r.content) > 100
    assert r.headers["content-disposition"].endswith(f'.{fmt}"')


def test_the_html_map_opens_where_the_browser_looks(client):
    token = views.new_token()
    views.remember(token, views.View(lat=20.83, lon=106.75, z=14))
    r = client.get(export_path("html", MapState(zone="kcn-alpha"), token))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "lat=20.83" in page and "z=14" in page and "zone=kcn-alpha" in page
    assert "KCN Đình Vũ" in page


@pytest.mark.skipif(not fonts_available(), reason="the brief's DejaVu fonts are not installed")
def test_briefs(client):
    r = client.get(export_path("zone-brief", MapState(zone="kcn-alpha", lang="en")))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"] == 'attachment; filename="kcn-atlas-kcn-alpha-en.pdf"'
    r = client.get(export_path("province-brief", MapState(), province="Hải Phòng"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # Without province=, the filtered province.
    r = client.get(export_path("province-brief", MapState(prov=("Hải Phòng",))))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


@pytest.mark.skipif(not fonts_available(), reason="the brief's DejaVu fonts are not installed")
@pytest.mark.parametrize(("path", "words"), [
    ("/api/v1/export/zone-brief?lang=en", "No zone is selected"),
    ("/api/v1/export/zone-brief?lang=en&zone=no-such-zone", "No zone is selected"),
    ("/api/v1/export/province-brief?lang=en&province=Atlantis", "names no province"),
    ("/api/v1/export/province-brief", "không nêu tỉnh/thành"),
])
def test_a_brief_that_cannot_be_made_says_why(client, path, words):
    r = client.get(path)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert words in r.text and "Traceback" not in r.text
    assert 'href="http://testserver/?v=1' in r.text  # the way back to the map


def test_an_unknown_export_is_404_and_escapes_what_it_was_given(client):
    r = client.get("/api/v1/export/<script>x?lang=en")
    assert r.status_code == 404
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


def test_bad_map_parameters_are_ignored_like_a_link(client):
    r = client.get("/api/v1/export/csv?v=1&kind=NOPE&occ=abc&zone=<b>&lang=en")
    assert r.status_code == 200 and b"kcn-alpha" in r.content


def test_export_path_names_only_known_exports():
    assert set(EXPORTS) >= {"geojson", "csv", "xlsx", "gpkg", "kml", "html", "zone-brief",
                            "province-brief"}
    with pytest.raises(ValueError, match="unknown export"):
        export_path("pdf", MapState())
    assert export_path("csv", MapState(prov=("Hải Phòng",)), "tok").startswith(
        "/api/v1/export/csv?v=1&prov=H%E1%BA%A3i+Ph%C3%B2ng&vt=tok")
