"""``hashing``'s functions on single Python ints and byte strings, for scoring one record without numpy.

The same arithmetic as the array form (splitmix64's finaliser, the fold
``combine``, strings hashed from their UTF-8 bytes eight at a time after a
length seed), done with Python ints masked to 64 bits. A record has a few
dozen features, so a loop per feature costs microseconds here, where importing
numpy would cost a hundred milliseconds. ``tests/ml/test_record_scoring.py``
checks every function against its array twin.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_LENGTH_SEED = 0x51ED270B27A4F3C5


def mix64(x: int) -> int:
    """splitmix64's finaliser on one 64-bit value."""
    x ^= x >> 30
    x = (x * _M1) & _MASK
    x ^= x >> 27
    x = (x * _M2) & _MASK
    return x ^ (x >> 31)


def combine(a: int, b: int) -> int:
    """Fold ``b`` into hash ``a`` (``hashing.combine``); order matters."""
    return mix64((a * GOLDEN + b) & _MASK)


def hash_bytes(data: bytes) -> int:
    """The hash of one byte string (``hashing.hash_spans`` of one span)."""
    h = mix64(((len(data) * GOLDEN + _LENGTH_SEED) & _MASK) ^ int.from_bytes(data[:8], "little"))
    for start in range(8, len(data), 8):
        h = combine(h, int.from_bytes(data[start : start + 8], "little"))
    return h


def hash_text(value: str) -> int:
    """The hash of a string's UTF-8 bytes (``hashing.hash_strings`` of one string)."""
    return hash_bytes(value.encode("utf-8"))


def columns(hashes: list[int], bits: int) -> list[int]:
    """Column numbers from hashes: their low ``bits`` bits (``hashing.to_columns``)."""
    mask = (1 << bits) - 1
    return [h & mask for h in hashes]
