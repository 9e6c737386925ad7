"""Batch prediction output as the service wrote it: CSV lines with Java-style scores.

Columns: BINARY `bestAnswer,score`; MULTICLASS one score column per class
(class names as header); REGRESSION `score`; a `tag` column first when the
schema names a rowId. A record that cannot be predicted gives an empty line.
Every input record gives exactly one output line, also when the record spans
several lines of its file (a quoted field holding line breaks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ragged import Cells, join_lines

# bytes a tag cannot hold as it is (a line break becomes a space, a quote or comma needs quoting)
_NEEDS_CARE = np.zeros(256, dtype=bool)
_NEEDS_CARE[[10, 13, 34, 44]] = True


_EXPONENT_WIDTH = 3
_WIDTH = 14  # "-1.234567E-300": the longest finite score; "-Infinity" and "NaN" fit too


def java_scientific(values: np.ndarray) -> np.ndarray:
    """0.7899012 -> '7.899012E-1', -6.188034 -> '-6.188034E0', 0 -> '0.0E0' (Java's float style)."""
    return np.array(java_scientific_cells(values).texts(), dtype=object)


def java_scientific_cells(values: np.ndarray) -> Cells:
    """`java_scientific` as byte cells, vectorised: exact, as "%.6E" then trimmed, for every value.

    The seven digits are the scaled value rounded; where float arithmetic
    cannot be sure of them (a value next to a power of ten or to a rounding
    tie, zero, or beyond 1e±300) Python's own formatting writes that value.
    """
    values = np.asarray(values, dtype=np.float64)
    matrix = np.zeros((len(values), _WIDTH), dtype=np.uint8)
    keep = np.zeros((len(values), _WIDTH), dtype=bool)
    digits, exponent, sure = _seven_digits(values)
    if sure.any():
        _lay_out(matrix, keep, values[sure] < 0, digits[sure], exponent[sure], sure)
    for row in np.flatnonzero(~sure).tolist():
        text = _java_text(float(values[row])).encode("ascii")
        matrix[row, : len(text)] = np.frombuffer(text, dtype=np.uint8)
        keep[row, : len(text)] = True
    return Cells(matrix, keep)


def _seven_digits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value: the 7 significant digits as an integer, the decimal exponent, and whether both are certain.

    s = |x| / 10**(e-6) carries a relative error of a few units in 2**-53,
    at most 1e-8 in absolute terms; rounding it is certain when it is more
    than 1e-6 from a tie and more than 1e-3 inside [1e6, 1e7).
    """
    magnitude = np.abs(values)
    usable = np.isfinite(values) & (magnitude > 0)
    with np.errstate(all="ignore"):
        exponent = np.floor(np.log10(np.where(usable, magnitude, 1.0))).astype(np.int64)
        scaled = magnitude * np.power(10.0, (6 - exponent).astype(np.float64))
        low, high = scaled < 1e6, scaled >= 1e7
        exponent = exponent - low + high
        scaled = np.where(low, scaled * 10.0, np.where(high, scaled / 10.0, scaled))
        fraction = scaled - np.floor(scaled)
    sure = (usable & (exponent >= -300) & (exponent <= 300) & (scaled > 1e6 + 1e-3) & (scaled < 1e7 - 1e-3)
            & (np.abs(fraction - 0.5) > 1e-6))
    digits = np.floor(np.where(sure, scaled, 1e6) + 0.5).astype(np.int64)
    carry = digits == 10**7  # 9.9999996 rounds to 1.000000E1
    digits[carry] = 10**6
    return digits, exponent + carry, sure


def _lay_out(matrix: np.ndarray, keep: np.ndarray, negative: np.ndarray, digits: np.ndarray,
             exponent: np.ndarray, rows: np.ndarray) -> None:
    """Fill the rows `rows` of the byte matrix: [-]d.dddddd (trailing zeros trimmed, one kept) E [-]exponent."""
    everyone = bool(rows.all())
    block = matrix if everyone else np.zeros((len(digits), _WIDTH), dtype=np.uint8)
    mask = keep if everyone else np.zeros((len(digits), _WIDTH), dtype=bool)
    block[:, 0], mask[:, 0] = ord("-"), negative
    rest, shown, left = digits % 10**6, np.ones(len(digits), dtype=np.int64), digits.copy()
    for column in range(8, 2, -1):  # the six decimals, last first: the last non-zero one sets how many show
        digit = left % 10
        left //= 10
        block[:, column] = digit + ord("0")
        shown = np.where((digit != 0) & (shown == 1) & (rest % 10 ** (9 - column) == digit * 10 ** (8 - column)),
                         column - 2, shown)
    block[:, 1], block[:, 2] = left + ord("0"), ord(".")
    mask[:, 1:3] = True
    mask[:, 3:9] = np.arange(6)[None, :] < shown[:, None]
    block[:, 9], mask[:, 9] = ord("E"), True
    block[:, 10], mask[:, 10] = ord("-"), exponent < 0
    size = np.abs(exponent)
    width = 1 + (size >= 10) + (size >= 100)
    for column, power in ((11, 100), (12, 10), (13, 1)):
        block[:, column] = (size // power) % 10 + ord("0")
        mask[:, column] = column - 11 >= _EXPONENT_WIDTH - width
    if not everyone:
        matrix[rows], keep[rows] = block, mask


def _java_text(value: float) -> str:
    """One value the slow, obvious way: Python's %.6E, trailing zeros trimmed, the exponent as Java prints it."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    mantissa, exponent = f"{value:.6E}".split("E")
    mantissa = mantissa.rstrip("0")
    return (mantissa + "0" if mantissa.endswith(".") else mantissa) + "E" + str(int(exponent))


def _csv_field(values: pd.Series) -> pd.Series:
    """A CSV field; line breaks (a multi-line rowId or class name) become spaces, so a record stays one line."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.replace(r"[\r\n]+", " ", regex=True)
    needs_quotes = text.str.contains(r'[",]', regex=True)
    quoted = '"' + text.str.replace('"', '""', regex=False) + '"'
    return text.where(~needs_quotes, quoted)


def header(model, schema) -> str:
    columns = ["tag"] if schema.row_id else []
    if model.model_type == "BINARY":
        columns += ["bestAnswer", "score"]
    elif model.model_type == "MULTICLASS":
        columns += [str(label) for label in model.labels]
    else:
        columns += ["score"]
    return ",".join(_csv_field(pd.Series(columns)).tolist())


def _tags(frame: pd.DataFrame, row_id: str) -> pd.Series:
    values = frame[row_id]
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == values.round())
        text = values.astype(object).where(~whole, values.fillna(0).astype(np.int64).astype(str))
        return _csv_field(text.where(values.notna(), None))
    return _csv_field(values)


def lines_for(model, schema, chunk, threshold: float) -> str:
    """One output line per record of the chunk, in order; invalid records give empty lines."""
    return lines_bytes(model, schema, chunk, threshold).decode("utf-8")


def lines_bytes(model, schema, chunk, threshold: float) -> bytes:
    """`lines_for` as UTF-8 bytes, built without a Python string per row (what the batch job writes)."""
    frame, valid = chunk.frame, np.asarray(chunk.valid, dtype=bool)
    if not valid.any():
        return b"\n" * len(frame)
    tags = _tag_cells(frame, schema.row_id) if schema.row_id else None
    if schema.row_id and tags is None:  # a rowId too wide for cells: row by row
        return _lines_slowly(model, schema, chunk, threshold)
    columns = [tags] if tags is not None else []
    scores = model.predict_frame(frame[valid])
    full = np.zeros((len(frame), *np.shape(scores)[1:]), dtype=np.float64)
    full[valid] = scores
    columns += _score_columns(model, full, threshold)
    return join_lines(columns, valid)


def _tag_cells(frame: pd.DataFrame, row_id: str) -> Cells | None:
    """The tag column; a text column needing no quoting is taken as its bytes are stored."""
    values = frame[row_id]
    if not pd.api.types.is_float_dtype(values):
        stored = Cells.from_arrow(values)
        if stored is not None and not _NEEDS_CARE[stored.matrix[stored.keep]].any():
            return stored
    return Cells.from_strings(_tags(frame, row_id).tolist())


def _lines_slowly(model, schema, chunk, threshold: float) -> bytes:
    """The lines with Python strings: for tags longer than the cells take (rare)."""
    frame, valid = chunk.frame, np.asarray(chunk.valid, dtype=bool)
    tags = _tags(frame, schema.row_id).tolist()
    scores = model.predict_frame(frame[valid])
    columns = [column.texts() for column in _score_columns(model, scores, threshold)]
    rows = iter(zip(*columns, strict=True))
    lines = [",".join((tag, *next(rows))) if ok else "" for tag, ok in zip(tags, valid.tolist(), strict=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _score_columns(model, scores: np.ndarray, threshold: float) -> list[Cells]:
    if model.model_type == "BINARY":
        best = (scores >= threshold).astype(np.uint8)[:, None] + np.uint8(ord("0"))
        return [Cells(best, np.ones(best.shape, dtype=bool)), java_scientific_cells(scores)]
    if model.model_type == "MULTICLASS":
        return [java_scientific_cells(scores[:, k]) for k in range(scores.shape[1])]
    return [java_scientific_cells(scores)]
