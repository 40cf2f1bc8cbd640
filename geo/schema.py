"""The register's vocabulary: kinds, statuses, quality flags and table columns.

The register has five tables. ``zones`` and ``projects`` are spatial; ``figures``
(official figures and targets), ``sources`` (the documents) and ``zone_values``
(one row per sourced zone attribute) are plain tables. Every record names a
``source_id`` in ``sources``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FIGURE_COLUMNS",
    "HISTORY_COLUMNS",
    "USER_COLUMNS",
    "MEASURED_ZONE_COLUMNS",
    "NUMERIC_ZONE_COLUMNS",
    "PROJECT_COLUMNS",
    "REQUIRED_ZONE_FIELDS",
    "SOURCE_COLUMNS",
    "VALUE_FIELDS",
    "ZONE_COLUMNS",
    "ZONE_VALUE_COLUMNS",
    "Comparison",
    "Kind",
    "ProjectKind",
    "PLOT_COLUMNS",
    "PlotStatus",
    "Quality",
    "SourceTier",
    "Status",
    "TIER_RANK",
    "pick_order",
]


class Kind(StrEnum):
    """Kind of industrial land."""

    KKT = "KKT"  # khu kinh tế, economic zone
    KCN = "KCN"  # khu công nghiệp, industrial zone
    CCN = "CCN"  # cụm công nghiệp, industrial cluster
    # A locality a plan asks to study for a future KCN: not a zone yet, never counted as one.
    STUDY_AREA = "study_area"


class Status(StrEnum):
    """Development status of a zone or project, as of its source."""

    OPERATING = "operating"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    PROPOSED = "proposed"
    UNKNOWN = "unknown"  # no source states it: drawn and listed, never guessed


class PlotStatus(StrEnum):
    """Whether a plot (lô đất) of a zone can be had, as of its source."""

    LEASED = "leased"  # đã cho thuê
    VACANT = "vacant"  # còn trống
    RESERVED = "reserved"  # đã đặt chỗ
    NEGOTIATION = "negotiation"  # đang đàm phán
    UNAVAILABLE = "unavailable"  # không cho thuê: hạ tầng, cây xanh, công trình chung
    UNKNOWN = "unknown"


class Quality(StrEnum):
    """How much a geometry can be trusted."""

    SURVEYED = "surveyed"  # boundary from a cadastral or survey file
    DIGITISED = "digitised"  # traced from a plan drawing
    APPROXIMATE = "approximate"  # a point on the zone's commune or district, no boundary


class ProjectKind(StrEnum):
    """Kind of infrastructure project."""

    EXPRESSWAY = "expressway"
    NATIONAL_ROAD = "national_road"
    COASTAL_ROAD = "coastal_road"
    BRIDGE = "bridge"
    SEA_DIKE = "sea_dike"
    SEAPORT = "seaport"
    AIRPORT = "airport"
    RAILWAY = "railway"
    POWER = "power"
    WATER = "water"


class SourceTier(StrEnum):
    """How much weight a source carries, strongest first."""

    LEGAL = "legal"  # a legal document read in its own text: decision, resolution, plan
    OFFICIAL = "official"  # an authority's own report or page, or its head quoted by the press
    PRESS = "press"  # a newspaper or magazine report
    DEVELOPER = "developer"  # a zone developer's or investment-promotion material
    EDITORS = "editors"  # KCN Atlas editors' placement: locations only, never a value


# Lower ranks win when two sources give a value for the same attribute.
TIER_RANK: dict[str, int] = {tier.value: rank for rank, tier in enumerate(SourceTier)}


def pick_order(tier: str | None, as_of: str | None) -> tuple[int, str]:
    """Sort key of a sourced value: higher tier first, then the newer as-of date.

    Sorting ascending by ``(rank, inverted date)`` puts the value the register
    shows first. An unknown tier ranks below every known one.
    """
    rank = TIER_RANK.get(tier or "", len(TIER_RANK))
    # Dates are ISO strings of varying precision; inverting each character sorts newest
    # first within a tier.
    inverted = "".join(chr(0x10FFFF - ord(c)) for c in (as_of or ""))
    return rank, inverted


class Comparison(StrEnum):
    """How an official figure relates to its value."""

    EQUAL = "equal"
    ABOUT = "about"
    ABOVE = "above"
    BELOW = "below"
    RANGE = "range"
    AT_LEAST = "at_least"


# document: title; doc_number: number of a legal document; issuer: publisher; url: where
# it can be read; file: the seed file in shared/seeds for the OCR documents.
SOURCE_COLUMNS = ["source_id", "document", "doc_number", "issuer", "date", "tier", "url",
                  "place", "file", "note"]

# Zone attributes that carry their own citation in ``zone_values``.
VALUE_FIELDS: dict[str, type] = {
    "status": str,
    "area_total_ha": float,
    "area_industrial_ha": float,
    "leased_ha": float,
    "occupancy_pct": float,
    "year_established": int,
    "plan_period": str,
    "developer": str,
    "sectors": str,
    "name_en": str,
    "district": str,  # as the source names it (districts were abolished on 01/07/2025)
    "commune": str,  # communes or wards, ';'-separated
    "parent_id": str,  # the KKT the zone lies in, only where a source says so
    "kcn_count": int,  # KKT only: how many KCN a source says lie in it
}

# zones.csv: the record of a zone. Its source_id establishes the zone (name, kind,
# province); geometry_source_id is where its location comes from. Every other attribute
# is a sourced row of zone_values.csv.
ZONE_SOURCE_COLUMNS = [
    "id",
    "kind",
    "name_vi",
    "name_en",
    "province",
    "province_current",
    "geometry_wkt",
    "geometry_quality",
    "geometry_source_id",
    "source_id",
    "source_section",
    "as_of",
    "notes",
]

# One row per sourced value. Several rows may give the same attribute of a zone (sources
# that differ): all are kept and the register shows the one ``pick_order`` puts first.
# value_max and comparison state ranges and bounds ("khoảng", "trên", "100–120 ha");
# quote is the supporting text as users read it, quote_ocr the raw OCR where the
# source is a scan (quote is then an editors' reading with diacritics restored).
ZONE_VALUE_COLUMNS = ["zone_id", "field", "value", "value_max", "comparison", "source_id",
                      "source_section", "as_of", "quote", "quote_ocr", "note"]

# Columns of the zones layer in a store, geometry excluded.
ZONE_COLUMNS = [
    "id",
    "kind",
    "name_vi",
    "name_en",
    "parent_id",
    "province",
    "province_current",
    "district",
    "commune",
    "status",
    "area_total_ha",
    "area_industrial_ha",
    "leased_ha",
    "occupancy_pct",
    "year_established",
    "plan_period",
    "developer",
    "sectors",
    "kcn_count",
    "geometry_quality",
    # The ground area of the zone's polygon in hectares, measured in VN-2000 / UTM 48N
    # (EPSG:3405, planar area of the polygon reprojected there; within 0.005% of the
    # geodesic area in northern Vietnam), by the importer when the polygon came in. Apart
    # from area_total_ha, which is the area a source declares. Empty for points.
    "area_measured_ha",
    "geometry_source_id",
    "source_id",
    "source_section",
    "as_of",
    "notes",
]

PROJECT_COLUMNS = [
    "id",
    "kind",
    "name_vi",
    "name_en",
    "status",
    "period",
    "serves",
    "province",
    "geometry_quality",
    "source_id",
    "source_section",
    "as_of",
    "quote",
    "quote_ocr",
    "notes",
]

FIGURE_COLUMNS = [
    "id",
    "province",
    "province_current",
    "indicator",
    "scope",
    "label_vi",
    "label_en",
    "value",
    "value_max",
    "unit",
    "period",
    "comparison",
    "quote",
    "quote_ocr",
    "source_id",
    "source_section",
    "as_of",
]

# Measured, not sourced: derived from the geometry, so it has no row in zone_values.
MEASURED_ZONE_COLUMNS = ["area_measured_ha"]

NUMERIC_ZONE_COLUMNS = [f for f, t in VALUE_FIELDS.items() if t in (float, int)] + \
    MEASURED_ZONE_COLUMNS

# What every zone must have. validate() checks these (a status no source states reads as
# unknown) and the importer fills each of them (or refuses the feature), so a clean
# import never makes validation fail.
REQUIRED_ZONE_FIELDS = ("id", "kind", "name_vi", "status", "geometry_quality", "source_id",
                        "as_of")

# The plots (lô đất) inside zones. Every value of a plot rests on the plot's own source
# (source_id, section, as_of): a plot file from an authority, or an editor's change.
# area_declared_ha is the area the source states; area_measured_ha is measured on the
# ground from the geometry in VN-2000 / UTM 48N (EPSG:3405).
PLOT_COLUMNS = [
    "id",
    "zone_id",
    "code",
    "status",
    "area_declared_ha",
    "area_measured_ha",
    "lessee",
    "sector",
    "lease_end",
    "source_id",
    "source_section",
    "as_of",
    "notes",
]
PLOT_NUMERIC_COLUMNS = ["area_declared_ha", "area_measured_ha"]

# The accounts of the people who edit the register (geo.auth). password_hash is an argon2
# hash (never the password); empty for an account that only signs in through single
# sign-on, where ``email`` is the identity the provider vouches for.
USER_COLUMNS = ["name", "role", "password_hash", "email", "created_at", "created_by",
                "updated_at"]

# Every change to the register, one row per record and field (geo.edit): who, when (UTC,
# ISO 8601), what (action), which record and field, the value before and after (JSON
# text), the source the new value cites, and what a revert needs (``detail``, JSON).
# Rows of one save or one import share ``batch_id``. Append-only, in the order written.
HISTORY_COLUMNS = ["change_id", "batch_id", "at", "who", "action", "table_name", "record",
                   "field", "before", "after", "source_id", "detail"]
