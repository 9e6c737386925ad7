"""`file://` and `fileb://` parameter values, read the way the AWS CLI reads them, within a bound.

Only these two prefixes are special: `http://` and `https://` values stay
literal (AWS CLI v2 behaviour), so an S3-style or web URL is never fetched.
A parameter file is a regular file or a pipe (a FIFO, or a shell's process
substitution, which the AWS CLI reads too) of at most MAX_PARAM_FILE_BYTES:
16 MiB, far above the API's largest member (a 131,071-character recipe), so
`file:///dev/zero` is refused at once instead of read until memory runs out.
"""

from __future__ import annotations

import errno
import io
import os
import stat

TEXT_PREFIX = "file://"
BINARY_PREFIX = "fileb://"
MAX_PARAM_FILE_BYTES = 16 << 20
_READ_BLOCK = 1 << 20


class ParamFileError(Exception):
    """A file:// or fileb:// value whose file could not be read or decoded."""


def resolve_param_file(value: str) -> str | bytes:
    """The file's text (file://) or bytes (fileb://); any other value unchanged.

    `~` and `$VARS` in the path are expanded; the content is verbatim, so a
    trailing newline stays (scripts rely on `file://id.txt` keeping it).
    """
    if not isinstance(value, str):
        return value
    if value.startswith(TEXT_PREFIX):
        return _read(value, TEXT_PREFIX, binary=False)
    if value.startswith(BINARY_PREFIX):
        return _read(value, BINARY_PREFIX, binary=True)
    return value


def is_param_file(value: object) -> bool:
    """True when `value` names a file the CLI would read instead of taking it literally."""
    return isinstance(value, str) and value.startswith((TEXT_PREFIX, BINARY_PREFIX))


def _read(value: str, prefix: str, *, binary: bool) -> str | bytes:
    path = os.path.expandvars(os.path.expanduser(value[len(prefix) :]))
    try:
        data = read_bounded(path, value)
        if binary:
            return data
        # the same decoding and newline handling as open(path).read(), from bytes already bounded
        return io.TextIOWrapper(io.BytesIO(data)).read()
    except UnicodeDecodeError:
        raise ParamFileError(
            f"Unable to load paramfile ({path}), text contents could not be decoded.  "
            "If this is a binary file, please use the fileb:// prefix instead of the file:// prefix."
        ) from None
    except OSError as err:
        raise ParamFileError(f"Unable to load paramfile {value}: {err}") from None


def read_bounded(path: str, value: str) -> bytes:
    """At most MAX_PARAM_FILE_BYTES of a regular file or a pipe; anything else is refused before it is read.

    The type is checked before opening (a device is never opened) and again on the open file (so a
    swap in between is caught); a pipe blocks until its writer starts, as it does for the AWS CLI.
    """
    _check_kind(os.stat(path).st_mode, path, value)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_kind(os.fstat(fd).st_mode, path, value)
        pieces, size = [], 0
        while size <= MAX_PARAM_FILE_BYTES:
            piece = os.read(fd, min(_READ_BLOCK, MAX_PARAM_FILE_BYTES + 1 - size))
            if not piece:
                return b"".join(pieces)
            pieces.append(piece)
            size += len(piece)
    finally:
        os.close(fd)
    raise ParamFileError(
        f"Unable to load paramfile {value}: it is larger than 16 MiB ({MAX_PARAM_FILE_BYTES} bytes), "
        "the most a parameter file may hold."
    )


def _check_kind(mode: int, path: str, value: str) -> None:
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return
    if stat.S_ISDIR(mode):  # in the words open() uses, as before
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    kind = ("a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "neither")
    raise ParamFileError(
        f"Unable to load paramfile {value}: it is not a regular file or a pipe (it is {kind})."
    )
