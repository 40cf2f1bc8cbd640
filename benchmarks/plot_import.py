"""Plot import benchmark: a park authority's plot file of N plots, read, planned, written, undone.

The file is what an office sends: a zipped shapefile in VN-2000 / TM-3 105°45'
(EPSG:9210) whose text is TCVN3 with no ``.cpg``, areas in m², statuses in
Vietnamese words, N plots in the synthetic parks of ``tests/synthetic.py``
(200 per park), each naming its park's id in a ``khu`` column (random parks
overlap). The register holds those parks and no plots. Timed, each once
(wall clock, this process):

- **write file**: building the shapefile (not part of an import);
- **read**: :func:`geo.importer.read_plots` (unzip, decode, reproject, repair,
  measure in EPSG:3405, find each plot's zone by location);
- **plan**: :func:`geo.plotmerge.plan_plot_merge` against the register;
- **write**: :func:`geo.plotmerge.apply_plot_merge` (planned again under the lock,
  one transaction with the audit entry);
- **re-plan**: the same file again, every plot unchanged;
- **update**: a later file where every plot's status changed: read, planned and
  written (the audit keeps every replaced plot for undo);
- **undo**: :func:`geo.merge.undo_import` of the update, then of the first import.

Usage::

    .venv/bin/python benchmarks/plot_import.py [--plots 20000] [--store gpkg|PG_URL]

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import vntext
from geo.auth import Actor, Role
from geo.edit import manage_users
from geo.importer import read_plots
from geo.merge import undo_import
from geo.plotmerge import apply_plot_merge, plan_plot_merge
from geo.register import Register, read_source_dir
from geo.store import GeoPackageStore, Store, open_store
from tests.synthetic import synthetic_plots

T = TypeVar("T")
_WORDS = {"leased": "Đã cho thuê", "vacant": "Còn trống", "reserved": "Đã đặt cọc",
          "negotiation": "Đang đàm phán", "unavailable": "Không cho thuê"}


def _timed(label: str, fn: Callable[[], T], out: dict[str, float]) -> T:
    start = time.perf_counter()
    value = fn()
    out[label] = time.perf_counter() - start
    print(f"{label:>12}: {out[label]:7.2f} s", flush=True)
    return value


def _shapefile_zip(plots: gpd.GeoDataFrame, folder: Path) -> bytes:
    tm3 = plots.to_crs("EPSG:9210")
    frame = gpd.GeoDataFrame({
        "ky_hieu_lo": tm3["code"],
        "khu": tm3["zone_id"],  # the file covers 100 parks, some of which overlap
        "tinh_trang": [vntext.encode(_WORDS[s], "tcvn3").decode("latin1")
                       for s in tm3["status"]],
        "dt_m2": (tm3["area_declared_ha"] * 10_000).round(0),
    }, geometry=tm3.geometry.values, crs=tm3.crs)
    pyogrio.write_dataframe(frame, folder / "lo_dat.shp", encoding="latin1")
    (folder / "lo_dat.cpg").unlink(missing_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("lo_dat.*")):
            zf.write(f, f"lo_dat/{f.name}")
    return buf.getvalue()


def run(n: int, location: str | None) -> dict[str, Any]:
    """Import ``n`` synthetic plots into a fresh register; return the timings."""
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kcn-plot-bench-") as tmp:
        folder = Path(tmp)
        zones, plots = synthetic_plots(n)
        base = read_source_dir()
        reg = Register(zones=base.with_zones(zones).zones, projects=base.projects,
                       figures=base.figures, sources=base.sources,
                       zone_values=base.zone_values.iloc[0:0], audit=base.audit)
        store: Store = open_store(location) if location else GeoPackageStore(
            folder / "atlas.gpkg")
        store.write(reg)
        # The importer is a signed-in account: the first admin, added as a team does.
        manage_users(store, None, "add", "benchmark", role="admin",
                     password="benchmark-password-1")
        who = Actor("benchmark", Role.ADMIN)
        data = _timed("write file", lambda: _shapefile_zip(plots, folder), times)
        print(f"{'':>12}  {len(data) / 1024**2:.1f} MB zipped, {n:,} plots, "
              f"{len(zones):,} parks")
        report = _timed("read", lambda: read_plots(data, "lo_dat.zip", zones=reg.zones),
                        times)
        print(f"{'':>12}  {report.outcome}, {len(report.plots):,} plots, "
              f"{len(report.warnings)} warnings, encoding {report.encoding}, {report.crs}")
        plan = _timed("plan", lambda: plan_plot_merge(store.read(), report.plots,
                                                      covered=report.covered), times)
        result = _timed("write", lambda: apply_plot_merge(store, plan, filename="lo_dat.zip",
                                                          actor=who), times)
        print(f"{'':>12}  added {len(result.plan.added):,}")
        again = _timed("re-plan", lambda: plan_plot_merge(store.read(), report.plots,
                                                          covered=report.covered), times)
        print(f"{'':>12}  unchanged {len(again.unchanged):,}")
        rotated = plots.assign(status=plots["status"].map(
            {"leased": "vacant", "vacant": "reserved", "reserved": "negotiation",
             "negotiation": "leased", "unavailable": "leased"}))
        later = _shapefile_zip(rotated, folder)
        update = _timed("update", lambda: apply_plot_merge(
            store, plan_plot_merge(store.read(), (r := read_plots(
                later, "lo_dat_2.zip", zones=reg.zones, as_of="2099-01-01")).plots,
                covered=r.covered), filename="lo_dat_2.zip", actor=who), times)
        print(f"{'':>12}  changed {len(update.plan.changed):,}")
        _timed("undo update", lambda: undo_import(store, update.import_id, actor=who),
               times)
        _timed("undo", lambda: undo_import(store, result.import_id, actor=who), times)
        dispose = getattr(store, "dispose", None)
        if dispose is not None:
            dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--store", default="gpkg",
                        help="gpkg (a temporary GeoPackage) or a postgresql:// address")
    args = parser.parse_args()
    run(args.plots, None if args.store == "gpkg" else args.store)


if __name__ == "__main__":
    main()
