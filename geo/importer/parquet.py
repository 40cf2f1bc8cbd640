"""Reader for GeoParquet (and plain Parquet tables with coordinate columns)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.importer.encoding import repair_mis_stored
from geo.importer.geometry import geometry_type
from geo.importer.model import Layer, Options, Refusal, missing, reading
from geo.importer.sheets import table_layer

__all__ = ["read_parquet"]


def read_parquet(path: Path, name: str, opts: Options, filename: str | None = None) -> list[Layer]:
    """Read a GeoParquet file; a Parquet file without geometry is read as a table.

    ``name`` names the layer, ``filename`` the file in messages.
    """
    import pyarrow  # optional engine: only GeoParquet needs it
    import pyarrow.parquet as pq

    limit = opts.limits.max_features
    arrow_errors = (pyarrow.ArrowException, TypeError)
    what = f"the GeoParquet file {filename or name}"
    with reading(what, arrow_errors):
        rows = pq.ParquetFile(path).metadata.num_rows
    if rows > limit:
        raise Refusal(f"The GeoParquet file {filename or name} has {rows:,} rows, more than "
                      f"the {limit:,} an import may hold.")
    with reading(what, arrow_errors):
        meta = pq.read_schema(path).metadata or {}
        if b"geo" not in meta:
            frame = pd.read_parquet(path)
            grid: list[list[Any]] = [[str(c) for c in frame.columns]]
            grid += [[None if missing(v) else v for v in r]
                     for r in frame.astype(object).to_numpy().tolist()]
            return [table_layer(name, grid, opts)]
        gdf = gpd.read_parquet(path)
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    table = {c: gdf[c].astype(object).tolist() for c in columns}
    geoms = [None if g is None or g.is_empty else g for g in gdf.geometry]
    lyr = Layer(name=name, columns=columns, rows=[], geoms=geoms, crs=gdf.crs, encoding=None,
                geometry_type=geometry_type(geoms))
    columns, table, lyr.encoding = repair_mis_stored(columns, table, opts, lyr)
    lyr.columns = columns
    lyr.rows = [{c: table[c][i] for c in columns} for i in range(len(geoms))]
    return [lyr]
