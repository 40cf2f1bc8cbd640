"""CRS identification: name the coordinate system of a layer, VN-2000 in any form.

VN-2000 in any form (EPSG code, ESRI or custom-named WKT with the VN-2000 datum or
its 7-parameter shift) is reported and transformed as its EPSG code, e.g.
``"EPSG:9210 (VN-2000 / TM-3 105-45)"``, so that PROJ applies the right shift; a
VN-2000 projection with no EPSG code keeps its parameters on the EPSG:4756 datum.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.crs import ProjectedCRS
from pyproj.exceptions import CRSError as ProjCRSError
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import (
    STORE_CRS,
    VIETNAM_BOUNDS,
    VN2000_GEOGRAPHIC,
    VN2000_TM3_BY_PROVINCE,
    VN2000_UTM48N,
)
from geo.importer.model import Collector, Layer, Options, Refusal
from geo.text import fold

__all__ = ["UnknownDatum", "crs_hint", "crs_of", "degrees", "identify_crs", "label",
           "layer_crs", "parse_crs_option", "spelled_shift"]

_VN2000_SHIFT = (-191.904, -39.303, -111.450)
_VN2000_CODES = (4756, 3405, 3406, *range(9205, 9219), *range(5896, 5900))
_PROVINCE_NAMES = {"hai phong": "Hải Phòng", "quang ninh": "Quảng Ninh"}


def parse_crs_option(text: str) -> tuple[CRS, str]:
    """Read the ``crs=`` option: an EPSG code or WKT, never a PROJ string."""
    value = text.strip()
    if "+proj" in value:
        raise Refusal(f"The CRS {value!r} is a PROJ string, which loses VN-2000's "
                      "7-parameter shift: give an EPSG code such as \"EPSG:9210\" or WKT.")
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        parsed = CRS.from_user_input(value)
    except ProjCRSError:
        raise Refusal(f"Unknown CRS {text!r}: give an EPSG code such as \"EPSG:9210\" "
                      "(VN-2000 / TM-3 105-45) or WKT.") from None
    try:
        identified, name, _ = identify_crs(parsed)
    except UnknownDatum as exc:
        raise Refusal(f"The CRS given with crs=: {exc}.") from None
    return identified, name


def crs_of(value: object, layer: str) -> CRS | None:
    """Parse a layer's declared CRS; refuse what PROJ cannot understand."""
    if not value:
        return None
    try:
        return CRS.from_user_input(value)
    except ProjCRSError:
        raise Refusal(f"The CRS of layer {layer!r} cannot be understood; import the file "
                      "again with crs=\"EPSG:…\".") from None


@lru_cache(maxsize=1)
def _vn2000_candidates() -> list[tuple[int, dict[str, float]]]:
    out = []
    for code in _VN2000_CODES:
        crs = CRS.from_epsg(code)
        params = _tm_params(crs) if crs.is_projected else {}
        out.append((code, params))
    return out


def _tm_params(crs: CRS) -> dict[str, float]:
    conv = crs.coordinate_operation
    if conv is None or "transverse mercator" not in conv.method_name.lower():
        return {}
    return {p.name.lower(): float(p.value) for p in conv.params}


def _is_wgs84_ellipsoid(crs: CRS) -> bool:
    ell = crs.ellipsoid
    return ell is not None and abs(ell.semi_major_metre - 6378137.0) < 0.01 and \
        abs(ell.inverse_flattening - 298.257223563) < 1e-6


def _alnum(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text or ""))


def _base(crs: CRS) -> CRS:
    return crs.source_crs if crs.is_bound and crs.source_crs is not None else crs


def _datum_name(crs: CRS) -> str:
    base = _base(crs)
    return base.datum.name if base.datum is not None else ""


_VN2000_WORDS = ("vn2000", "vietnam2000", "vn2k")
_WGS84_NAMES = {"wgs84", "wgs1984", "dwgs1984", "dwgs84", "worldgeodeticsystem1984",
                "dmif104", "mif104"}
# MapInfo writes a custom datum into the name: D_MIF_9999_<ellipsoid>_<dx>_<dy>_<dz>_<rx>_
# <ry>_<rz>_<scale>_<prime meridian>, each number with "_" for its decimal point.
_MIF = re.compile(r"mif[_\s]*(9999|999)[_\s]+\d+[_\s]+(.*)$", re.IGNORECASE)
_MIF_NUMBER = re.compile(r"(-?\d+)(?:_(\d+))?")
_DECIMALS = re.compile(r"-?\d+\.\d+|-?\d+")


def spelled_shift(name: str) -> list[float] | None:
    """Read the datum shift a datum's name spells out (MapInfo's custom datums), if any.

    >>> spelled_shift("D_MIF_9999_28_-191_90441429_-39_30318279_-111_45032835_-0_00928836"
    ...               "_0_01975479_-0_00427372_0_252906278_0")[:3]
    [-191.90441429, -39.30318279, -111.45032835]
    """
    m = _MIF.search(name)
    if m:
        numbers = [float(f"{a}.{b}" if b else a) for a, b in _MIF_NUMBER.findall(m.group(2))]
        return numbers if len(numbers) >= 3 else None
    numbers = [float(n) for n in _DECIMALS.findall(name)]
    big = [n for n in numbers if abs(n) >= 10]
    return numbers if len(big) >= 3 and len(numbers) >= 3 else None


def _near_vn2000(shift: Sequence[float]) -> bool:
    # Within 2 m of EPSG's VN-2000 shift: older published shifts (about 1 m away) count.
    return len(shift) >= 3 and all(
        abs(a - b) < 2.0 for a, b in zip(shift[:3], _VN2000_SHIFT, strict=True))


def _is_vn2000_datum(crs: CRS) -> bool:
    name = _alnum(_datum_name(crs))
    if any(w in name for w in _VN2000_WORDS):
        return True
    if crs.is_bound and crs.coordinate_operation is not None:
        shift = [float(p.value) for p in list(crs.coordinate_operation.params)[:3]]
        return _near_vn2000(shift)
    if (spelled := spelled_shift(_datum_name(crs))) is not None:
        return _near_vn2000(spelled)
    if not _datum_known(crs):
        # A datum with a made-up name: the CRS's own names may still say VN-2000.
        base = _base(crs)
        names = [base.name, base.geodetic_crs.name if base.geodetic_crs else ""]
        return any(w in _alnum(n) for n in names for w in _VN2000_WORDS)
    return False


def _datum_known(crs: CRS) -> bool:
    """Tell whether PROJ can place the datum: an EPSG datum, WGS 84, or an explicit shift."""
    base = _base(crs)
    if crs.is_bound or base.datum is None:
        return True
    if base.datum.to_json_dict().get("id") is not None:
        return True
    if _alnum(base.datum.name) in _WGS84_NAMES:
        return True
    return crs.to_epsg(min_confidence=70) is not None


class UnknownDatum(ValueError):
    """A coordinate system whose datum cannot be identified; the message asks for one."""


def _candidates(crs: CRS) -> list[str]:
    """Coordinate systems a CRS with an unidentified datum is likely to be."""
    base = _base(crs)
    out: list[int] = []
    if base.is_geographic:
        out = [4756, 4326]
    elif base.is_projected:
        params = _tm_params(base)
        if (code := _match_tm(params)) is not None:
            out.append(code)
        if base.coordinate_operation is not None:
            with_wgs84 = ProjectedCRS(conversion=base.coordinate_operation,
                                      geodetic_crs=CRS.from_epsg(4326))
            if (wgs := with_wgs84.to_epsg(min_confidence=70)) and wgs not in out:
                out.append(wgs)
    return [label(CRS.from_epsg(c), c) for c in out]


def _projection(crs: CRS) -> str:
    base = _base(crs)
    if base.is_geographic:
        return "Its coordinates are degrees"
    params = _tm_params(base)
    if params:
        return (f"Its projection is Transverse Mercator, central meridian "
                f"{params.get('longitude of natural origin', 0):g}°, scale "
                f"{params.get('scale factor at natural origin', 1):g}")
    method = base.coordinate_operation.method_name if base.coordinate_operation else "unknown"
    return f"Its projection is {method}"


def _match_tm(params: dict[str, float]) -> int | None:
    """Return the VN-2000 projected EPSG code with these Transverse Mercator parameters."""
    keys = ("longitude of natural origin", "scale factor at natural origin", "false easting",
            "false northing", "latitude of natural origin")
    if not all(k in params for k in keys):
        return None
    for code, cand in _vn2000_candidates():
        if cand and all(abs(params[k] - cand[k]) < (1e-9 if "scale" in k else 1e-6)
                        for k in keys):
            return code
    return None


def label(crs: CRS, code: int | None) -> str:
    """Return ``"EPSG:<code> (<name>)"``, or the CRS name when it has no code."""
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def identify_crs(crs: CRS) -> tuple[CRS, str, str | None]:
    """Return the CRS to transform from, its label, and a warning about it if any.

    VN-2000 in any form (EPSG, ESRI or custom-named WKT with the VN-2000 datum or its
    7-parameter shift, the datum named as MapInfo, ArcGIS, QGIS or GDAL name it, or
    with its shift spelled in the name) becomes its EPSG code, so PROJ applies the
    right shift.

    Raises
    ------
    UnknownDatum
        If the datum is only a name KCN Atlas cannot identify: guessing would put
        every zone about 200 m off, so the caller asks, naming the likely candidates.
    """
    base = _base(crs)
    if _is_vn2000_datum(crs) and _is_wgs84_ellipsoid(base):
        if base.is_geographic:
            vn = CRS.from_user_input(VN2000_GEOGRAPHIC)
            return vn, label(vn, 4756), None
        if base.is_projected:
            code = _match_tm(_tm_params(base))
            if code:
                vn = CRS.from_epsg(code)
                return vn, label(vn, code), None
            if base.coordinate_operation is not None:
                custom = ProjectedCRS(conversion=base.coordinate_operation,
                                      geodetic_crs=CRS.from_user_input(VN2000_GEOGRAPHIC),
                                      name=base.name)
                return custom, f"{base.name} (VN-2000)", None
    code = crs.to_epsg(min_confidence=70)
    if code:
        known = CRS.from_epsg(code)
        return known, label(known, code), None
    if not _datum_known(crs):
        found = _candidates(crs)
        likely = (f": it is likely {' or '.join(found)}" if found else "")
        raise UnknownDatum(
            f"its coordinate system names its datum {_datum_name(crs)!r}, which KCN Atlas "
            f"cannot identify, and a wrong datum puts every zone about 200 m off. "
            f"{_projection(crs)}{likely}. Import again with crs=\"EPSG:…\" naming the right "
            "one")
    warning = None
    if base.is_projected and not _is_vn2000_datum(crs):
        tm = _match_tm(_tm_params(base))
        if tm and tm not in (3405, 3406):
            warning = (f"the file's CRS {crs.name!r} has the projection of "
                       f"{label(CRS.from_epsg(tm), tm)} but not the VN-2000 datum; if the "
                       f"coordinates come from a VN-2000 survey, import again with "
                       f"crs=\"EPSG:{tm}\" (positions differ by about 200 m).")
    return crs, crs.name, warning


def degrees(geoms: Sequence[BaseGeometry | None]) -> bool:
    """Tell whether coordinates can be degrees, possibly with lat and lon swapped."""
    valid = [g for g in geoms if g is not None and not g.is_empty]
    if not valid:
        return True
    x0, y0, x1, y1 = shapely.total_bounds(np.array(valid, dtype=object))
    in_lon = -180 <= x0 <= x1 <= 180 and -180 <= y0 <= y1 <= 180
    return in_lon and (-90 <= y0 <= y1 <= 90 or -90 <= x0 <= x1 <= 90)


def crs_hint(geoms: Sequence[BaseGeometry | None]) -> str:
    """Describe the coordinates and name the coordinate systems they fit."""
    valid = [g for g in geoms if g is not None and not g.is_empty]
    if not valid:
        return "there are no coordinates to look at"
    x0, y0, x1, y1 = shapely.total_bounds(np.array(valid, dtype=object))
    vx0, vy0, vx1, vy1 = VIETNAM_BOUNDS
    if degrees(valid):
        where = f"x {x0:.4f} to {x1:.4f}, y {y0:.4f} to {y1:.4f}"
        if vx0 <= x0 and x1 <= vx1 and vy0 <= y0 and y1 <= vy1:
            return (f"its coordinates look like degrees inside Vietnam ({where}); they fit "
                    "EPSG:4326 (WGS 84) or EPSG:4756 (VN-2000)")
        if vx0 <= y0 and y1 <= vx1 and vy0 <= x0 and x1 <= vy1:
            return (f"its coordinates look like degrees, but latitude and longitude seem "
                    f"swapped ({where}); longitude must come first")
        return f"its coordinates look like degrees but lie outside Vietnam ({where})"
    where = f"x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}"
    if 100_000 <= x0 <= x1 <= 900_000 and 900_000 <= y0 <= y1 <= 2_700_000:
        utm: list[int] = []
        tm3: list[int] = []
        for code, _ in _vn2000_candidates():
            if code == 4756:
                continue
            cand = CRS.from_epsg(code)
            centre = gpd.GeoSeries([Point((x0 + x1) / 2, (y0 + y1) / 2)], crs=cand)
            lon, lat = centre.to_crs(STORE_CRS).iloc[0].coords[0]
            aou = cand.area_of_use
            if aou and aou.west <= lon <= aou.east and aou.south <= lat <= aou.north:
                (utm if code in (3405, 3406) else tm3).append(code)
        examples = ", ".join(
            f"{code} ({CRS.from_user_input(code).name}) for "
            f"{_PROVINCE_NAMES.get(name, name.title())}"
            for name, code in VN2000_TM3_BY_PROVINCE.items())
        utm_text = " or ".join(label(CRS.from_epsg(c), c) for c in utm) or \
            label(CRS.from_user_input(VN2000_UTM48N), 3405)
        fitting = f" (the TM-3 zones whose area they fall in: " \
                  f"{', '.join(f'EPSG:{c}' for c in tm3)})" if tm3 else ""
        return (f"its coordinates look like metres ({where}), as VN-2000 eastings and "
                f"northings; they fit {utm_text}, or the TM-3 zone of the file's province, "
                f"e.g. {examples}{fitting}")
    return f"its coordinates ({where}) fit no coordinate system used in Vietnam"


def layer_crs(lyr: Layer, opts: Options, out: Collector) -> tuple[CRS | None, str | None]:
    """Return the CRS to read a layer in, and its label; ``crs=`` always wins."""
    declared = lyr.crs
    if opts.crs is not None:
        if declared is not None:
            try:
                ident, name, _ = identify_crs(declared)
            except UnknownDatum:
                ident, name = declared, declared.name
            if not ident.equals(opts.crs):
                out.warnings.append(f"Layer {lyr.name} declares {name}, but crs= asked for "
                                    f"{opts.crs_label}: used {opts.crs_label}.")
        return opts.crs, opts.crs_label
    if declared is None:
        if lyr.row_word == "row" and degrees(lyr.geoms):
            wgs = CRS.from_user_input(STORE_CRS)
            return wgs, label(wgs, 4326)
        return None, None
    ident, name, warning = identify_crs(declared)  # UnknownDatum: the caller refuses the layer
    if warning:
        out.warnings.append(f"Layer {lyr.name}: {warning}")
    return ident, name
