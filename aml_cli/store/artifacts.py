"""Artifact files (statistics, caches, models, results) written so a crash never fakes success.

A file appears under its final name only after its whole content is on disk:
writers fill a temporary file in the same folder, fsync it and rename it into
place. Names are random and internal; a resource ID never becomes a path.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from aml_cli.store.paths import FILE_MODE, private_dir

if TYPE_CHECKING:
    from aml_cli.store.db import Store

PARTIAL_SUFFIX = ".partial"


def store_dir(store: Store, name: str) -> Path:
    """One of the store's own folders (`artifacts`, `logs`, `tmp`), made 0700 on first use; anything but a
    folder in its place is a damaged store, named as such."""
    from aml_cli.store.errors import StoreDamaged

    path = store.home / name
    try:
        private_dir(path)
        if not path.is_dir():
            raise NotADirectoryError(f"{path} is not a folder")
    except OSError:
        kind = "a file" if path.is_file() else "something other than a folder"
        raise StoreDamaged(f"The aml store's folder {path} is {kind}; the store is damaged. Move it away (aml "
                           "makes the folder again) or restore the store from a backup.") from None
    return path


def artifacts_dir(store: Store) -> Path:
    """`<home>/artifacts`, created 0700 on first use."""
    return store_dir(store, "artifacts")


def new_artifact_path(store: Store, suffix: str = "") -> Path:
    """A fresh, unused path for an artifact; nothing is created yet."""
    if "/" in suffix or os.sep in suffix:
        raise ValueError(f"an artifact suffix cannot contain a path separator: {suffix!r}")
    return artifacts_dir(store) / f"{secrets.token_hex(16)}{suffix}"


def _fsync_dir(folder: Path) -> None:
    """Makes the rename itself durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Yields a file to fill; on success it replaces `path`, on any failure it vanishes.

    `mode` is "wb" or "w" (text, UTF-8 unless `encoding` says otherwise).
    The temporary name ends in `.partial`, so even a SIGKILLed writer leaves
    nothing that looks complete.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_writer writes whole files: mode must be 'wb' or 'w', not {mode!r}")
    path = Path(path)
    private_dir(path.parent)
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        text = mode == "w"
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if text else None) as handle:
            fd = -1  # the file object owns it now
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        remove_quietly(temp)
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes the whole of `data` to `path` or, on failure, nothing at all."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def remove_quietly(path: Path | str | None) -> None:
    """Deletes a file if it is there; cleanup must never raise over the real error."""
    if path is None:
        return
    with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError, OSError):
        os.unlink(path)
