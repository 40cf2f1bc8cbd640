"""Field mapping: which column holds which register field, and reading its values.

Headers are matched after folding (no diacritics, lower case, ``_`` for anything
else): ``"Diện tích (ha)"`` is ``dien_tich_ha``, an alias of ``area_total_ha``.
The caller may override any guess (``mapping={"Diện tích đất CN":
"area_industrial_ha"}``); a column mapped to nothing is kept in the notes.

What a file is read into is a :class:`Target`: :data:`ZONES` (the zones table) or
:data:`PLOTS` (the plots, lô đất), each with its own headings. An area heading that
states square metres or square kilometres (``"Diện tích (m²)"``) is read in that
unit and converted to hectares (:attr:`ColumnMap.scale`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.importer.model import Layer, Refusal, missing
from geo.schema import Kind, Status
from geo.text import SLUG_MAX, fold, name_key, nfc, parse_vn_number, slugify

__all__ = [
    "COORD_ROLES",
    "MAPPABLE_FIELDS",
    "NUMBER_FIELDS",
    "PLOTS",
    "TARGETS",
    "ZONES",
    "ColumnMap",
    "RowValues",
    "Target",
    "area_scale",
    "check_mapping",
    "clean",
    "coord_role",
    "header_key",
    "join_key",
    "kind_from_layer",
    "kind_from_name",
    "kind_of",
    "known_header",
    "make_id",
    "map_columns",
    "map_header",
    "number",
    "read_row",
    "status_of",
    "target_of",
    "text_date",
    "year",
]

# Header aliases, folded and joined with underscores.
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name_vi": ("ten", "ten_khu", "ten_kcn", "ten_ccn", "ten_kkt", "ten_khu_cn", "tenkhu",
                "ten_khu_cong_nghiep", "ten_cum_cong_nghiep", "ten_khu_kinh_te",
                "ten_tieng_viet", "ten_viet", "ten_goi", "name", "name_vi", "ten_vi",
                "ten_khu_ccn", "ten_du_an", "ten_cum"),
    "name_en": ("name_en", "ten_tieng_anh", "ten_ta", "ten_anh", "ten_en", "english_name",
                "name_english"),
    "kind": ("loai", "loai_khu", "kind", "type", "loai_hinh", "phan_loai", "category"),
    "province": ("tinh", "tinh_thanh", "tinh_thanh_pho", "tinh_tp", "province"),
    "province_current": ("province_current", "tinh_hien_nay", "tinh_moi"),
    "district": ("huyen", "quan_huyen", "quan", "district", "huyen_thi", "huyen_thi_xa"),
    "commune": ("xa", "xa_phuong", "phuong_xa", "commune", "ward", "xa_phuong_thi_tran"),
    "status": ("trang_thai", "hien_trang", "status", "tinh_trang", "tinh_trang_hoat_dong"),
    "area_total_ha": ("dien_tich", "dien_tich_", "dien_tich_ha", "area", "area_ha",
                      "area_total_ha", "tong_dien_tich", "dt", "dt_ha", "dien_tich_quy_hoach",
                      "dt_quy_hoach", "tong_dien_tich_ha", "dien_tich_quy_hoach_ha",
                      "dien_tich_tong", "dien_tich_tong_dien_tich"),
    "area_industrial_ha": ("dt_dat_cn", "dien_tich_dat_cong_nghiep", "dien_tich_dat_cn",
                           "dat_cong_nghiep", "area_industrial", "area_industrial_ha",
                           "industrial_land_ha", "dt_cn", "dien_tich_dat_cn_ha",
                           "dien_tich_dat_cong_nghiep_ha", "dat_cn"),
    "leased_ha": ("da_cho_thue", "dien_tich_da_cho_thue", "dt_da_cho_thue", "dt_cho_thue",
                  "leased", "leased_ha", "dien_tich_da_cho_thue_ha"),
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
    "as_of": ("as_of", "ngay_cap_nhat", "cap_nhat", "thoi_diem"),
    "notes": ("notes", "ghi_chu", "note", "description"),
}
# Headings of a file of plots (lô đất). "Diện tích" with no unit is hectares, as for
# zones; a heading in m² is read into area_declared_m2 and converted to hectares.
_PLOT_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("ma_lo", "ky_hieu_lo", "ky_hieu", "kh_lo", "khl", "lo", "lo_dat", "so_lo",
             "ma_lo_dat", "ten_lo", "so_hieu_lo", "ky_hieu_lo_dat", "lo_so", "so_hieu",
             "plot", "plot_id", "plot_code", "plot_no", "plot_number", "lot", "lot_id",
             "lot_no", "lot_code"),
    "zone_id": ("khu", "ten_khu", "ma_khu", "kcn", "ccn", "kkt", "ten_kcn", "ten_ccn",
                "khu_cong_nghiep", "cum_cong_nghiep", "thuoc_khu", "thuoc_kcn", "thuoc_ccn",
                "ten_khu_cong_nghiep", "ten_cum_cong_nghiep", "zone", "zone_id", "zone_name",
                "industrial_zone", "industrial_park", "park"),
    "status": ("trang_thai", "tinh_trang", "hien_trang", "status", "tinh_trang_cho_thue",
               "trang_thai_cho_thue", "tinh_trang_thue", "hien_trang_cho_thue",
               "tinh_trang_su_dung", "hien_trang_su_dung", "trang_thai_lo", "lease_status"),
    "area_declared_ha": ("dien_tich", "dien_tich_", "dien_tich_ha", "dt", "dt_ha", "area",
                         "area_ha", "dien_tich_lo", "dien_tich_lo_dat", "dien_tich_dat",
                         "dien_tich_lo_ha", "dien_tich_dat_ha", "declared_area",
                         "area_declared_ha"),
    "area_declared_m2": ("dien_tich_m2", "dt_m2", "area_m2", "dien_tich_lo_m2",
                         "dien_tich_dat_m2", "dien_tich_lo_dat_m2", "dien_tich_met_vuong",
                         "area_sqm", "sqm", "area_declared_m2"),
    "lessee": ("nha_dau_tu", "doanh_nghiep_thue", "doanh_nghiep", "ten_doanh_nghiep",
               "ten_nha_dau_tu", "ben_thue", "don_vi_thue", "khach_hang", "cong_ty",
               "ten_cong_ty", "nha_dau_tu_thue", "ndt", "lessee", "tenant", "investor",
               "company"),
    "sector": ("nganh_nghe", "nganh", "linh_vuc", "nganh_nghe_san_xuat", "nganh_nghe_dau_tu",
               "nganh_nghe_kinh_doanh", "loai_hinh_san_xuat", "sector", "industry"),
    "lease_end": ("thoi_han_thue", "han_thue", "ngay_het_han", "het_han_thue",
                  "ngay_het_han_thue", "thue_den", "thoi_han_thue_den", "thoi_han_thue_dat",
                  "lease_end", "lease_expiry", "lease_until", "lease_expires"),
    "as_of": ("as_of", "ngay_cap_nhat", "cap_nhat", "thoi_diem", "ngay_so_lieu",
              "thoi_diem_cap_nhat"),
    "source_section": ("source_section",),
    "notes": ("notes", "ghi_chu", "note", "description"),
}
# Headings that name a plot's code only when no column names it better (a file's
# "Tên" or "name" is the plot's label when it has no "Mã lô").
_PLOT_WEAK = {"ten": "code", "name": "code", "ma": "code", "ma_so": "code", "code": "code",
              "ten_goi": "code"}
_COORD_ALIASES: dict[str, tuple[str, ...]] = {
    "lat": ("lat", "latitude", "vi_do", "y", "vi_do_n", "vi_do_b"),
    "lon": ("lon", "lng", "long", "longitude", "kinh_do", "x", "kinh_do_e", "kinh_do_d"),
    "wkt": ("wkt", "geometry", "geom", "the_geom", "geometry_wkt", "shape"),
}
# Row numbers and GIS bookkeeping: never a zone attribute, ignored without a word.
_QUIET = {"stt", "tt", "so_tt", "so_thu_tu", "no", "fid", "objectid", "object_id", "ogc_fid",
          "gid", "shape_leng", "shape_length", "shape_area", "shape_len", "orig_fid",
          "styleurl", "style_url"}
_ALIAS = {alias: f for f, aliases in _FIELD_ALIASES.items() for alias in aliases}
_COORD_ALIAS = {alias: f for f, aliases in _COORD_ALIASES.items() for alias in aliases}
NUMBER_FIELDS = ("area_total_ha", "area_industrial_ha", "leased_ha", "occupancy_pct")
COORD_ROLES = ("lat", "lon", "wkt")
# Register fields a column may be mapped onto (the Data page offers these).
MAPPABLE_FIELDS: tuple[str, ...] = tuple(_FIELD_ALIASES)
_TEXT_FIELDS = ("name_en", "province", "province_current", "district", "commune",
                "developer", "sectors", "parent_id", "plan_period", "source_section")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?(Z|[+-]00:?00)?$")


@dataclass(frozen=True)
class Target:
    """What a file is read into: the zones table or the plots table.

    ``key`` is the field a feature cannot go without (a zone's name, a plot's
    code); ``aliases`` map folded headings onto fields, ``weak`` ones only when no
    other column takes the field; ``fields`` are what a column may be mapped onto.
    """

    name: str  # "zones" | "plots"
    word: str  # how messages call one feature: "zone" | "plot"
    key: str
    aliases: Mapping[str, str]
    fields: tuple[str, ...]
    weak: Mapping[str, str] = field(default_factory=dict)


ZONES = Target("zones", "zone", "name_vi", _ALIAS, MAPPABLE_FIELDS)
PLOTS = Target("plots", "plot", "code",
               {alias: f for f, aliases in _PLOT_ALIASES.items() for alias in aliases},
               tuple(_PLOT_ALIASES), _PLOT_WEAK)
TARGETS = {t.name: t for t in (ZONES, PLOTS)}


def target_of(name: str | Target) -> Target:
    """Return the target named ``"zones"`` or ``"plots"`` (a target is returned as is)."""
    return name if isinstance(name, Target) else TARGETS[name]


def header_key(text: str) -> str:
    """Fold a header into the key the aliases use: ``"Diện tích (ha)"`` → ``dien_tich_ha``.

    Compatibility characters are folded too: ``"m²"`` is ``m2``.
    """
    return _NON_ALNUM.sub("_", fold(unicodedata.normalize("NFKC", text))).strip("_")


def _parts(text: str) -> list[str]:
    """A header over several rows reads ``"Tọa độ trung tâm / Vĩ độ"``: most specific first."""
    parts = [p.strip() for p in text.split(" / ") if p.strip()]
    return [text] if len(parts) < 2 else [parts[-1], text, *reversed(parts[:-1])]


def map_header(text: str, target: str | Target = "zones") -> str | None:
    """Return the register field a header names, allowing DBF's 10-character cut.

    A header over several rows (``"Diện tích / Đất CN"``) is matched by its most
    specific part first, then as a whole, then by its group label. ``target``
    says which table's headings to use (``"zones"`` or ``"plots"``).
    """
    tgt = target_of(target)
    parts = _parts(text)
    if len(parts) > 1:
        for part in parts:
            if (found := _map_one(part, tgt)) is not None:
                return found
        return None
    return _map_one(text, tgt)


def known_header(text: str) -> bool:
    """Tell whether a header names a field of any target, or coordinates."""
    return coord_role(text) is not None or any(
        map_header(text, tgt) is not None for tgt in TARGETS.values())


_UNITS = {"ha", "m2", "km2", "hecta", "pct"}
# Square metres or kilometres in a heading, as hectares per unit.
_AREA_UNITS = {"m2": 1e-4, "km2": 100.0}


def _map_one(text: str, tgt: Target) -> str | None:
    key = header_key(text)
    aliases = tgt.aliases
    if key in aliases:
        return aliases[key]
    if key in tgt.weak:
        return tgt.weak[key]
    bare = "_".join(t for t in key.split("_") if t not in _UNITS)  # "Diện tích (ha) / Tổng"
    if bare in aliases:
        found = aliases[bare]
        # "Diện tích (m2)" of a plot: the square-metre field, whatever the words before.
        if f"{found[:-3]}_m2" in tgt.fields and area_scale(text) == _AREA_UNITS["m2"]:
            return f"{found[:-3]}_m2"
        return found
    if len(text) == 10 and len(key) >= 6:
        fields = {f for alias, f in aliases.items() if alias.startswith(key)}
        if len(fields) == 1:
            return fields.pop()
    return None


def area_scale(text: str) -> float | None:
    """Hectares per unit of the area a heading states in m² or km² (None: no such unit).

    >>> area_scale("Diện tích (m²)")
    0.0001
    """
    for part in reversed(_parts(text)):
        tokens = header_key(part).split("_")
        joined = "_".join(tokens)
        for unit, scale in _AREA_UNITS.items():
            if unit in tokens or (joined.endswith(("met_vuong", "sqm")) and unit == "m2"):
                return scale
    return None


def coord_role(text: str, overrides: Mapping[str, str | None] | None = None) -> str | None:
    """Return ``lat``, ``lon`` or ``wkt`` when a header names coordinates."""
    if overrides and text in overrides:
        role = overrides[text]
        return role if role in COORD_ROLES else None
    for part in _parts(text):
        if (role := _COORD_ALIAS.get(header_key(part))) is not None:
            return role
    return None


def check_mapping(mapping: Mapping[str, str | None],
                  target: str | Target = "zones") -> dict[str, str | None]:
    """Check the caller's column mapping; ``""`` and ``None`` mean "keep it in the notes"."""
    fields = target_of(target).fields
    out: dict[str, str | None] = {}
    for column, wanted in mapping.items():
        value = (wanted or "").strip() or None
        if value is not None and value not in fields and value not in COORD_ROLES:
            raise Refusal(f"The column {column!r} cannot be mapped onto {value!r}: choose one "
                          f"of {', '.join((*fields, *COORD_ROLES))}, or nothing.")
        out[nfc(column)] = value
    return out


@dataclass
class ColumnMap:
    """How one layer's columns map onto the register."""

    fields: dict[str, str]  # register field -> column
    notes: list[str]  # columns kept in each zone's notes
    ignored: list[str]  # row numbers and GIS bookkeeping
    roles: dict[str, str] = field(default_factory=dict)  # column -> what it became
    # Area field -> hectares per unit of its column, when the heading states m² or km².
    scale: dict[str, float] = field(default_factory=dict)

    def column(self, fld: str) -> str | None:
        """Return the column mapped onto ``fld``, if any."""
        return self.fields.get(fld)


def map_columns(lyr: Layer, overrides: Mapping[str, str | None] | None = None,
                standard: frozenset[str] = frozenset(),
                target: str | Target = "zones") -> ColumnMap:
    """Map a layer's columns onto register fields; the caller's overrides win.

    ``standard`` names a format's own columns (KML's ``description``…): kept in the
    notes without a word, like the other unmapped columns. A heading that only
    weakly names a field (a plot file's ``"Tên"``) takes it only when no other
    column does.
    """
    tgt = target_of(target)
    overrides = overrides or {}
    cmap = ColumnMap({}, [], [])
    # The caller's choices first: a guess never takes a field the caller gave a column.
    for col in lyr.columns:
        wanted = overrides.get(col)
        if col in overrides and wanted not in COORD_ROLES and wanted and \
                wanted not in cmap.fields and col not in lyr.ignore_columns:
            cmap.fields[wanted] = col
            cmap.roles[col] = wanted
    guesses: dict[str, str | None] = {}
    for col in lyr.columns:
        if col in cmap.roles or col in lyr.ignore_columns or col in overrides:
            continue
        if header_key(col) not in _QUIET:
            guesses[col] = map_header(col, tgt)
    weak = {c for c in guesses if header_key(c) in tgt.weak}
    strong_fields = {f for c, f in guesses.items() if f and c not in weak}
    for col in lyr.columns:
        if col in cmap.roles:
            continue
        if col in lyr.ignore_columns:
            cmap.roles[col] = "coordinates"
            continue
        if col in overrides:
            wanted = None  # kept in the notes, or coordinates read already
        elif col not in guesses:
            cmap.ignored.append(col)
            cmap.roles[col] = "ignored"
            continue
        else:
            wanted = guesses[col]
            if col in weak and wanted in strong_fields:
                wanted = None
        if wanted and wanted not in cmap.fields:
            cmap.fields[wanted] = col
            cmap.roles[col] = wanted
        elif col in standard or any(not missing(r.get(col)) for r in lyr.rows):
            cmap.notes.append(col)
            cmap.roles[col] = "notes"
        else:
            cmap.ignored.append(col)
            cmap.roles[col] = "ignored"
    for fld, col in cmap.fields.items():
        if fld.endswith("_ha") and (scale := area_scale(col)) is not None:
            cmap.scale[fld] = scale
    return cmap


def text_date(value: Any) -> str | None:
    """Write a date as ISO text: a date stays a date (``2024-12-31``), never midnight."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else \
            value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if m := _ISO_MIDNIGHT.match(text):
            return m.group(1)
        if m := _DMY.match(text):  # Vietnamese order: day, month, year
            day, month, yyyy = (int(g) for g in m.groups())
            try:
                return dt.date(yyyy, month, day).isoformat()
            except ValueError:
                return None
    return None


def clean(value: Any) -> str | None:
    """Return a value as NFC text, or None when missing; dates as ISO dates."""
    if missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | pd.Timestamp):
        return text_date(value)
    if isinstance(value, str) and (date := _ISO_MIDNIGHT.match(value.strip())):
        return date.group(1)
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
        (("khong ro", "chua ro", "unknown", "n/a"), Status.UNKNOWN),
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


@dataclass
class RowValues:
    """What one row states, read into register fields."""

    values: dict[str, Any]  # only the fields the row states
    notes: list[str]  # "column=value" kept in the zone's notes
    bad: list[str]  # "what could not be read", e.g. "status 'sắp mở'"
    bad_kind: str | None = None  # a kind column value that is not a kind
    file_id: str | None = None  # the row's code when it is not usable as an id


def read_row(row: Mapping[str, Any], cmap: ColumnMap) -> RowValues:
    """Read the register fields a row states; what cannot be read goes to the notes."""
    out = RowValues({}, [], [])
    for fld in _TEXT_FIELDS:
        if (col := cmap.column(fld)) is not None and (text := clean(row.get(col))):
            out.values[fld] = text
    if (col := cmap.column("kind")) is not None and (raw := clean(row.get(col))):
        kind = kind_of(raw)
        if kind is None:
            out.bad_kind = raw
            out.notes.append(f"{col}={raw}")
        else:
            out.values["kind"] = kind.value
    if (col := cmap.column("status")) is not None and (raw := clean(row.get(col))):
        status = status_of(raw)
        if status is None:
            out.bad.append(f"status {raw!r}")
            out.notes.append(f"{col}={raw}")
        else:
            out.values["status"] = status.value
    for fld in (*NUMBER_FIELDS, "year_established"):
        if (col := cmap.column(fld)) is None:
            continue
        raw = row.get(col)
        try:
            value = year(raw) if fld == "year_established" else number(raw)
        except ValueError:
            out.bad.append(f"{col} {clean(raw)!r}")
            out.notes.append(f"{col}={clean(raw)}")
            continue
        if value is not None:
            out.values[fld] = value * cmap.scale.get(fld, 1.0)
    if (col := cmap.column("geometry_quality")) is not None and (raw := clean(row.get(col))):
        out.values["geometry_quality"] = raw  # checked once the geometry is known
    if (col := cmap.column("as_of")) is not None and not missing(raw := row.get(col)):
        date = text_date(raw) or clean(raw)
        out.values["as_of"] = date
    if (col := cmap.column("id")) is not None and (code := clean(row.get(col))):
        if _SLUG.match(code) and re.search("[a-z]", code) and len(code) <= SLUG_MAX:
            out.values["id"] = code
        else:
            out.file_id = code
            out.notes.append(f"{col}={code}")
    if (col := cmap.column("notes")) is not None and (text := clean(row.get(col))):
        out.values["notes"] = text
    for col in cmap.notes:
        if (text := clean(row.get(col))) is not None:
            out.notes.append(f"{col}={text}")
    return out


_KIND_WORDS = {
    "KCN": ("kcn", "khu-cong-nghiep", "kcx", "khu-che-xuat"),
    "CCN": ("ccn", "cum-cong-nghiep"),
    "KKT": ("kkt", "khu-kinh-te"),
}


def _strip_kind(slug: str, kind: str | None = None) -> str:
    kinds = [kind] if kind else list(_KIND_WORDS)
    for k in kinds:
        for word in _KIND_WORDS.get(k, ()):
            if slug.startswith(f"{word}-"):
                return slug[len(word) + 1:]
    return slug


def make_id(kind: str, name: str) -> str:
    """Return ``slugify(f"{kind} {name}")`` without repeating a kind the name starts with.

    >>> make_id("CCN", "Cụm công nghiệp Tân Liên")
    'ccn-tan-lien'
    """
    slug = _strip_kind(slugify(name, max_length=10_000), kind)
    return slugify(f"{kind} {slug}") or "zone"


def join_key(name: str) -> str:
    """The key that tells two rows name the same zone: the name's slug without its kind.

    >>> join_key("KCN Nam Cầu Kiền") == join_key("Khu công nghiệp Nam Cầu Kiền")
    True
    """
    return name_key(name)
