"""Plot tiles drawn by PostGIS itself (ST_AsMVT) match the ones encoded in memory."""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api.routes import _data_tile, routes
from geo import live
from geo.mapdata import PLOT_MIN_ZOOM, data_tile_layers
from geo.postgis import PostgisStore
from geo.tiles import TileRequestError, encode_tile
from tests.conftest import new_zone
from tests.pgcluster import needs_postgres
from tests.synthetic import with_synthetic_plots

pytestmark = needs_postgres


@pytest.fixture
def stored(pg_store, fixture_register):
    reg = with_synthetic_plots(fixture_register, 400, plots_per_zone=200)
    pg_store.write(reg)
    back = pg_store.snapshot()
    return pg_store, back.register, back.version


def _tiles_over(reg, z):
    tms = morecantile.tms.get("WebMercatorQuad")
    minx, miny, maxx, maxy = reg.plots.total_bounds
    return list(tms.tiles(minx, miny, maxx, maxy, [z]))


def _features(body: bytes) -> dict[str, dict]:
    layer = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True}).get("plots")
    return {f["properties"]["id"]: f for f in (layer or {}).get("features", [])}


def test_the_database_draws_the_same_plots_with_the_same_properties(stored):
    store, reg, version = stored
    layers = data_tile_layers(reg)
    compared = 0
    for t in _tiles_over(reg, PLOT_MIN_ZOOM + 1):
        ours = _features(encode_tile(layers, t.z, t.x, t.y) or b"")
        theirs = _features(store.plot_tile(t.z, t.x, t.y, version) or b"")
        assert set(theirs) == set(ours), (t, set(theirs) ^ set(ours))
        for pid, f in ours.items():
            assert theirs[pid]["properties"] == f["properties"]
            # Both clip and quantise to 4096 units a side: the shapes agree to a unit or so.
            a, b = shape(f["geometry"]), shape(theirs[pid]["geometry"])
            assert shapely.hausdorff_distance(a, b) <= 2.0, pid
        compared += len(ours)
    assert compared >= 400  # every plot was seen at least once
    zone_rows = {zid: i for i, zid in enumerate(reg.zones["id"])}
    some = next(iter(_features(store.plot_tile(*_first(reg), version)).values()))
    plot = reg.plots.set_index("id").loc[some["properties"]["id"]]
    assert some["properties"]["zi"] == zone_rows[plot["zone_id"]]
    assert some["properties"]["s"] in "lvrnu"


def _first(reg):
    """The zoom-16 tile holding the first plot."""
    c = reg.plots.geometry.iloc[0].representative_point()
    t = morecantile.tms.get("WebMercatorQuad").tile(c.x, c.y, 16)
    return t.z, t.x, t.y


def test_an_empty_tile_and_a_tile_of_an_old_version(stored):
    store, reg, version = stored
    assert store.plot_tile(PLOT_MIN_ZOOM, 0, 0, version) == b""
    store.update(lambda r: r.with_zones(pd.concat([r.zones, new_zone(1, "t")])))
    assert store.plot_tile(*_first(reg), version) is None  # the caller falls back to memory
    assert store.plot_tile(*_first(reg), store.version())


def test_a_tile_that_does_not_exist_is_refused(stored):
    store, _, version = stored
    for z, x, y in ((17, 0, 0), (13, 1 << 13, 0), (-1, 0, 0), (3, 0, -1)):
        with pytest.raises(TileRequestError):
            store.plot_tile(z, x, y, version)


def test_a_register_without_plots_has_no_database_tiles(pg_store, fixture_register):
    pg_store.write(fixture_register)
    assert pg_store.plot_tile(PLOT_MIN_ZOOM, 0, 0, pg_store.version()) in (None, b"")


def test_the_tile_endpoint_asks_postgis_and_serves_what_it_drew(stored, monkeypatch):
    store, reg, version = stored
    monkeypatch.setenv("KCN_ATLAS_STORE", store.url.render_as_string(hide_password=False)
                       + f"?schema={store.schema}")
    live.forget()
    _data_tile.cache_clear()
    asked = []
    real = PostgisStore.plot_tile

    def spy(self, z, x, y, v):
        asked.append((z, x, y, v))
        return real(self, z, x, y, v)

    monkeypatch.setattr(PostgisStore, "plot_tile", spy)
    try:
        client = TestClient(Starlette(routes=routes()))
        key = live.current().key
        z, x, y = _first(reg)
        r = client.get(f"/api/v1/map/{key}/{z}/{x}/{y}.mvt")
        assert r.status_code == 200
        assert asked == [(z, x, y, version)]
        assert reg.plots["id"].iloc[0] in _features(r.content)
        # Below the plots' zoom the summary circles come from memory, as on a GeoPackage.
        t = morecantile.tms.get("WebMercatorQuad").tile(
            *reg.plots.geometry.iloc[0].representative_point().coords[0], PLOT_MIN_ZOOM - 2)
        assert client.get(f"/api/v1/map/{key}/{t.z}/{t.x}/{t.y}.mvt").status_code == 200
        assert len(asked) == 1
    finally:
        live.forget()
        _data_tile.cache_clear()
