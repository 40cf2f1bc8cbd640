"""The write lock of a GeoPackage store: a lock file that names its holder and a timeout.

:class:`FileLock` takes an exclusive ``flock`` on ``<store>.lock``. The holder
writes who it is into the file (process id, host, user, since when), so that a
writer that has to wait can say whom it waits for, and give up after a time
with a message naming the holder, rather than wait forever behind a stalled
process. The kernel releases a ``flock`` when its holder dies, however it
dies (``kill -9`` included): a lock whose holder is gone is simply taken, and
the stale name in the file is replaced. The file itself is never deleted, so
two writers can never hold locks on two different files of the same name.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from geo import settings
from geo.errors import LockTimeout

__all__ = ["FileLock", "Holder", "process_state"]

log = logging.getLogger(__name__)

_POLL_FIRST, _POLL_MAX = 0.02, 0.25  # seconds between attempts, growing


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def process_state(pid: int) -> str:
    """Return "running", "stopped" or "gone" for a process of this host."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            # "pid (comm) S ...": the state follows the last parenthesis.
            state = fh.read().rsplit(")", 1)[-1].split()[0]
    except FileNotFoundError:
        return "gone"
    except OSError:  # no /proc: ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "gone"
        except PermissionError:
            return "running"
        return "running"
    if state in ("T", "t"):
        return "stopped"
    if state in ("Z", "X"):
        return "gone"
    return "running"


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a write lock."""

    pid: int | None = None
    host: str | None = None
    user: str | None = None
    since: str | None = None  # ISO 8601, UTC
    detail: str | None = None  # e.g. the PostgreSQL session's state

    @classmethod
    def me(cls) -> Holder:
        """The current process."""
        return cls(pid=os.getpid(), host=socket.gethostname(), user=settings.user(),
                   since=_now().isoformat())

    @classmethod
    def from_text(cls, text: str) -> Holder | None:
        """Read a holder written by :meth:`to_text`; None for an empty or torn text."""
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        pid = data.get("pid")

        def field(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(pid=pid if isinstance(pid, int) else None, host=field("host"),
                   user=field("user"), since=field("since"), detail=field("detail"))

    def to_text(self) -> str:
        """One line of JSON."""
        return json.dumps(asdict(self), ensure_ascii=False) + "\n"

    def on_this_host(self) -> bool:
        """Tell whether the holder runs on this machine."""
        return self.host == socket.gethostname()

    def state(self) -> str | None:
        """"running", "stopped" or "gone" on this host; None when it cannot be told."""
        if self.pid is None or not self.on_this_host():
            return None
        return process_state(self.pid)

    def describe(self) -> str:
        """Say who holds the lock, for messages."""
        parts = []
        if self.pid is not None:
            parts.append(f"process {self.pid}")
        if self.host:
            parts.append(f"on {self.host}")
        if self.user:
            parts.append(f"(user {self.user})")
        text = " ".join(parts) or "an unknown writer"
        if self.since:
            text += f" since {self.since}"
            with contextlib.suppress(ValueError):
                age = (_now() - datetime.fromisoformat(self.since)).total_seconds()
                text += f" ({age:.0f} s)"
        if self.detail:
            text += f", {self.detail}"
        state = self.state()
        if state == "stopped":
            text += (f"; that process is stopped: resume it (kill -CONT {self.pid}) "
                     "or end it")
        return text


def timeout_message(what: str, waited: float, holder: Holder | None) -> str:
    """The message of a writer that gave up waiting for the lock."""
    who = holder.describe() if holder else "an unknown writer"
    return (f"gave up after {waited:g} s waiting to write {what}: the write lock is held "
            f"by {who}. Try again later, or set KCN_ATLAS_LOCK_TIMEOUT to wait longer.")


def waiting_message(what: str, timeout: float, holder: Holder | None) -> str:
    """The message of a writer that starts to wait for the lock."""
    who = holder.describe() if holder else "another writer"
    return f"waiting up to {timeout:g} s to write {what}: the write lock is held by {who}"


class FileLock:
    """An exclusive lock file that names its holder; a context manager.

    Parameters
    ----------
    path
        The lock file (created if missing, never deleted).
    what
        What the lock protects, for messages ("/data/atlas.gpkg").
    timeout
        Seconds to wait before :class:`geo.errors.LockTimeout`; 0 gives up at
        once. Default: ``KCN_ATLAS_LOCK_TIMEOUT``.
    on_wait
        Called once with a message when the lock is busy and the writer starts
        to wait; by default the message is logged as a warning.

    Attributes
    ----------
    previous
        After entering: the holder named in the file when it was taken, if the
        last holder died without releasing it (its name was left behind).
    """

    def __init__(self, path: Path | str, *, what: str, timeout: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.what = what
        self.timeout = settings.lock_timeout() if timeout is None else timeout
        self.on_wait = on_wait
        self.previous: Holder | None = None
        self._fd: int | None = None
        self._writable = True

    def holder(self) -> Holder | None:
        """Return who the lock file names (the holder, or the last one that died holding it)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return Holder.from_text(text) if text.strip() else None

    def _read(self, fd: int) -> Holder | None:
        text = os.pread(fd, 4096, 0).decode("utf-8", errors="replace")
        return Holder.from_text(text) if text.strip() else None

    def acquire(self) -> None:
        """Take the lock, waiting up to the timeout."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            self._writable = True
        except PermissionError:
            # Another user's lock file we may not write: it still locks (flock works on
            # a read-only descriptor), it just cannot name us.
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            self._writable = False
        start = time.monotonic()
        deadline = start + self.timeout
        pause, told = _POLL_FIRST, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            now = time.monotonic()
            if now >= deadline:
                holder = self._read(fd)
                os.close(fd)
                raise LockTimeout(timeout_message(self.what, self.timeout, holder), holder)
            if not told:
                message = waiting_message(self.what, self.timeout, self._read(fd))
                (self.on_wait or log.warning)(message)
                told = True
            time.sleep(min(pause, deadline - now))
            pause = min(pause * 2, _POLL_MAX)
        # Nobody holds the lock now; a name still in the file is of a writer that died.
        self.previous = self._read(fd)
        if self.previous is not None:
            log.info("took over the write lock of %s left by %s", self.what,
                     self.previous.describe())
        if self._writable:
            os.ftruncate(fd, 0)
            os.pwrite(fd, Holder.me().to_text().encode("utf-8"), 0)
        self._fd = fd

    def release(self) -> None:
        """Clear the holder's name and let the lock go."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if self._writable:
                os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def try_acquire(self) -> bool:
        """Take the lock if it is free now; never wait."""
        saved = self.timeout
        self.timeout = 0
        try:
            self.acquire()
        except LockTimeout:
            return False
        finally:
            self.timeout = saved
        return True

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
