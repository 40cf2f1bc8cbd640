"""Field mapping: which column holds which register field, and reading its values."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon

from geo.importer.model import Collector, Feature, Layer, Options, missing, names_list
from geo.schema import ZONE_COLUMNS, Kind, Quality, Status
from geo.text import fold, nfc, parse_vn_number, slugify

__all__ = [
    "NUMBER_FIELDS",
    "assign_ids",
    "clean",
    "coord_role",
    "fill_values",
    "header_key",
    "kind_of",
    "make_id",
    "map_columns",
    "map_header",
    "number",
    "status_of",
    "year",
]

# Header aliases, folded and joined with underscores.
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name_vi": ("ten", "ten_khu", "ten_kcn", "ten_ccn", "ten_kkt", "ten_khu_cn", "tenkhu",
                "ten_khu_cong_nghiep", "ten_cum_cong_nghiep", "ten_khu_kinh_te",
                "ten_tieng_viet", "ten_viet", "ten_goi", "name", "name_vi", "ten_vi"),
    "name_en": ("name_en", "ten_tieng_anh", "ten_ta", "ten_anh", "ten_en", "english_name",
                "name_english"),
    "kind": ("loai", "loai_khu", "kind", "type", "loai_hinh", "phan_loai", "category"),
    "province": ("tinh", "tinh_thanh", "tinh_thanh_pho", "tinh_tp", "province"),
    "province_current": ("province_current", "tinh_hien_nay", "tinh_moi"),
    "district": ("huyen", "quan_huyen", "quan", "district", "huyen_thi", "huyen_thi_xa"),
    "status": ("trang_thai", "hien_trang", "status", "tinh_trang", "tinh_trang_hoat_dong"),
    "area_total_ha": ("dien_tich", "dien_tich_", "dien_tich_ha", "area", "area_ha",
                      "area_total_ha", "tong_dien_tich", "dt", "dt_ha", "dien_tich_quy_hoach",
                      "dt_quy_hoach"),
    "area_industrial_ha": ("dt_dat_cn", "dien_tich_dat_cong_nghiep", "dien_tich_dat_cn",
                           "dat_cong_nghiep", "area_industrial", "area_industrial_ha",
                           "industrial_land_ha", "dt_cn"),
    "leased_ha": ("da_cho_thue", "dien_tich_da_cho_thue", "dt_da_cho_thue", "dt_cho_thue",
                  "leased", "leased_ha"),
    "occupancy_pct": ("ty_le_lap", "ty_le_lap_", "ty_le_lap_day", "ti_le_lap_day",
                      "ti_le_lap", "lap_day", "occupancy", "occupancy_pct"),
    "year_established": ("nam_thanh_lap", "nam_tl", "year", "year_established", "nam"),
    "developer": ("chu_dau_tu", "developer", "cdt", "nha_dau_tu", "chu_dau_tu_ha_tang"),
    "sectors": ("nganh", "nganh_nghe", "sectors", "linh_vuc", "nganh_nghe_thu_hut"),
    "id": ("ma", "ma_khu", "id", "code", "ma_kcn", "ma_so"),
    "parent_id": ("parent_id", "thuoc_kkt", "ma_kkt"),
    "plan_period": ("plan_period", "giai_doan", "ky_quy_hoach", "thoi_ky_quy_hoach"),
    "geometry_quality": ("geometry_quality",),
    "source_section": ("source_section",),
    "as_of": ("as_of",),
    "notes": ("notes", "ghi_chu", "note"),
}
_COORD_ALIASES: dict[str, tuple[str, ...]] = {
    "lat": ("lat", "latitude", "vi_do", "y"),
    "lon": ("lon", "lng", "long", "longitude", "kinh_do", "x"),
    "wkt": ("wkt", "geometry", "geom", "the_geom", "geometry_wkt", "shape"),
}
_ALIAS = {alias: f for f, aliases in _FIELD_ALIASES.items() for alias in aliases}
_COORD_ALIAS = {alias: f for f, aliases in _COORD_ALIASES.items() for alias in aliases}
NUMBER_FIELDS = ("area_total_ha", "area_industrial_ha", "leased_ha", "occupancy_pct")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_AREA_GAP = 0.20  # declared and measured areas further apart than this are reported


def header_key(text: str) -> str:
    """Fold a header into the key the aliases use: ``"Diện tích (ha)"`` → ``dien_tich_ha``."""
    return _NON_ALNUM.sub("_", fold(text)).strip("_")


def map_header(text: str) -> str | None:
    """Return the register field a header names, allowing DBF's 10-character cut."""
    key = header_key(text)
    if key in _ALIAS:
        return _ALIAS[key]
    if len(text) == 10 and len(key) >= 6:
        fields = {f for alias, f in _ALIAS.items() if alias.startswith(key)}
        if len(fields) == 1:
            return fields.pop()
    return None


def coord_role(text: str) -> str | None:
    """Return ``lat``, ``lon`` or ``wkt`` when a header names coordinates."""
    return _COORD_ALIAS.get(header_key(text))


def map_columns(lyr: Layer) -> tuple[dict[str, str], list[str]]:
    """Map a layer's columns onto register fields; return the mapping and the other columns."""
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for col in lyr.columns:
        if col in lyr.ignore_columns:
            continue
        target = map_header(col)
        if target and target not in mapping:
            mapping[target] = col
        elif any(not missing(r.get(col)) for r in lyr.rows):
            unknown.append(col)
    return mapping, unknown


def clean(value: Any) -> str | None:
    """Return a value as NFC text, or None when missing."""
    if missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    text = nfc(str(value).strip())
    return text or None


def number(value: Any) -> float | None:
    """Read a number written either way; raise ValueError if it is not one."""
    if missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        out = float(value)
        return out if math.isfinite(out) else None
    text = re.sub(r"(?i)\s*(%|ha|héc\s*ta|hecta)\s*$", "", str(value).strip())
    return parse_vn_number(text)


def kind_of(value: str | None) -> Kind | None:
    """Read a kind written as a code or words (``"khu công nghiệp"``, ``"IZ"``)."""
    if not value:
        return None
    f = fold(value)
    if f.upper() in Kind.__members__:
        return Kind[f.upper()]
    if f in ("kcx", "iz", "ip", "epz") or f.startswith(("khu cong nghiep", "khu che xuat",
                                                       "industrial zone", "industrial park",
                                                       "export processing")):
        return Kind.KCN
    if f.startswith(("cum cong nghiep", "industrial cluster", "cluster")):
        return Kind.CCN
    if f in ("ez",) or f.startswith(("khu kinh te", "economic zone")):
        return Kind.KKT
    return None


def kind_from_name(name: str) -> Kind | None:
    """Read the kind a zone's name starts or ends with (``"KCN …"``, ``"… Industrial Park"``)."""
    f = fold(name)
    for prefix, kind in (("kcn ", Kind.KCN), ("kcx ", Kind.KCN), ("khu cong nghiep", Kind.KCN),
                         ("khu che xuat", Kind.KCN), ("ccn ", Kind.CCN),
                         ("cum cong nghiep", Kind.CCN), ("kkt ", Kind.KKT),
                         ("khu kinh te", Kind.KKT)):
        if f.startswith(prefix):
            return kind
    for suffix, kind in (("industrial zone", Kind.KCN), ("industrial park", Kind.KCN),
                         ("industrial cluster", Kind.CCN), ("economic zone", Kind.KKT)):
        if f.endswith(suffix):
            return kind
    return None


def kind_from_layer(name: str) -> Kind | None:
    """Read the kind a layer's name gives (``"ranh_gioi_ccn"``), when it gives one."""
    tokens = set(_NON_ALNUM.split(fold(name)))
    found = [k for k in Kind if k.value.lower() in tokens]
    return found[0] if len(found) == 1 else None


def status_of(value: str | None) -> Status | None:
    """Read a status written in Vietnamese or English words."""
    if not value:
        return None
    f = fold(value).replace("_", " ")
    for status in Status:
        if f == status.value.replace("_", " "):
            return status
    rules = (
        (("chua hoat dong", "chua trien khai", "chua xay dung"), Status.PLANNED),
        (("de xuat", "du kien", "proposed"), Status.PROPOSED),
        (("xay dung", "trien khai", "construction"), Status.UNDER_CONSTRUCTION),
        (("hoat dong", "van hanh", "operat", "active"), Status.OPERATING),
        (("quy hoach", "plan"), Status.PLANNED),
    )
    for needles, status in rules:
        if any(n in f for n in needles):
            return status
    return None


def year(value: Any) -> float | None:
    """Read a year from a number, a date or text holding one; raise ValueError if none."""
    if missing(value):
        return None
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        out = float(value)
        if out.is_integer() and 1800 <= out <= 2100:
            return out
        raise ValueError(value)
    if isinstance(value, dt.date):
        return float(value.year)
    m = _YEAR.search(str(value))
    if not m:
        raise ValueError(value)
    return float(m.group(1))


def fill_values(feats: list[Feature], lyr: Layer, mapping: dict[str, str],
                unknown: list[str], opts: Options, out: Collector) -> None:
    """Map each feature's attributes onto the store's columns."""
    layer_kind = kind_from_layer(lyr.name)
    defaulted: list[str] = []
    bad_values: dict[str, list[str]] = {}
    bad_kinds: dict[tuple[str, str], list[str]] = {}
    occupancy: list[tuple[Feature, float]] = []
    for f in feats:
        row = lyr.rows[f.row]
        notes: list[str] = []
        own_notes = clean(row.get(mapping["notes"])) if "notes" in mapping else None
        values: dict[str, Any] = {c: None for c in ZONE_COLUMNS}
        values["name_vi"] = f.name
        for fld in ("name_en", "province", "district", "developer", "sectors", "parent_id",
                    "plan_period", "source_section", "province_current"):
            if fld in mapping:
                values[fld] = clean(row.get(mapping[fld]))
        raw_kind = clean(row.get(mapping["kind"])) if "kind" in mapping else None
        kind = kind_of(raw_kind)
        if kind is None:
            kind = kind_from_name(f.name) or layer_kind or Kind.KCN
            if raw_kind:
                bad_kinds.setdefault((raw_kind, kind.value), []).append(f.label)
                notes.append(f"{mapping['kind']}={raw_kind}")
            elif not (kind_from_name(f.name) or layer_kind):
                defaulted.append(f.label)
        values["kind"] = kind.value
        raw_status = clean(row.get(mapping["status"])) if "status" in mapping else None
        status = status_of(raw_status)
        values["status"] = status.value if status else None
        if raw_status and status is None:
            bad_values.setdefault(f"status {raw_status!r}", []).append(f.label)
            notes.append(f"{mapping['status']}={raw_status}")
        for fld in (*NUMBER_FIELDS, "year_established"):
            if fld not in mapping:
                continue
            raw = row.get(mapping[fld])
            try:
                values[fld] = year(raw) if fld == "year_established" else number(raw)
            except ValueError:
                bad_values.setdefault(f"{mapping[fld]} {clean(raw)!r}", []).append(f.label)
                notes.append(f"{mapping[fld]}={clean(raw)}")
        if values["occupancy_pct"] is not None:
            occupancy.append((f, values["occupancy_pct"]))
        quality = clean(row.get(mapping["geometry_quality"])) \
            if "geometry_quality" in mapping else None
        if quality not in {q.value for q in Quality}:
            quality = (Quality.DIGITISED if isinstance(f.geom, Polygon | MultiPolygon)
                       else Quality.APPROXIMATE).value
        values["geometry_quality"] = quality
        values["province_current"] = values["province_current"] or values["province"]
        values["source_id"] = opts.source_id
        file_as_of = clean(row.get(mapping["as_of"])) if "as_of" in mapping else None
        values["as_of"] = opts.as_of or file_as_of or dt.date.today().isoformat()
        file_id = clean(row.get(mapping["id"])) if "id" in mapping else None
        f.id_from_file = bool(file_id and _SLUG.match(file_id) and re.search("[a-z]", file_id))
        values["id"] = file_id if f.id_from_file else None
        if file_id and not f.id_from_file:
            notes.append(f"{mapping['id']}={file_id}")
        for col in unknown:
            text = clean(row.get(col))
            if text is not None:
                notes.append(f"{col}={text}")
        values["notes"] = "; ".join([n for n in [own_notes] if n] + notes) or None
        f.values = values
        declared = values["area_total_ha"]
        if f.area is not None and declared and abs(f.area - declared) > _AREA_GAP * declared:
            out.warnings.append(f"{f.label}: declares {declared:,.6g} ha, measures "
                                f"{f.area:,.1f} ha.")
    if occupancy and all(0 <= v <= 1 for _, v in occupancy) and any(v > 0 for _, v in occupancy):
        for f, v in occupancy:
            f.values["occupancy_pct"] = v * 100
        out.warnings.append(f"Layer {lyr.name}: every occupancy was between 0 and 1; read them "
                            "as fractions (0.63 → 63%) for "
                            f"{names_list(f.label for f, _ in occupancy)}.")
    if defaulted:
        out.warnings.append(f"No kind (KCN, CCN or KKT) for {names_list(defaulted)}: recorded "
                            "them as KCN.")
    for (raw, chosen), labels in bad_kinds.items():
        out.warnings.append(f"Kind {raw!r} of {names_list(labels)} is not KCN, CCN or KKT: "
                            f"recorded {chosen} and kept the value in the notes.")
    for what, labels in bad_values.items():
        out.warnings.append(f"Could not read {what} for {names_list(labels)}: left it empty and "
                            "kept the value in the notes.")


def assign_ids(features: list[Feature], out: Collector) -> None:
    """Give every zone a unique id: the file's if usable, else from kind and name."""
    seen: dict[str, str] = {}
    for f in features:
        base = f.values["id"] or make_id(f.values["kind"], f.name)
        zid, n = base, 1
        while zid in seen:
            n += 1
            zid = f"{base}-{n}"
        if zid != base:
            out.warnings.append(f"{f.label} has the same id {base!r} as {seen[base]}; gave it "
                                f"the id {zid!r}.")
        seen[zid] = f.label
        f.values["id"] = zid


_KIND_WORDS = {
    "KCN": ("kcn", "khu-cong-nghiep", "kcx", "khu-che-xuat"),
    "CCN": ("ccn", "cum-cong-nghiep"),
    "KKT": ("kkt", "khu-kinh-te"),
}


def make_id(kind: str, name: str) -> str:
    """Return ``slugify(f"{kind} {name}")`` without repeating a kind the name starts with.

    >>> make_id("CCN", "Cụm công nghiệp Tân Liên")
    'ccn-tan-lien'
    """
    slug = slugify(name, max_length=10_000)
    for word in _KIND_WORDS.get(kind, ()):
        if slug.startswith(f"{word}-"):
            slug = slug[len(word) + 1:]
            break
    return slugify(f"{kind} {slug}") or "zone"
