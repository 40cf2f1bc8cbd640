"""Reader for zipped shapefiles: any folder depth, several per zip, legacy text.

Each shapefile's text is decoded from the bytes of its DBF: the ``.cpg`` and the
DBF's code-page byte are read as claims and checked against the bytes (see
:func:`geo.importer.encoding.choose_encoding`). A null byte inside a text value,
which GDAL would take as the value's end, is recovered from the DBF itself so the
report can say which feature held it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from geo.importer.encoding import cpg_codec, ldid_codec
from geo.importer.gdal import read_gdal
from geo.importer.model import Layer, Options, Unreadable
from geo.importer.sniff import Archive, member_path
from geo.text import nfc

__all__ = ["SHAPEFILE_PARTS", "read_shapefiles"]

SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}


def read_shapefiles(archive: Archive, opts: Options, tmp: Path) -> list[Layer]:
    """Unpack each shapefile's parts under names of our own, then read them."""
    root = tmp / "unzipped"
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in archive.members:
        rel = member_path(archive.name(info)) or ""
        suffix = Path(rel).suffix.lower()
        if suffix in SHAPEFILE_PARTS:
            groups.setdefault(rel[: -len(suffix)].lower(), {})[suffix] = info
    shapes = sorted(k for k, v in groups.items() if ".shp" in v)
    stems = [k.rsplit("/", 1)[-1] for k in shapes]
    layers = []
    for n, key in enumerate(shapes):
        infos = groups[key]
        rel = member_path(archive.name(infos[".shp"])) or key
        stem = rel.rsplit("/", 1)[-1][: -len(".shp")]
        name = nfc(stem if stems.count(stem.lower()) == 1 else rel[: -len(".shp")])
        missing = [s for s in (".shx", ".dbf") if s not in infos]
        if missing:
            layers.append(Layer(name=name, columns=[], rows=[], geoms=[], crs=None,
                                encoding=None, geometry_type=None,
                                reason=f"{stem}.shp comes without its "
                                       f"{' and '.join(missing)}: add "
                                       f"{'them' if len(missing) > 1 else 'it'} to the zip"))
            continue
        # The zip's names never become paths: each shapefile gets a folder and names of ours.
        folder = root / f"{n:04d}"
        folder.mkdir(parents=True)
        for suffix, info in infos.items():
            with (folder / f"shape{suffix}").open("wb") as out:
                archive.copy(info, out)
        layers += _read_one(folder, name, stem, opts)
    return layers


def _read_one(folder: Path, name: str, stem: str, opts: Options) -> list[Layer]:
    cpg_path = folder / "shape.cpg"
    cpg = cpg_path.read_text("latin1").strip() if cpg_path.exists() else ""
    with (folder / "shape.dbf").open("rb") as fh:
        header = fh.read(32)
    if cpg_codec(cpg):
        declared, declared_by = cpg_codec(cpg), f"its .cpg ({cpg!r})"
    else:
        declared, declared_by = ldid_codec(header), "the code-page byte of its .dbf"
    try:
        read = read_gdal(folder / "shape.shp", opts, f"the shapefile {stem}.shp",
                         dbf=(declared, declared_by), display=name)
    except Unreadable as exc:  # one broken shapefile does not sink the others
        return [Layer(name=name, columns=[], rows=[], geoms=[], crs=None, encoding=None,
                      geometry_type=None, reason=str(exc).rstrip("."))]
    for lyr in read:
        lyr.name = name
    return read
