"""Columns of short byte strings as fixed-width matrices, joined into CSV lines without a Python loop per row.

Batch output writes millions of short lines; building them as Python strings
costs more than scoring them. A `Cells` column holds row i's bytes in
`matrix[i]` where `keep[i]` is set (in column order, holes allowed, so a
minus sign or a trimmed zero is a cleared flag, not a shift). Lines are the
columns side by side with commas and a line end; one boolean gather turns
them into the output bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arrow_strings import string_buffers

MAX_WIDTH = 256  # a column wider than this (a long rowId) is written the slow way, row by row


@dataclass(frozen=True)
class Cells:
    """Row i's bytes are matrix[i][keep[i]]."""

    matrix: np.ndarray  # (rows, width) uint8
    keep: np.ndarray  # (rows, width) bool

    def __len__(self) -> int:
        return len(self.matrix)

    def texts(self) -> list[str]:
        """Each row's text (for the few callers that want strings)."""
        return [row[mask].tobytes().decode("utf-8") for row, mask in zip(self.matrix, self.keep, strict=True)]

    @classmethod
    def constant(cls, text: bytes, rows: int) -> Cells:
        matrix = np.broadcast_to(np.frombuffer(text, dtype=np.uint8), (rows, len(text)))
        return cls(matrix, np.ones((rows, len(text)), dtype=bool))

    @classmethod
    def left_aligned(cls, matrix: np.ndarray, lengths: np.ndarray) -> Cells:
        return cls(matrix, np.arange(matrix.shape[1])[None, :] < lengths[:, None])

    @classmethod
    def from_strings(cls, values: Sequence[str]) -> Cells | None:
        """From Python strings (UTF-8); None when one is wider than MAX_WIDTH bytes."""
        encoded = [value.encode("utf-8") for value in values]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        width = int(lengths.max(initial=0))
        if width > MAX_WIDTH:
            return None
        matrix = np.array(encoded, dtype=f"S{max(width, 1)}").view(np.uint8).reshape(len(encoded), max(width, 1))
        return cls.left_aligned(matrix, lengths)

    @classmethod
    def from_arrow(cls, values: pd.Series) -> Cells | None:
        """A pyarrow-backed string column's bytes as stored (missing: empty); None for other storage or wide rows."""
        stored = string_buffers(values)
        if stored is None:
            return None
        data, offsets = stored
        starts, lengths = offsets[:-1], np.diff(offsets)
        width = max(int(lengths.max(initial=0)), 1)
        if width > MAX_WIDTH:
            return None
        padded = np.concatenate((data, np.zeros(width, dtype=np.uint8)))
        return cls.left_aligned(padded[starts[:, None] + np.arange(width)[None, :]], lengths)


def join_lines(columns: list[Cells], keep_rows: np.ndarray) -> bytes:
    """`c1,c2,...\\n` for rows where `keep_rows` is set, an empty line (`\\n`) where it is not."""
    rows = len(keep_rows)
    pieces: list[Cells] = []
    for index, column in enumerate(columns):
        if index:
            pieces.append(Cells.constant(b",", rows))
        pieces.append(column)
    matrix = np.hstack([piece.matrix for piece in pieces] + [np.full((rows, 1), 10, dtype=np.uint8)])
    keep = np.hstack([piece.keep for piece in pieces] + [np.ones((rows, 1), dtype=bool)])
    keep[~keep_rows, :-1] = False
    return matrix[keep].tobytes()
