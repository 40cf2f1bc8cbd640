"""Tests of geo.importer.spool: uploads copied to disk and released whatever happens."""

from __future__ import annotations

import hashlib
import io
import os
import time

from geo.importer.spool import Spooled, release, spool, sweep


def test_spool_copies_hashes_and_release_removes(tmp_path):
    data = b"name,lat,lon\n" * 100_000
    spooled = spool(io.BytesIO(data), "../../ranh giới.csv", root=tmp_path)
    path = tmp_path / spooled.path
    assert path.read_bytes() == data and path.name == "upload"  # never the user's name
    assert spooled.digest == hashlib.sha256(data).hexdigest() and spooled.size == len(data)
    assert Spooled.from_state(spooled.to_state()) == spooled
    release(spooled)
    assert not path.exists() and not path.parent.exists()
    release(spooled)  # twice is harmless
    release(None)


def test_spool_stops_past_the_limit(tmp_path):
    spooled = spool(io.BytesIO(b"x" * (5 * 1024**2)), "big.zip", root=tmp_path, limit=1024**2)
    assert 1024**2 < spooled.size < 5 * 1024**2


def test_sweep_removes_what_sessions_left_behind(tmp_path):
    old = spool(io.BytesIO(b"a"), "a.csv", root=tmp_path)
    new = spool(io.BytesIO(b"b"), "b.csv", root=tmp_path)
    past = time.time() - 7 * 3600
    os.utime(os.path.dirname(old.path), (past, past))
    assert sweep(root=tmp_path) == 1
    assert not os.path.exists(old.path) and os.path.exists(new.path)
