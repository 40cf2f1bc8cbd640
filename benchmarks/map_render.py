"""Map benchmark: KCN Atlas beside the alternatives, on the same data, in one run.

For each dataset (the bundled register; N synthetic 20-vertex polygons; or a GIS
file of the user's) it measures, in headless Chromium with every non-local
request refused:

- **load**: from ``page.goto`` to every feature drawn: the first navigation after
  the server started (cold) and the median of ``--runs`` navigations in fresh
  pages (warm); and the bytes the browser received for it (HTTP bodies as
  transferred, plus websocket frames);
- **interactions** (KCN Atlas): a filter change, a layer toggle, a colour
  change, selecting a zone in the list, and a pan: time until the map shows
  the result, bytes received meanwhile, and whether the page reran;
- the server process's memory after the loads.

Implementations:

- ``atlas``: this tree, ``streamlit run app.py``;
- ``baseline``: another commit of KCN Atlas (``--baseline REF``, e.g. the last
  release), checked out into a temporary git worktree and run the same way;
- ``naive``: ``benchmarks/naive_app.py`` (``folium.GeoJson`` under ``st_folium``);
- ``folium-file`` and ``folium-canvas``: a plain folium HTML file (SVG, and with
  ``prefer_canvas``) served as a static file, no Streamlit.

Usage::

    .venv/bin/python benchmarks/map_render.py [--sizes bundled,1000,20000] [--runs 3]
        [--impl atlas,baseline,naive,folium-file,folium-canvas] [--baseline c7bf445]
        [--file my_zones.gpkg] [--json out.json]

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.server
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (str(REPO), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import naive_app  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from geo.register import Register, normalise_zones  # noqa: E402
from geo.store import GeoPackageStore, build  # noqa: E402
from tests.synthetic import with_synthetic_plots  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 900}
ATLAS_PATH = "/?period=2030&basemap=none"  # every zone, no tile request
SEED = 20260101
SYN_LON, SYN_LAT, SYN_DIAMETER, SYN_VERTICES = (105.5, 107.5), (20.5, 21.5), 0.005, 20
START_TIMEOUT = 120.0
DRAW_TIMEOUT_MS = 180_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    return float(statistics.median(clean)) if clean else math.nan


# --- datasets ----------------------------------------------------------------

@dataclasses.dataclass
class Dataset:
    """A register to measure on, in a GeoPackage of its own.

    ``layer`` is what the alternatives draw: the zones (bundled register, a
    user's file) or the plots (synthetic datasets: N plots in parks of 200).
    """

    name: str
    store: Path
    register: Register
    layer: str = "zones"

    @property
    def features(self) -> int:
        frame = getattr(self.register, self.layer)
        return int((frame.geometry.notna() & ~frame.geometry.is_empty).sum())

    @property
    def zones(self) -> int:
        z = self.register.zones
        return int((z.geometry.notna() & ~z.geometry.is_empty).sum())


def synthetic_zones(n: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` random star-shaped 20-vertex polygons as operating KCN (seeded)."""
    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(*SYN_LON, n), rng.uniform(*SYN_LAT, n)
    k = np.arange(SYN_VERTICES)
    angles = 2 * np.pi * (k[None, :] + rng.uniform(0, 0.8, (n, SYN_VERTICES))) / SYN_VERTICES
    radii = (SYN_DIAMETER / 2) * rng.uniform(0.6, 1.0, (n, SYN_VERTICES))
    ring = np.stack([cx[:, None] + radii * np.cos(angles),
                     cy[:, None] + radii * np.sin(angles)], axis=-1)
    ring = np.concatenate([ring, ring[:, :1, :]], axis=1)
    ids = [f"kcn-syn-{i:06d}" for i in range(1, n + 1)]
    return gpd.GeoDataFrame({
        "id": ids, "kind": "KCN",
        "name_vi": [f"KCN Tổng hợp {i:06d}" for i in range(1, n + 1)],
        "name_en": [f"Synthetic Industrial Zone {i:06d}" for i in range(1, n + 1)],
        "province": "Hải Phòng", "province_current": "Hải Phòng", "status": "operating",
        "area_total_ha": np.round(rng.uniform(20, 600, n), 2),
        "occupancy_pct": np.round(rng.uniform(0, 100, n), 1),
        "geometry_quality": "digitised", "source_id": "atlas-editors",
        "geometry_source_id": "atlas-editors", "as_of": "2026-01-01",
    }, geometry=shapely.polygons(ring), crs="EPSG:4326")


def file_zones(path: Path) -> gpd.GeoDataFrame:
    """The features of a user's GIS file as operating KCN, for measuring only."""
    gdf = gpd.read_file(path).to_crs(4326)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].reset_index(drop=True)
    n = len(gdf)
    return gpd.GeoDataFrame({
        "id": [f"kcn-file-{i:06d}" for i in range(1, n + 1)], "kind": "KCN",
        "name_vi": [f"Khu {i}" for i in range(1, n + 1)], "province": "Hải Phòng",
        "province_current": "Hải Phòng", "status": "operating",
        "geometry_quality": "digitised", "source_id": "atlas-editors", "as_of": "2026-01-01",
    }, geometry=gdf.geometry.values, crs="EPSG:4326")


def make_datasets(sizes: list[str], tmp: Path, file: Path | None) -> list[Dataset]:
    bundled_path = tmp / "bundled" / "atlas.gpkg"
    bundled_path.parent.mkdir()
    bundled = build(bundled_path).read()
    out = []
    todo: list[tuple[str, Callable[[], gpd.GeoDataFrame] | None]] = [
        (s, None if s == "bundled" else partial(synthetic_zones, int(s))) for s in sizes]
    if file is not None:
        todo.append((file.name, partial(file_zones, file)))
    for name, zones in todo:
        if zones is None:
            out.append(Dataset("bundled", bundled_path, bundled))
            continue
        folder = tmp / f"ds{len(out)}"
        folder.mkdir()
        if name.isdigit():  # N plots, in synthetic parks of 200 plots
            reg = with_synthetic_plots(bundled, int(name))
            label, layer = f"{int(name):,} plots", "plots"
        else:
            reg = dataclasses.replace(bundled, zones=normalise_zones(zones()),
                                      zone_values=bundled.zone_values.iloc[0:0])
            label, layer = name, "zones"
        GeoPackageStore(folder / "atlas.gpkg").write(reg)
        out.append(Dataset(label, folder / "atlas.gpkg", reg, layer))
        log(f"dataset {label}: {len(reg.zones)} zones, {len(reg.plots)} plots")
    return out


# --- servers -----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclasses.dataclass
class Server:
    url: str
    pid: int | None


@contextlib.contextmanager
def streamlit_server(script: str, cwd: Path, store: Path, layer: str = "zones"
                     ) -> Iterator[Server]:
    port = _free_port()
    env = dict(os.environ, KCN_ATLAS_STORE=str(store), PYTHONDONTWRITEBYTECODE="1",
               KCN_BENCH_LAYER=layer)
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false"]
    fd, log_name = tempfile.mkstemp(prefix="bench-streamlit-", suffix=".log")
    with os.fdopen(fd, "wb") as logf:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{script} exited; see {log_name}")
            with contextlib.suppress(OSError), opener.open(f"{url}/_stcore/health",
                                                             timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{script} not healthy after {START_TIMEOUT:.0f} s")
            time.sleep(0.2)
        yield Server(url, proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[Server]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", None)
    finally:
        httpd.shutdown()


def rss_mb(pid: int | None) -> float:
    """Resident memory of a server's process group (MiB)."""
    if pid is None:
        return math.nan
    total = 0
    out = subprocess.run(["ps", "-o", "rss=", "-g", str(pid)], capture_output=True, text=True)
    for line in out.stdout.split():
        with contextlib.suppress(ValueError):
            total += int(line)
    return total / 1024


@contextlib.contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    """Check ``ref`` out into a temporary git worktree (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="kcn-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=REPO,
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=REPO,
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


# --- browser -----------------------------------------------------------------

class Meter:
    """Bytes a page receives (HTTP bodies as transferred and websocket frames)."""

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.http = 0
        self.ws = 0
        self.requests = 0
        self.cdp.on("Network.loadingFinished", self._http)
        self.cdp.on("Network.webSocketFrameReceived", self._ws)
        self.cdp.on("Network.requestWillBeSent", self._req)

    def _http(self, event: dict[str, Any]) -> None:
        self.http += int(event.get("encodedDataLength", 0))

    def _ws(self, event: dict[str, Any]) -> None:
        self.ws += len(event.get("response", {}).get("payloadData", ""))

    def _req(self, event: dict[str, Any]) -> None:
        self.requests += 1

    def total(self) -> int:
        return self.http + self.ws

    def reset(self) -> None:
        self.http = self.ws = self.requests = 0


class Browser:
    """Headless Chromium that can reach only this machine.

    Other hosts are refused by the resolver (``--host-resolver-rules``) rather
    than by request interception, which would switch the HTTP cache off: warm
    loads then see the cache a real browser has.
    """

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self.pw = sync_playwright().start()
        self.ctx = self.pw.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="bench-chromium-"), executable_path=CHROMIUM,
            headless=True, viewport=VIEWPORT, locale="vi-VN",
            args=[*CHROMIUM_ARGS,
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"])

    def page(self) -> Any:
        return self.ctx.new_page()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ctx.close()
        self.pw.stop()


# What "all drawn" means for each implementation, as a JS predicate taking n.
ATLAS_DRAWN = ("n => { const h = document.querySelector('.kcn-map-host');"
               " return !!(h && h.kcnInspect && h.dataset.ready === '1'"
               " && h.kcnInspect.drawn().length >= n && h.dataset.tiles !== 'loading'); }")
# Zoomed in on a park: its plots are drawn (from the vector tiles) and no tile is pending.
ATLAS_PLOTS_DRAWN = ("n => { const h = document.querySelector('.kcn-map-host');"
                     " return !!(h && h.kcnInspect && h.dataset.ready === '1'"
                     " && h.kcnInspect.plotsDrawn() >= n && h.dataset.tiles === 'idle'); }")
FOLIUM_FRAME_DRAWN = ("n => { const f = document.querySelector("
                      "'iframe[title=\"streamlit_folium.st_folium\"]');"
                      " if (!f || !f.contentDocument) return false;"
                      " return f.contentDocument.querySelectorAll("
                      "'path.leaflet-interactive').length >= n; }")
FILE_SVG_DRAWN = "n => document.querySelectorAll('path.leaflet-interactive').length >= n"
FILE_CANVAS_DRAWN = "n => window.__kcnBenchDrawn === true"


def timed_load(browser: Browser, url: str, predicate: str, n: int) -> tuple[float, int]:
    page = browser.page()
    meter = Meter(page)
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(predicate, arg=n, timeout=DRAW_TIMEOUT_MS, polling=50)
    elapsed = time.perf_counter() - t0
    page.wait_for_timeout(300)
    received = meter.total()
    page.close()
    return elapsed, received


BASELINE_ZONES = ("() => { const f = document.querySelector("
                  "'iframe[title=\"streamlit_folium.st_folium\"]');"
                  " return f && f.contentDocument ?"
                  " f.contentDocument.querySelectorAll('path.kcn-zone').length : 0; }")


def timed_settle(browser: Browser, url: str, count: str,
                 quiet_s: float = 3.0) -> tuple[float, int, int]:
    """Load ``url`` until the number ``count`` gives stops changing for ``quiet_s``.

    For a page whose final number of shapes is not known beforehand (an older
    commit draws only the zones it knows). Returns the seconds from ``goto`` to the
    first moment the final number was reached, the bytes received, and that number.
    """
    page = browser.page()
    meter = Meter(page)
    t0 = time.perf_counter()
    page.goto(url)
    last, since = -1, t0
    while True:
        n = int(page.evaluate(count) or 0)
        now = time.perf_counter()
        if n != last:
            last, since = n, now
        elif n > 0 and now - since >= quiet_s:
            break
        if (now - t0) * 1000 > DRAW_TIMEOUT_MS:
            raise TimeoutError(f"the page never settled ({last} shapes)")
        page.wait_for_timeout(50)
    received = meter.total()
    page.close()
    return since - t0, received, last


def atlas_interactions(browser: Browser, url: str, path: str, predicate: str,
                       n: int) -> dict[str, Any]:
    """Time each interaction from the user's action to the map showing its result."""
    page = browser.page()
    page.goto(url + path)
    page.wait_for_function(predicate, arg=n, timeout=DRAW_TIMEOUT_MS, polling=50)
    page.wait_for_timeout(1500)
    meter = Meter(page)
    host = page.locator(".kcn-map-host").first
    out: dict[str, Any] = {}

    def measure(name: str, act: Callable[[], None], done: str, arg: Any = None) -> None:
        """Time ``act`` until the map has applied a new state and ``done(arg)`` holds."""
        page.wait_for_timeout(800)
        before = int(host.get_attribute("data-applied") or 0)
        meter.reset()
        t0 = time.perf_counter()
        act()
        page.wait_for_function(
            "([before, arg]) => Number(document.querySelector('.kcn-map-host')"
            f".dataset.applied) > before && ({done})(arg)", arg=[before, arg],
            timeout=DRAW_TIMEOUT_MS, polling=20)
        out[name] = {"s": time.perf_counter() - t0, "bytes": meter.total()}

    # Layer toggle: infrastructure off, then on again.
    projects = "(n) => document.querySelector('.kcn-map-host')" \
               ".kcnInspect.drawnProjects().length === n"
    n_projects = host.evaluate("h => h.kcnInspect.drawnProjects().length")
    measure("layer toggle", lambda: page.get_by_text("Hạ tầng kết nối").click(), projects, 0)
    page.get_by_text("Hạ tầng kết nối").click()
    page.wait_for_function(projects, arg=n_projects, timeout=DRAW_TIMEOUT_MS)
    # Colour change: by kind; done when the legend says so.
    measure("colour change", lambda: page.get_by_text("Loại khu", exact=True).click(),
            "() => document.querySelector('.kcn-legend-body').textContent"
            ".includes('Loại khu')")
    # Filter change: the period "today" (the map applies the new set of zones shown).
    measure("filter change (period)", lambda: page.get_by_text("Hiện nay", exact=True).click(),
            "() => true")
    if host.evaluate("h => h.kcnInspect.plotsDrawn()") > 0:
        # Plot filter: vacant plots only; done when fewer plots are drawn.
        shown = host.evaluate("h => h.kcnInspect.plotsDrawn()")

        def vacant_only() -> None:
            page.get_by_text("Bộ lọc").click()
            box = page.get_by_role("combobox", name="Lô đất theo tình trạng")
            box.click()
            page.get_by_role("option", name="Còn trống").click()
            box.press("Escape")
        measure("plot filter (vacant)", vacant_only,
                "(n) => document.querySelector('.kcn-map-host').kcnInspect.plotsDrawn() < n",
                shown)
    # Select a zone from the list.
    first = page.locator(".kcn-row-name").first
    zone_name = first.inner_text()
    measure("select a zone (list)", lambda: first.click(),
            "() => document.querySelector('.kcn-map-host').dataset.selected !== ''")
    page.mouse.move(5, 5)  # the pointer leaves the map: the view is reported once
    out["select a zone (list)"]["zone"] = zone_name
    # Pan: drag the map; no rerun expected, only the URL changes.
    box = host.locator(".kcn-map").bounding_box()
    meter.reset()
    t0 = time.perf_counter()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 150, box["y"] + box["height"] / 2 + 60,
                    steps=8)
    page.mouse.up()
    page.wait_for_timeout(1500)  # whatever a pan would send has arrived by now
    out["pan"] = {"s": time.perf_counter() - t0, "bytes": meter.total(),
                  "requests": meter.requests, "ws_bytes": meter.ws}
    page.close()
    return out


# --- the folium files ------------------------------------------------------------

def folium_file(ds: Dataset, folder: Path, canvas: bool) -> str:
    """Write a plain folium page of the zones (local Leaflet) and return its name."""
    gdf = naive_app.read_zones(str(ds.store), ds.layer)
    fmap = naive_app.build_naive_map(gdf)
    if canvas:
        fmap.options["preferCanvas"] = True
        # Canvas paths are not in the DOM: the page says when Leaflet has drawn.
        fmap.get_root().script.add_child(folium.Element(
            "setTimeout(function () { requestAnimationFrame(function () {"
            " window.__kcnBenchDrawn = true; }); }, 0);"))
    name = "canvas.html" if canvas else "svg.html"
    html = fmap.get_root().render()
    html = html.replace("/app/static/vendor/", "vendor/")
    (folder / name).write_text(html, encoding="utf-8")
    return name


# --- running ----------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="kcn-bench-"))
    datasets = make_datasets(args.sizes.split(","), tmp, args.file)
    impls = args.impl.split(",")
    results: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M"), "runs": args.runs,
                               "machine": f"{os.cpu_count()} CPU, {platform.platform()}",
                               "rows": []}
    baseline_ctx = baseline_tree(args.baseline) if "baseline" in impls else contextlib.nullcontext()
    naive_dir = tmp / "naive"
    naive_dir.mkdir()
    shutil.copy(BENCH / "naive_app.py", naive_dir)
    (naive_dir / "static").symlink_to(REPO / "static")
    with baseline_ctx as baseline:
        for ds in datasets:
            files = tmp / f"files-{ds.name.replace(' ', '_')}"
            files.mkdir()
            (files / "vendor").symlink_to(REPO / "static" / "vendor")
            for impl in impls:
                row = {"dataset": ds.name, "impl": impl, "features": ds.features}
                log(f"{ds.name}: {impl}")
                try:
                    row.update(measure_impl(impl, ds, args, baseline, naive_dir, files))
                except Exception as exc:  # one failure must not lose the other figures
                    row["error"] = f"{type(exc).__name__}: {exc}"
                    log(f"  failed: {row['error']}")
                results["rows"].append(row)
    return results


def measure_impl(impl: str, ds: Dataset, args: argparse.Namespace, baseline: Path | None,
                 naive_dir: Path, files: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    n = ds.features
    if impl in ("atlas", "baseline", "naive"):
        if impl == "baseline" and ds.layer == "plots":
            return {"skipped": "the baseline has no plots"}
        script, cwd, path, predicate = {
            "atlas": ("app.py", REPO, ATLAS_PATH, ATLAS_DRAWN),
            "baseline": ("app.py", baseline, ATLAS_PATH, FOLIUM_FRAME_DRAWN),
            "naive": ("naive_app.py", naive_dir, "/", FOLIUM_FRAME_DRAWN),
        }[impl]
        # KCN Atlas draws the zones and, zoomed out, one circle per park: the plots
        # come with the tiles of the view (see the "park view" figures).
        expected = ds.zones if impl == "atlas" else n
        if impl == "baseline":  # draws zones and their selection; count zone paths only
            predicate = predicate.replace("path.leaflet-interactive", "path.kcn-zone")
        with streamlit_server(script, cwd, ds.store, ds.layer) as server:
            browser = Browser()
            try:
                if impl == "baseline":
                    # It draws the zones it knows: as many as it settles on, cold.
                    cold, cold_bytes, expected = timed_settle(browser, server.url + path,
                                                              BASELINE_ZONES)
                    out["features"] = expected
                else:
                    cold, cold_bytes = timed_load(browser, server.url + path, predicate,
                                                  expected)
                warm = [timed_load(browser, server.url + path, predicate, expected)
                        for _ in range(args.runs)]
                out.update(cold_s=cold, cold_bytes=cold_bytes, warm_s=median([w[0] for w in warm]),
                           warm_runs=[round(w[0], 2) for w in warm],
                           warm_bytes=median([w[1] for w in warm]),
                           server_mb=rss_mb(server.pid))
                inter_path, inter_pred, inter_n = ATLAS_PATH, ATLAS_DRAWN, expected
                if impl == "atlas" and ds.layer == "plots":
                    park = _park_view(ds)
                    park_runs = [timed_load(browser, server.url + park, ATLAS_PLOTS_DRAWN, 100)
                                 for _ in range(args.runs)]
                    out.update(park_s=median([w[0] for w in park_runs]),
                               park_bytes=median([w[1] for w in park_runs]))
                    inter_path, inter_pred, inter_n = park, ATLAS_PLOTS_DRAWN, 100
                if impl == "atlas" and not args.no_interactions:
                    out["interactions"] = atlas_interactions(browser, server.url, inter_path,
                                                             inter_pred, inter_n)
            finally:
                browser.close()
    else:
        name = folium_file(ds, files, canvas=impl == "folium-canvas")
        predicate = FILE_CANVAS_DRAWN if impl == "folium-canvas" else FILE_SVG_DRAWN
        with static_server(files) as server:
            browser = Browser()
            try:
                cold, cold_bytes = timed_load(browser, f"{server.url}/{name}", predicate, n)
                warm = [timed_load(browser, f"{server.url}/{name}", predicate, n)
                        for _ in range(args.runs)]
                out.update(cold_s=cold, cold_bytes=cold_bytes, warm_s=median([w[0] for w in warm]),
                           warm_runs=[round(w[0], 2) for w in warm],
                           warm_bytes=median([w[1] for w in warm]))
            finally:
                browser.close()
    return out


def _park_view(ds: Dataset) -> str:
    """A view zoomed on the first synthetic park (zoom 15: its plots a few px wide)."""
    c = ds.register.zones.geometry.iloc[0].centroid
    return f"/?period=2030&basemap=none&lat={c.y:.5f}&lon={c.x:.5f}&z=15"


def print_table(results: dict[str, Any]) -> None:
    print(f"\nKCN Atlas map benchmark, {results['when']}, {results['machine']}, "
          f"medians of {results['runs']}\n")
    head = ["dataset", "implementation", "features", "cold load s", "warm load s",
            "warm MB", "server MiB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in results["rows"]:
        if "error" in r or "skipped" in r:
            why = r.get("error") or r.get("skipped")
            print(f"| {r['dataset']} | {r['impl']} | {r['features']} | {why} | | | |")
            continue
        print(f"| {r['dataset']} | {r['impl']} | {r['features']} | {r['cold_s']:.2f} | "
              f"{r['warm_s']:.2f} | {r['warm_bytes'] / 1e6:.2f} | "
              f"{r.get('server_mb', math.nan):.0f} |")
    parks = [r for r in results["rows"] if "park_s" in r]
    if parks:
        print("\nKCN Atlas zoomed in on a park (zoom 15): warm load until its plots are drawn\n")
        print("| dataset | park view s | MB |")
        print("|---|---|---|")
        for r in parks:
            print(f"| {r['dataset']} | {r['park_s']:.2f} | {r['park_bytes'] / 1e6:.2f} |")
    inter = [r for r in results["rows"] if r.get("interactions")]
    if inter:
        print("\nInteractions (KCN Atlas): seconds until the map shows the result, "
              "MB received meanwhile\n")
        names = list(inter[0]["interactions"])
        print("| dataset | " + " | ".join(names) + " |")
        print("|---|" + "|".join("---" for _ in names) + "|")
        for r in inter:
            cells = []
            for k in names:
                v = r["interactions"][k]
                extra = f", {v['requests']} requests" if "requests" in v else ""
                cells.append(f"{v['s']:.2f} s, {v['bytes'] / 1e6:.3f} MB{extra}")
            print(f"| {r['dataset']} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="bundled,1000", help="bundled and/or polygon counts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--impl", default="atlas,naive,folium-file,folium-canvas")
    parser.add_argument("--baseline", default="c7bf445",
                        help="git ref of KCN Atlas to compare with (impl 'baseline')")
    parser.add_argument("--file", type=Path, help="a GIS file of your own to measure")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-interactions", action="store_true")
    args = parser.parse_args()
    results = run(args)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    pd.options.mode.copy_on_write = True
    main()
