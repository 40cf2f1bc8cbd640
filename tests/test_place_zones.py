"""scripts/place_zones.py: place names fold like the dataset's keys; the bundled points are
those the script computes (when its optional dataset is installed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "place_zones.py"


@pytest.fixture(scope="module")
def place_zones():
    spec = importlib.util.spec_from_file_location("place_zones", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["place_zones"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["place_zones"]


@pytest.mark.parametrize(("name", "key"), [
    ("Trường Thọ", "truongtho"), ("Đông Hải 2", "donghai2"), ("Thủy Nguyên", "thuynguyen")])
def test_names_fold_like_the_dataset_keys(place_zones, name, key):
    assert place_zones.key(name) == key


@pytest.mark.parametrize("name", ["TP Hải Dương", "thành phố Hải Dương", "Hải Dương"])
def test_district_prefixes_are_ignored(place_zones, name):
    assert place_zones.district_key(name) == "haiduong"


def test_the_bundled_points_are_up_to_date(place_zones):
    pytest.importorskip("vietnamadminunits", reason="the optional 'data' extra is not installed")
    assert place_zones.main(["--check"]) == 0
