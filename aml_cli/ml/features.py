"""Recipe outputs to a sparse design matrix, column-wise and hashed.

Every output contributes features named "<output name>=<value>" (a category,
a bin, a token, an n-gram, an OSB pair, a cross); a stable 64-bit hash of the
name picks one of 2**hash_bits columns. Numeric outputs (a NUMERIC variable as
read, ``normalize``) are one column each carrying the value. The last column
(index 2**hash_bits) is a constant 1, the bias.

Why it is fast: nothing runs per row in Python. Categories are factorised
and only their distinct values hashed; numbers are binned by searchsorted;
text is tokenised and hashed as one byte buffer (``transforms.token_stream``);
the CSR arrays are filled by counting (indptr from bincount/cumsum), not by
sorting. Within a row, entries keep output order; a feature hit twice in a
row is stored twice and every sparse product sums the two, as a summed
entry would (``sum_duplicates()`` on the result makes it explicit).

Values as fitted from the statistics: a NUMERIC variable output as read is
divided by its largest absolute value (so it lies in [-1, 1] on the training
data); missing numbers give no entry; a missing category or BINARY value is
a value of its own ("missing" is informative); missing text has no tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from aml_cli.ml import hashing, transforms
from aml_cli.ml.recipe import (
    BINARY,
    CATEGORICAL,
    NUMERIC,
    TEXT,
    TEXT_OPS,
    Apply,
    Output,
    Recipe,
    Var,
    evaluation_kind,
    parse_recipe,
)
from aml_cli.ml.transforms import TokenStream

FORMAT = "aml-featurizer"
VERSION = 1
_MISSING = hashing.tag("\0missing")
_NUMBER = hashing.tag("\0number")
_MAX_NAMES = 1_000  # names travel in the model file: keep them small
_MAX_NAMES_PER_OUTPUT = 100


@dataclass(frozen=True)
class _Cat:
    """One value per row: ``hashes[codes]`` is the row's value hash."""

    codes: np.ndarray
    hashes: np.ndarray

    def per_row(self) -> np.ndarray:
        return self.hashes[self.codes]


class Featurizer:
    """Fitted featurisation of one recipe; rebuilt from ``state()`` without pickle."""

    def __init__(self, recipe: Recipe, hash_bits: int, fitted: dict[str, dict], arrays: dict[str, np.ndarray],
                 names: dict[int, str]) -> None:
        if not 1 <= hash_bits <= 30:
            raise ValueError(f"hash_bits must be 1..30, not {hash_bits}")
        self.recipe, self.hash_bits, self.fitted, self.arrays, self.names = recipe, hash_bits, fitted, arrays, names
        self._seeds = {out.name: hashing.tag(out.name) for out in recipe.outputs}

    @property
    def n_features(self) -> int:
        return (1 << self.hash_bits) + 1

    @property
    def bias_index(self) -> int:
        return 1 << self.hash_bits

    # ---- fitting -------------------------------------------------------------

    @classmethod
    def fit(cls, recipe: Recipe, schema_types: dict[str, str], statistics: dict, *,
            hash_bits: int = 20) -> Featurizer:
        """Fit bins, means and scales from the statistics (no pass over the data)."""
        stats = {item["name"]: item for item in statistics.get("attributes", [])}
        fitted: dict[str, dict] = {}
        arrays: dict[str, np.ndarray] = {}
        for out in recipe.outputs:
            for node in _walk(out.expr):
                var = _var_of(node)
                _fit_node(node, recipe.variables.get(var), stats.get(var, {}), fitted, arrays)
        featurizer = cls(recipe, hash_bits, fitted, arrays, {})
        featurizer.names = featurizer._known_names(stats)
        return featurizer

    def _known_names(self, stats: dict[str, dict]) -> dict[int, str]:
        names: dict[int, str] = {self.bias_index: "(bias)"}
        for out in self.recipe.outputs:
            for index, label in self._output_names(out, stats)[:_MAX_NAMES_PER_OUTPUT]:
                names.setdefault(int(index), label)
                if len(names) >= _MAX_NAMES:
                    return names
        return names

    def _output_names(self, out: Output, stats: dict[str, dict]) -> list[tuple[int, str]]:
        seed, expr = self._seeds[out.name], out.expr
        if out.type == NUMERIC:
            return [(self._column(hashing.combine(seed, _NUMBER)), out.name)]
        if isinstance(expr, Apply) and expr.func == "quantile_bin":
            bounds = self.arrays[self.fitted[str(expr)]["bins"]]
            edges = np.concatenate([[-np.inf], bounds, [np.inf]])
            labels = [f"{out.name}=[{edges[i]:.6g}, {edges[i + 1]:.6g})" for i in range(len(bounds) + 1)]
            return self._named(seed, _bin_hashes(len(bounds)), [*labels, f"{out.name}=(missing)"])
        if isinstance(expr, Var) and out.type == BINARY:
            return self._named(seed, _binary_hashes(), [f"{out.name}={v}" for v in ("0", "1", "(missing)")])
        if isinstance(expr, Apply) and expr.func == "ngram":
            expr = expr.args[0]
        ops = set()
        while isinstance(expr, Apply) and expr.func in TEXT_OPS:
            ops.add(expr.func)
            expr = expr.args[0]
        if not isinstance(expr, Var):
            return []
        values = pd.Series([str(item[0]) for item in stats.get(expr.name, {}).get("top", [])], dtype=object)
        if "lowercase" in ops:
            values = transforms.lowercase(values)
        if "no_punct" in ops:
            values = transforms.no_punct(values)
        if "split_punct" in ops:
            values = transforms.split_punct(values)
        if self.recipe.variables.get(expr.name) == TEXT:
            values = values[values.str.split().str.len() == 1]
        values = values.drop_duplicates().tolist()
        named = self._named(seed, hashing.hash_strings(values), [f"{out.name}={value}" for value in values])
        if out.type == CATEGORICAL:
            named += self._named(seed, np.array([_MISSING]), [f"{out.name}=(missing)"])
        return named

    def bin_columns(self) -> np.ndarray:
        """The columns of every ``quantile_bin`` output's bins (its missing bin too), ascending: the learner
        gives the bins a prior of their own (``solvers.py``)."""
        columns = [self._columns(hashing.combine(self._seeds[out.name], _bin_hashes(len(self.arrays[
            self.fitted[str(out.expr)]["bins"]])))) for out in self.recipe.outputs
            if isinstance(out.expr, Apply) and out.expr.func == "quantile_bin"]
        return np.unique(np.concatenate(columns)) if columns else np.empty(0, dtype=np.int64)

    def _named(self, seed: np.uint64, hashes: np.ndarray, labels: list[str]) -> list[tuple[int, str]]:
        return list(zip(self._columns(hashing.combine(seed, hashes)).tolist(), labels, strict=True))

    # ---- transforming ----------------------------------------------------------

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Rows of ``frame`` (reader chunk layout) to a float32 CSR matrix (rows, n_features)."""
        n = len(frame)
        cache: dict[str, Any] = {}
        pieces: list[tuple[np.ndarray | None, np.ndarray, np.ndarray | None]] = []
        for out in self.recipe.outputs:
            seed = self._seeds[out.name]
            value = self._eval(out.expr, out.type, frame, cache)
            if isinstance(value, _Cat):
                pieces.append((None, self._columns(hashing.combine(seed, value.hashes))[value.codes], None))
            elif isinstance(value, list):
                pieces.extend((s.rows, self._columns(hashing.combine(seed, s.hashes)), None) for s in value)
            else:
                rows = np.flatnonzero(value != 0)
                column = np.full(len(rows), self._number_column(out.name), dtype=np.int32)
                pieces.append((rows, column, np.clip(value[rows], -_FLOAT32_MAX, _FLOAT32_MAX).astype(np.float32)))
        pieces.append((None, np.full(n, self.bias_index, dtype=np.int32), None))
        return _assemble(n, self.n_features, pieces)

    def _number_column(self, name: str) -> int:
        """The column of a numeric output: constant per output, kept after its first use."""
        columns = self.__dict__.setdefault("_number_columns", {})
        if name not in columns:
            columns[name] = self._column(hashing.combine(self._seeds[name], _NUMBER))
        return columns[name]

    def _column(self, hashed: np.ndarray) -> int:
        return int(hashing.to_columns(np.atleast_1d(hashed), self.hash_bits)[0])

    def _columns(self, hashed: np.ndarray) -> np.ndarray:
        return hashing.to_columns(hashed, self.hash_bits)

    def _eval(self, expr: Var | Apply, kind: str, frame: pd.DataFrame, cache: dict[str, Any]) -> Any:
        """An expression's value: _Cat, list of TokenStream, or float64 per row (cached per chunk)."""
        key = f"{kind}:{expr}"
        if key not in cache:
            cache[key] = self._compute(expr, kind, frame, cache)
        return cache[key]

    def _compute(self, expr: Var | Apply, kind: str, frame: pd.DataFrame, cache: dict[str, Any]) -> Any:
        if isinstance(expr, Var):
            return self._variable(expr, frame)
        if expr.func in TEXT_OPS:
            return self._text_chain(expr, kind, frame)
        if expr.func == "quantile_bin":
            bounds = self.arrays[self.fitted[str(expr)]["bins"]]
            codes = transforms.quantile_bin(_numbers(frame, expr.args[0].name), bounds)
            return _Cat(codes, _bin_hashes(len(bounds)))
        if expr.func == "normalize":
            fit = self.fitted[str(expr)]
            return transforms.normalize(_numbers(frame, expr.args[0].name), fit["mean"], fit["std"])
        if expr.func in ("ngram", "osb"):
            tokens = self._tokens(expr.args[0], frame, cache)
            make = transforms.ngram_stream if expr.func == "ngram" else transforms.osb_stream
            return make(tokens, expr.param)
        return self._cross(expr, frame, cache)

    def _variable(self, var: Var, frame: pd.DataFrame) -> Any:
        kind = self.recipe.variables[var.name]
        if kind == NUMERIC:
            values = _numbers(frame, var.name)
            scale = self.fitted[str(var)]["scale"]
            out = values / scale
            out[np.isnan(out)] = 0.0
            return out
        if kind == BINARY:
            values = _binary(frame, var.name)
            codes = np.where(np.isnan(values), 2, values).astype(np.intp)
            return _Cat(codes, _binary_hashes())
        if kind == CATEGORICAL:
            return _categories(_column(frame, var.name), lower=False, strip=False)
        return [transforms.token_stream(_column(frame, var.name))]

    def _text_chain(self, expr: Apply, kind: str, frame: pd.DataFrame) -> Any:
        ops: set[str] = set()
        node: Var | Apply = expr
        while isinstance(node, Apply):
            ops.add(node.func)
            node = node.args[0]
        column = _column(frame, node.name)
        lower, strip = "lowercase" in ops, "no_punct" in ops
        if kind == CATEGORICAL:
            return _categories(column, lower=lower, strip=strip)
        return [transforms.token_stream(column, lower=lower, strip_punct=strip, split_punct="split_punct" in ops)]

    def _tokens(self, expr: Var | Apply, frame: pd.DataFrame, cache: dict[str, Any]) -> TokenStream:
        return _merge(self._eval(expr, TEXT, frame, cache))

    def _cross(self, expr: Apply, frame: pd.DataFrame, cache: dict[str, Any]) -> Any:
        sides = []
        for arg in expr.args:
            arg_kind = evaluation_kind(arg, self.recipe.variables)
            sides.append(self._eval(arg, arg_kind, frame, cache))
        left, right = sides
        if isinstance(left, _Cat) and isinstance(right, _Cat):
            key = left.codes.astype(np.int64) * len(right.hashes) + right.codes
            codes, uniques = pd.factorize(key)
            hashes = transforms.cross_stream(left.hashes[uniques // len(right.hashes)],
                                             right.hashes[uniques % len(right.hashes)])
            return _Cat(codes, hashes)
        a = left.per_row() if isinstance(left, _Cat) else _merge(left)
        b = right.per_row() if isinstance(right, _Cat) else _merge(right)
        return [transforms.cross_stream(a, b)]

    # ---- description and state -------------------------------------------------

    def describe_feature(self, index: int) -> str:
        """A readable name for a column when one is known (bins, numbers, frequent values), for logs."""
        return self.names.get(int(index), f"hashed feature {int(index)}")

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """JSON-able metadata and numpy arrays from which ``from_state`` rebuilds this featurizer."""
        meta = {"format": FORMAT, "version": VERSION, "recipe": self.recipe.text,
                "variables": dict(self.recipe.variables), "hash_bits": self.hash_bits,
                "fitted": self.fitted, "names": {str(k): v for k, v in self.names.items()}}
        return meta, dict(self.arrays)

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> Featurizer:
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise ValueError(f"not a featurizer state this version reads: {meta.get('format')} {meta.get('version')}")
        recipe = parse_recipe(meta["recipe"], meta["variables"])
        names = {int(k): v for k, v in meta.get("names", {}).items()}
        return cls(recipe, int(meta["hash_bits"]), meta["fitted"], {k: np.asarray(v) for k, v in arrays.items()},
                   names)


# ---- helpers -------------------------------------------------------------------

def _walk(expr: Var | Apply) -> list[Var | Apply]:
    nodes = [expr]
    if isinstance(expr, Apply) and expr.func == "cartesian":
        for arg in expr.args:
            nodes.extend(_walk(arg))
    return nodes


def _var_of(node: Var | Apply) -> str:
    while isinstance(node, Apply):
        node = node.args[0]
    return node.name


def _fit_node(node: Var | Apply, var_type: str | None, stat: dict, fitted: dict[str, dict],
              arrays: dict[str, np.ndarray]) -> None:
    key = str(node)
    if key in fitted:
        return
    if isinstance(node, Apply) and node.func == "quantile_bin":
        name = f"bins{len(arrays)}"
        arrays[name] = transforms.fit_quantile_boundaries(np.asarray(stat.get("quantiles") or [], dtype=float),
                                                          node.param)
        fitted[key] = {"bins": name}
    elif isinstance(node, Apply) and node.func == "normalize":
        fitted[key] = {"mean": _finite(stat.get("mean"), 0.0), "std": _finite(stat.get("std"), 1.0)}
    elif isinstance(node, Var) and var_type == NUMERIC:
        largest = max(abs(_finite(stat.get("min"), 0.0)), abs(_finite(stat.get("max"), 0.0)))
        fitted[key] = {"scale": largest if largest > 0 else 1.0}


# A value past float32's range (1e308 given to a model trained on small numbers) is stored as the largest
# float32 of its sign, never as an infinity that a zero weight would turn into NaN.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _finite(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if np.isfinite(number) else default


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _numbers(frame: pd.DataFrame, name: str) -> np.ndarray:
    column = _column(frame, name)
    if column.dtype != np.float64:
        column = pd.to_numeric(column, errors="coerce")
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def _binary(frame: pd.DataFrame, name: str) -> np.ndarray:
    column = _column(frame, name)
    if column.dtype == np.float64:
        return column.to_numpy()
    from aml_cli.ml.binary import parse_binary

    return parse_binary(column.astype(object)).values


def _categories(column: pd.Series, *, lower: bool, strip: bool) -> _Cat:
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = pd.Series(np.asarray(uniques, dtype=object).astype(str), dtype=object)
    if lower:
        values = transforms.lowercase(values)
    if strip:
        values = transforms.no_punct(values)
    hashes = np.concatenate([hashing.hash_strings(values.tolist()), [_MISSING]])
    codes = codes.astype(np.intp)
    codes[codes < 0] = len(values)
    return _Cat(codes, hashes)


@cache
def _bin_hashes(n_bounds: int) -> np.ndarray:
    """Constant per bin count, so computed once (one Predict record would otherwise rehash them every call)."""
    return _frozen(np.concatenate([hashing.hash_strings(str(i) for i in range(n_bounds + 1)), [_MISSING]]))


@cache
def _binary_hashes() -> np.ndarray:
    return _frozen(np.concatenate([hashing.hash_strings(["0", "1"]), [_MISSING]]))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)  # shared between calls: nobody may write into it
    return array


def _merge(streams: list[TokenStream]) -> TokenStream:
    if not streams:  # e.g. osb over a chunk whose texts are all empty: no pairs at all
        return TokenStream(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64))
    if len(streams) == 1:
        return streams[0]
    rows = np.concatenate([s.rows for s in streams])
    order = np.argsort(rows, kind="stable")
    return TokenStream(rows[order], np.concatenate([s.hashes for s in streams])[order])


def _assemble(n: int, width: int, pieces: list[tuple[np.ndarray | None, np.ndarray, np.ndarray | None]]
              ) -> sp.csr_matrix:
    """Fill CSR arrays by counting: each piece is (rows ascending or None for every row, columns, values or 1)."""
    counts = np.zeros(n, dtype=np.int64)
    piece_counts = []
    for rows, _cols, _vals in pieces:
        c = None if rows is None else np.bincount(rows, minlength=n)
        piece_counts.append(c)
        counts += 1 if c is None else c
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    nnz = int(indptr[-1])
    index_type = np.int32 if nnz < 2**31 else np.int64
    indices = np.empty(nnz, dtype=np.int32)
    data = np.ones(nnz, dtype=np.float32)
    cursor = indptr[:-1].copy()
    for (rows, cols, vals), c in zip(pieces, piece_counts, strict=True):
        if c is None:
            positions = cursor.copy()
            cursor += 1
        else:
            first = np.cumsum(c) - c
            positions = cursor[rows] + (np.arange(len(rows)) - first[rows])
            cursor += c
        indices[positions] = cols
        if vals is not None:
            data[positions] = vals
    return sp.csr_matrix((data, indices, indptr.astype(index_type)), shape=(n, width))
