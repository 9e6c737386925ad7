"""The model artifact: one self-contained, versioned file, never pickled.

Layout (all integers little-endian)::

    MAGIC (12 bytes) | header length (uint64) | header (UTF-8 JSON) | payload

The header carries the format name and version, the model type, schema and
recipe texts, the featurizer's metadata, the class labels, the training
parameters, a directory of the arrays in the payload (name, dtype, shape,
offset, length) and ``sha256``: the SHA-256 of the canonical JSON of the header
without that field, followed by the payload. A file that is truncated, padded
or edited anywhere fails that check, and reading it runs nothing from it: the
header is parsed as JSON, the arrays are copied out with whitelisted plain
dtypes (no objects, no records). Those checks live in ``model_bytes``, with the
standard library alone, so that Predict reads a model without numpy.

Size cap (``sgd.maxMLModelSizeInBytes``). Weights are stored densely, or as
(flat index, value) pairs when that is smaller. When the file would exceed the
cap, weights are pruned by one rule: keep the entries with the largest absolute
value (features named in ``keep`` — the bias — always stay, ties go to the lower
index) and drop the rest, as many as needed for the file to fit. The number of
non-zero weights dropped is returned and logged by the trainer.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .model_bytes import DTYPES as _DTYPES
from .model_bytes import FORMAT, MAGIC, VERSION, ModelFileError, Verified, read_verified
from .model_bytes import LENGTH as _LENGTH
from .model_bytes import canonical as _canonical

if TYPE_CHECKING:
    from .predict import Model

_NO_SHA = "0" * 64


@dataclass
class ModelFile:
    """A model file's header and arrays, as read back (weights always dense)."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]
    weights: np.ndarray
    size: int = 0


@dataclass
class Written:
    """What ``write_model`` did: the file size and how many weights it pruned."""

    size: int
    pruned: int
    stored_weights: int
    encoding: str
    details: dict[str, Any] = field(default_factory=dict)


def write_model(
    path: Path,
    *,
    header: dict[str, Any],
    weights: np.ndarray,
    arrays: dict[str, np.ndarray] | None = None,
    max_bytes: int | None = None,
    keep: Sequence[int] = (),
) -> Written:
    """Write the model atomically (temporary name, then rename); never larger than ``max_bytes``.

    ``header`` holds the JSON-able content (model type, schema, recipe,
    featurizer meta, labels, parameters); ``arrays`` the featurizer's arrays;
    ``weights`` the (n_features, k) matrix; ``keep`` feature rows never pruned.
    """
    path = Path(path)
    weights = np.asarray(weights, dtype=np.float32)
    extra = {name: _plain(a) for name, a in (arrays or {}).items()}
    if any(name.startswith("weights") for name in extra):
        raise ValueError("array names starting with 'weights' are reserved")
    plan = _plan_weights(header, weights, extra, max_bytes, np.asarray(keep, dtype=np.int64))
    blob = _encode(plan.header, plan.arrays)
    _atomic_write(path, blob)
    return Written(len(blob), plan.pruned, plan.stored, plan.header["weights"]["encoding"])


@dataclass
class _Plan:
    header: dict[str, Any]
    arrays: dict[str, np.ndarray]
    pruned: int
    stored: int


def _plan_weights(
    header: dict[str, Any],
    weights: np.ndarray,
    extra: dict[str, np.ndarray],
    max_bytes: int | None,
    keep: np.ndarray,
) -> _Plan:
    """Dense or sparse weights, pruned by magnitude until the file fits."""
    flat = weights.ravel()
    order = _priority(weights, keep)  # non-zero entries, most important first
    nonzero = order.size
    meta = {"shape": list(weights.shape)}

    def sparse(m: int) -> _Plan:
        chosen = np.sort(order[:m])
        index_dtype = np.int32 if flat.size < 2**31 else np.int64
        arrays = {"weights.index": chosen.astype(index_dtype), "weights.value": flat[chosen], **extra}
        full = {**header, "weights": {**meta, "encoding": "sparse"}}
        return _Plan(full, arrays, nonzero - m, m)

    dense = _Plan({**header, "weights": {**meta, "encoding": "dense"}}, {"weights": weights, **extra}, 0, flat.size)
    best = dense if _size(dense) <= _size(sparse(nonzero)) else sparse(nonzero)
    if max_bytes is None or _size(best) <= max_bytes:
        return best
    floor = int(np.isin(order // weights.shape[1], keep).sum()) if keep.size else 0
    if _size(sparse(floor)) > max_bytes:
        raise ModelFileError(
            f"the model cannot fit in {max_bytes} bytes: its recipe, schema and transformations alone "
            f"take {_size(sparse(floor))} bytes"
        )
    low, high = floor, nonzero  # invariant: sparse(low) fits, sparse(high) does not
    while high - low > 1:
        mid = (low + high) // 2
        if _size(sparse(mid)) <= max_bytes:
            low = mid
        else:
            high = mid
    return sparse(low)


def _priority(weights: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Flat indices of the non-zero weights: kept features first, then by |w| descending."""
    flat = weights.ravel()
    nz = np.flatnonzero(flat)
    kept = np.isin(nz // weights.shape[1], keep) if keep.size else np.zeros(nz.size, dtype=bool)
    # lexsort: last key is primary; stable on index for equal magnitudes
    order = np.lexsort((nz, -np.abs(flat[nz]).astype(np.float64), ~kept))
    return nz[order]


def _size(plan: _Plan) -> int:
    header = _header_bytes(plan.header, plan.arrays, _NO_SHA)
    return len(MAGIC) + _LENGTH.size + len(header) + sum(a.nbytes for a in plan.arrays.values())


def _directory(arrays: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    entries, offset = [], 0
    for name, a in arrays.items():
        entries.append(
            {"name": name, "dtype": a.dtype.str, "shape": list(a.shape), "offset": offset, "nbytes": a.nbytes}
        )
        offset += a.nbytes
    return entries


def _header_bytes(content: dict[str, Any], arrays: dict[str, np.ndarray], sha: str) -> bytes:
    full = {**content, "format": FORMAT, "version": VERSION, "arrays": _directory(arrays), "sha256": sha}
    return _canonical(full)


def _encode(content: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    payload = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays.values())
    unsigned = {**content, "format": FORMAT, "version": VERSION, "arrays": _directory(arrays)}
    digest = hashlib.sha256(_canonical(unsigned) + payload).hexdigest()
    header = _header_bytes(content, arrays, digest)
    return MAGIC + _LENGTH.pack(len(header)) + header + payload


def _plain(a: np.ndarray) -> np.ndarray:
    """Little-endian, contiguous, and of a whitelisted dtype (strings become fixed-width unicode)."""
    a = np.asarray(a)
    if a.dtype.kind == "O":
        if not all(isinstance(v, str) for v in a.ravel().tolist()):
            raise ValueError("object arrays may only hold strings")
        a = a.astype(str) if a.size else a.astype("<U1")
    if a.dtype.kind in "iufU" and a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    a = np.ascontiguousarray(a)
    if not _DTYPES.match(a.dtype.str):
        raise ValueError(f"dtype {a.dtype} cannot be stored in a model file")
    return a


def _atomic_write(path: Path, blob: bytes) -> None:
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".tmp", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_model_file(path: Path) -> ModelFile:
    """Read and verify a model file (``model_bytes.read_verified``); any damage raises ``ModelFileError``."""
    verified = read_verified(Path(path))
    arrays = _arrays(verified)
    return ModelFile(verified.header, arrays, _dense_weights(verified.header, arrays), verified.size)


def _arrays(verified: Verified) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    try:
        for name, entry in verified.directory.items():
            raw = verified.payload[entry["offset"] : entry["offset"] + entry["nbytes"]]
            arrays[name] = np.frombuffer(raw, dtype=np.dtype(entry["dtype"])).reshape(entry["shape"]).copy()
    except (KeyError, TypeError, ValueError):
        raise ModelFileError("the model file's array directory is damaged") from None
    return arrays


def _dense_weights(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> np.ndarray:
    info = header.get("weights", {})
    shape = tuple(info.get("shape", ()))
    if info.get("encoding") == "dense" and "weights" in arrays and arrays["weights"].shape == shape:
        return arrays.pop("weights")
    if info.get("encoding") == "sparse" and len(shape) == 2:
        index, value = arrays.pop("weights.index", None), arrays.pop("weights.value", None)
        if index is not None and value is not None and index.shape == value.shape:
            size = shape[0] * shape[1]
            if index.size == 0 or (index.min() >= 0 and index.max() < size):
                flat = np.zeros(size, dtype=np.float32)
                flat[index] = value
                return flat.reshape(shape)
    raise ModelFileError("the model file's weights are damaged")


def load_model(path: Path) -> Model:
    """Load a model ready to predict; see ``predict.Model``."""
    from .predict import Model

    return Model.from_file(read_model_file(path))
