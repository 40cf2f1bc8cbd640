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
    "PROJECT_COLUMNS",
    "SOURCE_COLUMNS",
    "VALUE_FIELDS",
    "ZONE_COLUMNS",
    "ZONE_VALUE_COLUMNS",
    "Comparison",
    "Kind",
    "ProjectKind",
    "Quality",
    "Status",
]


class Kind(StrEnum):
    """Kind of industrial land."""

    KKT = "KKT"  # khu kinh tế, economic zone
    KCN = "KCN"  # khu công nghiệp, industrial zone
    CCN = "CCN"  # cụm công nghiệp, industrial cluster


class Status(StrEnum):
    """Development status of a zone or project, as of its source."""

    OPERATING = "operating"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    PROPOSED = "proposed"


class Quality(StrEnum):
    """How much a geometry can be trusted."""

    SURVEYED = "surveyed"  # boundary from a cadastral or survey file
    DIGITISED = "digitised"  # traced from a plan drawing
    APPROXIMATE = "approximate"  # location placed from general knowledge


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


class Comparison(StrEnum):
    """How an official figure relates to its value."""

    EQUAL = "equal"
    ABOUT = "about"
    ABOVE = "above"
    BELOW = "below"
    RANGE = "range"
    AT_LEAST = "at_least"


SOURCE_COLUMNS = ["source_id", "document", "issuer", "date", "place", "file", "note"]

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
}

ZONE_SOURCE_COLUMNS = [
    "id",
    "kind",
    "name_vi",
    "name_en",
    "parent_id",
    "province",
    "province_current",
    "district",
    "geometry_wkt",
    "geometry_quality",
    "source_id",
    "source_section",
    "as_of",
    "notes",
]

ZONE_VALUE_COLUMNS = ["zone_id", "field", "value", "source_id", "source_section", "as_of", "quote"]

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
    "status",
    "area_total_ha",
    "area_industrial_ha",
    "leased_ha",
    "occupancy_pct",
    "year_established",
    "plan_period",
    "developer",
    "sectors",
    "geometry_quality",
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
    "source_id",
    "source_section",
    "as_of",
]

NUMERIC_ZONE_COLUMNS = [f for f, t in VALUE_FIELDS.items() if t in (float, int)]
