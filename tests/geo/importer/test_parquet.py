"""Tests of geo.importer.parquet: GeoParquet, and Parquet tables with coordinates."""

from __future__ import annotations

import pandas as pd

from geo.importer import read_import
from tests.geo.importer.helpers import accepted, zones_gdf


def test_geoparquet_keeps_its_crs(tmp_path):
    zones_gdf("EPSG:9210").to_parquet(tmp_path / "z.parquet")
    report = accepted(read_import((tmp_path / "z.parquet").read_bytes(), "z.parquet"))
    assert report.crs == "EPSG:9210 (VN-2000 / TM-3 105-45)" and len(report.zones) == 2


def test_a_plain_parquet_table_with_coordinates(tmp_path):
    pd.DataFrame({"Tên khu": ["KCN A"], "Vĩ độ": [20.85], "Kinh độ": [106.7],
                  "Trạng thái": ["quy hoạch"]}).to_parquet(tmp_path / "t.parquet")
    report = accepted(read_import((tmp_path / "t.parquet").read_bytes(), "t.parquet"))
    assert report.names == ["KCN A"] and report.zones["status"].tolist() == ["planned"]
