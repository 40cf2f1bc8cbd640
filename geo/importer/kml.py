"""Reader for KML and KMZ, as Google My Maps, Google Earth, QGIS and ArcGIS write them.

KML is read here rather than through GDAL, whose KML readers replace every byte
of a non-ASCII field name (``"Diện tích"`` becomes ``"Di___n_t__ch"``) and drop
``Data`` fields when a ``Schema`` is present. Field names reach the mapping
exactly as written; ``ExtendedData`` (``Data`` and ``SchemaData/SimpleData``) is
read; ``description`` is kept in the notes as text, and ``key: value`` lines in
it (as Google My Maps and ArcGIS write them) supply fields no ``ExtendedData``
gives. Each folder (or the document itself) holding placemarks is a layer, named
as GDAL names it (``"KCN"``, ``"KCN (#2)"`` for a second folder of that name).
Coordinates are WGS 84 longitude, latitude (and an altitude that is dropped).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException
from pyproj import CRS
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry

from geo.crs import STORE_CRS
from geo.importer.encoding import repair_mis_stored
from geo.importer.fields import map_header
from geo.importer.geometry import CLOSED_RING, geometry_type
from geo.importer.model import Layer, Options, Refusal, reading
from geo.text import nfc

__all__ = ["STANDARD_COLUMNS", "read_kml"]

# Columns every placemark has in this reader: kept quietly, never a warning.
STANDARD_COLUMNS = frozenset({"description"})

_CHUNK = 1024**2
# Control characters are not allowed in XML: they become DEL (allowed), which the
# cleaning of text removes with a word about the feature it was in.
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_TO_DEL = bytes.maketrans(_CONTROL_BYTES, b"\x7f" * len(_CONTROL_BYTES))
_CONTROL_REFS = re.compile(rb"&#(0*(?:[0-8]|1[124-9]|2\d|3[01])|x0*(?:[0-8bcBC]|1[0-9a-fA-F]));")
_LINE_BREAKS = re.compile(r"(?i)<\s*(br|/p|/tr|/div|/li|/h\d)\s*/?\s*>")
_CELL_BREAK = re.compile(r"(?i)</t[dh]>\s*<t[dh][^>]*>")
_TAGS = re.compile(r"<[^>]+>")
_PAIR = re.compile(r"^\s*([^:]{1,60}?)\s*:\s*(.+?)\s*$")


class _Cleaned:
    """A binary file read through a filter that makes control characters legal XML."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(_CHUNK if size is None or size < 0 else size)
        data = self._tail + chunk
        if chunk:  # keep a possible character reference cut at the end for the next read
            cut = data.rfind(b"&", max(0, len(data) - 12))
            cut = cut if cut >= 0 and b";" not in data[cut:] else len(data)
            data, self._tail = data[:cut], data[cut:]
        else:
            self._tail = b""
        return _CONTROL_REFS.sub(b"&#127;", data.translate(_TO_DEL))


@dataclass
class _Placemark:
    fields: dict[str, str] = field(default_factory=dict)
    geom: BaseGeometry | None = None
    note: str | None = None


@dataclass
class _Container:
    name: str | None
    order: int  # where it starts in the document
    placemarks: list[_Placemark] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(elem: ElementTree.Element | None) -> str:
    return "".join(elem.itertext()).strip() if elem is not None else ""


def _child(elem: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in elem if _local(c.tag) == name), None)


def _coords(text: str) -> list[tuple[float, float]]:
    points = []
    for token in text.split():
        parts = token.split(",")
        if len(parts) < 2:
            raise ValueError(token)
        points.append((float(parts[0]), float(parts[1])))
    return points


def _ring(elem: ElementTree.Element | None, closed: list[bool]) -> list[tuple[float, float]]:
    ring = _child(elem, "LinearRing") if elem is not None else None
    points = _coords(_text(_child(ring, "coordinates")) if ring is not None else "")
    if points and points[0] != points[-1]:
        points.append(points[0])
        closed.append(True)
    return points


def _geometry(elem: ElementTree.Element, closed: list[bool]) -> BaseGeometry | None:
    kind = _local(elem.tag)
    if kind == "Point":
        pts = _coords(_text(_child(elem, "coordinates")))
        return Point(pts[0]) if pts else None
    if kind in ("LineString", "LinearRing"):
        pts = _coords(_text(_child(elem, "coordinates")))
        return LineString(pts) if len(pts) > 1 else None
    if kind == "Polygon":
        shell = _ring(_child(elem, "outerBoundaryIs"), closed)
        holes = [_ring(c, closed) for c in elem if _local(c.tag) == "innerBoundaryIs"]
        return Polygon(shell, [h for h in holes if h]) if shell else None
    if kind == "MultiGeometry":
        parts = [g for c in elem if (g := _geometry(c, closed)) is not None]
        flat: list[BaseGeometry] = []
        for g in parts:
            flat.extend(getattr(g, "geoms", [g]))
        if flat and all(isinstance(g, Polygon) for g in flat):
            return MultiPolygon(flat)
        if flat and all(isinstance(g, Point) for g in flat):
            return MultiPoint(flat)
        if flat and all(isinstance(g, LineString) for g in flat):
            return MultiLineString(flat)
        return GeometryCollection(flat) if flat else None
    return None


_GEOMETRIES = {"Point", "LineString", "LinearRing", "Polygon", "MultiGeometry"}


def _description(raw: str) -> tuple[str, dict[str, str]]:
    """Turn a description's HTML into text, and the ``key: value`` lines it holds."""
    text = _CELL_BREAK.sub(": ", raw)
    text = _LINE_BREAKS.sub("\n", text)
    text = html.unescape(_TAGS.sub(" ", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    pairs: dict[str, str] = {}
    for line in lines:
        if (m := _PAIR.match(line)) and not m.group(1).lower().startswith(("http", "www")):
            pairs.setdefault(nfc(m.group(1)), nfc(m.group(2)))
    return nfc("; ".join(lines)), pairs


def _placemark(elem: ElementTree.Element, target: str = "zones") -> _Placemark:
    pm = _Placemark()
    closed: list[bool] = []
    for child in elem:
        tag = _local(child.tag)
        if tag == "name":
            pm.fields["Name"] = nfc(_text(child))
        elif tag == "description":
            pm.fields["description"] = _text(child)
        elif tag == "ExtendedData":
            for item in child.iter():
                itag = _local(item.tag)
                name = item.get("name")
                if itag == "Data" and name:
                    pm.fields[nfc(name)] = nfc(_text(_child(item, "value")))
                elif itag == "SimpleData" and name:
                    pm.fields[nfc(name)] = nfc(_text(item))
        elif tag in _GEOMETRIES:
            try:
                pm.geom = _geometry(child, closed)
            except (ValueError, IndexError):
                pm.note = "its coordinates cannot be read"
    if closed and pm.geom is not None:
        pm.note = CLOSED_RING
    if "description" in pm.fields:
        text, pairs = _description(pm.fields["description"])
        pm.fields["description"] = text
        given = {map_header(k, target) for k in pm.fields if k != "description"} - {None}
        for key, value in pairs.items():
            fld = map_header(key, target)
            if fld and fld not in given and key not in pm.fields:
                pm.fields[key] = value
                given.add(fld)
    return pm


def _containers(source: IO[bytes], limit: int, display: str,
                target: str = "zones") -> Iterator[_Container]:
    """Yield each Document or Folder with the placemarks directly inside it.

    Stops with a refusal past ``limit`` placemarks, before they fill the memory.
    """
    stack: list[_Container] = []
    depth_in_placemark = 0
    started = 0
    count = 0
    for event, elem in SafeTree.iterparse(_Cleaned(source), events=("start", "end")):
        tag = _local(elem.tag)
        if event == "start":
            if tag == "Placemark":
                depth_in_placemark += 1
            elif tag in ("Document", "Folder") and not depth_in_placemark:
                started += 1
                stack.append(_Container(None, started))
            continue
        if tag == "name" and stack and not depth_in_placemark and stack[-1].name is None:
            stack[-1].name = nfc(_text(elem))
        elif tag == "Placemark":
            depth_in_placemark -= 1
            count += 1
            if count > limit:
                raise Refusal(f"{display} has more than {limit:,} placemarks, the most an "
                              "import may hold.")
            if stack:
                stack[-1].placemarks.append(_placemark(elem, target))
            elem.clear()
        elif tag in ("Document", "Folder") and not depth_in_placemark and stack:
            yield stack.pop()
            elem.clear()


def read_kml(source: Path | IO[bytes], display: str, stem: str, opts: Options) -> list[Layer]:
    """Read a KML document into one layer per folder that holds placemarks.

    ``display`` names the file in messages; ``stem`` names a layer whose container
    has no name.
    """
    with reading(display, (ElementTree.ParseError, DefusedXmlException)):
        limit = opts.limits.max_features
        if isinstance(source, Path):
            with source.open("rb") as fh:
                containers = [c for c in _containers(fh, limit, display, opts.target)
                              if c.placemarks]
        else:
            containers = [c for c in _containers(source, limit, display, opts.target)
                          if c.placemarks]
    if not containers:
        raise Refusal(f"{display} holds no placemarks: there is nothing to import.")
    # Containers end inside out; layers follow the order in which they start, as GDAL's.
    seen: dict[str, int] = {}
    layers = []
    for container in sorted(containers, key=lambda c: c.order):
        base = container.name or stem
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base} (#{seen[base]})"
        layers.append(_layer(name, container.placemarks, opts))
    return layers


def _layer(name: str, placemarks: list[_Placemark], opts: Options) -> Layer:
    columns: list[str] = []
    for pm in placemarks:
        for key in pm.fields:
            if key not in columns:
                columns.append(key)
    table: dict[str, list[Any]] = {c: [pm.fields.get(c) for pm in placemarks] for c in columns}
    lyr = Layer(name=name, columns=columns, rows=[], geoms=[pm.geom for pm in placemarks],
                crs=CRS.from_user_input(STORE_CRS), encoding=None, geometry_type=None)
    lyr.geom_notes = {i: pm.note for i, pm in enumerate(placemarks) if pm.note}
    columns, table, lyr.encoding = repair_mis_stored(columns, table, opts, lyr)
    lyr.columns = columns
    lyr.rows = [{c: table[c][i] for c in columns} for i in range(len(placemarks))]
    lyr.geometry_type = geometry_type(lyr.geoms)
    return lyr
