"""Vector tiles: addresses, clipping, layers and zooms."""

import geopandas as gpd
import mapbox_vector_tile
import morecantile
import pytest
from shapely.geometry import LineString, Point, box

from geo.tiles import TileLayer, TileRequestError, check_tile, encode_tile, tile_bounds


def _layer(**kwargs):
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "n": [1, 2, None]},
        geometry=[box(106.75, 20.83, 106.77, 20.85), Point(106.76, 20.84),
                  LineString([(106.70, 20.80), (106.80, 20.86)])], crs="EPSG:4326")
    return TileLayer("zones", frame, lambda r: {"id": r["id"], "n": r["n"]}, **kwargs)


def _tile_of(lon, lat, z):
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    return t.z, t.x, t.y


@pytest.mark.parametrize(("z", "x", "y"), [(-1, 0, 0), (17, 0, 0), (3, 8, 0), (3, 0, -1),
                                           (0, 1, 0)])
def test_addresses_outside_the_quad_tree_are_refused(z, x, y):
    with pytest.raises(TileRequestError):
        check_tile(z, x, y)


def test_a_tile_holds_the_features_it_covers_with_their_properties():
    data = mapbox_vector_tile.decode(encode_tile([_layer()], *_tile_of(106.76, 20.84, 12)))
    features = data["zones"]["features"]
    assert sorted(f["properties"]["id"] for f in features) == ["a", "b", "c"]
    # Missing values are left out rather than written as NaN.
    assert next(f for f in features if f["properties"]["id"] == "c")["properties"] == {"id": "c"}


def test_an_empty_tile_is_empty_bytes():
    assert encode_tile([_layer()], 12, 0, 0) == b""


def test_a_layer_appears_only_at_its_zooms():
    layer = _layer(min_zoom=13)
    assert encode_tile([layer], *_tile_of(106.76, 20.84, 12)) == b""
    assert encode_tile([layer], *_tile_of(106.76, 20.84, 13)) != b""


def test_geometry_is_clipped_to_the_tile_and_its_buffer():
    z, x, y = _tile_of(106.70, 20.80, 14)  # one end of the line only
    data = mapbox_vector_tile.decode(encode_tile([_layer()], z, x, y))
    (line,) = [f for f in data["zones"]["features"] if f["properties"]["id"] == "c"]
    xs = [p[0] for p in line["geometry"]["coordinates"]]
    assert min(xs) >= -64 and max(xs) <= 4096 + 64


def test_tile_bounds_are_web_mercator_metres():
    x0, y0, x1, y1 = tile_bounds(0, 0, 0)
    assert x0 == pytest.approx(-20037508.34, rel=1e-6) and x1 == pytest.approx(20037508.34,
                                                                               rel=1e-6)
    assert y1 - y0 == pytest.approx(x1 - x0)


def test_a_layer_without_attributes_still_tiles():
    frame = gpd.GeoDataFrame(geometry=[box(106.75, 20.83, 106.77, 20.85)], crs="EPSG:4326")
    layer = TileLayer("land", frame, lambda r: {})
    data = mapbox_vector_tile.decode(encode_tile([layer], *_tile_of(106.76, 20.84, 12)))
    assert len(data["land"]["features"]) == 1


@pytest.mark.parametrize(("z", "x", "y"),
                         [(8, 203, 112), (9, 407, 225), (6, 50, 28), (10, 812, 450)])
def test_reference_tiles_keep_the_land_they_cover(z, x, y):
    """A tile mostly on land draws that land (a big clipped polygon is never dropped)."""
    import shapely
    from shapely.geometry import shape

    from geo.reference import load_reference, reference_tile

    data = mapbox_vector_tile.decode(reference_tile(z, x, y),
                                     default_options={"y_coord_down": True})
    drawn = shapely.union_all([shape(f["geometry"]) for f in data["land"]["features"]])
    drawn_share = drawn.intersection(box(0, 0, 4096, 4096)).area / 4096 ** 2
    bounds = box(*tile_bounds(z, x, y))
    land = load_reference().land.to_crs(3857).geometry.iloc[0]
    true_share = land.intersection(bounds).area / bounds.area
    assert drawn_share == pytest.approx(true_share, abs=0.02)
