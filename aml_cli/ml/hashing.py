"""Stable 64-bit hashing of whole arrays: feature names become column numbers.

Everything here is deterministic across processes and machines (no use of
Python's salted ``hash``), because a model file stores weights by column and
prediction must land on the same columns as training did.

Conventions:
- strings are hashed from their UTF-8 bytes, read eight at a time as
  little-endian words and folded with :func:`combine` after a seed that
  depends on the length; one function (:func:`hash_spans`) does it for any set
  of byte ranges of one buffer, so a token cut out of a big text buffer and
  the same token given as a Python string hash alike;
- :func:`mix64` is the splitmix64 finaliser (full avalanche), :func:`combine`
  folds a second value into a hash; compound features (n-grams, OSB pairs,
  crosses) are folds of their parts' hashes, never hashes of built strings.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_U64 = np.uint64
GOLDEN = _U64(0x9E3779B97F4A7C15)
_M1 = _U64(0xBF58476D1CE4E5B9)
_M2 = _U64(0x94D049BB133111EB)
_LENGTH_SEED = _U64(0x51ED270B27A4F3C5)
# _WORD_MASKS[r] keeps the first r bytes (r = 0..8) of a little-endian word.
_WORD_MASKS = np.array([(1 << (8 * r)) - 1 for r in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit flips each output bit with p≈1/2."""
    with np.errstate(over="ignore"):
        x = np.array(x, dtype=np.uint64)  # a copy: the steps below work in place
        return _mix_inplace(x)


def _mix_inplace(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x ^= x >> _U64(30)
        x *= _M1
        x ^= x >> _U64(27)
        x *= _M2
        x ^= x >> _U64(31)
        return x


def combine(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Fold ``b`` into hash ``a``; order matters (combine(a, b) != combine(b, a))."""
    with np.errstate(over="ignore"):
        out = np.multiply(np.asarray(a, dtype=np.uint64), GOLDEN)
        out += np.asarray(b, dtype=np.uint64)
        return _mix_inplace(out)


def tag(label: str) -> np.uint64:
    """A constant hash for a fixed label (an output name, a marker)."""
    return np.uint64(hash_strings([label])[0])


def hash_spans(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Hash the byte ranges buffer[start:start+length] without making Python strings.

    ``buffer`` is uint8 and must be followed by at least 8 readable bytes past
    the last span (callers pad it). Each span costs one vectorised step per
    8 bytes of its length; spans longer than 8 bytes are a shrinking subset.
    """
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(buffer, 8)
    with np.errstate(over="ignore"):
        hashes = np.multiply(lengths.astype(np.uint64), GOLDEN)
        hashes += _LENGTH_SEED
        hashes ^= _first_words(windows, starts, lengths)
        _mix_inplace(hashes)
    todo = np.flatnonzero(lengths > 8)
    block = 1
    while todo.size:
        words = np.ascontiguousarray(windows[starts[todo] + 8 * block]).view("<u8").ravel()
        words &= _WORD_MASKS[np.minimum(lengths[todo] - 8 * block, 8)]
        hashes[todo] = combine(hashes[todo], words)
        block += 1
        todo = todo[lengths[todo] > 8 * block]
    return hashes


def _first_words(windows: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    words = np.ascontiguousarray(windows[starts]).view("<u8").ravel()
    words &= _WORD_MASKS[np.minimum(lengths, 8)]
    return words


def hash_strings(values: Iterable[str]) -> np.ndarray:
    """Hash each string (its UTF-8 bytes); meant for unique values, not rows."""
    encoded = [str(value).encode("utf-8") for value in values]
    lengths = np.fromiter((len(item) for item in encoded), dtype=np.int64, count=len(encoded))
    buffer = np.frombuffer(b"".join(encoded) + b"\0" * 8, dtype=np.uint8)
    starts = np.zeros(len(encoded), dtype=np.int64)
    if len(encoded) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    return hash_spans(buffer, starts, lengths)


def to_columns(hashes: np.ndarray, bits: int) -> np.ndarray:
    """Column numbers 0 .. 2**bits - 1 from hashes (low bits; mix64 made them uniform)."""
    mask = np.uint64((1 << bits) - 1)
    return (np.asarray(hashes, dtype=np.uint64) & mask).astype(np.int32)
