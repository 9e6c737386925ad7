"""The model file read and verified with the standard library alone (see ``model_file`` for the layout).

Everything that decides whether a file is acceptable lives here: the refusal of
links, FIFOs and devices, the size limit, the magic number, the format and
version, the SHA-256 over the canonical header and the payload, and the
consistency of the array directory. ``model_file`` builds numpy arrays on top
of it for training, evaluation and batch scoring; ``record_scoring`` reads the
few numbers one Predict needs straight from the verified bytes, so ``aml
predict`` never imports numpy.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import struct
import sys
from pathlib import Path
from typing import Any

MAGIC = b"\x89AML-MODEL\r\n"
FORMAT = "aml-model"
VERSION = 1
LENGTH = struct.Struct("<Q")
DTYPES = re.compile(r"^(<f4|<f8|\|i1|<i2|<i4|<i8|\|u1|<u2|<u4|<u8|\|b1|<U\d{1,6})$")
MAX_FILE_BYTES = 2_147_483_648 + (64 << 20)  # the largest size cap, and room for the header
# numpy's little-endian dtype strings -> the struct/memoryview format of the same item
_FORMATS = {"<f4": "f", "<f8": "d", "|i1": "b", "<i2": "h", "<i4": "i", "<i8": "q",
            "|u1": "B", "<u2": "H", "<u4": "I", "<u8": "Q", "|b1": "?"}


class ModelFileError(Exception):
    """The model file is missing, damaged, edited, or cannot be made to fit its size cap."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Verified:
    """A model file whose checksum matched: its header (``sha256`` removed), payload, size and array directory."""

    def __init__(self, header: dict[str, Any], payload: memoryview, size: int,
                 directory: dict[str, dict[str, Any]]) -> None:
        self.header, self.payload, self.size, self.directory = header, payload, size, directory

    def numbers(self, name: str) -> memoryview:
        """A numeric array of the payload as a flat sequence of Python numbers, without copying it."""
        entry = self.directory[name]
        code = _FORMATS.get(entry["dtype"])
        if code is None:
            raise ModelFileError(f"the model file's array {name!r} is not numeric")
        raw = self.payload[entry["offset"] : entry["offset"] + entry["nbytes"]]
        if sys.byteorder == "little":
            return raw.cast(code)
        swapped = bytearray(raw)  # a big-endian host: reorder each item's bytes once
        size = struct.calcsize(code)
        for start in range(0, len(swapped), size):
            swapped[start : start + size] = swapped[start : start + size][::-1]
        return memoryview(swapped).cast(code)


def canonical(header: dict[str, Any]) -> bytes:
    """The header as hashed: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def read_whole(path: Path) -> bytes:
    """The bytes of a regular model file, checked before reading: a link (aml writes none), a FIFO or a device
    (a link to /dev/zero, say) is refused at once instead of read forever or waited on."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        what = "is a symbolic link" if os.path.islink(path) else (
            "is missing" if isinstance(err, FileNotFoundError) else f"cannot be read ({err.strerror or err})")
        raise ModelFileError(f"the model file {what}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError("the model file is not a regular file (a FIFO, a device or a folder)")
        if info.st_size > MAX_FILE_BYTES:
            raise ModelFileError(f"the model file is larger ({info.st_size} bytes) than any model aml writes")
        try:
            return handle.read(info.st_size)
        except OSError as err:
            raise ModelFileError(f"cannot read the model file: {err.strerror or err}") from None


def read_verified(path: Path) -> Verified:
    """Read and verify a model file; any damage raises ``ModelFileError``. Nothing of the file is executed."""
    blob = read_whole(Path(path))
    start = len(MAGIC) + LENGTH.size
    if len(blob) < start or not blob.startswith(MAGIC):
        raise ModelFileError("not an aml model file (bad magic number)")
    (length,) = LENGTH.unpack_from(blob, len(MAGIC))
    if length > len(blob) - start:
        raise ModelFileError("the model file is truncated (header)")
    try:
        header = json.loads(blob[start : start + length].decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError("the model file's header is damaged") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError("not an aml model file (unknown format)")
    if header.get("version") != VERSION:
        raise ModelFileError(f"unsupported model file version {header.get('version')!r} (this aml reads {VERSION})")
    payload = memoryview(blob)[start + length :]
    sha = header.pop("sha256", None)
    if hashlib.sha256(canonical(header) + payload).hexdigest() != sha:
        raise ModelFileError("the model file is damaged or was modified (checksum mismatch)")
    return Verified(header, payload, len(blob), _directory(header, len(payload)))


def _directory(header: dict[str, Any], payload_size: int) -> dict[str, dict[str, Any]]:
    """name -> {dtype, shape, offset, nbytes} for every array, each checked against the payload."""
    directory: dict[str, dict[str, Any]] = {}
    try:
        for entry in header["arrays"]:
            dtype = entry["dtype"]
            if not isinstance(dtype, str) or not DTYPES.match(dtype):
                raise ModelFileError(f"the model file holds an array of a forbidden type {dtype!r}")
            shape = tuple(int(n) for n in entry["shape"])
            offset, nbytes = int(entry["offset"]), int(entry["nbytes"])
            if nbytes != item_size(dtype) * math.prod(shape) or offset < 0 or offset + nbytes > payload_size:
                raise ModelFileError("the model file's array directory is inconsistent")
            if any(n < 0 for n in shape):
                raise ValueError("a negative dimension")
            directory[entry["name"]] = {"dtype": dtype, "shape": shape, "offset": offset, "nbytes": nbytes}
    except (KeyError, TypeError, ValueError):
        raise ModelFileError("the model file's array directory is damaged") from None
    return directory


def item_size(dtype: str) -> int:
    """Bytes per item of a whitelisted dtype string (``<U12`` is 12 UCS-4 characters)."""
    if dtype.startswith("<U"):
        return 4 * int(dtype[2:])
    return struct.calcsize(_FORMATS[dtype])
