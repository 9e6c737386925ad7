"""What can go wrong with the store itself, in words for its user.

SQLite's errors name its own states ("database or disk is full", "disk I/O
error", "file is not a database"); these say what that means for the aml
store and what to do. Each front end shows them through `service.call`, which
turns them into the service's own internal error (InternalServerException in
Amazon ML), so a script sees an AWS-style error with the cause.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class StoreError(Exception):
    """The store could not do what was asked; `message` says why and what to do."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreBusy(StoreError):
    """Another aml process held the write lock for longer than the store waits."""

    retryable = True


class StoreFull(StoreError):
    """The store's disk is full: reads go on, writes wait for space."""

    retryable = True


class StoreDamaged(StoreError):
    """A file of the store is missing, truncated, of the wrong kind or not what aml wrote."""


def free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged writer may still use on the filesystem of `folder` (None if unknown)."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    return info.f_bavail * info.f_frsize


def from_sqlite(err: sqlite3.Error, db_path: Path, writing: bool) -> StoreError | None:
    """The store error an SQLite error means, or None for one that is a plain bug (let through as it is)."""
    name = getattr(err, "sqlite_errorname", "") or ""
    text = str(err)
    action = "written" if writing else "read"
    if name.startswith("SQLITE_FULL") or (name.startswith("SQLITE_IOERR") and _nearly_full(db_path.parent)):
        return StoreFull(f"The aml store {db_path} cannot be {action}: its disk is full ({text}). "
                         "Free some space and try again.")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return StoreDamaged(f"The aml store's database {db_path} is damaged ({text}). Restore it from a backup, "
                            "or set AML_HOME to another folder to start a new store.")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY", "SQLITE_AUTH")):
        return StoreError(f"The aml store's database {db_path} cannot be {action} ({text}).")
    return None


def _nearly_full(folder: Path) -> bool:
    free = free_bytes(folder)
    return free is not None and free < 1 << 20
