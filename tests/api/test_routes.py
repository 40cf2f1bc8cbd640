"""The data endpoints: features of a version, reference tiles, and refusals."""

import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api.routes import routes
from geo import live
from geo.reference import reference_key


@pytest.fixture
def client(fixture_store, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))
    live.forget()
    yield TestClient(Starlette(routes=routes()))
    live.forget()


def test_features_of_the_current_version(client):
    key = live.current().key
    r = client.get(f"/api/v1/map/{key}/features.json")
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "immutable" in r.headers["cache-control"]
    doc = r.json()
    assert {z["id"] for z in doc["zones"]} == {"kcn-alpha", "kcn-beta", "ccn-gamma", "kkt-test"}
    assert len(doc["province_labels"]) == 34


def test_a_version_no_longer_served_is_404_not_stale_data(client):
    r = client.get("/api/v1/map/0123456789abcdef/features.json")
    assert r.status_code == 404 and r.headers["cache-control"] == "no-store"


def test_reference_tiles(client):
    r = client.get(f"/api/v1/ref/{reference_key()}/8/206/113.mvt")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.mapbox-vector-tile")
    assert len(r.content) > 100
    # Nothing at sea far away: no content, still cacheable.
    assert client.get(f"/api/v1/ref/{reference_key()}/8/0/0.mvt").status_code == 204


@pytest.mark.parametrize("path", ["/api/v1/ref/{key}/13/0/0.mvt", "/api/v1/ref/{key}/3/8/0.mvt",
                                  "/api/v1/ref/{key}/2/1/9.mvt"])
def test_bad_tile_addresses_are_400(client, path):
    r = client.get(path.format(key=reference_key()))
    assert r.status_code == 400 and "error" in r.json()


def test_unknown_reference_version_is_404(client):
    assert client.get("/api/v1/ref/nope/0/0/0.mvt").status_code == 404


def test_non_numeric_tile_addresses_do_not_match(client):
    assert client.get(f"/api/v1/ref/{reference_key()}/a/b/c.mvt").status_code == 404


def test_a_client_without_gzip_gets_plain_json(client):
    key = live.current().key
    r = client.get(f"/api/v1/map/{key}/features.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers
    assert json.loads(r.content)["zones"]


def test_a_view_is_remembered_for_the_exports(client):
    from api import views

    token = views.new_token()
    r = client.post(f"/api/v1/view/{token}", json={"lat": 20.85, "lon": 106.76, "z": 12})
    assert r.status_code == 204
    assert views.view_of(token) == views.View(20.85, 106.76, 12)


@pytest.mark.parametrize("body", [{"lat": 91, "lon": 0, "z": 3}, {"lat": 1, "lon": 2, "z": 2.5},
                                  {"lat": "x", "lon": 2, "z": 3}, [1, 2, 3], {"lat": 1}])
def test_a_malformed_view_is_400(client, body):
    from api import views

    token = views.new_token()
    assert client.post(f"/api/v1/view/{token}", json=body).status_code == 400
    assert views.view_of(token) is None


def test_a_malformed_token_stores_nothing(client):
    r = client.post("/api/v1/view/x", json={"lat": 1, "lon": 2, "z": 3})
    assert r.status_code == 400


# --- OGC API – Features -------------------------------------------------------


def test_ogc_landing_conformance_and_collections(client):
    landing = client.get("/ogc").json()
    assert {link["rel"] for link in landing["links"]} >= {"conformance", "data"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in \
        client.get("/ogc/conformance").json()["conformsTo"]
    ids = [c["id"] for c in client.get("/ogc/collections").json()["collections"]]
    assert ids == ["zones", "projects", "plots"]


def test_ogc_items_page_and_filter(client):
    r = client.get("/ogc/collections/zones/items?limit=2")
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["numberMatched"] == 4 and doc["numberReturned"] == 2
    assert any(link["rel"] == "next" for link in doc["links"])
    doc = client.get("/ogc/collections/zones/items?status=operating").json()
    assert {f["id"] for f in doc["features"]} == {"kcn-alpha", "kkt-test"}
    inside = client.get("/ogc/collections/zones/items?bbox=106.74,20.82,106.77,20.845").json()
    assert "kcn-alpha" in {f["id"] for f in inside["features"]}
    one = client.get("/ogc/collections/zones/items/kcn-alpha").json()
    assert one["properties"]["name_vi"] == "KCN Đình Vũ" and one["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize(("path", "status"), [
    ("/ogc/collections/nope", 404), ("/ogc/collections/zones/items/nope", 404),
    ("/ogc/collections/zones/items?bbox=1,2,3", 400), ("/ogc/collections/zones/items?limit=0", 400),
    ("/ogc/collections/zones/items?secret=1", 400), ("/ogc/collections/zones/items?offset=x", 400),
])
def test_ogc_refusals(client, path, status):
    r = client.get(path)
    assert r.status_code == status and "error" in r.json()
