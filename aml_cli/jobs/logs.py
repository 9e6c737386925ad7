"""A job's log and its failure note: files the jobs package opens safely, outside any transaction.

The log is opened for appending with O_NOFOLLOW|O_NONBLOCK and checked to be
a regular file: a FIFO put where a log should be would otherwise block its
opener forever (and a link send the log elsewhere), so either is an error.

The failure note (`<log>.note`) is reserved by the worker before it needs
the store: 4 KiB allocated on disk at once. When the worker cannot record its
outcome (the store's disk is full), it writes the cause into that space,
which needs no new block, and the reaper, finding the worker gone, records
the note as the resource's failure instead of "stopped unexpectedly".
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from aml_cli.store.paths import FILE_MODE

NOTE_BYTES = 4096
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class UnusableLog(Exception):
    """The job's log path holds something that is not a regular file (a FIFO, a device, a link)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def open_log(path: str | Path) -> int:
    """The log opened for appending (made 0600 when missing): an fd the caller closes; UnusableLog if it is
    not a regular file or cannot be opened."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | _NOFOLLOW
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as err:
        raise UnusableLog(f"The job's log {path} cannot be opened ({_kind_of(path) or err.strerror}).") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnusableLog(f"The job's log {path} is not a regular file ({_kind_of(path)}).")
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _kind_of(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return ""


def note_path(log_path: str | Path) -> Path:
    return Path(f"{log_path}.note")


class FailureNote:
    """Space reserved for the one line a worker may have to leave when the store cannot take it."""

    def __init__(self, log_path: str | Path) -> None:
        self.path = note_path(log_path)
        self.fd = -1
        with contextlib.suppress(OSError):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | _NOFOLLOW, FILE_MODE)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                return
            try:
                os.posix_fallocate(fd, 0, NOTE_BYTES)
            except (OSError, AttributeError):
                os.write(fd, b"\0" * NOTE_BYTES)  # where fallocate is missing: the blocks, written once
            self.fd = fd

    def write(self, message: str) -> bool:
        """Puts the cause in the reserved space (no new block needed); False if there is no space reserved."""
        if self.fd < 0:
            return False
        data = message.encode("utf-8", "replace")[: NOTE_BYTES - 1] + b"\0"
        try:
            os.pwrite(self.fd, data, 0)
            os.fsync(self.fd)
        except OSError:
            return False
        return True

    def discard(self) -> None:
        """The outcome was recorded in the store: the note is not needed."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def read_note(log_path: str | Path) -> str | None:
    """The cause a dead worker left, if it left one (bounded read, never through a link or from a FIFO)."""
    try:
        fd = os.open(note_path(log_path), os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        text = handle.read(NOTE_BYTES).split(b"\0", 1)[0].decode("utf-8", "replace").strip()
    return text or None


def remove_note(log_path: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(note_path(log_path))


def append_line(log_path: str | Path, line: str) -> None:
    """One line at the end of a log, if it can be opened safely; never raises."""
    with contextlib.suppress(OSError, UnusableLog):
        fd = open_log(log_path)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(line + "\n")
