"""Uploads on disk: an upload is copied to a private folder in chunks, read from there,
and removed once the import is merged or cancelled, whatever the outcome.

A web upload arrives in memory (Streamlit keeps an ``UploadedFile`` per session);
spooling it to disk lets the caller drop that copy at once, so a 190 MB upload
does not stay 190 MB per session.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["Spooled", "release", "spool", "spool_root", "sweep"]

_CHUNK = 1024**2
_PREFIX = "upload-"


def spool_root() -> Path:
    """The folder that holds spooled uploads (one private folder each)."""
    root = Path(tempfile.gettempdir()) / "kcn-atlas-uploads"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


@dataclass(frozen=True)
class Spooled:
    """An upload on disk: where it is, its name as uploaded, its SHA-256 and size."""

    path: str
    name: str
    digest: str
    size: int

    def to_state(self) -> dict[str, Any]:
        """Plain data to keep in a session."""
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Spooled:
        """Read it back from :meth:`to_state`."""
        return cls(str(state["path"]), str(state["name"]), str(state["digest"]),
                   int(state["size"]))


def spool(source: IO[bytes], name: str, root: Path | None = None,
          limit: int | None = None) -> Spooled:
    """Copy an upload to a private folder in chunks, hashing it on the way.

    The user's file name never becomes a path. With ``limit``, copying stops
    past that many bytes (the importer then refuses the file for its size).
    """
    folder = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=root or spool_root()))
    path = folder / "upload"
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                break
    return Spooled(str(path), name, digest.hexdigest(), size)


def release(spooled: Spooled | None) -> None:
    """Remove a spooled upload and its folder."""
    if spooled is None:
        return
    folder = Path(spooled.path).parent
    if folder.name.startswith(_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def sweep(max_age_s: float = 6 * 3600, root: Path | None = None) -> int:
    """Remove spooled uploads older than ``max_age_s`` (sessions that went away)."""
    root = root or spool_root()
    cutoff = time.time() - max_age_s
    removed = 0
    for folder in root.glob(f"{_PREFIX}*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue  # another session removed it first
    return removed
