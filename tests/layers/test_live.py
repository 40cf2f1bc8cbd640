"""The live map's per-run message: small, localised, escaped."""

import json

import pandas as pd

from layers.live import Camera, MapView, component_data, legend_sections, map_labels
from layers.state import MapState


def _view(register, **state):
    n, p = len(register.zones), len(register.projects)
    return MapView(state=MapState(**state), key="k1", zones_shown=pd.Series([True] * n),
                   projects_shown=pd.Series([True] * (p - 1) + [False]),
                   project_kinds=["seaport"], camera=Camera(3, fit=((20.8, 106.7), (20.9, 106.8))))


def test_the_message_names_rows_not_features(fixture_register):
    data = component_data(_view(fixture_register), features_url="/api/v1/map/k1/features.json")
    assert data["shown_zones"] is None  # all shown
    assert isinstance(data["shown_projects"], str)
    assert data["camera"] == {"seq": 3, "max_zoom": 13, "fit": [[20.8, 106.7], [20.9, 106.8]]}
    text = json.dumps(data, ensure_ascii=False)
    assert len(text) < 20_000  # labels, colours and legend: never the features
    assert "Đình Vũ" not in text  # names travel with the features, not in the message


def test_labels_follow_the_language():
    assert map_labels("vi")["status.unknown"] == "Chưa rõ hiện trạng"
    assert map_labels("en")["status.unknown"] == "Status unknown"
    assert map_labels("en")["tier.legal"] == "Legal"


def test_the_legend_has_the_unknown_status_the_circles_and_the_tiers():
    titles = [s.title for s in legend_sections(MapState(lang="en"), ["seaport"])]
    assert titles[0].startswith("Zones") and "Where each figure comes from" in titles
    labels = [i.label for s in legend_sections(MapState(lang="en"), []) for i in s.items]
    assert "Status unknown" in labels
    assert "Circle: the stated area, not a boundary" in labels


def test_presentation_view_is_in_the_message(fixture_register):
    data = component_data(_view(fixture_register, view="present"), features_url="/x")
    assert data["present"] is True
