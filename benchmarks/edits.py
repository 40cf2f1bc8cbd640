"""Time of one save through geo.edit on each store, and many editors saving at once.

    .venv/bin/python benchmarks/edits.py                 # GeoPackage and PostGIS
    .venv/bin/python benchmarks/edits.py --editors 60    # 60 editors at once
    .venv/bin/python benchmarks/edits.py --plots 20000   # a register holding 20,000 plots

On the bundled register: one editor's save (sign-in not counted) measured
``--repeat`` times; then ``--editors`` threads, each an editor saving a value of
a zone of its own at the same moment (none may be refused), and the same
number saving the same zone from the same version (exactly one may win).
With ``--plots N`` the register's zones are replaced by synthetic parks holding N
plots (tests/synthetic.py), and beside a save the
benchmark times writing the whole register (``Store.write``), which is what
every save cost before a save wrote only the tables it changed.
PostGIS is a throwaway PostgreSQL 15 cluster on 127.0.0.1, as the tests start.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.auth import Actor, Role
from geo.edit import Citation, EditConflict, manage_users, record_version, set_zone_values
from geo.store import Store, build
from geo.validate import validate

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@contextmanager
def postgis() -> Iterator[str]:
    """A throwaway PostgreSQL cluster with PostGIS on a free loopback port."""
    root = Path(tempfile.mkdtemp(prefix="kcn-bench-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_pg = (lambda c: ["runuser", "-u", "postgres", "--", *c]) if os.geteuid() == 0 \
        else (lambda c: c)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(as_pg([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A",
                              "trust", "-E", "UTF8", "--no-locale", "--no-sync"]),
                       check=True, capture_output=True)
        subprocess.run(as_pg([*ctl, "-w", "-l", str(root / "log"), "-o",
                              f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} "
                              "-c max_connections=200", "start"]),
                       check=True, capture_output=True)
        subprocess.run(as_pg([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U",
                              "postgres", "-c", "CREATE EXTENSION postgis"]),
                       check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres?schema=bench"
    finally:
        subprocess.run(as_pg([*ctl, "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _with_plots(store: Store, n: int, editors: int) -> Store:
    """The store's zones replaced by synthetic parks holding ``n`` plots (``n`` > 0).

    At least 100 parks, and one more than there are editors (each saves its own).
    """
    if n:
        from tests.synthetic import with_synthetic_plots

        per_park = max(1, n // max(100, editors + 1))
        store.write(with_synthetic_plots(store.read(), n, plots_per_zone=per_park))
    return store


def _team(store: Store, n: int) -> list[Actor]:
    """The first admin, then ``n`` editors written at once (hashing 60 passwords is slow)."""
    from dataclasses import replace

    import pandas as pd

    from geo.auth import hash_password
    from geo.schema import USER_COLUMNS

    hashed = hash_password("bench-editor-1")
    rows = [{c: None for c in USER_COLUMNS} | {"name": f"editor{i}", "role": "editor",
                                               "password_hash": hashed} for i in range(n)]
    manage_users(store, None, "add", "admin", role="admin", password="bench-admin-1")
    store.update(lambda reg: replace(reg, users=pd.concat([reg.users, pd.DataFrame(rows)],
                                                          ignore_index=True)))
    return [Actor(f"editor{i}", Role.EDITOR) for i in range(n)]


def _full_write_s(store: Store, repeat: int) -> dict[str, float]:
    """Seconds to write the whole register again (what a save cost when it did so)."""
    reg = store.read()
    times = []
    for _ in range(min(repeat, 3)):
        start = time.perf_counter()
        store.write(reg)
        times.append(time.perf_counter() - start)
    return {"median": round(statistics.median(times), 3), "n": len(times)}


def measure(store: Store, editors: int, repeat: int) -> dict[str, object]:
    team = _team(store, editors)
    reg = store.read()
    source = str(reg.sources.loc[reg.sources["tier"] == "legal", "source_id"].iloc[0])
    zones = reg.zones["id"].tolist()
    cite = Citation(source_id=source, as_of="2026-11-29")
    times = []
    for i in range(repeat):
        version = record_version(store.read(), "zones", zones[0])
        start = time.perf_counter()
        set_zone_values(store, team[0], zones[0], {"notes": f"bench {i}"}, cite, expect=version)
        times.append(time.perf_counter() - start)

    def at_once(work: list[tuple[Actor, str, str]]) -> tuple[float, list[str]]:
        outcomes: list[str] = []
        gate = threading.Barrier(len(work))
        lock = threading.Lock()

        def save(actor: Actor, zone: str, version: str) -> None:
            gate.wait()
            try:
                set_zone_values(store, actor, zone, {"notes": f"by {actor.name}"}, cite,
                                expect=version)
                result = "saved"
            except EditConflict:
                result = "conflict"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=save, args=w) for w in work]
        start = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return time.perf_counter() - start, outcomes

    snapshot = store.read()
    own = [(a, z, record_version(snapshot, "zones", z)) for a, z in zip(team, zones[1:],
                                                                         strict=False)]
    own_time, own_out = at_once(own)
    same_version = record_version(store.read(), "zones", zones[0])
    same_time, same_out = at_once([(a, zones[0], same_version) for a in team])
    problems = validate(store.read())
    plots = len(store.read().plots)
    return {
        "store": store.description, "zones": len(zones), "plots": plots,
        **({"whole_register_write_s": _full_write_s(store, repeat)} if plots else {}),
        "save_s": {"median": round(statistics.median(times), 3),
                   "min": round(min(times), 3), "max": round(max(times), 3), "n": repeat},
        "different_zones": {"editors": len(own), "seconds": round(own_time, 2),
                            "saved": own_out.count("saved"),
                            "refused": own_out.count("conflict")},
        "same_zone": {"editors": len(team), "seconds": round(same_time, 2),
                      "saved": same_out.count("saved"), "refused": same_out.count("conflict")},
        "validate_problems": len(problems),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--editors", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", choices=("gpkg", "postgis"))
    parser.add_argument("--plots", type=int, default=0,
                        help="synthetic plots in the register (tests/synthetic.py)")
    args = parser.parse_args()
    out = []
    if args.only in (None, "gpkg"):
        with tempfile.TemporaryDirectory() as tmp:
            store = _with_plots(build(Path(tmp) / "atlas.gpkg"), args.plots, args.editors)
            out.append(measure(store, args.editors, args.repeat))
    if args.only in (None, "postgis") and (PG_BIN / "initdb").exists():
        with postgis() as url:
            store = _with_plots(build(url), args.plots, args.editors)
            out.append(measure(store, args.editors, args.repeat))
            store.dispose()  # type: ignore[attr-defined]
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
