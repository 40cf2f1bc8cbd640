"""One zone once: rows of several sheets about it joined, a zone given twice folded.

Sheets of one workbook that describe the same zones (a summary and a detail
sheet, say) are joined by the zone's code, else by its name without its kind
word ("KCN X" is "Khu công nghiệp X"): never counted twice. Where they disagree
the import asks which sheet to trust (``prefer=``). A zone given twice with the
same name and boundary is read once, with a note.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import shapely

from geo.crs import STORE_CRS
from geo.importer.fields import join_key
from geo.importer.model import LIST_CAP, Collector, Feature, Layer, Options, missing
from geo.text import fold

__all__ = ["fold_repeats", "join_sheets"]

_SAME_PLACE_DEG = 1e-5  # about 1 m: two sheets place a zone at the same spot
_SAME_SHAPE_DEG = 1e-7  # about 1 cm: the same boundary drawn twice


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    return bool(a == b)


def _wgs84(f: Feature) -> Any:
    assert f.geom_src is not None and f.crs is not None
    with warnings.catch_warnings(record=True):
        return gpd.GeoSeries([f.geom_src], crs=f.crs).to_crs(STORE_CRS).iloc[0]


def join_sheets(read: Sequence[tuple[Layer, list[Feature]]], opts: Options,
                out: Collector) -> None:
    """Join rows of several sheets that describe the same zone (same code or name).

    A sheet without coordinates contributes attributes to the zones other sheets
    locate; a sheet none of whose rows another sheet locates is no zone sheet.
    """
    tables = [(lyr, feats) for lyr, feats in read if lyr.table]
    groups: list[list[Feature]] = []
    by_key: dict[tuple[str, str], int] = {}
    for _, feats in tables if len(tables) > 1 else []:
        for f in feats:
            if not f.name:
                continue
            keys = [("name", join_key(f.name))]
            if f.values.get("id"):
                keys.insert(0, ("id", str(f.values["id"])))
            at = next((by_key[k] for k in keys if k in by_key
                       and all(g.layer != f.layer for g in groups[by_key[k]])), None)
            if at is None:
                groups.append([f])
                at = len(groups) - 1
            else:
                groups[at].append(f)
            for k in keys:
                by_key.setdefault(k, at)
    conflicts: list[str] = []
    for group in groups:
        if len(group) > 1:
            _merge_group(group, opts, conflicts, out)
    if conflicts:
        out.errors += conflicts[:LIST_CAP * 2]
        sheets = ", ".join(repr(lyr.name) for lyr, _ in tables)
        out.errors.append(f"The sheets of {opts.filename} disagree, so KCN Atlas cannot tell "
                          f"which is right. Import again choosing the sheet to trust "
                          f"(prefer=, one of {sheets}; --prefer-sheet on the command line), or "
                          "one sheet alone (layer=).")
    for lyr, feats in read:
        if not lyr.attributes_only:
            continue
        joined = any(f.refused == "joined" for f in feats)
        for f in feats:
            if f.refused is not None:
                continue
            f.refused = "no coordinates" if joined else "not a zone sheet"
            if joined:
                out.dropped.append(f"{f.where}: sheet {lyr.name} gives no coordinates for it "
                                   "and no other sheet has it; skipped it.")


def _merge_group(group: list[Feature], opts: Options, conflicts: list[str],
                 out: Collector) -> None:
    """Fold the rows of one zone from several sheets into the first that locates it."""
    located = [f for f in group if f.geom_src is not None]
    base = located[0] if located else group[0]
    preferred = next((f for f in group if opts.prefer is not None and (
        f.layer == opts.prefer or fold(f.layer) == fold(opts.prefer))), None)
    for fld in dict.fromkeys(k for f in group for k in f.values):
        distinct: list[tuple[str, Any]] = []
        for f in group:
            value = f.values.get(fld)
            if not missing(value) and not any(_same_value(value, v) for _, v in distinct):
                distinct.append((f.layer, value))
        if len(distinct) > 1 and preferred is not None and fld in preferred.values:
            base.values[fld] = preferred.values[fld]
        elif len(distinct) > 1:
            listed = ", ".join(f"{v!r} in {layer}" for layer, v in distinct)
            conflicts.append(f"{base.name}: the sheets give different {fld}: {listed}.")
        elif distinct:
            base.values[fld] = distinct[0][1]
    if len(located) > 1:
        places = [_wgs84(f) for f in located]
        far = [f for f, g in zip(located[1:], places[1:], strict=True)
               if g.hausdorff_distance(places[0]) > _SAME_PLACE_DEG]
        if far and preferred is not None and preferred.geom_src is not None:
            base.geom_src, base.crs = preferred.geom_src, preferred.crs
        elif far:
            conflicts.append(f"{base.name}: the sheets place it in different places "
                             f"({base.layer} and {', '.join(f.layer for f in far)}).")
    for f in group:
        if f is base:
            continue
        base.notes += [n for n in f.notes if n not in base.notes]
        base.kind_hint = base.kind_hint or f.kind_hint
        base.layers.append(f.layer)
        f.refused = "joined"
    if base.geom_src is not None:
        base.refused = None
    elif not any(f.refused == "geometry" for f in group):  # else already reported
        base.refused = "no coordinates"
        out.dropped.append(f"{base.label}: none of the sheets gives coordinates for it; skipped "
                           "it.")
    else:
        base.refused = "geometry"


def fold_repeats(feats: list[Feature], out: Collector) -> list[Feature]:
    """Read a zone given twice (same name, same boundary) once, with a note."""
    kept: list[Feature] = []
    seen: dict[str, list[Feature]] = {}
    for f in feats:
        key = fold(f.name)
        twin = next((k for k in seen.get(key, []) if shapely.equals_exact(
            shapely.normalize(k.geom), shapely.normalize(f.geom), tolerance=_SAME_SHAPE_DEG)),
            None)
        if twin is None:
            seen.setdefault(key, []).append(f)
            kept.append(f)
            continue
        differ = []
        for fld, value in f.values.items():
            if missing(twin.values.get(fld)):
                twin.values[fld] = value
            elif not _same_value(twin.values[fld], value):
                differ.append(f"{fld} {value!r}")
        twin.notes += [n for n in f.notes if n not in twin.notes]
        twin.layers += [x for x in f.layers if x not in twin.layers]
        f.refused = "repeat"
        where = f"{twin.layer} {twin.number}" if twin.layer != f.layer else str(twin.number)
        if differ:
            out.warnings.append(f"{f.label} appears twice with the same boundary ({where} and "
                                f"{f.number}) but with different values: kept those of the "
                                f"first and left out {', '.join(differ)}.")
        else:
            out.notes.append(f"{f.label} appears twice with the same name and boundary "
                             f"({where} and {f.number}); imported it once.")
    return kept
