import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from geo.crs import VN2000_UTM48N, area_ha, distance_km, inside_vietnam


@pytest.mark.parametrize("crs", ["EPSG:3405", "EPSG:9210", "EPSG:5899"])
def test_area_of_a_square_kilometre_drawn_in_vn2000(crs):
    # A 1 km x 1 km square near Hải Phòng drawn in a VN-2000 projection is 100 ha.
    centre = gpd.GeoSeries([Point(106.7, 20.85)], crs="EPSG:4326").to_crs(crs).iloc[0]
    square = box(centre.x - 500, centre.y - 500, centre.x + 500, centre.y + 500)
    wgs84 = gpd.GeoSeries([square], crs=crs).to_crs("EPSG:4326")
    # TM-3 and UTM scale factors differ slightly; both are within 0.1% of the ground.
    assert area_ha(wgs84).iloc[0] == pytest.approx(100.0, rel=1e-3)


def test_area_agrees_with_geodesic_and_not_with_web_mercator():
    poly = box(106.70, 20.80, 106.75, 20.85)
    series = gpd.GeoSeries([poly], crs="EPSG:4326")
    geodesic_m2, _ = Geod(ellps="WGS84").geometry_area_perimeter(poly)
    assert area_ha(series).iloc[0] == pytest.approx(abs(geodesic_m2) / 10_000, rel=5e-4)
    mercator_ha = series.to_crs("EPSG:3857").area.iloc[0] / 10_000
    assert mercator_ha / area_ha(series).iloc[0] > 1.1


def test_points_and_lines_have_no_area():
    series = gpd.GeoSeries([Point(106.7, 20.8), LineString([(106.7, 20.8), (106.8, 20.8)])],
                           crs="EPSG:4326")
    assert area_ha(series).isna().all()


def test_area_without_crs_is_refused():
    with pytest.raises(ValueError, match="no CRS"):
        area_ha(gpd.GeoSeries([box(0, 0, 1, 1)]))


def test_distance_km_matches_geodesic():
    a, b = Point(106.68, 20.82), Point(106.80, 20.95)  # Hải Phòng centre to the north-east
    _, _, metres = Geod(ellps="WGS84").inv(a.x, a.y, b.x, b.y)
    assert distance_km(a, b) == pytest.approx(metres / 1000, rel=2e-3)
    assert VN2000_UTM48N == "EPSG:3405"


def test_inside_vietnam():
    series = gpd.GeoSeries([Point(106.7, 20.8), Point(20.8, 106.7), Point(100.5, 13.7)],
                           crs="EPSG:4326")
    assert inside_vietnam(series).tolist() == [True, False, False]
