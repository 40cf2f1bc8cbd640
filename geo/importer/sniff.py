"""Name the format of an upload from its first bytes, and unpack zips safely.

A zip's member count, declared sizes, compression ratio and paths are checked
before anything is unpacked, and the bytes actually unpacked are counted against
the limits as well (a header may lie).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from geo.importer.encoding import member_names
from geo.importer.model import ImportLimits, Refusal, mb, reading
from geo.text import nfc

__all__ = [
    "DATA_SUFFIXES",
    "SUPPORTED",
    "Archive",
    "Budget",
    "check_zip",
    "copy_member",
    "member_path",
    "sniff",
    "stem",
]

SUPPORTED = ("zipped shapefile, GeoPackage, GeoJSON, KML, KMZ, FlatGeobuf, GeoParquet, "
             "CSV or Excel (.xlsx)")
DATA_SUFFIXES = {".gpkg", ".geojson", ".json", ".fgb", ".parquet", ".geoparquet", ".csv",
                 ".txt", ".tsv", ".xlsx", ".kml"}

_RATIO_FLOOR_BYTES = 1024**2
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_CHUNK = 1024**2


def sniff(head: bytes, filename: str) -> str:
    """Name the format of a file from its first bytes (4 KiB suffice), then its extension.

    Returns one of ``zip``, ``gpkg``, ``fgb``, ``parquet``, ``geojson``, ``kml`` or
    ``csv``; raises :class:`Refusal` with a sentence for what cannot be read.
    """
    ext = Path(filename).suffix.lower()
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"fgb\x03"):
        return "fgb"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refusal(f"{filename} is an old Excel (.xls) workbook: save it as .xlsx and "
                      "import that.")
    if head.startswith(b"\x00\x00\x27\x0a"):
        raise Refusal(f"{filename} is only the .shp part of a shapefile: zip the .shp, .shx, "
                      ".dbf and .prj files together and import the zip.")
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    # A stray null byte in a name is text with a fault (reported later); more are binary.
    if len(_BINARY.findall(head[:4096])) > 2:
        raise Refusal(f"KCN Atlas cannot read {filename}: it is not a {SUPPORTED} file.")
    if text[:1] in (b"{", b"["):
        return "geojson"
    if text[:1] == b"<":
        if b"<kml" in head[:4096].lower():
            return "kml"
        raise Refusal(f"{filename} is XML but not KML: KCN Atlas reads {SUPPORTED}.")
    if ext in (".geojson", ".json", ".kml", ".gpkg", ".fgb", ".parquet", ".kmz", ".zip",
               ".xlsx", ".shp"):
        start = head[:40].decode("utf-8", errors="replace").splitlines()[0] if head else ""
        raise Refusal(f"{filename} is not a {ext[1:].upper()} file: it is plain text "
                      f"starting with {start!r}.")
    return "csv"


def stem(filename: str) -> str:
    """Return a file's name without folder and extension, for a layer name."""
    name = re.split(r"[\\/]", filename)[-1]
    base = name.rsplit(".", 1)[0] if "." in name else name
    return nfc(base) or "layer"


class Budget:
    """Counts bytes actually unpacked, whatever the zip's headers say."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0


def member_path(name: str) -> str | None:
    """Return the member's normalised relative path, or None if it leaves its folder."""
    parts = name.replace("\\", "/")
    if parts.startswith("/") or re.match(r"^[A-Za-z]:", parts):
        return None
    norm = posixpath.normpath(parts)
    if norm == ".." or norm.startswith("../") or norm.startswith("/"):
        return None
    return norm


class Archive:
    """A zip checked before anything is unpacked, with its member names as written.

    Member names without the UTF-8 flag are decoded from their bytes (UTF-8, or a
    Vietnamese code page) rather than as DOS code page 437, so reports, layer
    names and ``layer=`` see the names the user sees.
    """

    def __init__(self, zf: zipfile.ZipFile, packed: int, limits: ImportLimits) -> None:
        self.zf = zf
        self.members = check_zip(zf, packed, limits)
        self.budget = Budget(limits.max_unpacked_bytes)
        self.names, self.note = member_names(self.members)

    def name(self, info: zipfile.ZipInfo) -> str:
        """The member's path as the user wrote it."""
        return member_path(self.names.get(info.filename, info.filename)) or info.filename

    def copy(self, info: zipfile.ZipInfo, out: BinaryIO | None) -> None:
        """Unpack one member into ``out`` (or nowhere), stopping at the size limits."""
        copy_member(self.zf, info, out, self.budget, self.name(info))

    def prove_sizes(self) -> None:
        """Unpack every member into nowhere: a reader that unpacks by itself is safe then."""
        for info in self.members:
            self.copy(info, None)


def check_zip(zf: zipfile.ZipFile, packed: int, limits: ImportLimits) -> list[zipfile.ZipInfo]:
    """Check a zip's members before reading any; return the members worth reading."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise Refusal(f"The zip has {len(infos):,} members, more than the "
                      f"{limits.max_members:,} an import may hold.")
    for info in infos:
        if member_path(info.filename) is None:
            raise Refusal(f"The zip has a path that leaves its folder: {info.filename!r}. "
                          "Nothing was unpacked; zip the files again without such paths.")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise Refusal(f"The zip would unpack to {mb(declared)}, more than the "
                      f"{mb(limits.max_unpacked_bytes)} allowed: it was not unpacked.")
    if declared > _RATIO_FLOOR_BYTES and declared / max(packed, 1) > limits.max_ratio:
        raise Refusal(f"The zip would unpack to {declared / max(packed, 1):,.0f} times its "
                      f"size (at most {limits.max_ratio:,.0f} is allowed): it was not "
                      "unpacked.")
    members = []
    for info in infos:
        path = member_path(info.filename) or ""
        base = path.rsplit("/", 1)[-1]
        if info.is_dir() or path.startswith("__MACOSX/") or base.startswith("._"):
            continue
        if info.flag_bits & 0x1:
            raise Refusal(f"The zip member {info.filename!r} is encrypted: zip it again "
                          "without a password.")
        members.append(info)
    if not members:
        raise Refusal("The zip is empty: it holds no files.")
    return members


def copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: BinaryIO | None,
                budget: Budget, name: str | None = None) -> None:
    """Unpack one member into ``out`` (or nowhere), stopping at the size limits."""
    name = name or info.filename
    seen = 0
    with reading(f"{name} in the zip"), zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            seen += len(chunk)
            budget.used += len(chunk)
            if seen > info.file_size:
                raise Refusal(f"The zip member {name!r} is larger than its header "
                              "says: the zip is damaged or crafted; it was not unpacked.")
            if budget.used > budget.limit:
                raise Refusal(f"The zip unpacks to more than {mb(budget.limit)}: "
                              "unpacking stopped.")
            if out is not None:
                out.write(chunk)
