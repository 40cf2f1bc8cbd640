"""The lock file that names its holder, has a timeout and is taken over from the dead."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from geo.errors import LockTimeout
from geo.lock import FileLock, Holder, process_state


def test_the_holder_is_named_in_the_lock_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_USER", "lan")
    path = tmp_path / "x.lock"
    with FileLock(path, what="x", timeout=1):
        doc = json.loads(path.read_text())
        assert doc["pid"] == os.getpid()
        assert doc["host"] == socket.gethostname()
        assert doc["user"] == "lan"
        assert doc["since"].endswith("+00:00")
    assert path.read_text() == ""  # released: no name left behind
    assert FileLock(path, what="x").holder() is None


def test_a_busy_lock_is_waited_for_then_given_up_naming_the_holder(tmp_path):
    path = tmp_path / "x.lock"
    told: list[str] = []
    with FileLock(path, what="the register", timeout=5):
        other = FileLock(path, what="the register", timeout=0.3, on_wait=told.append)
        start = time.monotonic()
        with pytest.raises(LockTimeout) as info:
            other.acquire()
        assert 0.25 < time.monotonic() - start < 3
    assert len(told) == 1 and told[0].startswith("waiting up to 0.3 s to write the register")
    message = str(info.value)
    assert f"process {os.getpid()} on {socket.gethostname()}" in message
    assert "gave up after 0.3 s" in message and "KCN_ATLAS_LOCK_TIMEOUT" in message
    assert info.value.holder.pid == os.getpid()


def test_zero_timeout_gives_up_at_once(tmp_path):
    path = tmp_path / "x.lock"
    with FileLock(path, what="x", timeout=5):
        assert FileLock(path, what="x").try_acquire() is False
        with pytest.raises(LockTimeout):
            FileLock(path, what="x", timeout=0).acquire()


_HOLD = """
import sys, time
from geo.lock import FileLock
lock = FileLock(sys.argv[1], what="x", timeout=5)
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def _holder_process(path):
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_lock_whose_holder_died_is_taken_over(tmp_path, caplog):
    path = tmp_path / "x.lock"
    proc = _holder_process(path)
    assert FileLock(path, what="x").holder().pid == proc.pid
    proc.kill()  # kill -9: the holder's name stays in the file
    proc.wait()
    assert process_state(proc.pid) == "gone"
    with caplog.at_level("INFO"), FileLock(path, what="x", timeout=2) as lock:
        assert lock.previous is not None and lock.previous.pid == proc.pid
        assert FileLock(path, what="x").holder().pid == os.getpid()
    assert "took over the write lock of x" in caplog.text


def test_a_stopped_holder_is_named_as_stopped(tmp_path):
    path = tmp_path / "x.lock"
    proc = _holder_process(path)
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        assert process_state(proc.pid) in ("stopped", "running")  # stopping takes a moment
        time.sleep(0.2)
        assert process_state(proc.pid) == "stopped"
        with pytest.raises(LockTimeout, match=rf"process {proc.pid} .*is stopped.*kill -CONT"):
            FileLock(path, what="x", timeout=0.2).acquire()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("text", ["", "{", "[1]", '{"pid": "x"}', "\x00\x00"])
def test_a_torn_or_foreign_lock_file_names_nobody(text):
    holder = Holder.from_text(text)
    assert holder is None or holder.pid is None


def test_describe_says_who_and_since_when():
    holder = Holder(pid=12, host="elsewhere", user="lan", since="2026-11-22T09:30:00+00:00")
    text = holder.describe()
    assert text.startswith("process 12 on elsewhere (user lan) since 2026-11-22T09:30:00+00:00")
    assert holder.state() is None  # another host: its state cannot be told from here


def test_another_users_lock_file_still_locks(tmp_path, monkeypatch):
    path = tmp_path / "x.lock"
    path.write_text("")
    real_open = os.open

    def no_write(p, flags, *args):
        if flags & os.O_RDWR:
            raise PermissionError(13, "Permission denied", str(p))
        return real_open(p, flags, *args)

    with FileLock(path, what="x", timeout=1):
        monkeypatch.setattr(os, "open", no_write)
        with pytest.raises(LockTimeout):  # read-only, it still waits for the holder
            FileLock(path, what="x", timeout=0.1).acquire()
        monkeypatch.undo()
    monkeypatch.setattr(os, "open", no_write)
    with FileLock(path, what="x", timeout=1):
        assert path.read_text() == ""  # could not name itself, locked all the same
