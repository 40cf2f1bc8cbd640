"""Tests of geo.importer.upload: staging an upload and handing each file to its reader."""

from __future__ import annotations

import pytest

from geo.importer.model import ImportLimits, Options, Refusal
from geo.importer.upload import read_layers, stage
from tests.geo.importer.helpers import zip_members, zones_gdf


def _opts(limit: int = 1000) -> Options:
    return Options(filename="kcn.csv", layer=None, crs=None, crs_label=None, encoding=None,
                   limits=ImportLimits(max_file_bytes=limit), source_id="import", as_of=None)


def test_stage_checks_the_size_first(tmp_path):
    path = tmp_path / "kcn.csv"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(Refusal, match=r"more than the 0\.0 MB"):
        stage(path, _opts(), tmp_path)
    with pytest.raises(Refusal, match="is empty"):
        stage(b"", _opts(), tmp_path)
    staged = stage(b"name,lat,lon\n", _opts(), tmp_path)
    assert staged.parent == tmp_path and staged.read_bytes() == b"name,lat,lon\n"
    assert stage(path, _opts(5000), tmp_path) == path  # a path is read in place


def test_a_zip_holding_one_data_file_is_read_under_the_users_names(tmp_path):
    data = zip_members({"Bản đồ/ranh giới KCN.geojson": zones_gdf().to_json().encode()})
    staged = stage(data, _opts(10**6), tmp_path)
    (layer,) = read_layers(staged, "ban_do.zip", _opts(10**6), tmp_path)
    assert layer.name == "ranh giới KCN" and len(layer.rows) == 2


def test_a_zip_inside_a_zip_is_refused(tmp_path):
    data = zip_members({"inner.zip": zip_members({"a.csv": b"a"})})
    staged = stage(data, _opts(10**6), tmp_path)
    with pytest.raises(Refusal, match="zip inside the zip"):
        read_layers(staged, "outer.zip", _opts(10**6), tmp_path)
