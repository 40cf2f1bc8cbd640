"""Reader for zipped shapefiles: any folder depth, several per zip, legacy text."""

from __future__ import annotations

import zipfile
from pathlib import Path

from geo.importer.gdal import read_gdal
from geo.importer.model import Layer, Options, Unreadable
from geo.importer.sniff import Budget, copy_member, member_path
from geo.text import nfc

__all__ = ["SHAPEFILE_PARTS", "read_shapefiles"]

SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}


def read_shapefiles(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], opts: Options,
                    tmp: Path, budget: Budget) -> list[Layer]:
    """Unpack each shapefile's parts under names of our own, then read them."""
    root = tmp / "unzipped"
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in members:
        rel = member_path(info.filename) or ""
        suffix = Path(rel).suffix.lower()
        if suffix in SHAPEFILE_PARTS:
            groups.setdefault(rel[: -len(suffix)].lower(), {})[suffix] = info
    shapes = sorted(k for k, v in groups.items() if ".shp" in v)
    stems = [k.rsplit("/", 1)[-1] for k in shapes]
    layers = []
    for n, key in enumerate(shapes):
        infos = groups[key]
        rel = member_path(infos[".shp"].filename) or key
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
                copy_member(zf, info, out, budget)
        cpg = (folder / "shape.cpg").read_text("latin1").strip() if ".cpg" in infos else ""
        try:
            read = read_gdal(folder / "shape.shp", opts, f"the shapefile {stem}.shp",
                             dbf_cpg=cpg)
        except Unreadable as exc:  # one broken shapefile does not sink the others
            layers.append(Layer(name=name, columns=[], rows=[], geoms=[], crs=None,
                                encoding=None, geometry_type=None,
                                reason=str(exc).rstrip(".")))
            continue
        for lyr in read:
            lyr.name = name
            layers.append(lyr)
    return layers
