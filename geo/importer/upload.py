"""The upload, staged and unpacked into layers: each file handed to its format's reader.

The upload's size is checked before a byte of it is read; a path is read in
place and copied (under a name of our own) only for the readers that need it.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

from geo.importer.delimited import read_csv
from geo.importer.excel import read_excel
from geo.importer.gdal import read_gdal
from geo.importer.kml import read_kml
from geo.importer.model import LIST_CAP, Layer, Options, Refusal, mb, reading
from geo.importer.parquet import read_parquet
from geo.importer.shapefile import read_shapefiles
from geo.importer.sniff import DATA_SUFFIXES, Archive, sniff, stem

__all__ = ["read_layers", "stage"]


def read_layers(path: Path, filename: str, opts: Options, tmp: Path) -> list[Layer]:
    """Read a staged upload into layers; ``filename`` is the user's name for it."""
    return _read_file(path, filename, opts, tmp, depth=0)


def stage(source: bytes | str | os.PathLike[str], opts: Options, tmp: Path) -> Path:
    """Put the upload on disk (bytes) or take its path, checking its size first."""
    limit = opts.limits.max_file_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
    else:
        path = Path(os.fsdecode(source))
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise Refusal(f"Could not open {opts.filename}: {exc.strerror or exc}.") from None
        if not path.is_file():
            raise Refusal(f"{opts.filename} is not a file.")
    if size == 0:
        raise Refusal(f"{opts.filename} is empty: there is nothing to import.")
    if size > limit:
        raise Refusal(f"{opts.filename} is {mb(size)}, more than the {mb(limit)} an import "
                      "may be.")
    if isinstance(source, bytes | bytearray | memoryview):
        staged = tmp / "upload"
        staged.write_bytes(source)
        return staged
    return path


def _head(path: Path) -> bytes:
    with reading(path.name if path.name.startswith("upload") else "the file"), \
            path.open("rb") as fh:
        return fh.read(4096)


def _read_file(path: Path, filename: str, opts: Options, tmp: Path, depth: int) -> list[Layer]:
    """Read one file (the upload, or the data file inside a zip) into layers."""
    head = _head(path)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as Excel saves "Unicode text"
        return read_csv(path.read_bytes(), filename, opts)
    kind = sniff(head, filename)
    ext = Path(filename).suffix.lower()
    if kind == "zip":
        if depth > 0:
            raise Refusal(f"{opts.filename} holds a zip inside the zip: unpack it and import "
                          "the inner file.")
        return _read_zip(path, filename, opts, tmp)
    if kind == "csv":
        return read_csv(path.read_bytes(), filename, opts)
    name = stem(filename)
    if kind == "kml":
        layers = read_kml(path, filename, name, opts)
    else:
        suffix = {"gpkg": ".gpkg", "fgb": ".fgb", "geojson": ".geojson",
                  "parquet": ".parquet"}[kind]
        # A copy of our own, under a name of our own: GDAL may write beside what it
        # opens (a GeoPackage's journal), and the user's name could hold anything.
        copy = tmp / f"copy{depth}{suffix}"
        if kind == "geojson":
            _copy_geojson(path, copy)
        elif path.parent == tmp:
            path.rename(copy)
        else:
            shutil.copyfile(path, copy)
        what = {"gpkg": f"the GeoPackage {filename}", "fgb": f"the FlatGeobuf file {filename}",
                "geojson": f"the GeoJSON {filename}"}.get(kind, filename)
        if kind == "parquet":
            layers = read_parquet(copy, name, opts, filename)
        else:
            layers = read_gdal(copy, opts, what, display=None if kind == "gpkg" else name)
    if ext and ext not in (f".{kind}", ".json", ".geoparquet", ".kml") and depth == 0 and \
            not (kind == "geojson" and ext == ".geojson"):
        for lyr in layers[:1]:
            lyr.info.append(f"{filename} holds {kind.upper()} data despite its name; read it "
                            f"as {kind.upper()}.")
    return layers


# "\u0000" in a JSON string: GDAL would end the string there.
_JSON_NULL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def _copy_geojson(path: Path, copy: Path) -> None:
    """Copy a GeoJSON, turning escaped null bytes into DEL, which the cleaning reports."""
    data = path.read_bytes()  # within the size limit, checked before
    copy.write_bytes(_JSON_NULL.sub(rb"\1\\u007f", data) if b"\\u0000" in data else data)


def _read_zip(path: Path, filename: str, opts: Options, tmp: Path) -> list[Layer]:
    with reading(f"{filename} as a zip"):
        zf = zipfile.ZipFile(path)
    with zf:
        archive = Archive(zf, path.stat().st_size, opts.limits)
        layers = _read_archive(archive, path, filename, opts, tmp)
    if archive.note and layers:
        layers[0].info.insert(0, archive.note)
    return layers


def _read_archive(archive: Archive, path: Path, filename: str, opts: Options,
                  tmp: Path) -> list[Layer]:
    names = {archive.name(i).lower(): i for i in archive.members}
    suffixes = {Path(n).suffix for n in names}
    if Path(filename).suffix.lower() == ".xlsx" or "xl/workbook.xml" in names:
        archive.prove_sizes()  # before openpyxl unpacks it
        return read_excel(path, filename, opts)
    if ".shp" in suffixes:
        return read_shapefiles(archive, opts, tmp)
    if ".kml" in suffixes:  # a KMZ: doc.kml, and the documents it links (GDAL writes those)
        return _read_kmz(archive, [i for n, i in names.items() if n.endswith(".kml")],
                         filename, opts, tmp)
    inner = [i for n, i in names.items() if Path(n).suffix in DATA_SUFFIXES]
    if not inner and any(n.endswith(".zip") for n in names):
        raise Refusal(f"{opts.filename} holds a zip inside the zip: unpack it and import the "
                      "inner file.")
    if len(inner) != 1:
        listed = ", ".join(archive.name(i) for i in archive.members[:LIST_CAP])
        what = "several data files" if inner else "no shapefile or other file it can read"
        raise Refusal(f"The zip holds {what} ({listed}): KCN Atlas reads a zip of "
                      "shapefiles, or a zip holding one GeoPackage, GeoJSON, KML, "
                      "FlatGeobuf, GeoParquet, CSV or Excel file.")
    target = tmp / f"inner{Path(archive.name(inner[0])).suffix.lower()}"
    with target.open("wb") as out:
        archive.copy(inner[0], out)
    return _read_file(target, archive.name(inner[0]), opts, tmp, depth=1)


def _read_kmz(archive: Archive, kmls: list[zipfile.ZipInfo], filename: str, opts: Options,
              tmp: Path) -> list[Layer]:
    kmls = sorted(kmls, key=lambda i: (archive.name(i).lower() != "doc.kml",
                                       archive.name(i).count("/"), archive.name(i)))
    layers: list[Layer] = []
    empty: Refusal | None = None
    for n, info in enumerate(kmls):
        doc = tmp / f"doc{n}.kml"
        with doc.open("wb") as out:
            archive.copy(info, out)
        try:
            layers += read_kml(doc, filename, stem(filename), opts)
        except Refusal as exc:
            if "holds no placemarks" not in str(exc):
                raise
            empty = exc  # doc.kml often only links the documents that hold the placemarks
    if not layers and empty is not None:
        raise empty
    return layers
