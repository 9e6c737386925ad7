"""Predict for one record without numpy, pandas or scipy: ``Model.predict_record``'s answer, read from the file.

``aml predict`` is a whole process per record; importing numpy, pandas and
scipy cost it more than everything else together. A record needs a few dozen
weights, so this path reads them straight from the verified bytes of the model
file (``model_bytes``), builds the record's features in plain Python
(``record_features``) and sums weight x value in the order the sparse product
sums them, in float64.

What is identical to ``Model.predict_record`` (tests compare the two):
the features and the margins, bit for bit; REGRESSION's ``predictedValue``, bit
for bit; the answer's shape, labels and details. BINARY and MULTICLASS
probabilities go through tanh and exp: here those of the C library (``math``),
there numpy's own (vectorised, and on some CPUs a different approximation), so
a probability may differ in its last bits: at most 2**-50 in absolute value
(tested). A BINARY label differs only if its probability is that close to the
threshold, a MULTICLASS one only if two classes are that close.

A state only the frame featurizer should judge (another featurizer format, an
attribute whose type differs from the schema's, an array of an unusual dtype)
gives None from ``RecordScorer.from_verified``; the caller then loads the
full ``Model``, which answers or refuses exactly as before.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from pathlib import Path
from typing import Any

from .model_bytes import ModelFileError, Verified, read_verified
from .record_features import RecordFeaturizer
from .schema import parse_schema

_LARGEST = 1.7976931348623157e308
_INDEX_WIDTH = {"<i4": 4, "<i8": 8}


class DenseWeights:
    """A (features, k) float matrix stored row-major: the k weights of a column are adjacent."""

    def __init__(self, values: memoryview, k: int) -> None:
        self.values, self.k = values, k

    def row(self, column: int) -> list[float]:
        start = column * self.k
        return self.values[start : start + self.k].tolist()


class SparseWeights:
    """Weights as (flat index, value) pairs, indices strictly increasing as ``write_model`` stores them."""

    def __init__(self, index: memoryview, values: memoryview, k: int) -> None:
        self.index, self.values, self.k = index, values, k

    def row(self, column: int) -> list[float]:
        first, k = column * self.k, self.k
        found = [0.0] * k
        at = bisect_left(self.index, first)
        while at < len(self.index) and self.index[at] < first + k:
            found[self.index[at] - first] = self.values[at]
            at += 1
        return found


class MappedWeights:
    """Sparse weights whose indices are out of order or repeated (never written by aml): the last pair wins."""

    def __init__(self, index: memoryview, values: memoryview, k: int) -> None:
        self.table, self.k = dict(zip(index.tolist(), values.tolist(), strict=True)), k

    def row(self, column: int) -> list[float]:
        return [self.table.get(column * self.k + c, 0.0) for c in range(self.k)]


Weights = DenseWeights | SparseWeights | MappedWeights


class RecordScorer:
    """What Predict needs of a model, for one record at a time."""

    def __init__(self, model_type: str, labels: list[str], featurizer: RecordFeaturizer, weights: Weights,
                 target_mean: float, target_scale: float) -> None:
        self.model_type, self.labels, self.featurizer, self.weights = model_type, labels, featurizer, weights
        self.target_mean, self.target_scale = target_mean, target_scale

    @classmethod
    def from_verified(cls, verified: Verified) -> RecordScorer | None:
        """The scorer of a verified file; ``ModelFileError`` where ``read_model_file`` refuses the weights,
        None where only the full ``Model`` should decide (see the module docstring)."""
        h = verified.header
        weights = _weights(verified)
        schema = parse_schema(h["schema"])
        labels = list(h["labels"])
        arrays = {name.removeprefix("featurizer/"): verified.numbers(name).tolist()
                  for name, entry in verified.directory.items()
                  if name.startswith("featurizer/") and entry["dtype"] == "<f8" and len(entry["shape"]) == 1}
        types = {attribute.name: attribute.type for attribute in schema.attributes}
        featurizer = RecordFeaturizer.from_state(h["featurizer"], arrays, types)
        if weights is None or featurizer is None or _shape(verified) != (featurizer.bias_index + 1, weights.k):
            return None
        if h["model_type"] == "MULTICLASS" and weights.k != len(labels):
            return None
        return cls(h["model_type"], labels, featurizer, weights, float(h.get("target_mean", 0.0)),
                   float(h.get("target_scale", 1.0)))

    def margins(self, record: dict[str, Any]) -> list[float]:
        """The linear scores, one per column of the weights, summed in the sparse product's order."""
        sums = [0.0] * self.weights.k
        for column, value in self.featurizer.features(record):
            for c, weight in enumerate(self.weights.row(column)):
                sums[c] += value * weight
        return sums

    def predict_record(self, record: dict[str, Any], threshold: float = 0.5) -> dict[str, Any]:
        """The Predict API's ``Prediction`` for one record (``Model.predict_record``'s)."""
        m = self.margins(record)
        details = {"PredictiveModelType": self.model_type, "Algorithm": "SGD"}
        if self.model_type == "BINARY":
            p = 0.5 * (1.0 + math.tanh(0.5 * m[0]))
            label = "1" if p >= threshold else "0"
            return {"predictedLabel": label, "predictedScores": {label: p}, "details": details}
        if self.model_type == "MULTICLASS":
            probabilities = softmax(m)
            best = probabilities.index(max(probabilities))
            scores = dict(zip(self.labels, probabilities, strict=True))
            return {"predictedLabel": self.labels[best], "predictedScores": scores, "details": details}
        value = self.target_mean + self.target_scale * m[0]
        return {"predictedValue": min(max(value, -_LARGEST), _LARGEST), "details": details}


def softmax(margins: list[float]) -> list[float]:
    """``losses.softmax`` of one row: shifted by the maximum, the exponentials summed as numpy sums them."""
    top = max(margins)
    e = [math.exp(m - top) for m in margins]
    total = _pairwise_sum(e)
    return [x / total for x in e]


def _pairwise_sum(values: list[float]) -> float:
    """numpy's float64 summation order: plain below 8 items, 8 running sums up to 128, halves above."""
    n = len(values)
    if n < 8:
        total = -0.0
        for x in values:
            total += x
        return total
    if n <= 128:
        r = values[:8]
        whole = n - n % 8
        for i in range(8, whole, 8):
            r = [a + b for a, b in zip(r, values[i : i + 8], strict=True)]
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for x in values[whole:]:
            total += x
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum(values[:half]) + _pairwise_sum(values[half:])


def load_scorer(path: Path) -> RecordScorer | None:
    """The record scorer of a model file (None: load the full ``Model``); ``ModelFileError`` if it is damaged."""
    return RecordScorer.from_verified(read_verified(Path(path)))


# ---- the weights, checked as read_model_file checks them ---------------------------------------------

def _shape(verified: Verified) -> tuple[int, ...]:
    info = verified.header.get("weights", {})
    return tuple(info.get("shape", ())) if isinstance(info, dict) else ()


def _damaged() -> ModelFileError:
    return ModelFileError("the model file's weights are damaged")


def _weights(verified: Verified) -> Weights | None:
    """The weights of the file; the same refusals as ``model_file._dense_weights``; None for unusual dtypes."""
    info = verified.header.get("weights", {})
    shape, directory = _shape(verified), verified.directory
    encoding = info.get("encoding") if isinstance(info, dict) else None
    if encoding == "dense" and "weights" in directory and directory["weights"]["shape"] == shape:
        if len(shape) != 2 or directory["weights"]["dtype"] not in ("<f4", "<f8"):
            return None
        return DenseWeights(verified.numbers("weights"), shape[1])
    if encoding != "sparse" or len(shape) != 2 or "weights.index" not in directory or "weights.value" not in directory:
        raise _damaged()
    index, value = directory["weights.index"], directory["weights.value"]
    if index["shape"] != value["shape"]:
        raise _damaged()
    if index["dtype"] not in _INDEX_WIDTH or value["dtype"] != "<f4" or len(index["shape"]) != 1:
        return None
    return _sparse(verified, shape[0] * shape[1], shape[1])


def _sparse(verified: Verified, size: int, k: int) -> Weights:
    entry = verified.directory["weights.index"]
    raw = verified.payload[entry["offset"] : entry["offset"] + entry["nbytes"]]
    index, values = verified.numbers("weights.index"), verified.numbers("weights.value")
    if not len(index):
        return SparseWeights(index, values, k)
    if _strictly_increasing(raw, _INDEX_WIDTH[entry["dtype"]]):
        if index[0] < 0 or index[-1] >= size:
            raise _damaged()
        return SparseWeights(index, values, k)
    if min(index) < 0 or max(index) >= size:
        raise _damaged()
    return MappedWeights(index, values, k)


def _strictly_increasing(raw: memoryview, width: int) -> bool:
    """Whether little-endian signed integers of ``width`` bytes are all >= 0 and strictly increasing.

    Checked at C speed with big-integer arithmetic instead of a Python loop
    over hundreds of thousands of indices: the array read as one integer X
    holds a[i] in lane i (``width`` bytes each); ONES has a 1 in every lane
    and H = ONES << (bits - 1) the top bit of every lane. No sign bit may be
    set (X & H == 0). Then lane i of ((X >> lane) | H) - X - ONES is
    2**(bits-1) + a[i+1] - a[i] - 1, which lies in [0, 2**bits) for values
    below 2**(bits-1), so no lane borrows from the next; its top bit is set
    exactly when a[i+1] > a[i]. The last lane has no successor and is left out.
    """
    n, bits = len(raw) // width, 8 * width
    if n == 0:
        return True
    x = int.from_bytes(raw, "little")
    ones, lanes = 1, 1  # built by doubling: cheaper than reading a pattern as long as the array
    while lanes < n:
        step = min(lanes, n - lanes)
        ones |= (ones & ((1 << (bits * step)) - 1)) << (bits * lanes)
        lanes += step
    high = ones << (bits - 1)
    if x & high:
        return False
    return (((x >> bits) | high) - x - ones) & high == high ^ (1 << (bits * n - 1))
