"""The live map's features and the bitmaps of what is shown."""

import base64
import json

import pandas as pd
import pytest

from geo.mapdata import features_payload, pack_indices, value_display


def test_features_carry_what_the_map_styles_and_describes(fixture_register):
    payload = features_payload(fixture_register)
    zones = {z["id"]: z for z in payload["zones"]}
    assert [z["i"] for z in payload["zones"]] == list(range(len(fixture_register.zones)))
    alpha = zones["kcn-alpha"]
    assert alpha["k"] == "KCN" and alpha["s"] == "operating" and alpha["q"] == 0
    assert alpha["a"] == {"v": 100.0, "t": "legal"}
    assert alpha["g"]["type"] == "Polygon"
    assert "r" not in alpha  # a boundary is drawn as it is
    beta = zones["kcn-beta"]
    # A point of known area becomes a circle of that area: 300 ha -> radius 977.2 m.
    assert beta["r"] == pytest.approx(977.2, abs=0.1) and beta["q"] == 1
    json.dumps(payload, allow_nan=False)  # no NaN reaches the browser


def test_a_zone_without_status_is_unknown_not_missing(fixture_register):
    zones = fixture_register.zones.copy()
    zones.loc[zones.id == "ccn-gamma", "status"] = None
    payload = features_payload(fixture_register.with_zones(zones))
    assert {z["id"]: z["s"] for z in payload["zones"]}["ccn-gamma"] == "unknown"


@pytest.mark.parametrize(("entry", "expected"), [
    (None, {}),
    ({"value": "120", "value_max": "123", "comparison": "range", "tier": "press"},
     {"v": 120.0, "x": 123.0, "c": "range", "t": "press"}),
    ({"value": "63", "value_max": None, "comparison": "about", "tier": "official"},
     {"v": 63.0, "c": "about", "t": "official"}),
])
def test_value_display(entry, expected):
    assert value_display(entry, float("nan")) == expected


def test_pack_indices_round_trip():
    mask = pd.Series([True, False, True, True, False, False, False, False, True])
    raw = base64.b64decode(pack_indices(mask))
    assert [bool(raw[i // 8] >> (i % 8) & 1) for i in range(len(mask))] == list(mask)
