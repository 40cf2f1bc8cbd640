"""Place every zone of the register at the centre of its commune, from its sources.

No public zone boundary exists, so each zone is an approximate point. The script reads
``data/src``, takes each zone's sourced commune (or, failing that, its sourced district)
from ``zone_values.csv`` in the order the register picks values, looks its centre up in the
administrative-unit dataset of the ``vietnamadminunits`` package (version 1.0.4, MIT:
pre-2025 communes and districts with their centre coordinates, and the communes and wards
of 01/07/2025), and writes into ``zones.csv``: ``geometry_wkt`` (a WGS 84 point),
``geometry_quality=approximate``, ``geometry_source_id`` (the placement's source row, tier
``editors``) and a "Location: ..." sentence in ``notes`` saying what the point marks.

A zone no source locates gets the centre of the district the editors know it in (the
``EDITORS_PLACEMENT`` table below, each entry with its reason), else of its province; the
note says so. Editors may place a zone; they never source a value.

Run it after changing a zone's commune or district (it needs the optional ``data`` extra)::

    .venv/bin/pip install -e '.[data]'
    .venv/bin/python scripts/place_zones.py            # rewrite data/src/zones.csv
    .venv/bin/python scripts/place_zones.py --check    # exit 1 if zones.csv is not up to date
"""

from __future__ import annotations

import argparse
import csv
import re
import sqlite3
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.register import ordered_values  # noqa: E402
from geo.schema import ZONE_SOURCE_COLUMNS  # noqa: E402

PLACEMENT_SOURCE = {
    "source_id": "vietnamadminunits-1-0-4",
    "document": "Commune centre coordinates from the vietnamadminunits 1.0.4 dataset",
    "doc_number": "",
    "issuer": "KCN Atlas editors (dataset: vietnamadminunits by Hieu Tran, MIT licence)",
    "date": "2026-11-29",
    "tier": "editors",
    "url": "https://pypi.org/project/vietnamadminunits/1.0.4/",
    "place": "",
    "file": "",
    "note": "Placement, not a value: scripts/place_zones.py puts each zone at the centre of "
            "the first commune (else the district) its sources name, using the package's "
            "pre-2025 communes and districts (wardLat/wardLon, districtLat/districtLon) and "
            "its communes and wards of 01/07/2025. Points are approximate.",
}
VERSION = "1.0.4"
MERGER = "2025-07-01"  # two-tier local government: districts abolished, communes merged

# Zones no source locates, placed by the editors from general knowledge: zone id ->
# (district or city as before 2025, commune or ward or "", why). Only the location rests on
# this; no value does.
_PENINSULA = "on the Đình Vũ peninsula, Đông Hải 2 ward"
_NAMED = "the locality its name gives"
_WEAK = "the locality a weak source gives, which the register does not cite"
EDITORS_PLACEMENT: dict[str, tuple[str, str, str]] = {
    # Hải Phòng before the 2025 merger
    "ccn-an-trang-1": ("An Lão", "", "An Tràng lies in An Lão; the source's district is cut off"),
    "ccn-an-trang-2": ("An Lão", "", "An Tràng lies in An Lão; the source's district is cut off"),
    "kcn-cang-cua-ngo-quoc-te-hai-phong": ("Cát Hải", "Cát Hải", "by Lạch Huyện port at the "
                                           "eastern end of Cát Hải island"),
    "kcn-xuan-cau": ("Cát Hải", "Cát Hải", "behind Lạch Huyện port at the eastern end of Cát "
                     "Hải island"),
    "kcn-deep-c-hai-phong-ii": ("Hải An", "Đông Hải 2", _PENINSULA),
    "kcn-dinh-vu": ("Hải An", "Đông Hải 2", _PENINSULA),
    "kcn-do-son": ("Đồ Sơn", "", _NAMED),
    "kcn-nam-cau-kien": ("Thủy Nguyên", "", "in Thủy Nguyên, by the Cấm river"),
    "kcn-nam-dinh-vu-ii": ("Hải An", "Đông Hải 2", _PENINSULA),
    "kcn-ngu-phuc": ("Kiến Thụy", "Ngũ Phúc", _NAMED),
    "kcn-nomura-hai-phong": ("An Dương", "An Hưng", "by National Road 5 in An Hưng"),
    "kcn-san-bay-tien-lang": ("Tiên Lãng", "", _NAMED),
    "kcn-thuy-nguyen-2": ("Thủy Nguyên", "", _NAMED),
    "kcn-tran-duong-hoa-binh": ("Vĩnh Bảo", "Trấn Dương", _NAMED),
    "kcn-trang-due": ("An Dương", "Lê Lợi", "in Lê Lợi, as the developer's address gives it"),
    "kcn-va-dich-vu-hang-hai-dinh-vu": ("Hải An", "Đông Hải 2", _PENINSULA),
    "kkt-dinh-vu-cat-hai": ("Hải An", "Đông Hải 2", "its core on the Đình Vũ peninsula"),
    # former Hải Dương
    "ccn-binh-giang-1": ("Bình Giang", "Nhân Quyền", _WEAK),
    "ccn-quang-trung": ("Kinh Môn", "Quang Thành", _WEAK),
    "ccn-that-hung": ("Kinh Môn", "Thất Hùng", _NAMED),
    "ccn-tu-cuong": ("Thanh Miện", "Tứ Cường", _NAMED),
    "ccn-tu-cuong-chi-lang-bac": ("Thanh Miện", "Tứ Cường", _NAMED),
    "kcn-cam-dien-luong-dien": ("Cẩm Giàng", "Cẩm Điền", _NAMED),
    "kcn-cong-hoa": ("Chí Linh", "Cộng Hòa", "in Cộng Hòa ward of Chí Linh, as its name and a "
                     "broker listing give it"),
    "kcn-dai-an": ("Hải Dương", "Tứ Minh", _WEAK),
    "kcn-gia-loc": ("Gia Lộc", "", _NAMED),
    "kcn-ky-thuat-cao-an-phat": ("Hải Dương", "Việt Hòa", "the locality of its former name "
                                 "Việt Hòa – Kenmark"),
    "kcn-lai-cach": ("Cẩm Giàng", "Lai Cách", _NAMED),
    "kcn-lai-vu": ("Kim Thành", "Lai Vu", _NAMED),
    "kcn-nam-sach": ("Nam Sách", "", _NAMED),
    "kcn-nam-sach-1": ("Nam Sách", "", _NAMED),
    "kcn-phuc-dien": ("Cẩm Giàng", "", "in Cẩm Giàng, as a broker listing gives it"),
    "kcn-tan-truong": ("Cẩm Giàng", "Tân Trường", _NAMED),
    # Quảng Ninh
    "ccn-cam-thinh": ("Cẩm Phả", "Cẩm Thịnh", _NAMED),
    "ccn-dong-mai": ("Quảng Yên", "Đông Mai", _NAMED),
    "ccn-hai-yen": ("Móng Cái", "Hải Yên", _NAMED),
    "ccn-van-don": ("Vân Đồn", "Đoàn Kết", _WEAK),
    "kcn-cai-lan": ("Hạ Long", "Giếng Đáy", "beside Cái Lân port"),
    "kcn-dong-mai": ("Quảng Yên", "Đông Mai", _NAMED),
    "kcn-dong-trieu": ("Đông Triều", "", _NAMED),
    "kcn-hoanh-bo": ("Hạ Long", "", "the former Hoành Bồ district, part of Hạ Long since 2019"),
    "kcn-nam-tien-phong": ("Quảng Yên", "Tiền Phong", _NAMED),
    "kcn-phia-bac-san-bay-van-don": ("Vân Đồn", "Đài Xuyên", "north of Vân Đồn airport, where "
                                     "its eastern part lies"),
    "kcn-song-khoai": ("Quảng Yên", "Sông Khoai", _NAMED),
    "kcn-viet-hung": ("Hạ Long", "Việt Hưng", _NAMED),
}

_LOCATION = re.compile(r"\s*Location: [^\n]*$")


def key(name: str) -> str:
    """Fold a place name the way the dataset keys it: no diacritics, no spaces, lower case."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]", "", text)


_DISTRICT_PREFIX = re.compile(r"^(tp\.?|thành phố|thị xã|tx\.?|huyện|quận)\s+", re.I)


def district_key(name: str) -> str:
    return key(_DISTRICT_PREFIX.sub("", name.strip()))


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    note: str


class Gazetteer:
    """Centre coordinates of communes and districts, before and after 01/07/2025."""

    def __init__(self) -> None:
        try:
            import vietnamadminunits
        except ImportError:
            sys.exit("place_zones: install the data extra first: pip install -e '.[data]'")
        got = getattr(vietnamadminunits, "__version__", None)
        if got is not None and got != VERSION:
            sys.exit(f"place_zones: needs vietnamadminunits {VERSION}, found {got}")
        db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        self.legacy = [dict(r) for r in con.execute(
            "SELECT provinceShort, districtShort, districtType, districtShortKey, districtLat,"
            " districtLon, wardShort, wardType, wardShortKey, wardLat, wardLon"
            " FROM admin_units_legacy")]
        self.current = [dict(r) for r in con.execute(
            "SELECT provinceShort, provinceLat, provinceLon, wardShort, wardType, wardShortKey,"
            " wardLat, wardLon FROM admin_units")]
        con.close()

    def commune_before(self, province: str, name: str, district: str | None) -> Place | None:
        """The centre of a pre-2025 commune of ``province``, unique within the district if given."""
        rows = [r for r in self.legacy if r["provinceShort"] == province
                and r["wardShortKey"] == key(name) and r["wardLat"] is not None]
        if district:
            within = [r for r in rows if r["districtShortKey"] == district_key(district)]
            rows = within or rows
        if len(rows) != 1:
            return None
        r = rows[0]
        return Place(r["wardLon"], r["wardLat"],
                     f"the centre of {r['wardType'].lower()} {r['wardShort']} "
                     f"({r['districtShort']}) as it was before 01/07/2025")

    def commune_after(self, province: str, name: str) -> Place | None:
        """The centre of a commune or ward of 01/07/2025 in ``province`` (today's)."""
        rows = [r for r in self.current if r["provinceShort"] == province
                and r["wardShortKey"] == key(name) and r["wardLat"] is not None]
        if len(rows) != 1:
            return None
        r = rows[0]
        return Place(r["wardLon"], r["wardLat"],
                     f"the centre of {r['wardType'].lower()} {r['wardShort']} "
                     "as formed on 01/07/2025")

    def district(self, province: str, name: str) -> Place | None:
        """The centre of a pre-2025 district of ``province``."""
        rows = {(r["districtShort"], r["districtType"], r["districtLat"], r["districtLon"])
                for r in self.legacy if r["provinceShort"] == province
                and r["districtShortKey"] == district_key(name)
                and r["districtLat"] is not None}
        if len(rows) != 1:
            return None
        short, kind, lat, lon = rows.pop()
        return Place(lon, lat, f"the centre of {kind.lower()} {short}")

    def province(self, province: str) -> Place | None:
        rows = {(r["provinceLat"], r["provinceLon"]) for r in self.current
                if r["provinceShort"] == province}
        if len(rows) != 1:
            return None
        lat, lon = rows.pop()
        return Place(lon, lat, f"the centre of {province}")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Reference:
    """Today's provinces on land (``geo.reference``), to keep points in their own province.

    Uses the bundled reference map (``data/reference/vietnam.gpkg``) when it exists;
    without it every point is accepted as placed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path if path.exists() else None

    def accepts(self, p: Place, province: str) -> bool:
        if self.path is None:
            return True
        from geo.reference import province_at

        return province_at(p.lon, p.lat, self.path) == province


def _candidates(zone: dict[str, str], values: list[dict[str, str]],
                gaz: Gazetteer) -> list[Place]:
    """Every place the zone could be put, best first, each with its explanation."""
    province, today = zone["province"], zone["province_current"]
    districts = [v for v in values if v["field"] == "district"]
    district = districts[0]["value"].split(";")[0].strip() if districts else None
    out: list[Place] = []
    for row in (v for v in values if v["field"] == "commune"):
        names = [n.strip() for n in row["value"].split(";") if n.strip()]
        after = (row["as_of"] or "") >= MERGER
        for i, name in enumerate(names):
            for lookup in ("after", "before") if after else ("before", "after"):
                found = gaz.commune_after(today, name) if lookup == "after" \
                    else gaz.commune_before(province, name, district)
                if found is None:
                    continue
                if len(names) == 1:
                    which = "the commune its source names"
                elif i == 0:
                    which = (f"the first of the {len(names)} communes its source names "
                             f"({', '.join(names)})")
                else:
                    which = (f"commune {i + 1} of the {len(names)} its source names "
                             f"({', '.join(names)}), the first not placing on the reference "
                             "map")
                out.append(Place(found.lon, found.lat, f"Location: approximate, at "
                                 f"{found.note}, {which} ({row['source_id']})."))
    editors: list[Place] = []
    if zone["id"] in EDITORS_PLACEMENT:
        dist, commune, why = EDITORS_PLACEMENT[zone["id"]]
        unsourced = "commune" if districts else "commune or district"
        for found in (gaz.commune_before(province, commune, dist) if commune else None,
                      gaz.district(province, dist)):
            if found:
                editors.append(Place(found.lon, found.lat,
                                     f"Location: approximate, at {found.note}, placed by the "
                                     f"editors ({why}); no source gives its {unsourced}."))
        if not editors:
            raise SystemExit(f"place_zones: {zone['id']}: cannot find {commune!r} / {dist!r}")
        # A commune the editors know inside the district the sources name beats that
        # district's centre.
        if commune and (district is None or district_key(dist) == district_key(district)):
            out.append(editors.pop(0))
    for row in districts:
        name = row["value"].split(";")[0].strip()
        found = gaz.district(province, name)
        if found:
            out.append(Place(found.lon, found.lat,
                             f"Location: approximate, at {found.note}, the district its source "
                             f"names ({row['source_id']}); no source gives a commune that "
                             "places."))
    out += editors
    found = gaz.province(today)
    if found is not None:
        out.append(Place(found.lon, found.lat,
                         f"Location: approximate, at {found.note}: no source and no editor "
                         "knows where in the province it lies."))
    return out


def place(zone: dict[str, str], values: list[dict[str, str]], gaz: Gazetteer,
          ref: Reference) -> Place:
    """Return the point of one zone: the first candidate on land in its province today."""
    candidates = _candidates(zone, values, gaz)
    if not candidates:
        raise SystemExit(f"place_zones: {zone['id']}: no place to put it")
    for i, p in enumerate(candidates):
        if ref.accepts(p, zone["province_current"]):
            if i and ref.path is not None:
                return Place(p.lon, p.lat, p.note.rstrip(".") + "; the better-placed "
                             "centres fall outside its province or at sea on the reference "
                             "map.")
            return p
    raise SystemExit(f"place_zones: {zone['id']}: no candidate lies in "
                     f"{zone['province_current']} on the reference map")


def placed_rows(src: Path, reference: Path) -> list[dict[str, str]]:
    """Return zones.csv's rows with every zone placed."""
    import pandas as pd

    zones = _read(src / "zones.csv")
    values = pd.DataFrame(_read(src / "zone_values.csv"), dtype=object)
    sources = pd.DataFrame(_read(src / "sources.csv"), dtype=object)
    ordered = ordered_values(values, sources)
    ordered = ordered[ordered["field"].isin(["commune", "district"])]
    by_zone: dict[str, list[dict[str, str]]] = {}
    for row in ordered.to_dict("records"):
        by_zone.setdefault(row["zone_id"], []).append(
            {k: ("" if v is None else str(v)) for k, v in row.items()})
    gaz = Gazetteer()
    ref = Reference(reference)
    out = []
    for zone in zones:
        p = place(zone, by_zone.get(zone["id"], []), gaz, ref)
        notes = _LOCATION.sub("", zone.get("notes") or "").strip()
        out.append({**zone, "geometry_wkt": f"POINT ({p.lon} {p.lat})",
                    "geometry_quality": "approximate",
                    "geometry_source_id": PLACEMENT_SOURCE["source_id"],
                    "notes": f"{notes} {p.note}".strip()})
    return out


def _write(columns: list[str], rows: list[dict[str, str]]) -> str:
    lines = []

    class _Sink:
        def write(self, text: str) -> None:
            lines.append(text)

    writer = csv.DictWriter(_Sink(), columns, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r[columns[0]]):
        writer.writerow({c: row.get(c, "") for c in columns})
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "data" / "src")
    parser.add_argument("--reference", type=Path,
                        default=ROOT / "data" / "reference" / "vietnam.gpkg",
                        help="reference map whose land and provinces every point must lie in "
                             "(skipped when the file does not exist)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if zones.csv or sources.csv would change")
    args = parser.parse_args(argv)
    if not args.reference.exists():
        print(f"place_zones: no reference map at {args.reference}: points are not checked "
              "against land and provinces", file=sys.stderr)
    zones_text = _write(ZONE_SOURCE_COLUMNS, placed_rows(args.src, args.reference))
    sources = [s for s in _read(args.src / "sources.csv")
               if s["source_id"] != PLACEMENT_SOURCE["source_id"]] + [PLACEMENT_SOURCE]
    with (args.src / "sources.csv").open(encoding="utf-8", newline="") as fh:
        source_columns = next(csv.reader(fh))
    sources_text = _write(source_columns, sources)
    targets = {"zones.csv": zones_text, "sources.csv": sources_text}
    stale = [name for name, text in targets.items()
             if (args.src / name).read_text(encoding="utf-8") != text]
    if args.check:
        for name in stale:
            print(f"place_zones: {name} is not up to date; run scripts/place_zones.py",
                  file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        (args.src / name).write_text(targets[name], encoding="utf-8")
    print(f"placed {zones_text.count(chr(10)) - 1} zones; rewrote {', '.join(stale) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
