"""Map-render benchmark: KCN Atlas against a naive folium page of the same zones.

For each dataset (the bundled register, and N synthetic 20-vertex polygons
written as a full register to a temporary GeoPackage) it measures, for KCN
Atlas and for ``benchmarks/naive_app.py`` in the same run:

1. server time to build the map page (the layers, ``build_map`` and everything
   ``st_folium`` does before it hands the arguments to Streamlit, plus the
   ``json.dumps`` Streamlit applies to them), cold and with serialised
   features cached; median of ``--runs``;
2. the bytes of the st_folium payload (script + header + html + feature group)
   and of the JSON component arguments that go over the websocket;
3. in headless Chromium, the time from ``page.goto`` to every zone drawn in the
   st_folium iframe: the first navigation after the server started (cold) and
   the median of ``--runs`` navigations in fresh pages after it (warm);
4. for KCN Atlas, the time from toggling the "infra" layer checkbox to the map
   redrawn (a pure rerun).

Usage (from anywhere; servers run from the repository root)::

    .venv/bin/python benchmarks/map_render.py [--sizes bundled,10000] [--runs 3]
        [--json results.json] [--no-browser] [--no-rerun]

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import logging
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(REPO), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import naive_app  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
import streamlit_folium  # noqa: E402

from geo.analysis import filter_zones  # noqa: E402
from geo.register import Register, normalise_zones  # noqa: E402
from geo.store import GeoPackageStore, build  # noqa: E402
from layers.base import MapContext  # noqa: E402
from layers.infrastructure import project_features  # noqa: E402
from layers.map import build_map  # noqa: E402
from layers.selection import selection_group  # noqa: E402
from layers.state import MapState  # noqa: E402
from layers.zones import zone_features  # noqa: E402

# --- constants ---------------------------------------------------------------

KCN_QUERY = {"period": "2030", "basemap": "none"}  # every zone, no tile requests
KCN_URL_PATH = "/?period=2030&basemap=none"
KCN_HEIGHT = 640  # app_pages/map.py
KCN_RETURNED = ["last_active_drawing", "last_object_clicked", "center", "zoom"]  # app_pages/map.py

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
KCN_ZONE = "path.kcn-zone"
KCN_PROJECT = "path.kcn-project"
NAIVE_FEATURE = "path.leaflet-interactive"
INFRA_LABEL = "Hạ tầng kết nối"  # t("layer.infra", "vi")
# Only requests to other hosts are intercepted (a regex is matched in the
# browser, so local requests do not round-trip through Python).
NON_LOCAL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])[:/])[a-z]+://")

SERVER_START_TIMEOUT = 90.0
DRAW_TIMEOUT_MS = 120_000
SEED = 20260101

# The synthetic zones: a box around Hải Phòng, polygons about 0.005° across.
SYN_LON = (105.5, 107.5)
SYN_LAT = (20.5, 21.5)
SYN_DIAMETER = 0.005
SYN_VERTICES = 20


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


# --- datasets ----------------------------------------------------------------


@dataclasses.dataclass
class Dataset:
    name: str
    store: Path
    register: Register

    @property
    def n_zones(self) -> int:
        return len(self.register.zones)


def synthetic_zones(n: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """Return ``n`` random star-shaped 20-vertex polygons as KCN zones (seeded)."""
    rng = np.random.default_rng(seed)
    cx = rng.uniform(*SYN_LON, n)
    cy = rng.uniform(*SYN_LAT, n)
    # Sorted angles with jitter and radii in [0.6, 1] of the half diameter: simple rings.
    k = np.arange(SYN_VERTICES)
    angles = 2 * np.pi * (k[None, :] + rng.uniform(0, 0.8, (n, SYN_VERTICES))) / SYN_VERTICES
    radii = (SYN_DIAMETER / 2) * rng.uniform(0.6, 1.0, (n, SYN_VERTICES))
    xs = cx[:, None] + radii * np.cos(angles)
    ys = cy[:, None] + radii * np.sin(angles)
    ring = np.stack([xs, ys], axis=-1)
    ring = np.concatenate([ring, ring[:, :1, :]], axis=1)  # closed: 21 coordinates
    geoms = shapely.polygons(ring)
    ids = [f"kcn-syn-{i:05d}" for i in range(1, n + 1)]
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "kind": "KCN",
            "name_vi": [f"KCN Tổng hợp {i:05d}" for i in range(1, n + 1)],
            "name_en": [f"Synthetic Industrial Zone {i:05d}" for i in range(1, n + 1)],
            "province": "Hải Phòng",
            "province_current": "Hải Phòng",
            "status": "operating",
            "area_total_ha": np.round(rng.uniform(20, 600, n), 2),
            "occupancy_pct": np.round(rng.uniform(0, 100, n), 1),
            "geometry_quality": "digitised",
            "source_id": "atlas-editors",
            "as_of": "2026-01-01",
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def make_datasets(sizes: list[str], tmp: Path) -> list[Dataset]:
    bundled_path = tmp / "bundled" / "atlas.gpkg"
    bundled_path.parent.mkdir()
    bundled = build(bundled_path).read()
    out = []
    for size in sizes:
        if size == "bundled":
            out.append(Dataset("bundled", bundled_path, bundled))
            continue
        n = int(size)
        path = tmp / f"syn{n}" / "atlas.gpkg"
        path.parent.mkdir()
        reg = dataclasses.replace(
            bundled,
            zones=normalise_zones(synthetic_zones(n)),
            zone_values=bundled.zone_values.iloc[0:0],  # they cite the bundled zones
        )
        GeoPackageStore(path).write(reg)
        out.append(Dataset(f"{n} polygons", path, GeoPackageStore(path).read()))
    return out


# --- server-side build --------------------------------------------------------


def st_folium_args(fmap: folium.Map, **kwargs: Any) -> dict[str, Any]:
    """Run the real ``st_folium`` and return the arguments it passes to Streamlit.

    The component function is swapped for a recorder, so everything
    ``st_folium`` does (render, header/html extraction, leaflet string with its
    regex renaming, feature group, asset walk, hash) runs as in the app.
    """
    captured: dict[str, Any] = {}

    def record(**kw: Any) -> Any:
        captured.update(kw)
        return kw.get("default")

    original = streamlit_folium._component_func
    streamlit_folium._component_func = record
    try:
        streamlit_folium.st_folium(fmap, **kwargs)
    finally:
        streamlit_folium._component_func = original
    return captured


def wire_json(args: dict[str, Any]) -> str:
    """The JSON Streamlit puts in the component's ``json_args`` (as in CustomComponent)."""
    return json.dumps({k: v for k, v in args.items() if k not in ("on_change", "tab_index")})


def payload_bytes(args: dict[str, Any]) -> int:
    return sum(len((args.get(k) or "").encode()) for k in
               ("script", "header", "html", "feature_group", "layer_control"))


def kcn_state() -> MapState:
    return MapState.from_query(KCN_QUERY)


def kcn_shown(reg: Register, state: MapState) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The zones and projects app_pages/map.py shows for ``state`` (no filters set)."""
    mask = filter_zones(reg.zones, provinces=state.prov, kinds=state.kind, statuses=state.status,
                        occupancy=state.occ if state.occ_filtered else None, area=state.area,
                        period=state.period)
    zones = reg.zones[mask & reg.zones["kind"].str.lower().isin(state.layers)]
    projects = reg.projects if "infra" in state.layers else reg.projects.iloc[0:0]
    return zones, projects


def expected_zone_paths(reg: Register) -> int:
    zones, _ = kcn_shown(reg, kcn_state())
    return int((zones.geometry.notna() & ~zones.geometry.is_empty).sum())


def expected_project_paths(reg: Register) -> int:
    p = reg.projects
    return int((p.geometry.notna() & ~p.geometry.is_empty).sum())


def kcn_page(reg: Register, zone_json: dict[str, str] | None,
             project_json: dict[str, str] | None) -> tuple[dict[str, Any], dict[str, float]]:
    """Build the map as app_pages/map.py does; return st_folium's args and phase times (s)."""
    phases: dict[str, float] = {}
    state = kcn_state()
    t = time.perf_counter()
    if zone_json is None:
        zone_json = zone_features(reg.zones, state.lang, state.color)
        phases["zone_features"] = time.perf_counter() - t
        t = time.perf_counter()
    if project_json is None:
        project_json = project_features(reg.projects, state.lang)
        phases["project_features"] = time.perf_counter() - t
        t = time.perf_counter()
    zones, projects = kcn_shown(reg, state)
    ctx = MapContext(state=state, zones=zones, projects=projects,
                     zone_json=zone_json, project_json=project_json)
    fmap = build_map(ctx)
    group = selection_group(ctx, [], [])
    phases["build_map"] = time.perf_counter() - t
    t = time.perf_counter()
    args = st_folium_args(fmap, key="map", height=KCN_HEIGHT, returned_objects=KCN_RETURNED,
                          feature_group_to_add=group, center=None, zoom=None)
    phases["st_folium"] = time.perf_counter() - t
    t = time.perf_counter()
    args["_wire"] = wire_json(args)
    phases["json_dumps"] = time.perf_counter() - t
    return args, phases


def naive_page(gdf: gpd.GeoDataFrame) -> tuple[dict[str, Any], dict[str, float]]:
    """Build the naive map as benchmarks/naive_app.py does; return st_folium's args and phases."""
    phases: dict[str, float] = {}
    t = time.perf_counter()
    fmap = naive_app.build_naive_map(gdf)
    phases["build_map"] = time.perf_counter() - t
    t = time.perf_counter()
    args = st_folium_args(fmap, height=naive_app.HEIGHT)
    phases["st_folium"] = time.perf_counter() - t
    t = time.perf_counter()
    args["_wire"] = wire_json(args)
    phases["json_dumps"] = time.perf_counter() - t
    return args, phases


def _timed(runs: int, fn: Callable[[], tuple[dict[str, Any], dict[str, float]]]
           ) -> tuple[dict[str, Any], float, dict[str, float]]:
    """Run ``fn`` ``runs`` times; return the last args, the median total and median phases."""
    totals, phase_runs, args = [], [], {}
    for _ in range(runs):
        gc.collect()  # start each run from the same heap state
        args, phases = fn()
        totals.append(sum(phases.values()))
        phase_runs.append(phases)
    med_phases = {k: median([p[k] for p in phase_runs]) for k in phase_runs[0]}
    return args, median(totals), med_phases


def server_side(ds: Dataset, runs: int) -> dict[str, dict[str, Any]]:
    reg = ds.register
    state = kcn_state()
    zone_json = zone_features(reg.zones, state.lang, state.color)
    project_json = project_features(reg.projects, state.lang)

    _, cold, cold_phases = _timed(runs, lambda: kcn_page(reg, None, None))
    args, warm, warm_phases = _timed(runs, lambda: kcn_page(reg, zone_json, project_json))
    kcn = {
        "server_cold_ms": cold * 1e3, "server_warm_ms": warm * 1e3,
        "server_cold_phases_ms": {k: v * 1e3 for k, v in cold_phases.items()},
        "server_warm_phases_ms": {k: v * 1e3 for k, v in warm_phases.items()},
        "payload_bytes": payload_bytes(args), "wire_bytes": len(args["_wire"].encode()),
        "script_bytes": len(args["script"].encode()),
        "js_links": args.get("js_links"), "css_links": args.get("css_links"),
        "expected_paths": expected_zone_paths(reg),
    }

    gdf = naive_app.read_zones(str(ds.store))
    args, naive_t, naive_phases = _timed(runs, lambda: naive_page(gdf))
    naive = {
        # Nothing is cached in the naive page: every run is a cold run.
        "server_cold_ms": naive_t * 1e3, "server_warm_ms": naive_t * 1e3,
        "server_cold_phases_ms": {k: v * 1e3 for k, v in naive_phases.items()},
        "payload_bytes": payload_bytes(args), "wire_bytes": len(args["_wire"].encode()),
        "script_bytes": len(args["script"].encode()),
        "js_links": args.get("js_links"), "css_links": args.get("css_links"),
        "expected_paths": len(gdf),
    }
    return {"kcn": kcn, "naive": naive}


# --- servers -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_busy(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``streamlit run <script>`` on a free local port, in its own process group."""

    def __init__(self, script: Path, store: Path, logdir: Path) -> None:
        self.script, self.store, self.logdir = script, store, logdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.port = free_port()
        if port_busy(self.port):
            raise RuntimeError(f"port {self.port} is busy: refusing to measure whatever answers")
        env = dict(os.environ, KCN_ATLAS_STORE=str(self.store), PYTHONUNBUFFERED="1")
        # cwd is the repository, so .streamlit/config.toml applies to both apps;
        # static serving is also switched on explicitly.
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.script),
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
               "--server.enableStaticServing", "true"]
        self.logdir.mkdir(parents=True, exist_ok=True)
        with (self.logdir / "stdout.log").open("wb") as out, \
                (self.logdir / "stderr.log").open("wb") as err:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err,
                                         start_new_session=True)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit run {self.script} exited with "
                                   f"{self.proc.returncode}:\n{self.stderr_tail()}")
            try:
                with opener.open(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy at {self.url}:\n{self.stderr_tail()}")
            time.sleep(0.2)
        if self.proc.poll() is not None:
            raise RuntimeError(f"another server holds port {self.port}")

    def stderr_tail(self, limit: int = 4000) -> str:
        with contextlib.suppress(OSError):
            return (self.logdir / "stderr.log").read_text(errors="replace")[-limit:]
        return ""

    def quiesce(self, idle_share: float = 0.05, window: float = 0.5,
                timeout: float = 120.0) -> float:
        """Wait until the server uses under ``idle_share`` of a core; return the wait (s).

        A closed page's session may still be running a script (st_folium is
        one long Python call), which would steal CPU from the next measurement.
        """
        assert self.proc is not None
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            before = _cpu_seconds(self.proc.pid)
            time.sleep(window)
            if _cpu_seconds(self.proc.pid) - before < idle_share * window:
                break
        return time.monotonic() - start

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


def naive_app_dir(folder: Path) -> Path:
    """Put a copy of naive_app.py beside a ``static`` link to the repository's ``static``.

    Streamlit serves the ``static`` folder next to the *main script*
    (``file_util.get_app_static_dir``), not the one in the working directory,
    so ``benchmarks/naive_app.py`` run in place would get 404 for Leaflet.
    """
    folder.mkdir(parents=True)
    (folder / "static").symlink_to(REPO / "static", target_is_directory=True)
    script = folder / "naive_app.py"
    script.write_bytes((BENCH / "naive_app.py").read_bytes())
    return script


# A rerun test: given the page and a function waiting for the server to go idle,
# returns the measured times in seconds.
Rerun = Callable[[Any, Callable[[], object]], list[float]]


# --- browser ---------------------------------------------------------------------

# True once some st_folium iframe holds at least n zone paths (and exactly p
# project paths when p >= 0). Also notes when the iframe and the first zone
# path were first seen, in ms since navigation start.
_DRAWN_JS = """
([frameSel, zoneSel, n, projSel, p]) => {
  const frames = document.querySelectorAll(frameSel);
  if (frames.length && window.__bmIframe === undefined) window.__bmIframe = performance.now();
  for (const f of frames) {
    let d = null;
    try { d = f.contentDocument; } catch (e) { d = null; }
    if (!d) continue;
    const zones = d.querySelectorAll(zoneSel).length;
    if (zones && window.__bmFirst === undefined) window.__bmFirst = performance.now();
    if (zones < n) continue;
    if (p >= 0 && d.querySelectorAll(projSel).length !== p) continue;
    return true;
  }
  return false;
}
"""

_COUNT_JS = """
([frameSel, sel]) => Math.max(0, ...Array.from(document.querySelectorAll(frameSel), f => {
  try { return f.contentDocument.querySelectorAll(sel).length; } catch (e) { return 0; }
}))
"""


@contextlib.contextmanager
def browser(profile: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT, locale="vi-VN")
        blocked: list[str] = []

        def abort(route: Any) -> None:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

        context.route(NON_LOCAL, abort)
        context.blocked_requests = blocked
        try:
            yield context
        finally:
            with contextlib.suppress(Exception):
                context.close()


def wait_drawn(page: Any, selector: str, n: int, projects: int = -1) -> None:
    page.wait_for_function(_DRAWN_JS, arg=[MAP_IFRAME, selector, n, KCN_PROJECT, projects],
                           polling="raf", timeout=DRAW_TIMEOUT_MS)


def navigate(context: Any, url: str, selector: str, n: int) -> dict[str, Any]:
    """Open ``url`` in a new page; time goto → ``n`` paths drawn. Leaves the page open."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    t0 = time.perf_counter()
    try:
        page.goto(url, wait_until="commit", timeout=DRAW_TIMEOUT_MS)
        wait_drawn(page, selector, n)
    except PlaywrightTimeoutError:
        count = page.evaluate(_COUNT_JS, [MAP_IFRAME, selector])
        shown = page.locator('[data-testid="stException"], [data-testid="stAlert"]')
        raise RuntimeError(
            f"{url}: {count}/{n} {selector} after {DRAW_TIMEOUT_MS / 1e3:.0f} s; "
            f"page messages {shown.all_inner_texts()}; browser errors {errors[:5]}; "
            f"blocked {context.blocked_requests[:5]}") from None
    elapsed = time.perf_counter() - t0
    marks = page.evaluate("() => [window.__bmIframe ?? null, window.__bmFirst ?? null,"
                          " performance.now()]")
    count = page.evaluate(_COUNT_JS, [MAP_IFRAME, selector])
    return {"page": page, "s": elapsed, "drawn": count,
            "iframe_s": None if marks[0] is None else marks[0] / 1e3,
            "first_path_s": None if marks[1] is None else marks[1] / 1e3}


def browser_side(server: Server, profile: Path, url_path: str, selector: str, n: int,
                 runs: int, rerun: Rerun | None) -> dict[str, Any]:
    """Cold navigation, then ``runs`` warm ones in fresh pages (and the rerun test)."""
    out: dict[str, Any] = {"expected": n}
    with browser(profile) as context:
        navs = []
        for i in range(runs + 1):
            server.quiesce()
            nav = navigate(context, server.url + url_path, selector, n)
            page = nav.pop("page")
            navs.append(nav)
            log(f"  navigation {'cold' if i == 0 else i}: {nav['s']:.2f} s "
                f"({nav['drawn']}/{n} paths)")
            if i == runs and rerun is not None:
                server.quiesce()
                out["rerun_s"] = rerun(page, server.quiesce)
            page.close()
        out["cold"] = navs[0]
        out["warm"] = navs[1:]
        out["browser_cold_s"] = navs[0]["s"]
        out["browser_warm_s"] = median([v["s"] for v in navs[1:]])
        out["drawn_ok"] = all(v["drawn"] == n for v in navs)
        out["blocked_requests"] = list(context.blocked_requests)
    server.quiesce()
    return out


def measure_in_browser(script: Path, store: Path, work: Path, url_path: str, selector: str,
                       n: int, runs: int, rerun: Rerun | None) -> dict[str, Any]:
    """Start the app, measure it in a fresh Chromium, stop it; errors are recorded, not raised."""
    try:
        with Server(script, store, work / "log") as server:
            return browser_side(server, work / "profile", url_path, selector, n, runs, rerun)
    except Exception as exc:
        log(f"  FAILED: {exc}")
        return {"browser_error": str(exc)}


def infra_toggle(n_zones: int, n_projects: int, runs: int) -> Rerun:
    """Time unticking and ticking the infra layer until the map is redrawn."""
    def run(page: Any, settle: Callable[[], object]) -> list[float]:
        box = page.get_by_role("checkbox", name=INFRA_LABEL)
        times = []
        for _ in range(runs):
            for target in (0, n_projects):
                settle()  # a rerun the last redraw triggered must not overlap
                t0 = time.perf_counter()
                box.click(force=True)  # the input is visually hidden behind its label
                wait_drawn(page, KCN_ZONE, n_zones, target)
                times.append(time.perf_counter() - t0)
                log(f"  infra {'off' if target == 0 else 'on '}: {times[-1]:.2f} s")
        return times
    return run


# --- report ------------------------------------------------------------------------


def _fmt(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, spec)


def table(results: dict[str, Any]) -> str:
    head = ["dataset", "implementation", "features", "server build cold ms",
            "server build warm ms", "payload MB", "wire MB", "browser cold s",
            "browser warm median s", "rerun median s"]
    rows = []
    for ds in results["datasets"]:
        for impl, label in (("kcn", "KCN Atlas"), ("naive", "naive folium")):
            r = ds[impl]
            rows.append([
                ds["name"], label, str(r["expected_paths"]),
                _fmt(r["server_cold_ms"], ".0f"),
                _fmt(r["server_warm_ms"], ".0f"),
                _fmt(r["payload_bytes"] / 1e6, ".2f"), _fmt(r["wire_bytes"] / 1e6, ".2f"),
                _fmt(r.get("browser_cold_s"), ".2f"), _fmt(r.get("browser_warm_s"), ".2f"),
                _fmt(median(r["rerun_s"]) if r.get("rerun_s") else None, ".2f"),
            ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(r) for r in rows)])


def breakdown(results: dict[str, Any]) -> str:
    lines = ["Server phases (median ms):"]
    for ds in results["datasets"]:
        for impl, key in (("kcn", "server_cold_phases_ms"), ("kcn", "server_warm_phases_ms"),
                          ("naive", "server_cold_phases_ms")):
            phases = ds[impl].get(key) or {}
            label = {"kcn": "KCN Atlas", "naive": "naive"}[impl]
            kind = "warm" if "warm" in key else "cold"
            lines.append(f"  {ds['name']:>16} {label:>9} {kind}: " + ", ".join(
                f"{k} {v:.0f}" for k, v in phases.items()))
    lines.append("Browser milestones of the warm navigations (median s since goto: "
                 "iframe attached / first zone path / all paths):")
    for ds in results["datasets"]:
        for impl, label in (("kcn", "KCN Atlas"), ("naive", "naive")):
            warm = ds[impl].get("warm") or []
            if not warm:
                continue
            iframe = median([w["iframe_s"] for w in warm if w["iframe_s"] is not None])
            first = median([w["first_path_s"] for w in warm if w["first_path_s"] is not None])
            lines.append(f"  {ds['name']:>16} {label:>9}: {iframe:.2f} / {first:.2f} / "
                         f"{median([w['s'] for w in warm]):.2f}   (each: "
                         + ", ".join(f"{w['s']:.2f}" for w in warm) + ")")
            if ds[impl].get("rerun_s"):
                lines.append(f"  {'':>16} {'':>9}  infra toggles: "
                             + ", ".join(f"{t:.2f}" for t in ds[impl]["rerun_s"]))
    return "\n".join(lines)


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"python": platform.python_version(), "machine": platform.machine(),
           "cpus": str(os.cpu_count())}
    for pkg in ("streamlit", "streamlit-folium", "folium", "branca", "geopandas", "shapely",
                "playwright"):
        with contextlib.suppress(Exception):
            out[pkg] = version(pkg)
    with contextlib.suppress(Exception):
        out["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True,
                                         text=True, timeout=20).stdout.strip()
    return out


# --- main ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="bundled,10000",
                    help="comma-separated: 'bundled' and/or numbers of synthetic polygons")
    ap.add_argument("--runs", type=int, default=3, help="timed repetitions (median)")
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    ap.add_argument("--no-browser", action="store_true", help="server-side figures only")
    ap.add_argument("--no-rerun", action="store_true", help="skip the infra-toggle rerun test")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "bundled" and not s.isdigit():
            ap.error(f"--sizes: {s!r} is neither 'bundled' nor a number")
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "runs": args.runs, "seed": SEED, "versions": versions(), "datasets": [],
    }
    with tempfile.TemporaryDirectory(prefix="kcn-map-bench-") as tmp_name:
        tmp = Path(tmp_name)
        log("building datasets")
        datasets = make_datasets(sizes, tmp)
        naive_script = naive_app_dir(tmp / "naive")
        # Warm the code paths (imports, Jinja templates) on the smallest data first.
        small = min(datasets, key=lambda d: d.n_zones)
        kcn_page(small.register, None, None)
        naive_page(naive_app.read_zones(str(small.store)))

        for i, ds in enumerate(datasets):
            log(f"{ds.name}: server-side build, {args.runs} runs each")
            entry: dict[str, Any] = {"name": ds.name, "zones": ds.n_zones,
                                     **server_side(ds, args.runs)}
            if not args.no_browser:
                n_zone = entry["kcn"]["expected_paths"]
                n_proj = expected_project_paths(ds.register)
                log(f"{ds.name}: KCN Atlas in Chromium ({n_zone} zone paths)")
                rerun = None if args.no_rerun else infra_toggle(n_zone, n_proj, args.runs)
                entry["kcn"].update(measure_in_browser(
                    REPO / "app.py", ds.store, tmp / f"kcn-{i}", KCN_URL_PATH, KCN_ZONE,
                    n_zone, args.runs, rerun))
                n_naive = entry["naive"]["expected_paths"]
                log(f"{ds.name}: naive folium in Chromium ({n_naive} paths)")
                entry["naive"].update(measure_in_browser(
                    naive_script, ds.store, tmp / f"naive-{i}", "/", NAIVE_FEATURE,
                    n_naive, args.runs, None))
            results["datasets"].append(entry)
    results["elapsed_s"] = time.monotonic() - started

    print(f"\nKCN Atlas map-render benchmark, {results['date']}, runs={args.runs}, "
          f"{results['versions'].get('cpus')} CPUs")
    print(table(results))
    print()
    print(breakdown(results))
    for ds in results["datasets"]:
        for impl in ("kcn", "naive"):
            r = ds[impl]
            if r.get("drawn_ok") is False:
                print(f"NOTE: {ds['name']} {impl}: drawn paths differ from expected "
                      f"{r['expected']}: {[v['drawn'] for v in [r['cold'], *r['warm']]]}")
            if r.get("browser_error"):
                print(f"ERROR: {ds['name']} {impl}: {r['browser_error']}")
            if r.get("blocked_requests"):
                print(f"NOTE: {ds['name']} {impl}: blocked {len(r['blocked_requests'])} "
                      f"non-local requests, e.g. {r['blocked_requests'][:3]}")
    print(f"\n(total {results['elapsed_s']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
