"""The report: what was found, refused and why, and the zones to merge."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.crs import STORE_CRS
from geo.importer.model import Feature
from geo.register import normalise_zones
from geo.schema import ZONE_COLUMNS

__all__ = ["ImportReport", "LayerReport", "empty_zones", "rejected", "zones_frame"]


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


@dataclass
class ImportReport:
    """The result of reading an upload: outcome, findings and the zones to merge."""

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

    def to_json(self) -> dict[str, Any]:
        """Return the report as the CLI's ``--json`` object (without the zones)."""
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
        }


def empty_zones() -> gpd.GeoDataFrame:
    """Return a zones frame with the store's columns and no rows."""
    empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in ZONE_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    return normalise_zones(empty)


def rejected(errors: list[str], layers: list[LayerReport] | None = None, features: int = 0,
             names: list[str] | None = None, crs: str | None = None,
             encoding: str | None = None) -> ImportReport:
    """Return the report of a refused import."""
    return ImportReport(outcome="reject", features=features, names=names or [],
                        total_area_ha=None, crs=crs, encoding=encoding, layers=layers or [],
                        warnings=[], errors=errors, zones=empty_zones(), unknown_columns=[])


def zones_frame(features: list[Feature]) -> gpd.GeoDataFrame:
    """Return the features' values as a zones frame in the store's columns."""
    frame = pd.DataFrame([f.values for f in features], columns=ZONE_COLUMNS, dtype=object)
    gdf = gpd.GeoDataFrame(frame, geometry=[f.geom for f in features], crs=STORE_CRS)
    return normalise_zones(gdf)
