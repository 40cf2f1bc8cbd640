import hashlib
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from shapely.geometry import Point

import geo.store as store_mod
from geo.store import (
    GeoPackageStore,
    LockTimeout,
    StoreError,
    VersionConflict,
    build,
    open_store,
)
from geo.validate import validate
from tests.conftest import (
    REGISTER_SRC,
    append_zones,
    assert_not_torn,
    hold_write_lock,
    new_zone,
    wait_for_file,
    write_consistently,
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_keeps_every_table(fixture_register, fixture_store):
    back = fixture_store.read()
    assert_geodataframe_equal(back.zones, fixture_register.zones)
    assert_geodataframe_equal(back.projects, fixture_register.projects)
    for table in ("figures", "sources", "zone_values"):
        assert_frame_equal(getattr(back, table), getattr(fixture_register, table))
    assert back.zones.loc[back.zones.id == "kcn-alpha", "name_vi"].item() == "KCN Đình Vũ"
    assert back.zones["parent_id"].tolist().count(None) == 2


def test_build_is_byte_for_byte_reproducible(tmp_path):
    a = build(tmp_path / "a.gpkg", REGISTER_SRC).path
    b = build(tmp_path / "b.gpkg", REGISTER_SRC).path
    assert _sha(a) == _sha(b)


def test_two_concurrent_writers_lose_no_rows(fixture_store):
    n = 15
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=append_zones, args=(str(fixture_store.path), tag, n))
             for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    zones = fixture_store.read().zones
    assert len(zones) == 4 + 2 * n
    assert zones["id"].is_unique
    # The feature count GDAL caches must match what is really there.
    assert pyogrio.read_info(fixture_store.path, layer="zones")["features"] == 4 + 2 * n


def test_failed_write_leaves_the_store_untouched(fixture_store, monkeypatch):
    before = _sha(fixture_store.path)

    def boom(register, path):
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(store_mod, "_write_gpkg", boom)
    with pytest.raises(OSError, match="disk full"):
        fixture_store.update(lambda reg: reg.with_zones(pd.concat([reg.zones, new_zone(0, "x")])))
    assert _sha(fixture_store.path) == before
    leftovers = [p for p in fixture_store.path.parent.iterdir() if p.name.startswith(".atlas-")]
    assert leftovers == []


def test_update_records_audit(fixture_store):
    fixture_store.update(lambda reg: reg.with_audit("2026-11-22T10:00:00", "tester", "edit", "x"))
    audit = fixture_store.read().audit
    assert audit.to_dict("records") == [
        {"at": "2026-11-22T10:00:00", "who": "tester", "action": "edit", "detail": "x"}
    ]


def test_missing_store_says_how_to_create_it(tmp_path):
    with pytest.raises(StoreError, match="kcn-atlas build"):
        GeoPackageStore(tmp_path / "none.gpkg").read()


def test_a_foreign_geopackage_is_refused(tmp_path):
    path = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326").to_file(path)
    with pytest.raises(StoreError, match="not a KCN Atlas register"):
        GeoPackageStore(path).read()


def test_open_store_uses_the_environment(tmp_path, monkeypatch, fixture_store):
    monkeypatch.setenv("KCN_ATLAS_STORE", str(fixture_store.path))
    assert open_store().description == str(fixture_store.path)
    with pytest.raises(StoreError, match="not supported"):
        open_store("mysql://localhost/atlas")


# --- faults: stalled and killed writers, torn reads ------------------------------------

def _spawn(target, *args):
    proc = mp.get_context("spawn").Process(target=target, args=args)
    proc.start()
    return proc


def _audit_edit(reg):
    return reg.with_audit("2026-11-22T11:00:00", "next", "edit", "after the fault")


def test_a_stalled_writer_makes_the_next_one_give_up_naming_it(fixture_store, tmp_path):
    ready = tmp_path / "ready"
    proc = _spawn(hold_write_lock, str(fixture_store.path), str(ready), 120)
    try:
        wait_for_file(ready)
        os.kill(proc.pid, signal.SIGSTOP)
        told: list[str] = []
        waiting = GeoPackageStore(fixture_store.path, lock_timeout=0.5, on_wait=told.append)
        with pytest.raises(LockTimeout) as info:
            waiting.update(_audit_edit)
        message = str(info.value)
        assert f"process {proc.pid} on {socket.gethostname()}" in message
        assert "is stopped" in message and str(fixture_store.path) in message
        assert told and told[0].startswith(f"waiting up to 0.5 s to write {fixture_store.path}")
        assert fixture_store.lock_holder().pid == proc.pid
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
    # The holder is gone: the lock is taken over and the write goes through.
    assert fixture_store.lock_holder() is None
    reg = GeoPackageStore(fixture_store.path, lock_timeout=5).update(_audit_edit)
    assert reg.audit["who"].tolist() == ["next"]  # the stalled write never landed
    assert validate(fixture_store.read()) == []
    assert fixture_store.leftovers() == []


_DIE_BEFORE_SWAP = """
import os, signal, sys
import geo.store as store
store.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
store.GeoPackageStore(sys.argv[1]).update(
    lambda reg: reg.with_audit("2026-11-22T10:00:00", "dead", "edit", "never lands"))
"""


def test_a_writer_killed_before_the_swap_leaves_files_the_next_writer_removes(fixture_store):
    before = _sha(fixture_store.path)
    proc = subprocess.run([sys.executable, "-c", _DIE_BEFORE_SWAP, str(fixture_store.path)],
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    left = fixture_store.leftovers()
    assert left and all(p.name.startswith(".atlas-") for p in left)  # a whole copy
    assert _sha(fixture_store.path) == before
    fixture_store.update(_audit_edit)
    assert fixture_store.leftovers() == []
    assert validate(fixture_store.read()) == []


def test_recover_at_start_up_removes_only_this_stores_leftovers(fixture_store):
    folder = fixture_store.path.parent
    mine = [folder / ".atlas-abcd_123.gpkg", folder / ".atlas-abcd_123.gpkg-journal"]
    others = [folder / ".atlas-2-abcd1234.gpkg", folder / ".other-abcd1234.gpkg",
              folder / "atlas-abcd1234.gpkg", folder / ".atlas-abcd1234.gpkg.bak"]
    for p in mine + others:
        p.write_bytes(b"x")
    assert fixture_store.recover() == sorted(mine)
    assert all(not p.exists() for p in mine) and all(p.exists() for p in others)
    assert fixture_store.recover() == []


def test_recover_never_waits_for_a_busy_writer(fixture_store, tmp_path):
    (fixture_store.path.parent / ".atlas-abcd1234.gpkg").write_bytes(b"x")
    ready = tmp_path / "ready"
    proc = _spawn(hold_write_lock, str(fixture_store.path), str(ready), 120)
    try:
        wait_for_file(ready)
        assert fixture_store.recover() == []  # the writer removes them itself
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()


@pytest.mark.slow
def test_kill_9_at_random_moments_never_tears_the_store_or_leaves_files(fixture_store):
    rng = random.Random(20261122)
    base = fixture_store.read()
    killed_with_files = 0
    for round_ in range(6):
        start = fixture_store.version()
        proc = _spawn(append_zones, str(fixture_store.path), f"k{round_}", 10_000)
        deadline = time.monotonic() + 60
        while fixture_store.version() == start and time.monotonic() < deadline:
            time.sleep(0.01)  # until its first write has landed
        time.sleep(rng.uniform(0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        killed_with_files += bool(fixture_store.leftovers())
        reg = fixture_store.read()  # whole, readable, valid after every kill
        assert reg.zones["id"].is_unique and len(reg.zones) > len(base.zones)
        assert validate(reg) == []
        assert pyogrio.read_info(fixture_store.path, layer="zones")["features"] == len(reg.zones)
    fixture_store.update(_audit_edit)  # the next writer cleans up
    assert fixture_store.leftovers() == []
    print(f"{killed_with_files} of 6 kills left a temporary file, removed by the next writer")


@pytest.mark.slow
def test_reads_during_writes_are_one_version(fixture_store):
    base = fixture_store.read()
    proc = _spawn(write_consistently, str(fixture_store.path), "w", 8)
    seen = set()
    while proc.is_alive() or not seen:
        seen.add(assert_not_torn(fixture_store.read(), base))
    proc.join()
    assert proc.exitcode == 0
    assert assert_not_torn(fixture_store.read(), base) == 8
    assert len(seen) > 2  # the reads really overlapped the writes


def test_snapshot_reads_every_table_from_the_file_it_opened(fixture_store, monkeypatch):
    """A swap between two tables of one read is not seen: one connection, one file."""
    real = store_mod._table
    swapped = []

    def swap_after_first(con, name, geometry):
        if not swapped:
            swapped.append(name)
            fixture_store.update(_audit_edit)  # a whole new file replaces the store
        return real(con, name, geometry)

    monkeypatch.setattr(store_mod, "_table", swap_after_first)
    snap = fixture_store.snapshot()
    assert snap.register.audit.empty  # the version it opened, not the one swapped in
    assert snap.version != fixture_store.version()
    monkeypatch.undo()
    assert fixture_store.read().audit["who"].tolist() == ["next"]


def test_update_refuses_a_stale_version_and_writes_nothing_when_nothing_changes(fixture_store):
    snap = fixture_store.snapshot()
    assert snap.version == fixture_store.version()
    assert fixture_store.update(lambda reg: reg, expect_version=snap.version) is not None
    assert fixture_store.version() == snap.version  # the same register: no write
    fixture_store.update(_audit_edit, expect_version=snap.version)
    with pytest.raises(VersionConflict, match="has changed since it was read"):
        fixture_store.update(_audit_edit, expect_version=snap.version)
    assert len(fixture_store.read().audit) == 1


def test_a_null_byte_is_refused_not_cut_short(fixture_store):
    before = _sha(fixture_store.path)
    with pytest.raises(StoreError, match=r"null byte.*zones kcn-alpha: name_vi"):
        fixture_store.update(lambda reg: reg.with_zones(
            reg.zones.assign(name_vi=reg.zones["name_vi"].where(
                reg.zones["id"] != "kcn-alpha", "KCN Đình\x00 Vũ"))))
    assert _sha(fixture_store.path) == before
