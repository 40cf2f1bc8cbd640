import json
import re

import pytest

from geo.i18n import LABELS
from layers.geojson import serialise_features
from layers.map import build_map
from layers.selection import selection_group
from layers.state import MapState
from layers.zones import zone_tooltip
from tests.layers.conftest import make_context

XSS = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"


def _html(fmap) -> str:
    return fmap.get_root().render()


def _features(html: str) -> list[dict]:
    """Return every feature of every L.geoJSON layer in a rendered map, styles resolved."""
    decoder = json.JSONDecoder()
    out = []
    for match in re.finditer(r"var styles = ", html):
        styles, end = decoder.raw_decode(html, match.end())
        start = html.index("L.geoJSON(", end) + len("L.geoJSON(")
        data, _ = decoder.raw_decode(html, start)
        for feature in data["features"]:
            s = feature["properties"]["_s"]
            feature["properties"]["_s"] = styles[s] if isinstance(s, int) else s
            out.append(feature)
    return out


def test_every_label_has_both_languages():
    for key, entry in LABELS.items():
        assert set(entry) == {"vi", "en"}, key
        assert all(entry.values()), key


def test_map_loads_no_asset_from_a_cdn(context):
    html = _html(build_map(context))
    scripts = re.findall(r'<script src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert scripts == ["/app/static/vendor/leaflet.js"]
    assert styles == ["/app/static/vendor/leaflet.css"]
    assert "cdn" not in html.lower()


def test_map_draws_every_zone_and_project(context, fixture_register):
    feats = _features(_html(build_map(context)))
    ids = sorted(f["properties"]["id"] for f in feats)
    assert ids == sorted([*fixture_register.zones["id"], *fixture_register.projects["id"]])


@pytest.mark.parametrize(("layers", "expected"), [
    (("kcn",), {"kcn-alpha", "kcn-beta"}),
    (("kkt", "ccn"), {"kkt-test", "ccn-gamma"}),
    (("infra",), {"road-dike", "port-test"}),
    ((), set()),
])
def test_layers_can_be_switched(fixture_register, layers, expected):
    ctx = make_context(fixture_register, MapState(layers=layers))
    ids = {f["properties"]["id"] for f in _features(_html(build_map(ctx)))}
    assert ids == expected


def test_approximate_geometry_is_dashed_and_classed(context):
    feats = {f["properties"]["id"]: f for f in _features(_html(build_map(context)))}
    beta = feats["kcn-beta"]["properties"]["_s"]
    alpha = feats["kcn-alpha"]["properties"]["_s"]
    assert beta["dashArray"] and "kcn-approximate" in beta["className"]
    assert "dashArray" not in alpha and "kcn-approximate" not in alpha["className"]


@pytest.mark.parametrize(("color", "labels"), [
    ("status", ["Đang hoạt động", "Đang xây dựng", "Quy hoạch", "Đề xuất nghiên cứu"]),
    ("kind", ["Khu kinh tế", "Khu công nghiệp", "Cụm công nghiệp"]),
    ("occupancy", ["Dưới 50%", "50–70%", "70–90%", "Từ 90%", "Chưa rõ"]),
])
def test_every_colour_mode_has_a_legend(fixture_register, color, labels):
    html = _html(build_map(make_context(fixture_register, MapState(color=color))))
    legend = json.loads(re.search(r"div\.innerHTML = (\".*?\");", html).group(1))
    for label in labels:
        assert label in legend


def test_unknown_occupancy_is_shown_as_unknown_not_zero(fixture_register):
    ctx = make_context(fixture_register, MapState(color="occupancy"))
    feats = {f["properties"]["id"]: f for f in _features(_html(build_map(ctx)))}
    assert feats["ccn-gamma"]["properties"]["_s"]["fillColor"] == "#9E9E9E"
    assert feats["kcn-alpha"]["properties"]["_s"]["fillColor"] != "#9E9E9E"


def test_english_labels(fixture_register):
    ctx = make_context(fixture_register, MapState(lang="en"))
    html = _html(build_map(ctx))
    assert "Operating" in html and "Dinh Vu Industrial Zone" in html
    assert "Đang hoạt động" not in html


def test_text_from_data_is_escaped_everywhere(fixture_register):
    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "kcn-alpha", "name_vi"] = XSS
    projects = fixture_register.projects.copy()
    projects.loc[projects.id == "road-dike", "name_vi"] = XSS
    reg = type(fixture_register)(zones=zones, projects=projects, figures=fixture_register.figures,
                                 sources=fixture_register.sources,
                                 zone_values=fixture_register.zone_values,
                                 audit=fixture_register.audit)
    ctx = make_context(reg, MapState(zone="kcn-alpha"))
    fmap = build_map(ctx)
    selection_group(ctx, ["road-dike"], []).add_to(fmap)
    html = _html(fmap)
    assert "<img" not in html and "</script><script>alert" not in html
    tip = zone_tooltip(zones[zones.id == "kcn-alpha"].iloc[0].to_dict(), "vi")
    assert "&lt;img src=x onerror=alert(1)&gt;" in tip


def test_serialised_properties_cannot_close_a_script():
    import geopandas as gpd
    from shapely.geometry import Point
    gdf = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(106.7, 20.8)], crs="EPSG:4326")
    blob = serialise_features(gdf, lambda r: {"id": r["id"], "name": "</script>&'"})["a"]
    assert "</script>" not in blob and "&" not in blob and "'" not in blob
    assert json.loads(blob)["properties"]["name"] == "</script>&'"


def test_coordinates_are_rounded(fixture_register):
    zones = fixture_register.zones.copy()
    from shapely.geometry import Point
    zones.loc[zones.id == "kcn-beta", "geometry"] = Point(106.7812345678, 20.8298765432)
    blob = serialise_features(zones, lambda r: {"id": r["id"]})["kcn-beta"]
    assert json.loads(blob)["geometry"]["coordinates"] == [106.78123, 20.82988]


@pytest.mark.parametrize(("state", "projects", "zones", "expected"), [
    (MapState(zone="kcn-alpha"), ["road-dike", "port-test"], [],
     {"kcn-alpha": "kcn-selected", "road-dike": "kcn-linked", "port-test": "kcn-linked"}),
    (MapState(project="road-dike"), [], ["kcn-alpha", "kcn-beta"],
     {"road-dike": "kcn-selected", "kcn-alpha": "kcn-linked", "kcn-beta": "kcn-linked"}),
    (MapState(), [], [], {}),
])
def test_selection_highlights_what_is_linked(fixture_register, state, projects, zones, expected):
    ctx = make_context(fixture_register, state)
    fmap = build_map(ctx)
    base = {f["properties"]["id"] for f in _features(_html(fmap))}
    group = selection_group(ctx, projects, zones)
    group.add_to(fmap)
    feats = _features(_html(fmap))[len(base):]
    classes = {f["properties"]["id"]: f["properties"]["_s"]["className"] for f in feats}
    assert classes == expected


def test_camera_from_state(fixture_register):
    html = _html(build_map(make_context(fixture_register, MapState(lat=20.9, lon=106.8, z=11))))
    assert "[20.9, 106.8]" in html and '"zoom": 11' in html
    assert "fitBounds" not in html
    assert "fitBounds" in _html(build_map(make_context(fixture_register)))


@pytest.mark.parametrize("name", [
    "KCN {{ lipsum.__globals__.os.getpid() }}",
    "KCN {% bad",
    "KCN {# comment",
    "KCN }}{{ 7*7 }}",
])
def test_template_syntax_in_data_is_never_evaluated(fixture_register, name):
    import streamlit_folium

    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "kcn-alpha", "name_vi"] = name
    reg = fixture_register.with_zones(zones)
    ctx = make_context(reg, MapState(zone="kcn-alpha"))
    fmap = build_map(ctx)
    selection_group(ctx, ["road-dike"], []).add_to(fmap)
    html = _html(fmap)  # branca's own render, which templates its parts again
    script = streamlit_folium.generate_leaflet_string(fmap)  # what st_folium sends
    for text in (html, script):
        feats = {f["properties"]["id"]: f for f in _features(text)}
        assert name.replace("&", "&amp;") in feats["kcn-alpha"]["properties"]["_t"]
        assert "49" not in feats["kcn-alpha"]["properties"]["_t"]
