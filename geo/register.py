"""The register in memory, and reading it from the human-readable source files."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry.base import BaseGeometry

from geo.crs import STORE_CRS
from geo.schema import (
    FIGURE_COLUMNS,
    HISTORY_COLUMNS,
    NUMERIC_ZONE_COLUMNS,
    PLOT_COLUMNS,
    PLOT_NUMERIC_COLUMNS,
    PROJECT_COLUMNS,
    SOURCE_COLUMNS,
    USER_COLUMNS,
    VALUE_FIELDS,
    ZONE_COLUMNS,
    ZONE_VALUE_COLUMNS,
    Comparison,
    Status,
    pick_order,
)
from geo.text import nfc

__all__ = [
    "AUDIT_COLUMNS",
    "Register",
    "RegisterFormatError",
    "bundled_source_dir",
    "empty_plots",
    "empty_table",
    "normalise_plots",
    "is_exact",
    "ordered_values",
    "read_source_dir",
]

AUDIT_COLUMNS = ["at", "who", "action", "detail"]
_FLOAT_FIGURE_COLUMNS = ["value", "value_max"]


class RegisterFormatError(ValueError):
    """A source file of the register is malformed."""


def empty_table(columns: list[str]) -> pd.DataFrame:
    """Return a plain table with these text columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _empty_users() -> pd.DataFrame:
    return empty_table(USER_COLUMNS)


def _empty_history() -> pd.DataFrame:
    return empty_table(HISTORY_COLUMNS)


def empty_plots() -> gpd.GeoDataFrame:
    """Return a plots table with no rows (the store's columns, EPSG:4326)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in PLOT_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)


@dataclass(frozen=True)
class Register:
    """All tables of the register. Spatial tables are in EPSG:4326.

    ``plots`` are the plots (lô đất) inside zones; a register without plot data
    has an empty table. ``users`` are the accounts of the team that edits it
    (:mod:`geo.auth`) and ``history`` every change made to it (:mod:`geo.edit`);
    registers written before they existed have empty ones.
    """

    zones: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    figures: pd.DataFrame
    sources: pd.DataFrame
    zone_values: pd.DataFrame
    audit: pd.DataFrame
    plots: gpd.GeoDataFrame = field(default_factory=empty_plots)
    users: pd.DataFrame = field(default_factory=_empty_users)
    history: pd.DataFrame = field(default_factory=_empty_history)

    def with_zones(self, zones: gpd.GeoDataFrame) -> Register:
        """Return a copy of the register with other zones."""
        return replace(self, zones=normalise_zones(zones))

    def with_plots(self, plots: gpd.GeoDataFrame) -> Register:
        """Return a copy of the register with other plots."""
        return replace(self, plots=normalise_plots(plots))

    def with_audit(self, at: str, who: str, action: str, detail: str) -> Register:
        """Return a copy of the register with one more audit entry."""
        row = pd.DataFrame([[at, who, action, detail]], columns=AUDIT_COLUMNS)
        return replace(self, audit=pd.concat([self.audit, row], ignore_index=True))


def bundled_source_dir() -> Path:
    """Return the folder holding the bundled register's source files."""
    return Path(__file__).resolve().parent.parent / "data" / "src"


def _clean_text(value: object) -> str | None:
    """Return NFC text, or None for a missing or blank value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    text = str(value).strip()
    return nfc(text) if text else None


def _text_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Keep ``columns`` in order, as NFC text with None for empty values."""
    out = pd.DataFrame(index=df.index)
    for col in columns:
        series = df[col] if col in df.columns else pd.Series(None, index=df.index)
        # An explicit object dtype keeps None: pandas 3 would infer "str" with NaN.
        out[col] = pd.Series([_clean_text(v) for v in series], index=df.index, dtype=object)
    return out.astype(object)


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="raise").astype("float64")


def _spatial(frame: gpd.GeoDataFrame, columns: list[str], numeric: list[str],
             order: list[str]) -> gpd.GeoDataFrame:
    """Keep ``columns`` in order (text as NFC or None, ``numeric`` as floats), in the store's
    CRS, sorted by ``order``."""
    text_cols = [c for c in columns if c not in numeric]
    out = _text_frame(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")), text_cols)
    for col in numeric:
        src = frame[col] if col in frame.columns else pd.Series(float("nan"), index=frame.index)
        out[col] = _numeric(src)
    gdf = gpd.GeoDataFrame(out[columns], geometry=frame.geometry.values, crs=frame.crs)
    gdf = gdf.to_crs(STORE_CRS) if gdf.crs is not None else gdf.set_crs(STORE_CRS)
    return gdf.sort_values(order, kind="stable").reset_index(drop=True)


def normalise_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return zones with exactly the store's columns, types and order, sorted by id."""
    return _spatial(zones, ZONE_COLUMNS, NUMERIC_ZONE_COLUMNS, ["id"])


def normalise_projects(projects: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return projects with exactly the store's columns and order, sorted by id."""
    return _spatial(projects, PROJECT_COLUMNS, [], ["id"])


def normalise_plots(plots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return plots with the store's columns, types and order, sorted by zone and id."""
    if plots is None or len(plots) == 0:
        return empty_plots()
    return _spatial(plots, PLOT_COLUMNS, PLOT_NUMERIC_COLUMNS, ["zone_id", "id"])


def normalise_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Return figures with the store's columns; value columns as floats."""
    text_cols = [c for c in FIGURE_COLUMNS if c not in _FLOAT_FIGURE_COLUMNS]
    out = _text_frame(figures, text_cols)
    for col in _FLOAT_FIGURE_COLUMNS:
        src = figures[col] if col in figures.columns else pd.Series(None, index=figures.index)
        out[col] = _numeric(src.replace("", None))
    return out[FIGURE_COLUMNS].sort_values("id", kind="stable").reset_index(drop=True)


def _sorted_text(df: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    out = _text_frame(df, columns)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def normalise_register(reg: Register) -> Register:
    """Return the register with every table in its canonical form."""
    return Register(
        zones=normalise_zones(reg.zones),
        projects=normalise_projects(reg.projects),
        figures=normalise_figures(reg.figures),
        sources=_sorted_text(reg.sources, SOURCE_COLUMNS, ["source_id"]),
        zone_values=_sorted_text(reg.zone_values, ZONE_VALUE_COLUMNS,
                                 ["zone_id", "field", "source_id"]),
        audit=_text_frame(reg.audit, AUDIT_COLUMNS).reset_index(drop=True),
        plots=normalise_plots(reg.plots),
        users=_sorted_text(reg.users, USER_COLUMNS, ["name"]),
        # In the order written: the history is append-only and read newest last.
        history=_text_frame(reg.history, HISTORY_COLUMNS).reset_index(drop=True),
    )


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise RegisterFormatError(f"missing source file {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return pd.DataFrame(rows, dtype=object)


def _geometries(df: pd.DataFrame, path: Path) -> list[BaseGeometry | None]:
    geoms: list[BaseGeometry | None] = []
    for i, text in enumerate(df.get("geometry_wkt", pd.Series(dtype=object))):
        if not text or not str(text).strip():
            geoms.append(None)
            continue
        try:
            geoms.append(wkt.loads(str(text)))
        except (ShapelyError, ValueError) as exc:
            raise RegisterFormatError(f"{path.name} row {i + 2}: bad WKT: {exc}") from exc
    return geoms


def is_exact(comparison: object) -> bool:
    """Tell whether a value with this comparison states one number (not a range or bound)."""
    return comparison in (None, "", Comparison.EQUAL.value, Comparison.ABOUT.value) or (
        isinstance(comparison, float) and pd.isna(comparison))


def ordered_values(values: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return the sourced values, the one the register shows first for each attribute.

    The rule: a higher source tier wins (legal, official, press, developer,
    editors), then the newer as-of date, then the order of the rows. Adds
    ``tier`` (of the row's source) and ``chosen`` (True for the value shown);
    every other row is kept, so a reader can see where sources differ.
    """
    tiers = dict(zip(sources["source_id"], sources["tier"], strict=True)) \
        if "tier" in sources.columns else {}
    out = _text_frame(values, ZONE_VALUE_COLUMNS)
    out["tier"] = [tiers.get(s) for s in out["source_id"]]
    keys = [pick_order(t, a) for t, a in zip(out["tier"], out["as_of"], strict=True)]
    out["_rank"] = [k[0] for k in keys]
    out["_date"] = [k[1] for k in keys]
    out["_row"] = range(len(out))
    out = out.sort_values(["zone_id", "field", "_rank", "_date", "_row"], kind="stable")
    out["chosen"] = ~out.duplicated(["zone_id", "field"])
    return out.drop(columns=["_rank", "_date", "_row"]).reset_index(drop=True)


def _apply_values(zones: pd.DataFrame, values: pd.DataFrame,
                  sources: pd.DataFrame) -> pd.DataFrame:
    """Copy each zone attribute's chosen value (see :func:`ordered_values`) into its column.

    A number stated only as a range or a bound ("over 90%") leaves the column empty:
    the register never turns it into one figure; the row itself keeps it.
    """
    zones = zones.copy()
    for name in VALUE_FIELDS:
        if name not in zones.columns:
            zones[name] = None
    index = {zid: i for i, zid in zip(zones.index, zones["id"], strict=True)}
    chosen = ordered_values(values, sources)
    for row in chosen[chosen["chosen"]].itertuples(index=False):
        if row.field not in VALUE_FIELDS or row.zone_id not in index:
            continue  # kept in zone_values, where validation reports it
        value = row.value
        if VALUE_FIELDS[row.field] in (float, int):
            if value is None or value == "":
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise RegisterFormatError(
                    f"zone_values: {row.zone_id}.{row.field} is not a number: {value!r}"
                ) from None
            if not is_exact(row.comparison):
                continue
        zones.at[index[row.zone_id], row.field] = value
    # A status no source states is unknown: the zone is drawn and listed, never guessed.
    zones["status"] = [s if isinstance(s, str) and s.strip() else Status.UNKNOWN.value
                       for s in zones["status"]]
    return zones


def read_source_dir(folder: Path | str | None = None) -> Register:
    """Read the register from its CSV source files.

    Parameters
    ----------
    folder
        Folder holding ``zones.csv``, ``zone_values.csv``, ``projects.csv``,
        ``figures.csv`` and ``sources.csv``; the bundled one by default.

    Raises
    ------
    RegisterFormatError
        If a file is missing or a row cannot be read.
    """
    folder = Path(folder) if folder is not None else bundled_source_dir()
    zones_raw = _read_csv(folder / "zones.csv")
    values = _read_csv(folder / "zone_values.csv")
    projects_raw = _read_csv(folder / "projects.csv")
    sources = _read_csv(folder / "sources.csv")
    zones = _apply_values(zones_raw, values, sources)
    zones_gdf = gpd.GeoDataFrame(
        zones.drop(columns=["geometry_wkt"], errors="ignore"),
        geometry=_geometries(zones_raw, folder / "zones.csv"),
        crs=STORE_CRS,
    )
    projects_gdf = gpd.GeoDataFrame(
        projects_raw.drop(columns=["geometry_wkt"], errors="ignore"),
        geometry=_geometries(projects_raw, folder / "projects.csv"),
        crs=STORE_CRS,
    )
    return normalise_register(
        Register(
            zones=zones_gdf,
            projects=projects_gdf,
            figures=_read_csv(folder / "figures.csv"),
            sources=sources,
            zone_values=values,
            audit=pd.DataFrame(columns=AUDIT_COLUMNS),
        )
    )
