"""From features to the register's zones: what the file leaves open filled in, values
checked the way :func:`geo.validate.validate` checks them, ids given.

A zone without a kind is a KCN (with a warning) unless its name, a heading of
its sheet or its layer's name says otherwise; without a status it is
``unknown`` (with a warning); numbers the register cannot hold are left empty
and kept in the notes (with a warning). So a clean import never makes
``kcn-atlas validate`` fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.i18n import local_today
from geo.importer.fields import kind_from_name, make_id
from geo.importer.model import Collector, Feature, Options, names_list
from geo.schema import ZONE_COLUMNS, Kind, Quality, Status
from geo.text import SLUG_MAX

__all__ = ["assign_ids", "finish", "flag_shared_geometries"]

_AREA_GAP = 0.20  # declared and measured areas further apart than this are reported


def finish(feats: list[Feature], opts: Options, out: Collector) -> None:
    """Fill in what the file leaves open and check values as validation will."""
    defaulted: list[str] = []
    no_status: list[str] = []
    today = local_today().isoformat()
    for f in feats:
        stated = f.values
        values: dict[str, Any] = {c: None for c in ZONE_COLUMNS}
        values.update({k: v for k, v in stated.items() if k in values})
        values["name_vi"] = f.name
        kind = stated.get("kind") or (k.value if (k := kind_from_name(f.name)) else None) \
            or f.kind_hint
        if kind is None:
            kind = Kind.KCN.value
            defaulted.append(f.label)
        values["kind"] = kind
        if not stated.get("status"):
            values["status"] = Status.UNKNOWN.value
            no_status.append(f.label)
        polygon = isinstance(f.geom, Polygon | MultiPolygon)
        if stated.get("geometry_quality") not in {q.value for q in Quality}:
            if stated.get("geometry_quality"):
                f.notes.append(f"geometry_quality={stated['geometry_quality']}")
            values["geometry_quality"] = (Quality.DIGITISED if polygon
                                          else Quality.APPROXIMATE).value
        values["province_current"] = values["province_current"] or values["province"]
        values["source_id"] = opts.source_id
        values["as_of"] = opts.as_of or stated.get("as_of") or today
        values["area_measured_ha"] = round(f.area, 4) if polygon and f.area else None
        _check_numbers(f, values, out)
        own = stated.get("notes")
        values["notes"] = "; ".join([n for n in [own] if n] + f.notes) or None
        values["id"] = stated.get("id")
        f.id_from_file = bool(values["id"])
        declared = values["area_total_ha"]
        if f.area is not None and polygon and declared and \
                abs(f.area - declared) > _AREA_GAP * declared:
            out.warnings.append(f"{f.label}: declares {declared:,.6g} ha, measures "
                                f"{f.area:,.1f} ha.")
        f.values = values
    if defaulted:
        out.warnings.append(f"No kind (KCN, CCN or KKT) for {names_list(defaulted)}: recorded "
                            "them as KCN.")
    if no_status:
        out.warnings.append(f"No status for {names_list(no_status)}: recorded the status as "
                            "unknown, which the map shows as such; add it to the file or the "
                            "register when a source gives it.")


def _check_numbers(f: Feature, values: dict[str, Any], out: Collector) -> None:
    """Leave out numbers the register cannot hold, the way validation checks them."""
    def drop(fld: str, why: str) -> None:
        out.warnings.append(f"{f.label}: {why}; left {fld} empty and kept the value in the "
                            "notes.")
        f.notes.append(f"{fld}={values[fld]:g}")
        values[fld] = None

    for fld in ("area_total_ha", "area_industrial_ha", "leased_ha"):
        if values[fld] is not None and values[fld] <= 0:
            drop(fld, f"{fld} {values[fld]:g} is not a positive area")
    if values["occupancy_pct"] is not None and not 0 <= values["occupancy_pct"] <= 100:
        drop("occupancy_pct", f"occupancy {values['occupancy_pct']:g}% is outside 0–100")
    total, industrial = values["area_total_ha"], values["area_industrial_ha"]
    if industrial is not None and total is not None and industrial > total:
        drop("area_industrial_ha", f"its industrial land ({industrial:g} ha) exceeds its total "
             f"area ({total:g} ha)")
    leased, industrial = values["leased_ha"], values["area_industrial_ha"]
    if leased is not None and industrial is not None and leased > industrial:
        drop("leased_ha", f"its leased area ({leased:g} ha) exceeds its industrial land "
             f"({industrial:g} ha)")


def assign_ids(feats: list[Feature], out: Collector) -> None:
    """Give every zone a unique id: the file's if usable, else from kind and name."""
    seen: dict[str, str] = {}
    for f in feats:
        base = f.values["id"] or make_id(f.values["kind"], f.name)
        zid, n = base, 1
        while zid in seen:
            n += 1
            zid = f"{base[:SLUG_MAX - len(str(n)) - 1]}-{n}"  # still short enough for a link
        if zid != base:
            out.warnings.append(f"{f.label} has the same id {base!r} as {seen[base]}; gave it "
                                f"the id {zid!r}.")
        seen[zid] = f.label
        f.values["id"] = zid


def flag_shared_geometries(feats: list[Feature], out: Collector) -> None:
    """Warn about zones of different names that share exactly the same geometry."""
    first: dict[bytes, str] = {}
    keys = shapely.to_wkb(shapely.normalize(np.array([f.geom for f in feats], dtype=object)))
    for f, key in zip(feats, keys, strict=True):
        if key in first:
            out.warnings.append(f"{f.label} has exactly the same geometry as {first[key]}.")
        else:
            first[key] = f.label
