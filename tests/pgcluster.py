"""A throwaway PostgreSQL 15 cluster with PostGIS, started by the tests on 127.0.0.1.

Loaded as a pytest plugin by ``tests/conftest.py``: any test may ask for
``pg_url`` (the cluster, one per test process), ``pg_location`` (a schema of
its own) or ``pg_store``. Tests that need it mark themselves with
:data:`needs_postgres`, which skips them where PostgreSQL 15 is missing
(``./dev test`` installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.postgis import PostgisStore

PG_BIN = Path("/usr/lib/postgresql/15/bin")

needs_postgres = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists(),
    reason=f"PostgreSQL 15 is not installed ({PG_BIN / 'initdb'} missing): "
    "apt-get install postgresql-15 postgresql-15-postgis-3",
)


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL 15 cluster with PostGIS, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="kcn-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                          "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]),
            check=True, capture_output=True,
        )
        subprocess.run(
            _as_postgres([*pg_ctl, "-w", "-l", str(root / "log"), "-o",
                          f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off",
                          "start"]),
            check=True, capture_output=True,
        )
        subprocess.run(
            _as_postgres([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U",
                          "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                          "-c", "CREATE EXTENSION postgis"]),
            check=True, capture_output=True,
        )
        # The password is ignored (trust) but lets tests check that it is never shown.
        yield f"postgresql://postgres:s3cret@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_location(pg_url: str) -> str:
    """A location with a schema of its own for one test."""
    return f"{pg_url}?schema=t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_store(pg_location: str) -> Iterator[PostgisStore]:
    """A PostGIS store on a schema of its own (nothing written yet)."""
    store = PostgisStore(pg_location)
    yield store
    store.dispose()
