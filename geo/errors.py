"""The errors a store raises (also importable from :mod:`geo.store`)."""

from __future__ import annotations

__all__ = ["LockTimeout", "StoreError", "VersionConflict"]


class StoreError(RuntimeError):
    """The store cannot be opened, read or written."""


class LockTimeout(StoreError):
    """A writer gave up waiting for the write lock; the message names the holder."""

    def __init__(self, message: str, holder: object = None) -> None:
        super().__init__(message)
        self.holder = holder


class VersionConflict(StoreError):
    """The register changed since the version a write was based on."""

    def __init__(self, message: str, expected: str, found: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.found = found
