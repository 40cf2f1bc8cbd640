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
from geo.register import empty_plots, normalise_zones
from geo.schema import ZONE_COLUMNS, PlotStatus

__all__ = ["ColumnMapping", "ImportReport", "LayerReport", "PlotImportReport", "ZoneSummary",
           "centroid", "centroids", "empty_zones", "rejected", "rejected_plots", "zones_frame"]


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
            **_common_json(self),
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


@dataclass
class PlotImportReport:
    """The result of reading a file of plots: outcome, findings and the plots to merge.

    ``plots`` are in the store's columns, each with its register zone and id.
    ``zones`` counts the plots per zone they were given; ``statuses`` counts
    plots and hectares per status; ``unmatched`` and ``ambiguous`` count the
    plots left out because no zone, or several, could be found for them.
    """

    outcome: str  # "accept" | "accept_with_warnings" | "reject"
    features: int
    names: list[str]  # the plots' codes
    total_area_ha: float | None
    crs: str | None
    encoding: str | None
    layers: list[LayerReport]
    warnings: list[str]
    errors: list[str]
    plots: gpd.GeoDataFrame
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mapping: list[ColumnMapping] = field(default_factory=list)
    zone: str | None = None  # the zone chosen for the whole file
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, dict[str, float]] = field(default_factory=dict)
    unmatched: int = 0
    ambiguous: int = 0
    # The plot fields the file has a column for, per plot id (see ImportReport.covered).
    covered: dict[str, tuple[str, ...]] = field(default_factory=dict)

    kind = "plots"

    def plot_list(self) -> list[dict[str, Any]]:
        """Return one object per plot for ``--json``."""
        out = []
        for row in self.plots.drop(columns="geometry").to_dict("records"):
            out.append({
                "id": row["id"], "code": row["code"], "zone_id": row["zone_id"],
                "status": row["status"],
                "declared_area_ha": _num(row["area_declared_ha"]),
                "measured_area_ha": _num(row["area_measured_ha"]),
                "lessee": row["lessee"], "sector": row["sector"],
                "lease_end": row["lease_end"], "as_of": row["as_of"],
            })
        return out

    def to_json(self) -> dict[str, Any]:
        """Return the report as the CLI's ``--json`` object (``kind`` is ``"plots"``)."""
        return {
            "kind": "plots",
            **_common_json(self),
            "zone": self.zone,
            "zones": {k: dict(v) for k, v in self.zones.items()},
            "statuses": {k: dict(v) for k, v in self.statuses.items()},
            "unmatched": self.unmatched,
            "ambiguous": self.ambiguous,
            "plots": self.plot_list(),
        }


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def plot_statuses(plots: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Plots and hectares (declared, else measured) per status, every status listed."""
    area = plots["area_declared_ha"].fillna(plots["area_measured_ha"])
    out: dict[str, dict[str, float]] = {}
    for status in PlotStatus:
        mask = plots["status"] == status.value
        out[status.value] = {"plots": int(mask.sum()),
                             "area_ha": round(float(area[mask].sum()), 4)}
    return out


def rejected_plots(errors: list[str], layers: list[LayerReport] | None = None,
                   features: int = 0, names: list[str] | None = None, crs: str | None = None,
                   encoding: str | None = None, notes: list[str] | None = None,
                   mapping: list[ColumnMapping] | None = None,
                   warnings: list[str] | None = None, zone: str | None = None,
                   unmatched: int = 0, ambiguous: int = 0) -> PlotImportReport:
    """Return the report of a refused file of plots."""
    return PlotImportReport(outcome="reject", features=features, names=names or [],
                            total_area_ha=None, crs=crs, encoding=encoding, layers=layers or [],
                            warnings=warnings or [], errors=errors, plots=empty_plots(),
                            notes=notes or [], mapping=mapping or [], zone=zone,
                            unmatched=unmatched, ambiguous=ambiguous)


def _common_json(report: ImportReport | PlotImportReport) -> dict[str, Any]:
    """The keys every import report's ``--json`` object has, zones or plots."""
    return {
        "outcome": report.outcome,
        "features": report.features,
        "names": list(report.names),
        "total_area_ha": report.total_area_ha,
        "crs": report.crs,
        "encoding": report.encoding,
        "layers": [asdict(layer) for layer in report.layers],
        "warnings": list(report.warnings),
        "errors": list(report.errors),
        "notes": list(report.notes),
        "mapping": [asdict(m) for m in report.mapping],
    }
