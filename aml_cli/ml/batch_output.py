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


def java_scientific(values: np.ndarray) -> np.ndarray:
    """0.7899012 -> '7.899012E-1', -6.188034 -> '-6.188034E0', 0 -> '0.0E0' (Java's float style)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    text = pd.Series(np.char.mod("%.6E", np.where(finite, values, 0.0)))
    mantissa = text.str.split("E", n=1).str[0].str.rstrip("0").str.replace(r"\.$", ".0", regex=True)
    exponent = text.str.split("E", n=1).str[1].astype(int).astype(str)
    out = (mantissa + "E" + exponent).to_numpy(dtype=object)
    out[np.isnan(values)] = "NaN"
    out[np.isposinf(values)] = "Infinity"
    out[np.isneginf(values)] = "-Infinity"
    return out


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
    frame, valid = chunk.frame, np.asarray(chunk.valid, dtype=bool)
    n = len(frame)
    if n == 0:
        return ""
    parts: list[np.ndarray] = []
    if schema.row_id:
        parts.append(_tags(frame, schema.row_id).to_numpy(dtype=object))
    scores = model.predict_frame(frame[valid]) if valid.any() else None
    columns = _score_columns(model, scores, threshold, valid.sum())
    for column in columns:
        full = np.full(n, "", dtype=object)
        full[valid] = column
        parts.append(full)
    joined = parts[0].astype(str)
    for part in parts[1:]:
        joined = np.char.add(np.char.add(joined, ","), part.astype(str))
    joined = joined.astype(object)
    joined[~valid] = ""
    return "\n".join(joined.tolist()) + "\n"


def _score_columns(model, scores, threshold: float, count: int) -> list[np.ndarray]:
    if scores is None:
        return [np.empty(0, dtype=object)] * _width(model)
    if model.model_type == "BINARY":
        best = np.where(scores >= threshold, "1", "0").astype(object)
        return [best, java_scientific(scores)]
    if model.model_type == "MULTICLASS":
        return [java_scientific(scores[:, k]) for k in range(scores.shape[1])]
    return [java_scientific(scores)]


def _width(model) -> int:
    if model.model_type == "BINARY":
        return 2
    if model.model_type == "MULTICLASS":
        return len(model.labels)
    return 1
