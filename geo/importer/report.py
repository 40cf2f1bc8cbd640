"""The report: what was found, refused and why, and the zones to merge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.crs import STORE_CRS, VN2000_UTM48N
from geo.importer.model import Feature
from geo.register import normalise_zones
from geo.schema import ZONE_COLUMNS

__all__ = ["ColumnMapping", "ImportReport", "LayerReport", "ZoneSummary", "centroid",
           "centroids", "empty_zones", "rejected", "zones_frame"]


@dataclass
class LayerReport:
    """What one layer of the file held and whether it was imported."""

    name: str
    features: int
    geometry_type: str | None
    crs: str | None
    encoding: str | None
    imported: bool
    reason: str | None  # why skipped/refused


@dataclass(frozen=True)
class ColumnMapping:
    """Where one column of a layer goes: a register field, the notes, or nowhere.

    ``field`` is a register field (``area_industrial_ha``; ``notes`` when the column
    is the zone's notes), or ``"lat"``, ``"lon"`` or ``"wkt"`` for coordinates, or
    None: then ``in_notes`` says whether the column is kept in each zone's notes
    as ``column=value``, or left out (row numbers, GIS bookkeeping, empty columns).
    """

    layer: str
    column: str
    field: str | None
    in_notes: bool
    example: str | None  # the first value, to recognise the column by


@dataclass(frozen=True)
class ZoneSummary:
    """One zone of the file, as ``--json`` lists it in ``zones``."""

    id: str
    name: str
    kind: str
    status: str
    declared_area_ha: float | None
    measured_area_ha: float | None
    geometry_type: str
    centroid: tuple[float, float]  # lon, lat in WGS 84, 6 decimals
    layer: str


@dataclass
class ImportReport:
    """The result of reading an upload: outcome, findings and the zones to merge.

    ``warnings`` are what the user must act on (a guess to check, something left
    out); ``notes`` say what was done without needing anything from the user (a
    total row left out, extra columns kept in the notes, a repeated zone read once).
    """

    outcome: str  # "accept" | "accept_with_warnings" | "reject"
    features: int
    names: list[str]
    total_area_ha: float | None
    crs: str | None
    encoding: str | None
    layers: list[LayerReport]
    warnings: list[str]
    errors: list[str]
    zones: gpd.GeoDataFrame
    unknown_columns: list[str]
    notes: list[str] = field(default_factory=list)
    mapping: list[ColumnMapping] = field(default_factory=list)
    summaries: list[ZoneSummary] = field(default_factory=list)
    # The register fields the file has a column for, per zone id: the only fields a
    # merge asked to clear values may clear when the file leaves them empty.
    covered: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def zone_list(self, ids: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Return ``zones`` for ``--json``, with the ids a merge plan gives (``ids``)."""
        ids = ids or {}
        out = []
        for z in self.summaries:
            item = asdict(z)
            item["id"] = ids.get(z.id, z.id)
            item["centroid"] = list(z.centroid)
            out.append(item)
        return out

    def to_json(self, ids: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Return the report as the CLI's ``--json`` object.

        ``ids`` maps the importer's ids onto the ones the merge plan gives (a zone
        the register already holds under another id keeps that id).
        """
        return {
            "outcome": self.outcome,
            "features": self.features,
            "names": list(self.names),
            "total_area_ha": self.total_area_ha,
            "crs": self.crs,
            "encoding": self.encoding,
            "layers": [asdict(layer) for layer in self.layers],
            "warnings": list(self.warnings),
            "errors": list(self.errors),
            "notes": list(self.notes),
            "mapping": [asdict(m) for m in self.mapping],
            "zones": self.zone_list(ids),
        }


def empty_zones() -> gpd.GeoDataFrame:
    """Return a zones frame with the store's columns and no rows."""
    empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in ZONE_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    return normalise_zones(empty)


def rejected(errors: list[str], layers: list[LayerReport] | None = None, features: int = 0,
             names: list[str] | None = None, crs: str | None = None,
             encoding: str | None = None, notes: list[str] | None = None,
             mapping: list[ColumnMapping] | None = None,
             warnings: list[str] | None = None) -> ImportReport:
    """Return the report of a refused import."""
    return ImportReport(outcome="reject", features=features, names=names or [],
                        total_area_ha=None, crs=crs, encoding=encoding, layers=layers or [],
                        warnings=warnings or [], errors=errors, zones=empty_zones(),
                        unknown_columns=[], notes=notes or [], mapping=mapping or [])


def centroids(geoms: list[BaseGeometry]) -> list[tuple[float, float]]:
    """The centroids of WGS 84 geometries, found on the ground (EPSG:3405), as lon, lat."""
    projected = gpd.GeoSeries(geoms, crs=STORE_CRS).to_crs(VN2000_UTM48N).centroid
    back = projected.to_crs(STORE_CRS)
    return [(round(float(p.x), 6), round(float(p.y), 6)) for p in back]


def centroid(geom: BaseGeometry) -> tuple[float, float]:
    """The centroid of one WGS 84 geometry, found on the ground (EPSG:3405), as lon, lat."""
    return centroids([geom])[0]


def zones_frame(features: list[Feature]) -> gpd.GeoDataFrame:
    """Return the features' values as a zones frame in the store's columns."""
    frame = pd.DataFrame([f.values for f in features], columns=ZONE_COLUMNS, dtype=object)
    gdf = gpd.GeoDataFrame(frame, geometry=[f.geom for f in features], crs=STORE_CRS)
    return normalise_zones(gdf)
