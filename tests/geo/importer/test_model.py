"""Tests of geo.importer.model: the small pieces every stage shares."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.importer.model import Refusal, Unreadable, missing, names_list, reading, unique_names


def test_a_readers_error_becomes_a_sentence_without_our_paths():
    with pytest.raises(Unreadable) as caught, reading("the GeoPackage ranh giới.gpkg"):
        raise OSError("/tmp/kcn-import-abc123/copy0.gpkg: file is not a database")
    text = str(caught.value)
    assert text.startswith("Could not read the GeoPackage ranh giới.gpkg")
    assert "kcn-import" not in text and "copy0" not in text


def test_a_refusal_passes_through_unchanged():
    with pytest.raises(Refusal, match=r"^as it was$"), reading("x"):
        raise Refusal("as it was")


@pytest.mark.parametrize(("value", "empty"), [
    (None, True), (math.nan, True), ("  ", True), (pd.NaT, True), (0, False), ("0", False),
])
def test_missing(value, empty):
    assert missing(value) is empty


def test_names_and_columns():
    assert names_list(str(i) for i in range(12)) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more"
    assert unique_names(["a", "", "a", "a"]) == ["a", "column 2", "a_", "a__"]
