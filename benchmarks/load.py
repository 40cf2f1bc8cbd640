"""Load and soak test: many sessions of the running app on 127.0.0.1, bounded in time.

Starts ``streamlit run app.py`` on a free loopback port over a fresh copy of the
bundled register, then drives it the way the browser does, over Streamlit's
websocket (``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg``), with no
browser: each session opens the map page and, until the time is up, searches
for a zone (which selects it), clicks a search result, picks a project, changes the
kind filter or the period, or exports the shown zones (CSV, GeoJSON or Excel, fetched from the
export menu's links as the browser does). Each rerun is timed from the message sent to the
``script_finished`` received.

It prints the errors (exceptions shown on the page, failed exports, broken
connections, timeouts), rerun latency percentiles per action, and the server's
memory (resident set) at the start, the peak and the end. Nothing is asserted.

``--soak`` also runs imports and undos while the sessions read: ``--imports``
rounds (default 30) of ``kcn-atlas import`` of a one-zone GeoJSON then
``kcn-atlas undo-import``, as separate processes, plus a reader in this process
that reads the store directly and checks each read is one version (the zones
the soak added equal the soak imports in effect). At the end it checks the
register validates, holds what it held before, and no temporary file is left.

    .venv/bin/python benchmarks/load.py                      # 20 sessions, 120 s
    .venv/bin/python benchmarks/load.py --soak --sessions 6  # 30 imports and undos
    .venv/bin/python benchmarks/load.py --sessions 5 --duration 20 --json out.json

Needs the ``websockets`` package (installed with Streamlit's server).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import websockets  # noqa: E402
from shapely.geometry import box  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from geo.merge import imports  # noqa: E402
from geo.store import GeoPackageStore, build  # noqa: E402
from geo.validate import validate  # noqa: E402

RERUN_TIMEOUT = 120.0
SEARCHES = ("dinh vu", "nam dinh vu", "trang due", "cai lan", "viet hung", "dam nha mac",
            "van don", "quang yen", "an duong", "tien phong", "bac tien phong", "kkt")
EXPORTS = ("csv", "geojson", "xlsx")
_EXPORT_LINK = re.compile(r'href="(/api/v1/export/([a-z-]+)\?[^"]*)"')
ACTIONS = ("search", "select", "project", "kind", "period", "export")


@dataclass
class Server:
    """The app under test: its address, process and log."""

    url: str
    pid: int
    log: Path

    def log_tail(self, limit: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-limit:]
        return ""


@contextlib.contextmanager
def serve(store: Path, folder: Path) -> Iterator[Server]:
    """Run ``streamlit run app.py`` over ``store`` on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    # As deployed: no file watcher (it unloads modules when a source file changes,
    # which races with the sessions importing them).
    env = dict(os.environ, KCN_ATLAS_STORE=str(store), STREAMLIT_SERVER_FILE_WATCHER_TYPE="none")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false"]
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited:\n{log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(OSError), opener.open(f"{url}/_stcore/health",
                                                             timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not become healthy in 90 s")
            time.sleep(0.2)
        yield Server(url, proc.pid, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MiB."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Stats:
    """What every session measured."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    exports_bytes: int = 0
    selected: int = 0  # searches and result clicks that ended with a zone's panel open

    def error(self, text: str) -> None:
        self.errors.append(text)


@dataclass
class Widget:
    id: str
    kind: str
    options: list[str]


class Session:
    """One browser tab, spoken to over the websocket as the frontend does."""

    def __init__(self, base: str, name: str, stats: Stats, rng: random.Random) -> None:
        self.base, self.name, self.stats, self.rng = base, name, stats, rng
        self.ws: Any = None
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, WidgetState] = {}  # every widget's value as last shown
        self.changes: dict[str, WidgetState] = {}  # what the next rerun changes
        self.page_hash = ""
        self.session_id = ""
        self.pending: dict[str, asyncio.Future[str]] = {}
        self.export_links: dict[str, str] = {}  # format -> the export menu's link

    async def open(self) -> None:
        url = self.base.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=30, ping_interval=None)
        await self.rerun("open")

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    def _read_element(self, fm: ForwardMsg, values: dict[str, WidgetState]) -> None:
        delta = fm.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.stats.error(f"{self.name}: exception on the page: {el.exception.message}")
            return
        proto = getattr(el, kind)
        if kind == "html":
            for href, what in _EXPORT_LINK.findall(proto.body):
                self.export_links[what] = html.unescape(href)
            return
        wid = getattr(proto, "id", "")
        if not isinstance(wid, str) or not wid.startswith("$$ID-") or wid.count("-") < 2:
            return  # only widgets with a key: "$$ID-<hash>-<key>"
        key = wid.split("-", 2)[2]
        self.widgets[key] = Widget(wid, kind, list(getattr(proto, "options", [])))
        # The browser keeps each widget's value across reruns; the server's proto
        # carries a value only when the server changes it (set_value).
        known = {**self.values, **self.changes}.get(wid)
        state = known if known is not None and not getattr(proto, "set_value", False) \
            else _shown_value(kind, proto)
        if state is not None:
            values[wid] = state

    async def _send(self, msg: BackMsg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def rerun(self, action: str) -> None:
        """Rerun with every widget's value as shown, plus the change just made."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash
        kept = {k: v for k, v in self.values.items()
                if v.WhichOneof("value") != "trigger_value"}  # a click is sent once
        msg.rerun_script.widget_states.widgets.extend({**kept, **self.changes}.values())
        values: dict[str, WidgetState] = {}
        start = time.monotonic()
        await self._send(msg)
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), RERUN_TIMEOUT)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = self.page_hash or fm.new_session.page_script_hash
                self.session_id = fm.new_session.initialize.session_id or self.session_id
            elif kind == "delta":
                self._read_element(fm, values)
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    values = {}
                    continue  # the script asked for a rerun: wait for that one
                if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.error(f"{self.name}: {action}: script failed to compile")
                break
        self.values = values
        self.changes = {}
        self.stats.latency[action].append(time.monotonic() - start)

    def _set(self, key: str, **value: Any) -> bool:
        widget = self.widgets.get(key)
        if widget is None:
            return False
        state = WidgetState(id=widget.id)
        for name, v in value.items():
            if name == "string_array_value":
                state.string_array_value.data[:] = v
            else:
                setattr(state, name, v)
        self.changes[widget.id] = state
        return True

    async def act(self) -> None:
        action = self.rng.choice(ACTIONS)
        hits = sorted(k for k in self.widgets if k.startswith("hit_"))
        if action == "select" and not hits:
            action = "search"
        if action == "search":
            self._set("q", string_value=self.rng.choice(SEARCHES))
        elif action == "select":  # click one of the search results
            self._set(self.rng.choice(hits), trigger_value=True)
        elif action == "project":
            options = self.widgets["w_project_vi"].options if "w_project_vi" in self.widgets \
                else []
            if options:
                self._set("w_project_vi", string_value=self.rng.choice(options))
        elif action == "kind":
            options = self.widgets.get("w_kind_vi", Widget("", "", [])).options
            picked = [o for o in options if self.rng.random() < 0.5]
            self._set("w_kind_vi", string_array_value=picked)
        elif action == "period":
            options = self.widgets.get("w_period_vi", Widget("", "", [])).options
            if options:
                self._set("w_period_vi", string_value=self.rng.choice(options))
        if action == "export":
            await self.export(self.rng.choice(EXPORTS))
        else:
            self.widgets = {}
            await self.rerun(action)
            if action in ("search", "select") and "clear_zone" in self.widgets:
                self.stats.selected += 1

    async def export(self, what: str) -> None:
        """Follow the export menu's link for one format, as the browser does."""
        link = self.export_links.get(what)
        if link is None:
            self.stats.error(f"{self.name}: no {what} export link")
            return
        start = time.monotonic()
        try:
            data = await asyncio.to_thread(_fetch, self.base + link)
        except OSError as exc:
            self.stats.error(f"{self.name}: export {what}: {exc}")
            return
        self.stats.exports_bytes += len(data)
        if not data:
            self.stats.error(f"{self.name}: export {what}: empty file")
        self.stats.latency["export"].append(time.monotonic() - start)


def _shown_value(kind: str, proto: Any) -> WidgetState | None:
    """The state the browser would send for a widget as the server last drew it."""
    state = WidgetState(id=proto.id)
    if kind == "text_input":
        state.string_value = proto.value if proto.set_value else proto.default
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("radio", "selectbox"):
        if proto.set_value:
            if not proto.HasField("raw_value"):
                return None
            state.string_value = proto.raw_value
        elif proto.HasField("default"):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "multiselect":
        chosen = list(proto.raw_values) if proto.set_value else \
            [proto.options[i] for i in proto.default]
        state.string_array_value.data[:] = chosen
    elif kind == "slider":
        state.double_array_value.data[:] = list(proto.value if proto.set_value
                                                else proto.default)
    else:
        return None  # buttons (triggers), components, downloads
    return state


def _fetch(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=RERUN_TIMEOUT) as resp:
        return bytes(resp.read())


@dataclass
class Clock:
    """When the sessions stop (a soak moves it once the writer is done)."""

    deadline: float


async def _session(base: str, i: int, stats: Stats, clock: Clock, think: float,
                   seed: int) -> int:
    rng = random.Random(seed + i)
    session = Session(base, f"session {i}", stats, rng)
    done = 0
    try:
        await session.open()
        while time.monotonic() < clock.deadline:
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
            await session.act()
            done += 1
    except TimeoutError:
        stats.error(f"session {i}: no answer within {RERUN_TIMEOUT:g} s")
    except websockets.ConnectionClosed as exc:
        stats.error(f"session {i}: connection closed: {exc}")
    except OSError as exc:
        stats.error(f"session {i}: {exc}")
    finally:
        await session.close()
    return done


async def _memory(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(OSError):
            samples.append(rss_mb(pid))
        with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def _drive(base: str, pid: int, sessions: int, duration: float, think: float,
                 seed: int, until: threading.Event | None) -> tuple[Stats, list[float], int]:
    """Run the sessions until the duration is over (or, for a soak, the writer is done)."""
    stats = Stats()
    samples: list[float] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(_memory(pid, samples, stop))
    clock = Clock(float("inf") if until is not None else time.monotonic() + duration)
    tasks = [asyncio.create_task(_session(base, i, stats, clock, think, seed))
             for i in range(sessions)]
    if until is not None:
        while not until.is_set():
            await asyncio.sleep(0.5)
        clock.deadline = time.monotonic()  # each session ends after its current action
    results = await asyncio.gather(*tasks)
    stop.set()
    await watcher
    return stats, samples, sum(results)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _report(stats: Stats, samples: list[float], start_mb: float, end_mb: float,
            reruns: int, elapsed: float, sessions: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"sessions": sessions, "seconds": round(elapsed, 1),
                           "actions": reruns, "errors": stats.errors[:50],
                           "error_count": len(stats.errors), "latency_s": {},
                           "memory_mib": {"start": round(start_mb, 1),
                                          "peak": round(max(samples, default=end_mb), 1),
                                          "end": round(end_mb, 1)},
                           "exported_mib": round(stats.exports_bytes / 2**20, 1)}
    everything = [v for k, vs in stats.latency.items() if k != "open" for v in vs]
    for name, values in [*sorted(stats.latency.items()), ("all", everything)]:
        if not values:
            continue
        doc["latency_s"][name] = {"n": len(values), "p50": round(_pct(values, 50), 3),
                                  "p90": round(_pct(values, 90), 3),
                                  "p99": round(_pct(values, 99), 3),
                                  "max": round(max(values), 3),
                                  "mean": round(statistics.fmean(values), 3)}
    doc["zone_panels_opened"] = stats.selected
    print(f"\n{sessions} sessions, {elapsed:.0f} s, {reruns} actions "
          f"({stats.selected} searches or clicks opened a zone's panel), "
          f"{len(stats.errors)} errors")
    for e in stats.errors[:20]:
        print(f"  error: {e}")
    print(f"{'action':<8} {'n':>5} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}  (seconds)")
    for name, v in doc["latency_s"].items():
        print(f"{name:<8} {v['n']:>5} {v['p50']:>7.3f} {v['p90']:>7.3f} {v['p99']:>7.3f} "
              f"{v['max']:>7.3f}")
    m = doc["memory_mib"]
    print(f"server memory (RSS): start {m['start']} MiB, peak {m['peak']} MiB, "
          f"end {m['end']} MiB; exported {doc['exported_mib']} MiB")
    return doc


# --- the soak: imports and undos while sessions read --------------------------------------

def _zone_file(folder: Path, i: int) -> Path:
    path = folder / f"soak-{i:02d}.geojson"
    x = 106.60 + (i % 10) * 0.01
    gpd.GeoDataFrame({"ten_khu": [f"KCN Soak {i:02d}"], "loai": ["KCN"],
                      "trang_thai": ["planned"]},
                     geometry=[box(x, 20.80, x + 0.005, 20.805)], crs="EPSG:4326").to_file(path)
    return path


def _soak_writer(store: Path, rounds: int, folder: Path, log: dict[str, Any],
                 done: threading.Event) -> None:
    env = dict(os.environ, KCN_ATLAS_STORE=str(store), KCN_ATLAS_USER="soak")
    cli = [sys.executable, "-m", "geo.cli"]
    times: list[float] = []
    failures: list[str] = []
    try:
        for i in range(rounds):
            path = _zone_file(folder, i)
            for args in (["import", str(path)], ["undo-import"]):
                start = time.monotonic()
                proc = subprocess.run([*cli, *args], cwd=REPO, env=env, capture_output=True,
                                      text=True, timeout=300)
                times.append(time.monotonic() - start)
                if proc.returncode != 0:
                    failures.append(f"{' '.join(args[:1])} {i}: exit {proc.returncode}: "
                                    f"{proc.stderr.strip()[-300:]}")
    finally:
        log.update(cli_seconds=times, failures=failures)
        done.set()


def _soak_reader(store: GeoPackageStore, done: threading.Event, log: dict[str, Any]) -> None:
    reads = torn = 0
    while not done.is_set():
        reg = store.read()
        live = sum(1 for r in imports(reg) if r.in_effect)
        added = int(reg.zones["id"].str.startswith("kcn-soak-").sum())
        reads += 1
        torn += live != added
        time.sleep(0.05)
    log.update(direct_reads=reads, torn_reads=torn)


def main(argv: list[str] | None = None) -> int:
    """Run the load test (or the soak); print the figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--duration", type=float, default=120.0, help="seconds (load test)")
    p.add_argument("--think", type=float, default=1.0,
                   help="mean pause between a session's actions, seconds")
    p.add_argument("--soak", action="store_true", help="imports and undos while reading")
    p.add_argument("--imports", type=int, default=30, help="soak rounds of import + undo")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kcn-load-") as tmp:
        folder = Path(tmp)
        store = build(folder / "atlas.gpkg")
        assert isinstance(store, GeoPackageStore)
        before = store.read()
        with serve(store.path, folder) as server:
            pid = server.pid
            # Warm the server up (first import of the app's modules), then measure.
            asyncio.run(_drive(server.url, pid, 1, 0.0, 0.0, args.seed, None))
            start_mb = rss_mb(pid)
            soak: dict[str, Any] = {}
            done = threading.Event()
            threads = []
            if args.soak:
                threads = [threading.Thread(target=_soak_writer,
                                            args=(store.path, args.imports, folder, soak,
                                                  done)),
                           threading.Thread(target=_soak_reader, args=(store, done, soak))]
                for th in threads:
                    th.start()
            began = time.monotonic()
            stats, samples, reruns = asyncio.run(_drive(
                server.url, pid, args.sessions, args.duration, args.think, args.seed,
                done if args.soak else None))
            elapsed = time.monotonic() - began
            for th in threads:
                th.join()
            end_mb = rss_mb(pid)
            doc = _report(stats, samples, start_mb, end_mb, reruns, elapsed, args.sessions)
            if stats.errors:
                print("server log (end):\n" + server.log_tail())
        if args.soak:
            after = store.read()
            records = imports(after)
            problems = validate(after)
            cli = soak.get("cli_seconds", [])
            doc["soak"] = {
                "imports": sum(1 for r in records), "undone": sum(not r.in_effect for r in
                                                                  records),
                "cli_failures": soak.get("failures", []),
                "cli_seconds_p50": round(_pct(cli, 50), 2) if cli else None,
                "cli_seconds_max": round(max(cli), 2) if cli else None,
                "direct_reads": soak.get("direct_reads"), "torn_reads": soak.get("torn_reads"),
                "validate_problems": [str(x) for x in problems],
                "zones_before": len(before.zones), "zones_after": len(after.zones),
                "leftover_files": [p.name for p in store.leftovers()],
            }
            s = doc["soak"]
            print(f"soak: {s['imports']} imports, {s['undone']} undone, "
                  f"{len(s['cli_failures'])} CLI failures, CLI call p50 "
                  f"{s['cli_seconds_p50']} s (max {s['cli_seconds_max']} s); "
                  f"{s['direct_reads']} direct reads, {s['torn_reads']} torn; validate: "
                  f"{len(problems)} problems; zones {s['zones_before']} -> "
                  f"{s['zones_after']}; leftover files: {s['leftover_files'] or 'none'}")
            for f in s["cli_failures"][:5]:
                print(f"  cli failure: {f}")
    if args.json:
        args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
