"""The PostGIS store against a throwaway PostgreSQL 15 cluster started here."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
import sqlalchemy as sa
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from sqlalchemy.engine.url import make_url

import geo.postgis as postgis_mod
from geo.cli import main
from geo.postgis import PostgisStore
from geo.register import Register, read_source_dir
from geo.store import LockTimeout, StoreError, VersionConflict, build, open_store
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
from tests.pgcluster import free_port, needs_postgres

pytestmark = needs_postgres

TABLES = ("figures", "sources", "zone_values", "audit")


def _assert_same(a: Register, b: Register) -> None:
    assert_geodataframe_equal(a.zones, b.zones)
    assert_geodataframe_equal(a.projects, b.projects)
    for table in TABLES:
        assert_frame_equal(getattr(a, table), getattr(b, table))


def test_round_trip_equals_the_geopackage_store(pg_store, fixture_register, fixture_store):
    pg_store.write(fixture_register)
    back = pg_store.read()
    _assert_same(back, fixture_store.read())
    _assert_same(back, fixture_register)
    assert back.zones.loc[back.zones.id == "kcn-alpha", "name_vi"].item() == "KCN Đình Vũ"
    assert back.zones["parent_id"].tolist().count(None) == 2
    assert back.zones.crs == "EPSG:4326"
    # NULL text comes back as None, NULL numbers as NaN, as from the GeoPackage.
    assert all(v is None or isinstance(v, str) for v in back.zones["notes"])
    assert back.zones["area_total_ha"].dtype == "float64"


def test_mixed_geometry_types_and_srid(pg_store, fixture_register):
    pg_store.write(fixture_register)
    with pg_store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f'SELECT DISTINCT ST_SRID(geometry), GeometryType(geometry) '
            f'FROM "{pg_store.schema}".projects WHERE geometry IS NOT NULL'
        ).all()
    assert {srid for srid, _ in rows} == {4326}
    assert set(pg_store.read().projects.geom_type.dropna()) == set(
        fixture_register.projects.geom_type.dropna()
    )


def test_bundled_register_round_trips_and_validates(pg_url):
    store = PostgisStore(pg_url)  # the default schema
    reg = read_source_dir()
    store.write(reg)
    back = store.read()
    _assert_same(back, reg)
    assert validate(back) == []
    store.dispose()


def test_open_store_and_description_hide_the_password(pg_location):
    for loc in (pg_location, pg_location.replace("postgresql://", "postgresql+psycopg://")):
        store = open_store(loc)
        assert isinstance(store, PostgisStore)
        assert "s3cret" not in store.description
        assert "127.0.0.1" in store.description
        assert store.schema in store.description


def test_reading_an_empty_schema_says_so(pg_store):
    with pytest.raises(StoreError, match="no register"):
        pg_store.read()


def test_unreachable_server_is_a_store_error():
    store = PostgisStore(f"postgresql://nobody:pw@127.0.0.1:{free_port()}/x?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot read") as info:
        store.read()
    assert "pw@" not in str(info.value)


def test_two_concurrent_writers_lose_no_rows(pg_location, pg_store, fixture_register):
    pg_store.write(fixture_register)
    n = 15
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=append_zones, args=(pg_location, tag, n)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    zones = pg_store.read().zones
    assert len(zones) == 4 + 2 * n
    assert zones["id"].is_unique


def test_a_failing_change_leaves_the_register_intact(pg_store, fixture_register):
    pg_store.write(fixture_register)

    def change(reg: Register) -> Register:
        raise ValueError("bad edit")

    with pytest.raises(ValueError, match="bad edit"):
        pg_store.update(change)
    _assert_same(pg_store.read(), fixture_register)


def test_a_write_failing_half_way_leaves_the_register_intact(
    pg_store, fixture_register, monkeypatch
):
    pg_store.write(fixture_register)
    bigger = fixture_register.with_zones(pd.concat([fixture_register.zones, new_zone(0, "x")]))
    real = postgis_mod._write_table

    def fail_on_audit(conn, table, df, *, spatial, start=0):
        if table.endswith('"audit"'):
            # The audit table is written last: every other table has been replaced
            # inside the transaction when the database refuses this one.
            conn.execute(sa.text("SELECT 1 / 0"))
        real(conn, table, df, spatial=spatial, start=start)

    monkeypatch.setattr(postgis_mod, "_write_table", fail_on_audit)
    with pytest.raises(StoreError, match=r"cannot write .*division by zero"):
        pg_store.write(bigger)
    _assert_same(pg_store.read(), fixture_register)

    def lose_connection(conn, table, df, *, spatial, start=0):
        if table.endswith('"audit"'):
            raise OSError("connection lost")
        real(conn, table, df, spatial=spatial, start=start)

    monkeypatch.setattr(postgis_mod, "_write_table", lose_connection)
    with pytest.raises(OSError, match="connection lost"):
        pg_store.update(lambda reg: bigger)
    _assert_same(pg_store.read(), fixture_register)


def test_a_change_writes_only_the_tables_it_changed_and_appends_to_the_history(
        pg_store, fixture_register, monkeypatch):
    from geo.edit import Citation, record_version, set_zone_values
    from tests.conftest import actor, add_team

    pg_store.write(fixture_register)
    add_team(pg_store)
    written: list[tuple[str, int]] = []
    real = postgis_mod._write_table

    def spy(conn, table, df, *, spatial, start=0):
        written.append((table.rsplit(".", 1)[-1].strip('"'), start))
        real(conn, table, df, spatial=spatial, start=start)

    monkeypatch.setattr(postgis_mod, "_write_table", spy)
    for value in ("150", "151"):
        reg = pg_store.read()
        set_zone_values(pg_store, actor("lan"), "kcn-alpha", {"area_total_ha": value},
                        Citation(source_id="test-doc", as_of="2026-11-01"),
                        expect=record_version(reg, "zones", "kcn-alpha"))
    tables = {name for name, _ in written}
    assert "plots" not in tables and "projects" not in tables and "users" not in tables
    assert "zones" in tables and "history" in tables
    history_starts = [start for name, start in written if name == "history"]
    assert history_starts[0] == 0 and history_starts[1] > 0  # the second only appends
    back = pg_store.read()
    assert back.zones.set_index("id").loc["kcn-alpha", "area_total_ha"] == 151
    assert len(back.history) == 2 and list(back.history["who"]) == ["lan", "lan"]
    assert len(back.history["change_id"].unique()) == 2  # appended, not repeated
    # A whole write of what was read back reads back the same.
    pg_store.write(back)
    _assert_same(pg_store.read(), back)
    assert_frame_equal(pg_store.read().history, back.history)


def test_a_null_byte_is_refused_before_anything_is_written(pg_store, fixture_register):
    # PostgreSQL refuses NUL in text and GDAL would cut the text short at it: both stores
    # refuse it up front, naming where it is.
    pg_store.write(fixture_register)
    bad = fixture_register.with_audit("2026-11-22T10:00:00", "tester", "edit", "nul \x00 byte")
    with pytest.raises(StoreError, match=r"null byte.*audit row 1: detail"):
        pg_store.write(bad)
    _assert_same(pg_store.read(), fixture_register)


def test_update_records_audit_in_order(pg_store, fixture_register):
    pg_store.write(fixture_register)
    for who in ("zeta", "alpha"):
        pg_store.update(lambda reg, who=who: reg.with_audit("2026-11-22T10:00:00", who, "edit",
                                                            "sửa"))
    assert pg_store.read().audit["who"].tolist() == ["zeta", "alpha"]


def test_cli_summary_against_postgis(pg_location, tmp_path, capsys):
    PostgisStore(pg_location).write(read_source_dir())
    gpkg = build(tmp_path / "atlas.gpkg").path
    args = ["summary", "--province", "hai phong", "--json"]
    assert main(["--store", pg_location, *args]) == 0
    from_pg = json.loads(capsys.readouterr().out)
    assert main(["--store", str(gpkg), *args]) == 0
    assert from_pg == json.loads(capsys.readouterr().out)
    assert from_pg  # something about Hải Phòng


def test_null_and_multi_geometries_match_the_geopackage(pg_store, fixture_register, tmp_path):
    from shapely.geometry import MultiPolygon, Polygon

    from geo.store import GeoPackageStore

    square = Polygon([(106.7, 20.8), (106.71, 20.8), (106.71, 20.81), (106.7, 20.8)])
    extra = pd.concat([new_zone(1, "null"), new_zone(2, "multi")], ignore_index=True)
    extra = extra.set_geometry([None, MultiPolygon([square])], crs="EPSG:4326")
    reg = fixture_register.with_zones(pd.concat([fixture_register.zones, extra]))
    gpkg = GeoPackageStore(tmp_path / "m.gpkg")
    gpkg.write(reg)
    pg_store.write(reg)
    _assert_same(pg_store.read(), gpkg.read())
    assert pg_store.read().zones.geometry.isna().sum() == 1


def test_version_changes_with_every_write(pg_store, fixture_register):
    pg_store.write(fixture_register)
    first = pg_store.version()
    assert pg_store.version() == first
    pg_store.update(lambda reg: reg.with_audit("2026-11-22T10:00:00", "t", "edit", "x"))
    assert pg_store.version() != first


def test_cli_builds_into_postgis_and_the_app_runs_on_it(pg_location, monkeypatch, capsys):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from geo.cli import main

    assert main(["build", "--out", pg_location]) == 0
    assert main(["--store", pg_location, "validate"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("KCN_ATLAS_STORE", pg_location)
    app = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.query_params["zone"] = "kcn-dinh-vu"
    at.run()
    assert not at.exception
    from geo.analysis import filter_zones
    from geo.register import read_source_dir

    zones = read_source_dir().zones
    shown = int((filter_zones(zones) & zones["kind"].isin(["KKT", "KCN", "CCN"])).sum())
    assert f"Đang hiển thị {shown} khu" in at.caption[0].value
    assert [s.value for s in at.subheader] == ["KCN Đình Vũ"]


# --- faults: stalled and killed writers, torn reads, secrets ----------------------------

def _spawn(target, *args):
    proc = mp.get_context("spawn").Process(target=target, args=args)
    proc.start()
    return proc


def _audit_edit(reg: Register) -> Register:
    return reg.with_audit("2026-11-22T11:00:00", "next", "edit", "after the fault")


def test_a_stalled_writer_is_named_then_ended_by_the_server(
    pg_location, pg_store, fixture_register, tmp_path, monkeypatch
):
    pg_store.write(fixture_register)
    # The stalled writer's session is ended after 3 s idle inside its transaction.
    monkeypatch.setenv("KCN_ATLAS_WRITE_TIMEOUT", "3")
    ready = tmp_path / "ready"
    proc = _spawn(hold_write_lock, pg_location, str(ready), 6)
    try:
        wait_for_file(ready)
        os.kill(proc.pid, signal.SIGSTOP)
        told: list[str] = []
        waiting = PostgisStore(pg_location, lock_timeout=0.5, on_wait=told.append)
        with pytest.raises(LockTimeout) as info:
            waiting.update(_audit_edit)
        message = str(info.value)
        assert f"process {proc.pid} on {socket.gethostname()}" in message
        assert "idle in transaction" in message and "is stopped" in message
        assert "s3cret" not in message and pg_store.schema in message
        assert told and told[0].startswith("waiting up to 0.5 s")
        # Within the write timeout the server ends the stalled session; the lock is free.
        patient = PostgisStore(pg_location, lock_timeout=30)
        reg = patient.update(_audit_edit)
        assert reg.audit["who"].tolist() == ["next"]
        waiting.dispose()
        patient.dispose()
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.join(timeout=60)
    assert proc.exitcode == 1  # its session is gone: the stalled write never lands
    back = pg_store.read()
    assert back.audit["who"].tolist() == ["next"]
    assert validate(back) == []


@pytest.mark.slow
def test_kill_9_at_random_moments_never_tears_the_register(
    pg_location, pg_store, fixture_register
):
    pg_store.write(fixture_register)
    rng = random.Random(20261122)
    for round_ in range(4):
        start = pg_store.version()
        proc = _spawn(append_zones, pg_location, f"k{round_}", 10_000)
        deadline = time.monotonic() + 60
        while pg_store.version() == start and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        reg = PostgisStore(pg_location, lock_timeout=10).update(lambda r: r)  # lock is free
        assert reg.zones["id"].is_unique
        assert validate(pg_store.read()) == []


@pytest.mark.slow
def test_reads_during_writes_are_one_version(pg_location, pg_store, fixture_register):
    pg_store.write(fixture_register)
    proc = _spawn(write_consistently, pg_location, "w", 8)
    seen = set()
    while proc.is_alive() or not seen:
        seen.add(assert_not_torn(pg_store.read(), fixture_register))
    proc.join()
    assert proc.exitcode == 0
    assert assert_not_torn(pg_store.read(), fixture_register) == 8


def test_update_refuses_a_stale_version(pg_store, fixture_register):
    pg_store.write(fixture_register)
    snap = pg_store.snapshot()
    assert snap.version == pg_store.version()
    pg_store.update(lambda reg: reg, expect_version=snap.version)
    assert pg_store.version() == snap.version  # nothing changed: nothing written
    pg_store.update(_audit_edit, expect_version=snap.version)
    with pytest.raises(VersionConflict):
        pg_store.update(_audit_edit, expect_version=snap.version)


def test_schemas_have_locks_of_their_own(pg_url, tmp_path):
    a, b = (PostgisStore(f"{pg_url}?schema=t_{uuid.uuid4().hex[:12]}", lock_timeout=0)
            for _ in range(2))
    reg = read_source_dir(REGISTER_SRC)
    a.write(reg)
    b.write(reg)
    with a.engine.begin() as conn:
        a._take_lock(conn)
        assert a.lock_holder() is not None and a.lock_holder().pid == os.getpid()
        b.update(_audit_edit)  # never waits on the other schema's writer
        with pytest.raises(LockTimeout):
            PostgisStore(a.url, schema=a.schema, lock_timeout=0).update(_audit_edit)
    a.dispose()
    b.dispose()


PASSWORD = "Pw9x@Qz7/?:#"  # every character an address can trip on


def _forms(port: int | str) -> list[str]:
    esc = quote(PASSWORD, safe="")
    return [
        f"postgresql://postgres:{esc}@127.0.0.1:{port}/postgres",
        f"postgresql+psycopg://postgres:{esc}@127.0.0.1:{port}/postgres?schema=s1",
        f"postgresql://postgres@127.0.0.1:{port}/postgres?password={esc}",
        f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable&password={esc}",
        f"postgresql://postgres:Pw9x@Qz7@127.0.0.1:{port}/postgres",  # "@" unescaped
        f"postgresql://postgres:Pw9x@Qz7@127.0.0.1:{port}",  # and no database
    ]


def _no_secret(text: str) -> None:
    for part in ("Pw9x", "Qz7", quote(PASSWORD, safe="")):
        assert part not in text, text


@pytest.mark.parametrize("form", range(6))
def test_every_address_form_works_and_never_shows_the_password(pg_url, form, capsys):
    port = make_url(pg_url).port
    location = _forms(port)[form]
    store = open_store(location)
    _no_secret(store.description)
    assert "127.0.0.1" in store.description
    if form != 5:  # the server trusts 127.0.0.1: the address is read right
        store.write(read_source_dir(REGISTER_SRC))
        assert len(store.read().zones) == 4
        store.dispose()
    # Unreachable: the error names the address, masked, in the store and in the CLI.
    dead = _forms(free_port())[form]
    with pytest.raises(StoreError, match="cannot read") as info:
        open_store(dead + ("&" if "?" in dead else "?") + "connect_timeout=2").read()
    _no_secret(str(info.value))
    assert main(["--store", dead, "validate"]) == 2
    out, err = capsys.readouterr()
    _no_secret(out + err)
    assert err.startswith("kcn-atlas: error: cannot read postgresql://postgres")


@pytest.mark.parametrize("port", ["abc", "54x2", "99999"])
def test_a_bad_port_is_a_clear_message_not_a_traceback(port, capsys):
    location = f"postgresql://postgres:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/db"
    with pytest.raises(StoreError, match="port") as info:
        open_store(location)
    _no_secret(str(info.value))
    assert main(["--store", location, "summary"]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "port" in err
    _no_secret(out + err)


def test_the_app_shows_a_store_error_without_the_password(monkeypatch, caplog):
    from streamlit.testing.v1 import AppTest

    dead = _forms(free_port())[4]
    monkeypatch.setenv("KCN_ATLAS_STORE", dead)
    app = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "127.0.0.1" in shown
    _no_secret(shown)
    _no_secret(caplog.text)
