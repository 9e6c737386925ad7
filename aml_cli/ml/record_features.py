"""One Predict record to its features in plain Python: what ``Featurizer.transform`` makes of a one-row frame.

``Model.record_frame`` types a record per the schema and the featurizer turns
the frame into one CSR row; this module does both for one record with Python
strings, floats and ints, and returns the same entries in the same order:
(column, value) per output in recipe order — one for a category, a bin or a
cross of single values, one per token, n-gram, OSB pair or cross of tokens, one
for a non-zero number (as float32, the matrix's type) — then the bias. The
order matters because the score is the sum of weight times value taken in that
order, which is how the sparse product adds them.

The rules restated from ``features`` and ``transforms`` (tests compare the two
on every transformation and on unusual text):
- a category is the value's text with trailing NULs dropped (numpy's fixed-width
  strings drop them), lower-cased and then stripped of edge punctuation as the
  recipe asks; missing is a value of its own;
- text is lower-cased as a whole, non-ASCII blanks become spaces, tokens are runs
  of bytes that are not ``str.split()`` blanks (nor \\x01), each stripped of
  ASCII punctuation at both ends when ``no_punct`` applies (empty ones dropped);
- ``lowercase``/``no_punct`` over anything reads the innermost first argument's
  variable as the frame holds it (a number as ``str(float)``), as the featurizer does.
"""

from __future__ import annotations

import math
import re
import string
import struct
from bisect import bisect_right
from typing import Any

from .binary import binary_from_scalar
from .recipe import BINARY, CATEGORICAL, NUMERIC, TEXT, TEXT_OPS, Apply, Recipe, Var, evaluation_kind, parse_recipe
from .scalar_hashing import combine, hash_bytes, hash_text

FEATURIZER_FORMAT = ("aml-featurizer", 1)
_MISSING = hash_text("\0missing")
_NUMBER = hash_text("\0number")
_NGRAM_TAG = hash_text("ngram")
_OSB_TAG = hash_text("osb")
_CROSS_TAG = hash_text("cartesian")
_BINARY_HASHES = (hash_text("0"), hash_text("1"), _MISSING)
_FLOAT32 = struct.Struct("<f")
_PUNCT_TO_SPACE = str.maketrans(string.punctuation, " " * len(string.punctuation))
_FLOAT32_MAX = 3.4028234663852886e38
_TOKEN = re.compile(rb"[^\x01\t-\r\x1c- ]+")  # runs of bytes str.split() does not split on (nor the row mark)
_PUNCT = string.punctuation.encode()
_PUNCT_CLASS = "[" + re.escape(string.punctuation) + "]+"
_EDGE_PUNCT = re.compile(rf"(?<!\S){_PUNCT_CLASS}|{_PUNCT_CLASS}(?!\S)")
_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")


class Single:
    """One value for the record (a category, a bin, a BINARY value or a cross of them): its hash."""

    __slots__ = ("hash",)  # a plain class: a dataclass costs a process a millisecond to build at import

    def __init__(self, value: int) -> None:
        self.hash = value


def number_from_scalar(value: object) -> float:
    """A NUMERIC record value: its float, or NaN when absent, unparsable or not finite."""
    if value is None:
        return math.nan
    try:
        number = float(str(value).strip())
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def text_from_scalar(value: object) -> str | None:
    """A CATEGORICAL or TEXT record value: the string, or None (missing) when absent, empty or not a string."""
    return value if isinstance(value, str) and value != "" else None


class RecordFeaturizer:
    """A featurizer's state (``Featurizer.state()``) compiled for single records."""

    def __init__(self, recipe: Recipe, hash_bits: int, fitted: dict[str, dict], bins: dict[str, list[float]],
                 schema_types: dict[str, str]) -> None:
        self.recipe, self.hash_bits, self.fitted, self.schema_types = recipe, hash_bits, fitted, schema_types
        self.bias_index = 1 << hash_bits
        self._mask = self.bias_index - 1
        self._outputs = [(out, hash_text(out.name)) for out in recipe.outputs]
        self._bins = bins

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, list[float]], schema_types: dict[str, str]
                   ) -> RecordFeaturizer | None:
        """The compiled featurizer, or None when the state is one only the frame featurizer should judge
        (another format, types that differ from the schema's, fitted values that are not plain numbers)."""
        if (meta.get("format"), meta.get("version")) != FEATURIZER_FORMAT:
            return None
        hash_bits, variables, fitted = meta.get("hash_bits"), meta.get("variables"), meta.get("fitted")
        if type(hash_bits) is not int or not 1 <= hash_bits <= 30 or not isinstance(fitted, dict):
            return None
        if not isinstance(variables, dict) or any(schema_types.get(k) != v for k, v in variables.items()):
            return None
        recipe = parse_recipe(meta["recipe"], variables)
        bins = _fitted_bins(recipe, fitted, arrays)
        if bins is None or not _fitted_numbers_are_plain(recipe, fitted):
            return None
        return cls(recipe, hash_bits, fitted, bins, schema_types)

    def features(self, record: dict[str, Any]) -> list[tuple[int, float]]:
        """(column, value) entries of the record's row, in the featurizer's order, the bias last."""
        cache: dict[tuple[str, str], Any] = {}
        entries: list[tuple[int, float]] = []
        mask = self._mask
        for out, seed in self._outputs:
            value = self._eval(out.expr, out.type, record, cache)
            if isinstance(value, Single):
                entries.append((combine(seed, value.hash) & mask, 1.0))
            elif isinstance(value, list):
                entries.extend((combine(seed, h) & mask, 1.0) for h in value)
            elif value != 0:
                entries.append((combine(seed, _NUMBER) & mask, _as_float32(value)))
        entries.append((self.bias_index, 1.0))
        return entries

    # ---- evaluation: Single, a list of token hashes, or a float -------------------------------------

    def _eval(self, expr: Var | Apply, kind: str, record: dict[str, Any], cache: dict[tuple[str, str], Any]) -> Any:
        key = (kind, str(expr))
        if key not in cache:
            cache[key] = self._compute(expr, kind, record, cache)
        return cache[key]

    def _compute(self, expr: Var | Apply, kind: str, record: dict[str, Any], cache: dict) -> Any:
        if isinstance(expr, Var):
            return self._variable(expr, record)
        if expr.func in TEXT_OPS:
            return self._text_chain(expr, kind, record)
        if expr.func == "quantile_bin":
            value = number_from_scalar(record.get(expr.args[0].name))  # bin i is the text str(i); missing its own
            return Single(_MISSING if math.isnan(value) else hash_text(str(bisect_right(self._bins[str(expr)], value))))
        if expr.func == "normalize":
            fit = self.fitted[str(expr)]
            return _normalize(number_from_scalar(record.get(expr.args[0].name)), float(fit["mean"]), float(fit["std"]))
        if expr.func in ("ngram", "osb"):
            tokens = self._eval(expr.args[0], TEXT, record, cache)
            return (_ngrams if expr.func == "ngram" else _osb)(tokens, expr.param)
        left, right = (self._eval(arg, evaluation_kind(arg, self.recipe.variables), record, cache) for arg in expr.args)
        return _cross(left, right)

    def _variable(self, var: Var, record: dict[str, Any]) -> Any:
        name = var.name
        kind = self.recipe.variables[name]
        if kind == NUMERIC:
            value = number_from_scalar(record.get(name)) / float(self.fitted[str(var)]["scale"])
            return 0.0 if math.isnan(value) else value
        if kind == BINARY:
            value = binary_from_scalar(record.get(name))
            return Single(_BINARY_HASHES[2 if math.isnan(value) else int(value)])
        if kind == CATEGORICAL:
            return Single(_category(text_from_scalar(record.get(name)), lower=False, strip=False))
        return _tokens(text_from_scalar(record.get(name)), lower=False, strip=False)

    def _text_chain(self, expr: Apply, kind: str, record: dict[str, Any]) -> Any:
        ops: set[str] = set()
        node: Var | Apply = expr
        while isinstance(node, Apply):
            ops.add(node.func)
            node = node.args[0]
        value = self._as_read(node.name, record)
        lower, strip = "lowercase" in ops, "no_punct" in ops
        if kind == CATEGORICAL:
            return Single(_category(value, lower=lower, strip=strip))
        return _tokens(value, lower=lower, strip=strip, split="split_punct" in ops)

    def _as_read(self, name: str, record: dict[str, Any]) -> str | float | None:
        """The value as ``record_frame`` types it: a float for NUMERIC and BINARY, else the text or None."""
        kind = self.schema_types.get(name)
        if kind == NUMERIC:
            return number_from_scalar(record.get(name))
        if kind == BINARY:
            return binary_from_scalar(record.get(name))
        return text_from_scalar(record.get(name)) if kind is not None else None


# ---- the transformations on one value --------------------------------------------------------------

def _missing(value: str | float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _category(value: str | float | None, *, lower: bool, strip: bool) -> int:
    if _missing(value):
        return _MISSING
    text = str(value).rstrip("\0")
    if lower:
        text = text.lower()
    if strip:
        text = _EDGE_PUNCT.sub("", text)
    return hash_text(text)


def _tokens(value: str | float | None, *, lower: bool, strip: bool, split: bool = False) -> list[int]:
    text = "" if _missing(value) else str(value)
    if lower:
        text = text.lower()
    if split:  # split_punct: every ASCII punctuation character separates words
        text = text.translate(_PUNCT_TO_SPACE)
    if not text.isascii():
        text = _NON_ASCII_SPACE.sub(" ", text)
    runs = _TOKEN.findall(text.encode("utf-8"))
    if strip:
        runs = [token for token in (run.strip(_PUNCT) for run in runs) if token]
    return [hash_bytes(token) for token in runs]


def _ngrams(tokens: list[int], n: int) -> list[int]:
    """The tokens, then every 2-gram, ... n-gram: each a fold of its tokens' hashes, tagged."""
    found, grams = list(tokens), list(tokens)
    for k in range(1, n):
        if len(tokens) - k <= 0:
            break
        grams = [combine(grams[i], tokens[i + k]) for i in range(len(tokens) - k)]
        found.extend(combine(_NGRAM_TAG, g) for g in grams)
    return found


def _osb(tokens: list[int], n: int) -> list[int]:
    """(token i, token i+d) for d = 1..n-1, the distance folded in first."""
    found: list[int] = []
    for d in range(1, n):
        if len(tokens) - d <= 0:
            break
        tag = combine(_OSB_TAG, d)
        found.extend(combine(combine(tag, tokens[i]), tokens[i + d]) for i in range(len(tokens) - d))
    return found


def _cross(left: Single | list[int], right: Single | list[int]) -> Single | list[int]:
    if isinstance(left, Single) and isinstance(right, Single):
        return Single(combine(combine(_CROSS_TAG, left.hash), right.hash))
    if isinstance(left, Single):
        first = combine(_CROSS_TAG, left.hash)
        return [combine(first, h) for h in right]
    if isinstance(right, Single):
        return [combine(combine(_CROSS_TAG, h), right.hash) for h in left]
    return [combine(combine(_CROSS_TAG, a), b) for a in left for b in right]


def _normalize(value: float, mean: float, std: float) -> float:
    """``transforms.normalize`` on one value, the same float64 steps in the same order."""
    scale = std if math.isfinite(std) and std > 0 else 1.0
    out = (value - mean) / scale
    if math.isinf(out) and math.isfinite(value):  # x - mean past the largest float
        out = value / scale - mean / scale
    return 0.0 if math.isnan(out) else out


def _as_float32(value: float) -> float:
    """The value as the float32 matrix stores it, clipped to float32's range first."""
    return _FLOAT32.unpack(_FLOAT32.pack(min(max(value, -_FLOAT32_MAX), _FLOAT32_MAX)))[0]


# ---- checks of the fitted state --------------------------------------------------------------------

def _evaluated(expr: Var | Apply) -> list[Var | Apply]:
    """The nodes the featurizer evaluates for an output: into crosses and n-grams, never inside a text chain."""
    found = [expr]
    if isinstance(expr, Apply) and expr.func in ("cartesian", "ngram", "osb"):
        for arg in expr.args:
            found.extend(_evaluated(arg))
    return found


def _fitted_bins(recipe: Recipe, fitted: dict[str, dict], arrays: dict[str, list[float]]
                 ) -> dict[str, list[float]] | None:
    """quantile_bin key -> its boundaries, or None when one is missing from the state."""
    bins: dict[str, list[float]] = {}
    for out in recipe.outputs:
        for node in _evaluated(out.expr):
            if isinstance(node, Apply) and node.func == "quantile_bin":
                name = (fitted.get(str(node)) or {}).get("bins")
                if name not in arrays:
                    return None
                bins[str(node)] = arrays[name]
    return bins


def _plain(value: object) -> bool:
    return type(value) is float or (type(value) is int and abs(value) < 2**53)


def _fitted_numbers_are_plain(recipe: Recipe, fitted: dict[str, dict]) -> bool:
    """Every scale, mean and std the outputs use is a float (or a small int), a NUMERIC scale non-zero."""
    for out in recipe.outputs:
        for node in _evaluated(out.expr):
            fit = fitted.get(str(node))
            if isinstance(node, Var) and recipe.variables.get(node.name) == NUMERIC:
                needed = ("scale",)
            elif isinstance(node, Apply) and node.func == "normalize":
                needed = ("mean", "std")
            else:
                continue
            if not isinstance(fit, dict) or not all(_plain(fit.get(key)) for key in needed):
                return False
            if "scale" in needed and fit["scale"] == 0:
                return False
    return True
