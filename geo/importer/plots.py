"""From features to the register's plots (lô đất): values read, zones found, ids given.

A file of plots names each plot's zone by a column (the zone's id, or its name
with or without its kind word, in Vietnamese or English), or by lying inside
it (the plot's representative point inside a zone polygon of the register; a
KCN inside a KKT belongs to the KCN), unless the caller names one zone for
the whole file (``zone=``), which then wins. A plot no zone can be found for,
or that several zones claim, is left out with a warning that counts them and
names some: a plot without its zone cannot be counted in any occupancy, shown
in a zone's panel or merged again by (zone, code), so it is never written.

A plot without a status gets ``unknown``; a status in words KCN Atlas does not
know becomes ``unknown`` too, with the words kept in the plot's notes and a
warning: never a guess. Areas a heading states in m² are converted to
hectares, with a note; the area of a boundary is measured in VN-2000 / UTM 48N
(EPSG:3405), as for zones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.crs import STORE_CRS
from geo.i18n import local_today
from geo.importer.fields import ColumnMap, RowValues, clean, kind_from_name, number, text_date
from geo.importer.model import Collector, Feature, Options, Refusal, missing, names_list
from geo.register import normalise_plots
from geo.schema import PLOT_COLUMNS, PlotStatus
from geo.text import fold, name_key, nfc, slugify

__all__ = [
    "PLOT_ID_MAX",
    "ZoneMatch",
    "ZoneMatcher",
    "assign_plot_ids",
    "assign_zones",
    "code_key",
    "finish_plots",
    "looks_like_plots",
    "plot_id",
    "plot_status_of",
    "plots_frame",
    "read_plot_row",
    "resolve_zone",
]

PLOT_ID_MAX = 128  # ids open by link (layers.state.ID_PATTERN)
_AREA_GAP = 0.20  # declared and measured areas further apart than this are reported
_SAME_SHAPE_DEG = 1e-7  # about 1 cm: the same boundary given twice
_NESTED = 0.99  # share of the smaller zone inside the larger: it lies within it

# Status words, folded (no diacritics, lower case). Exact phrases first; a phrase may
# be followed by what it concerns ("đã cho thuê (Công ty A)", "đã đặt cọc 30%"), never
# by words that change it ("đã cho thuê một phần" is not leased: it stays unknown).
_STATUS_WORDS: dict[PlotStatus, tuple[str, ...]] = {
    PlotStatus.LEASED: (
        "da cho thue", "da thue", "da thue dat", "da giao dat", "da ban giao",
        "da ky hop dong", "da ky hop dong thue", "da ky hd", "da ky hdtd", "da co nha dau tu",
        "da co ndt", "leased", "let", "rented", "occupied", "sold"),
    PlotStatus.VACANT: (
        "con trong", "trong", "dat trong", "chua cho thue", "chua thue", "chua co nha dau tu",
        "chua co ndt", "san sang cho thue", "vacant", "available", "free", "for lease",
        "to let", "empty"),
    PlotStatus.RESERVED: (
        "da dat coc", "dat coc", "giu cho", "da giu cho", "dat cho", "da dat cho",
        "reserved", "booked", "deposit paid", "deposited", "on hold"),
    PlotStatus.NEGOTIATION: (
        "dang dam phan", "dam phan", "dang thuong thao", "thuong thao", "dang dam phan thue",
        "under negotiation", "in negotiation", "negotiating", "negotiation"),
    PlotStatus.UNAVAILABLE: (
        "khong cho thue", "khong thue", "ha tang", "ha tang ky thuat", "dat ha tang",
        "cay xanh", "dat cay xanh", "mat nuoc", "dat mat nuoc", "giao thong", "dat giao thong",
        "cong trinh cong cong", "dat ky thuat", "cong trinh dau moi", "dau moi ky thuat",
        "unavailable", "not for lease", "not available", "infrastructure", "green space",
        "utilities"),
    PlotStatus.UNKNOWN: (
        "khong ro", "chua ro", "chua xac dinh", "unknown", "n/a", "na", "?"),
}
_STATUS_EXACT = {w: s for s, words in _STATUS_WORDS.items() for w in words}
# Longest phrase first, so that "chua cho thue" is read before "cho thue" could be.
_STATUS_PREFIXES = sorted(_STATUS_EXACT.items(), key=lambda kv: -len(kv[0]))
_AFTER_PHRASE = re.compile(r"^\s*[(\[:;,\-–—/]|^\s*\d")
_PUNCT = re.compile(r"[.!]+$")
_LEASE_YEAR = re.compile(r"^\s*(19\d\d|2[01]\d\d)(?:\.0+)?\s*$")
_LEASE_MONTH = re.compile(r"^\s*(\d{1,2})[/.\-](\d{4})\s*$")
_LEASE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?\s*$")
_VALUE_UNIT = re.compile(r"(?i)\s*(m2|m²|m\s*2|ha|héc\s*ta|hecta)\s*$")
_EN_KIND = re.compile(r"-(industrial-zone|industrial-park|industrial-cluster|economic-zone|"
                      r"export-processing-zone|iz|ip|ez)$")


def plot_status_of(value: str | None) -> PlotStatus | None:
    """Read a plot's status written in Vietnamese or English words; None if not known.

    >>> plot_status_of("Đã cho thuê (Công ty A)")
    <PlotStatus.LEASED: 'leased'>
    >>> plot_status_of("Chưa cho thuê")
    <PlotStatus.VACANT: 'vacant'>
    >>> plot_status_of("đã cho thuê một phần") is None
    True
    """
    if not value:
        return None
    f = _PUNCT.sub("", fold(value).replace("_", " ")).strip()
    if f in _STATUS_EXACT:
        return _STATUS_EXACT[f]
    for phrase, status in _STATUS_PREFIXES:
        if len(phrase) > 3 and f.startswith(phrase) and _AFTER_PHRASE.match(f[len(phrase):]):
            return status
    return None


def _lease_end(value: Any) -> str | None:
    """A lease end as ISO text of the precision given (``2068``, ``2068-06``, a date)."""
    if missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= float(value) <= 2199:
            return str(int(value))
        raise ValueError(value)
    if (date := text_date(value)) is not None:
        return date[:10] if " " in date else date
    text = str(value).strip()
    if m := _LEASE_YEAR.match(text):
        return m.group(1)
    if m := _LEASE_MONTH.match(text):
        month, year = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return f"{year:04d}-{month:02d}"
    if m := _LEASE_ISO.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        day = int(m.group(3)) if m.group(3) else None
        if day is None and 1 <= month <= 12:
            return f"{year:04d}-{month:02d}"
        if day is not None:
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                raise ValueError(value) from None
    raise ValueError(value)


def _area(value: Any, per_unit: float) -> tuple[float | None, bool]:
    """An area in hectares from a cell; ``per_unit`` is the column's unit in ha.

    A value that states its own unit ("1.250 m2", "0,5 ha") is read in it; returns
    the area and whether the value's own unit was used.
    """
    if missing(value):
        return None, False
    if isinstance(value, str) and (m := _VALUE_UNIT.search(value)):
        unit = fold(m.group(1)).replace(" ", "")
        read = number(value[:m.start()])
        if read is None:
            return None, False
        return read * (1e-4 if unit in ("m2", "m²") else 1.0), True
    read = number(value)
    return (None if read is None else read * per_unit), False


def read_plot_row(row: Mapping[str, Any], cmap: ColumnMap) -> RowValues:
    """Read the plot fields a row states; what cannot be read goes to the notes.

    ``values`` may hold ``zone_ref`` (the zone column's text, matched later),
    ``status`` (``unknown`` for words KCN Atlas does not know, which go to
    ``status_words`` and the notes), ``area_declared_ha`` (m² converted),
    ``lessee``, ``sector``, ``lease_end``, ``as_of``, ``source_section`` and ``notes``.
    """
    out = RowValues({}, [], [])
    for fld in ("lessee", "sector", "source_section"):
        if (col := cmap.column(fld)) is not None and (text := clean(row.get(col))):
            out.values[fld] = text
    if (col := cmap.column("zone_id")) is not None and (text := clean(row.get(col))):
        out.values["zone_ref"] = text
    if (col := cmap.column("status")) is not None and (raw := clean(row.get(col))):
        status = plot_status_of(raw)
        if status is None:  # never a guess: unknown, the words kept and reported
            out.values["status"] = PlotStatus.UNKNOWN.value
            out.values["status_words"] = raw
            out.notes.append(f"{col}={raw}")
        else:
            out.values["status"] = status.value
    for fld, per_unit in (("area_declared_ha", cmap.scale.get("area_declared_ha", 1.0)),
                          ("area_declared_m2", 1e-4)):
        if (col := cmap.column(fld)) is None or "area_declared_ha" in out.values:
            continue
        raw = row.get(col)
        try:
            area, _ = _area(raw, per_unit)
        except ValueError:
            out.bad.append(f"{col} {clean(raw)!r}")
            out.notes.append(f"{col}={clean(raw)}")
            continue
        if area is not None:
            out.values["area_declared_ha"] = area
    if (col := cmap.column("lease_end")) is not None and not missing(raw := row.get(col)):
        try:
            out.values["lease_end"] = _lease_end(raw)
        except ValueError:
            out.bad.append(f"{col} {clean(raw)!r}")
            out.notes.append(f"{col}={clean(raw)}")
    if (col := cmap.column("as_of")) is not None and not missing(raw := row.get(col)):
        out.values["as_of"] = text_date(raw) or clean(raw)
    if (col := cmap.column("notes")) is not None and (text := clean(row.get(col))):
        out.values["notes"] = text
    for col in cmap.notes:
        if (text := clean(row.get(col))) is not None:
            out.notes.append(f"{col}={text}")
    return out


def looks_like_plots(columns: Sequence[str]) -> bool:
    """Tell whether a layer's headings say it holds plots rather than zones.

    It does when a heading names a plot's code the way only plot lists do
    (``"Mã lô"``, ``"Ký hiệu lô"``, ``"Lô"``, ``"plot_id"``; not a bare ``"Tên"``
    or ``"Mã"``) and another names its status or area.
    """
    from geo.importer.fields import PLOTS, header_key, map_header

    fields = {map_header(c, PLOTS) for c in columns if header_key(c) not in PLOTS.weak}
    return "code" in fields and bool(
        fields & {"status", "area_declared_ha", "area_declared_m2", "lessee"})


# --------------------------------------------------------------------------- finishing


def finish_plots(feats: list[Feature], opts: Options, out: Collector) -> None:
    """Fill in what the file leaves open and check values as the register needs them."""
    today = local_today().isoformat()
    no_status: list[str] = []
    unknown_words: dict[str, list[str]] = {}
    points: list[str] = []
    not_positive: list[str] = []
    gaps: list[str] = []
    ratios: list[float] = []
    for f in feats:
        stated = f.values
        values: dict[str, Any] = {c: None for c in PLOT_COLUMNS}
        values.update({k: v for k, v in stated.items() if k in values})
        values["code"] = f.name
        if stated.get("status_words"):
            unknown_words.setdefault(stated["status_words"], []).append(f.label)
        if not stated.get("status"):
            values["status"] = PlotStatus.UNKNOWN.value
            no_status.append(f.label)
        polygon = isinstance(f.geom, Polygon | MultiPolygon)
        if not polygon:
            points.append(f.label)
        values["area_measured_ha"] = round(f.area, 4) if polygon and f.area else None
        declared = values["area_declared_ha"]
        if declared is not None and declared <= 0:
            not_positive.append(f"{f.label} ({declared:g})")
            f.notes.append(f"area_declared_ha={declared:g}")
            values["area_declared_ha"] = declared = None
        if declared is not None and polygon and f.area:
            ratios.append(declared / f.area)
            if abs(f.area - declared) > _AREA_GAP * declared:
                gaps.append(f"{f.label} (declares {declared:,.4g} ha, measures {f.area:,.4g} ha)")
        values["source_id"] = opts.source_id
        values["as_of"] = opts.as_of or stated.get("as_of") or today
        own = stated.get("notes")
        values["notes"] = "; ".join([n for n in [own] if n] + f.notes) or None
        values["zone_ref"] = stated.get("zone_ref")
        f.values = values
    for words, labels in unknown_words.items():
        out.warnings.append(f"The status {words!r} of {len(labels):,} plot(s) "
                            f"({names_list(labels)}) is not one KCN Atlas knows (leased: đã cho "
                            "thuê; vacant: còn trống; reserved: đã đặt cọc, giữ chỗ; "
                            "negotiation: đang đàm phán; unavailable: không cho thuê, hạ tầng, "
                            "cây xanh): recorded it as unknown and kept the words in the notes.")
    if no_status:
        out.warnings.append(f"No status for {len(no_status):,} plot(s) ({names_list(no_status)}):"
                            " recorded them as unknown; add the status to the file when a "
                            "source gives it.")
    if not_positive:
        out.warnings.append(f"The declared area of {len(not_positive):,} plot(s) is not a "
                            f"positive number ({names_list(not_positive)}): left it empty and "
                            "kept the value in the notes.")
    if gaps:
        out.warnings.append(f"{len(gaps):,} plot(s) declare an area more than "
                            f"{_AREA_GAP:.0%} from the area of their boundary (measured in "
                            f"VN-2000): {names_list(gaps)}. Check the boundaries or the areas.")
    if ratios and 5_000 <= float(np.median(ratios)) <= 20_000:
        out.warnings.append("The declared areas are about 10,000 times the areas of the "
                            "boundaries: they look like square metres read as hectares. Map "
                            "the area column onto area_declared_m2 (square metres) and read "
                            "the file again.")
    elif not ratios:
        declared_all = [f.values["area_declared_ha"] for f in feats
                        if f.values["area_declared_ha"] is not None]
        if declared_all and float(np.median(declared_all)) > 500:
            out.warnings.append(f"The declared areas are large for plots (median "
                                f"{float(np.median(declared_all)):,.0f} ha): if they are "
                                "square metres, map the area column onto area_declared_m2 and "
                                "read the file again.")
    if points:
        out.warnings.append(f"{len(points):,} plot(s) are points, not boundaries "
                            f"({names_list(points)}): they count in the occupancy and the site "
                            "finder by their declared area, but the map cannot draw them as "
                            "plots and their measured area is empty.")


# --------------------------------------------------------------------------- zones


@dataclass(frozen=True)
class ZoneMatch:
    """What a zone column's text names: one zone, several, or none."""

    zone_id: str | None
    candidates: tuple[str, ...] = ()


def _zone_key(text: str) -> str:
    """The key a zone's name and a plot file's zone column share (no kind word)."""
    return _EN_KIND.sub("", name_key(text))


class ZoneMatcher:
    """Find register zones by id or name (kind word, case and diacritics ignored)."""

    def __init__(self, zones: pd.DataFrame) -> None:
        self.ids = {str(z) for z in zones["id"]}
        self.kinds = dict(zip(zones["id"], zones["kind"], strict=True))
        self.names = dict(zip(zones["id"], zones["name_vi"], strict=True))
        self._by_key: dict[str, list[str]] = {}
        for zid, vi, en in zip(zones["id"], zones["name_vi"], zones["name_en"], strict=True):
            for name in (vi, en):
                if isinstance(name, str) and name.strip():
                    found = self._by_key.setdefault(_zone_key(name), [])
                    if zid not in found:
                        found.append(zid)
        self._cache: dict[str, ZoneMatch] = {}

    def match(self, text: str) -> ZoneMatch:
        """Return the zone ``text`` names: its id, else its name with or without kind."""
        if text in self._cache:
            return self._cache[text]
        value = nfc(text.strip())
        if value in self.ids or value.lower() in self.ids:
            found = ZoneMatch(value if value in self.ids else value.lower())
        else:
            kind = kind_from_name(value)
            candidates = list(self._by_key.get(_zone_key(value), []))
            if kind is not None and len(candidates) > 1:
                candidates = [z for z in candidates if self.kinds.get(z) == kind.value]
            found = ZoneMatch(candidates[0] if len(candidates) == 1 else None,
                              tuple(candidates) if len(candidates) > 1 else ())
        self._cache[text] = found
        return found

    def describe(self, zid: str) -> str:
        """Name a zone for messages: ``KCN Đình Vũ (kcn-dinh-vu)``."""
        return f"{self.names.get(zid) or zid} ({zid})"


def _containers(zones: gpd.GeoDataFrame, points: np.ndarray) -> list[list[int]]:
    """For each point, the positions of the zone polygons it lies in."""
    polygonal = zones.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    out: list[list[int]] = [[] for _ in range(len(points))]
    if not polygonal.any() or not len(points):
        return out
    polys = np.asarray(zones.geometry.values)[polygonal]
    positions = np.flatnonzero(polygonal)
    tree = shapely.STRtree(polys)
    inputs, hits = tree.query(points, predicate="within")
    for i, j in zip(inputs, hits, strict=True):
        out[int(i)].append(int(positions[j]))
    return out


def _innermost(zones: gpd.GeoDataFrame, candidates: tuple[int, ...]) -> int | None:
    """The zone that lies within every other candidate (a KCN inside its KKT), if any."""
    geoms = [zones.geometry.iloc[c] for c in candidates]
    areas = [g.area for g in geoms]
    small = int(np.argmin(areas))
    inner = geoms[small]
    for k, other in enumerate(geoms):
        if k != small and inner.intersection(other).area < _NESTED * areas[small]:
            return None
    return candidates[small]


def assign_zones(feats: list[Feature], zones: gpd.GeoDataFrame, zone: str | None,
                 out: Collector) -> None:
    """Give each plot its register zone (``values["zone_id"]``), or refuse it.

    ``zone`` (an id the caller chose for the whole file) wins over the file's zone
    column, with a warning where the column names another zone; otherwise the column
    decides, and without it (or when its text names no zone) the plot's location.
    Plots that lie outside the boundary of the zone they are given are reported.
    """
    matcher = ZoneMatcher(zones)
    index = {zid: i for i, zid in enumerate(zones["id"])}
    reps = shapely.point_on_surface(np.asarray([f.geom for f in feats], dtype=object)) \
        if feats else np.asarray([], dtype=object)
    inside = _containers(zones, reps)
    nested: dict[tuple[int, ...], int | None] = {}
    other_zone: dict[str, list[str]] = {}
    unknown_name: dict[str, list[str]] = {}
    by_location: dict[str, dict[str, None]] = {}
    unmatched: list[str] = []
    ambiguous: list[str] = []
    outside: dict[str, list[str]] = {}
    for f, where in zip(feats, inside, strict=True):
        ref = f.values.pop("zone_ref", None)
        found: str | None = None
        if zone is not None:
            found = zone
            if ref and (m := matcher.match(ref)).zone_id not in (None, zone):
                other_zone.setdefault(ref, []).append(f.label)
        elif ref:
            m = matcher.match(ref)
            if m.zone_id is not None:
                found = m.zone_id
            elif m.candidates:
                ambiguous.append(f"{f.label} ({ref!r}: "
                                 f"{' or '.join(matcher.describe(z) for z in m.candidates)})")
                f.refused = "several zones"
                continue
        if found is None:
            key = tuple(where)
            if len(key) == 1:
                found = str(zones["id"].iloc[key[0]])
            elif len(key) > 1:
                if key not in nested:
                    nested[key] = _innermost(zones, key)
                inner = nested[key]
                if inner is None:
                    ambiguous.append(f"{f.label} (inside " + " and ".join(
                        matcher.describe(str(zones["id"].iloc[k])) for k in key) + ")")
                    f.refused = "several zones"
                    continue
                found = str(zones["id"].iloc[inner])
            if found is not None and ref:
                unknown_name.setdefault(ref, []).append(f.label)
                by_location.setdefault(ref, {})[found] = None
        if found is None:
            unmatched.append(f.label + (f" ({ref!r})" if ref else ""))
            f.refused = "no zone"
            continue
        f.values["zone_id"] = found
        zgeom = zones.geometry.iloc[index[found]]
        if zgeom is not None and zgeom.geom_type in ("Polygon", "MultiPolygon") and \
                index[found] not in where:
            outside.setdefault(found, []).append(f.label)
    for ref, labels in other_zone.items():
        out.warnings.append(f"The file's zone column names {ref!r} for {len(labels):,} plot(s) "
                            f"({names_list(labels)}), but every plot was imported into "
                            f"{matcher.describe(zone or '')} as chosen.")
    for ref, labels in unknown_name.items():
        out.warnings.append(f"The zone {ref!r} of {len(labels):,} plot(s) ({names_list(labels)}) "
                            "is no zone of the register: placed them in the zone they lie in ("
                            + ", ".join(matcher.describe(z) for z in by_location[ref]) + ").")
    for zid, labels in outside.items():
        out.warnings.append(f"{len(labels):,} plot(s) lie outside the boundary the register has "
                            f"for {matcher.describe(zid)} ({names_list(labels)}): check the "
                            "zone and the coordinate system.")
    if ambiguous:
        out.dropped.append(f"{len(ambiguous):,} plot(s) could belong to several zones and were "
                           f"left out: {names_list(ambiguous)}. Choose the zone for the file "
                           f"({_ZONE_CHOICE}), or give each plot its zone's id in a zone column.")
    if unmatched:
        out.dropped.append(f"{len(unmatched):,} plot(s) lie in no zone of the register and name "
                           f"none it knows, and were left out: {names_list(unmatched)}. Choose "
                           f"the zone for the file ({_ZONE_CHOICE}), add a column with the zone's "
                           "id or name, or import the zone's boundary first.")


# Where a person chooses the zone of a whole file: the Data page, or the command line.
_ZONE_CHOICE = "\"Zone of every plot in the file\" on the Data page, --zone on the command line"


def resolve_zone(zones: pd.DataFrame, zone: str) -> str:
    """Return the id of the register zone the caller named (id or name); refuse otherwise."""
    m = ZoneMatcher(zones).match(zone)
    if m.zone_id is not None:
        return m.zone_id
    if m.candidates:
        raise Refusal(f"{zone!r} names several zones of the register ("
                      f"{', '.join(m.candidates)}): give the zone's id.")
    raise Refusal(f"There is no zone {zone!r} in the register: give the id of one of its zones "
                  "(the map's link shows it as zone=…), or import the zone first.")


# --------------------------------------------------------------------------- ids


def code_key(code: str) -> str:
    """The key two ways of writing one plot code share (``"A.1"``, ``"a 1"``: ``a-1``)."""
    slug = slugify(code, max_length=10_000)
    if slug:
        return slug
    return "x" + hashlib.sha1(nfc(code.strip()).encode(), usedforsecurity=False).hexdigest()[:10]


def plot_id(zone_id: str, code: str) -> str:
    """Return a plot's id: its zone's id and its code, at most 128 characters.

    >>> plot_id("kcn-dinh-vu", "Lô CN-01")
    'kcn-dinh-vu--lo-cn-01'
    """
    key = code_key(code)
    room = PLOT_ID_MAX - len(zone_id) - 2
    if len(key) > room:
        key = slugify(key, max_length=max(room, 12))
    return f"{zone_id}--{key}"[:PLOT_ID_MAX]


def _same_plot(a: Feature, b: Feature) -> bool:
    keys = ("status", "area_declared_ha", "lessee", "sector", "lease_end")
    if any(a.values.get(k) != b.values.get(k) for k in keys):
        return False
    if a.geom is None or b.geom is None:
        return a.geom is b.geom
    return bool(shapely.equals_exact(shapely.normalize(a.geom), shapely.normalize(b.geom),
                                     _SAME_SHAPE_DEG))


def assign_plot_ids(feats: list[Feature], out: Collector) -> list[Feature]:
    """Give each plot its id; a code given twice in one zone is read once or refused.

    Returns the plots to import: a plot given twice, the same both times, is read
    once (a note); a code given to plots that differ is refused for all of them
    (a warning naming them), since KCN Atlas cannot tell which is right.
    """
    groups: dict[tuple[str, str], list[Feature]] = {}
    for f in feats:
        groups.setdefault((f.values["zone_id"], code_key(f.name)), []).append(f)
    keep: list[Feature] = []
    repeats: list[str] = []
    clashes: list[str] = []
    for (zid, _), group in groups.items():
        first = group[0]
        if len(group) > 1:
            if all(_same_plot(first, g) for g in group[1:]):
                repeats.append(first.label)
                for g in group[1:]:
                    g.refused = "repeat"
            else:
                clashes.append(f"{first.name} in {zid} (" + ", ".join(g.where for g in group)
                               + ")")
                for g in group:
                    g.refused = "clash"
                continue
        first.values["id"] = plot_id(zid, first.name)
        keep.append(first)
    if repeats:
        out.notes.append(f"{len(repeats):,} plot(s) were given twice, the same both times "
                         f"({names_list(repeats)}): read each once.")
    if clashes:
        out.dropped.append(f"{len(clashes):,} plot code(s) are given to plots that differ "
                           f"(different boundary or values): {names_list(clashes)}. Left all of "
                           "them out, since KCN Atlas cannot tell which is right: give each plot "
                           "a code of its own and import again.")
    return keep


def plots_frame(feats: list[Feature]) -> gpd.GeoDataFrame:
    """Return the plots' values as a plots frame in the store's columns."""
    frame = pd.DataFrame([{c: f.values.get(c) for c in PLOT_COLUMNS} for f in feats],
                         columns=PLOT_COLUMNS, dtype=object)
    gdf = gpd.GeoDataFrame(frame, geometry=[f.geom for f in feats], crs=STORE_CRS)
    return normalise_plots(gdf)

