"""`file://` and `fileb://` parameter values, read the way the AWS CLI reads them.

Only these two prefixes are special: `http://` and `https://` values stay
literal (AWS CLI v2 behaviour), so an S3-style or web URL is never fetched.
"""

from __future__ import annotations

import os

TEXT_PREFIX = "file://"
BINARY_PREFIX = "fileb://"


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
        if binary:
            with open(path, "rb") as handle:
                return handle.read()
        with open(path) as handle:
            return handle.read()
    except UnicodeDecodeError:
        raise ParamFileError(
            f"Unable to load paramfile ({path}), text contents could not be decoded.  "
            "If this is a binary file, please use the fileb:// prefix instead of the file:// prefix."
        ) from None
    except OSError as err:
        raise ParamFileError(f"Unable to load paramfile {value}: {err}") from None
