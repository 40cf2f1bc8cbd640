"""Reader for Excel workbooks (.xlsx): every sheet is a layer."""

from __future__ import annotations

import io
import warnings

import pandas as pd

from geo.importer.model import Layer, Options, Refusal, missing, reading
from geo.importer.sheets import table_layer
from geo.text import nfc

__all__ = ["read_excel"]


def read_excel(data: bytes, filename: str, opts: Options) -> list[Layer]:
    """Read each sheet of a workbook into a layer."""
    from openpyxl.utils.exceptions import InvalidFileException  # optional engine

    with reading(f"{filename} as an Excel workbook", (InvalidFileException, TypeError)), \
            warnings.catch_warnings(record=True):
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object,
                               engine="openpyxl")
    layers = []
    for sheet, frame in sheets.items():
        if len(frame) > opts.limits.max_features + 20:
            raise Refusal(f"Sheet {sheet!r} has {len(frame):,} rows, more than the "
                          f"{opts.limits.max_features:,} an import may hold.")
        grid = [[None if missing(v) else v for v in row] for row in frame.to_numpy().tolist()]
        layers.append(table_layer(nfc(str(sheet)), None, grid, opts))
    return layers
