"""GDAL's own OGC API – Features client (OAPIF) reads the live register from the app.

Run on both stores: the bundled GeoPackage and a PostGIS database started by the
tests (where the app's plot tiles come from PostGIS itself).
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
import uuid

import mapbox_vector_tile
import morecantile
import pyogrio
import pytest

from geo import live
from geo.mapdata import PLOT_MIN_ZOOM
from geo.postgis import PostgisStore
from geo.store import GeoPackageStore, build, open_store
from tests.browser.conftest import run_app
from tests.pgcluster import needs_postgres
from tests.synthetic import with_synthetic_plots

STORES = ["geopackage", pytest.param("postgis", marks=needs_postgres)]


@pytest.fixture(scope="module", params=STORES)
def served(request, tmp_path_factory):
    """The app on a register with zones, projects and 300 plots, in either store."""
    folder = tmp_path_factory.mktemp("ogc")
    base = build(folder / "base.gpkg").read()
    if request.param == "postgis":
        location = f"{request.getfixturevalue('pg_url')}?schema=ogc_{uuid.uuid4().hex[:8]}"
        store = PostgisStore(location)
    else:
        location = str(folder / "atlas.gpkg")
        store = GeoPackageStore(location)
    store.write(with_synthetic_plots(base, 300, plots_per_zone=150))
    with run_app(location, folder) as url:
        yield url, store.read(), location
    if isinstance(store, PostgisStore):
        store.dispose()


def test_gdal_lists_the_collections_and_reads_every_feature(served):
    url, reg, _ = served
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{url}/ogc")}
    assert layers == {"zones", "projects", "plots"}
    plots = pyogrio.read_dataframe(f"OAPIF:{url}/ogc", layer="plots")
    assert len(plots) == len(reg.plots) == 300  # paged through "next" links
    assert set(plots["status"]) <= {"leased", "vacant", "reserved", "negotiation",
                                    "unavailable"}
    zones = pyogrio.read_dataframe(f"OAPIF:{url}/ogc", layer="zones")
    assert sorted(zones["name_vi"]) == sorted(reg.zones["name_vi"])


def test_gdal_reads_a_bounding_box(served):
    url, reg, _ = served
    first = reg.zones.geometry.iloc[0].bounds
    inside = pyogrio.read_dataframe(f"OAPIF:{url}/ogc", layer="plots", bbox=first)
    expected = reg.plots[reg.plots.geometry.intersects(reg.zones.geometry.iloc[0].envelope)]
    assert len(inside) == len(expected) > 0


def test_nothing_can_be_written(served):
    url, _, _ = served
    for method in ("POST", "PUT", "DELETE"):
        request = urllib.request.Request(f"{url}/ogc/collections/zones/items", data=b"{}",
                                         method=method)
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)
        assert err.value.code == 405


def test_the_map_draws_plot_tiles_from_the_store(served):
    """The live map's plot tiles (PostGIS draws them there) hold the register's plots."""
    url, reg, location = served
    snap_key = live.snapshot_key(location, open_store(location).version())
    c = reg.plots.geometry.iloc[0].representative_point()
    t = morecantile.tms.get("WebMercatorQuad").tile(c.x, c.y, PLOT_MIN_ZOOM + 2)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/api/v1/map/{snap_key}/{t.z}/{t.x}/{t.y}.mvt", timeout=30) as r:
        body = r.read()
        if r.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
    layer = mapbox_vector_tile.decode(body)["plots"]
    assert reg.plots["id"].iloc[0] in {f["properties"]["id"] for f in layer["features"]}
    with pytest.raises(urllib.error.HTTPError) as err:
        opener.open(f"{url}/api/v1/map/{snap_key}/{t.z}/{t.x}/{1 << t.z}.mvt", timeout=30)
    assert err.value.code == 400
