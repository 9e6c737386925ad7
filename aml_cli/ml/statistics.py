"""Streaming per-attribute statistics ("data insights") in bounded memory.

Fed chunk by chunk, so any data size fits. Exact where it is cheap (counts,
min, max, mean and sample std by Chan's pairwise update, computed on the
values divided by a power of two at least their largest magnitude, which is
exact and cannot overflow: 1e200 squared is not a number, 1e200 / 2**665
squared is); sketched where it
is not: quantiles come from a fixed-size deterministic sample (exact while
the attribute has no more values than the sample holds), distinct counts
from a k-minimum-values sketch (exact below k distinct values), category and
token frequencies from counters pruned to their most frequent entries when
they outgrow their cap (exact until then).

Accumulators of consecutive parts of the data merge (`merge`, for threads
and for a cluster's partitions) into what one accumulator fed every chunk in
order holds: counts, min and max add up; each chunk's moments are kept and
folded again in order, so mean and std are the same floating-point result
bit for bit; the sample keeps a value by a priority that is a hash of its
record's position over the whole data, and the distinct sketch keeps the
smallest hashes, both independent of who saw the value first, so they merge
exactly too. Only the counters differ once pruned (see README: statistics on
a cluster).

Result format (other packages rely on it):
    {"version": 1, "rows", "invalid_rows", "target",
     "attributes": [{"name", "type", "count", "missing", "invalid", ...}],
     "target_distribution": {value: count} | {"histogram": {...}} | None}
The data source job adds "warnings": [text] (e.g. a header naming fields
differently from the schema).
"""

from __future__ import annotations

import itertools
import operator
from typing import Any

import numpy as np
import pandas as pd

from .reader import Chunk
from .schema import Schema
from .split import mix64

QUANTILE_POINTS = np.linspace(0.0, 1.0, 1001)
TOP_CATEGORIES = 1000
TOP_TOKENS = 100
HISTOGRAM_BINS = 20
_SKETCH_SIZE = 4096
_SAMPLE_BUDGET = 4_000_000  # numeric values kept over all attributes
_COUNTER_BUDGET = 2_000_000  # counter entries kept over all CATEGORICAL/TEXT attributes


class DistinctSketch:
    """k-minimum-values: keeps the k smallest distinct 64-bit hashes; exact below k values."""

    def __init__(self, size: int = _SKETCH_SIZE) -> None:
        self.size = size
        self.hashes = np.empty(0, dtype=np.uint64)

    def merge(self, other: DistinctSketch) -> None:
        self.add(other.hashes)

    def add(self, hashes: np.ndarray) -> None:
        if len(self.hashes) == self.size:  # full: only hashes below the current k-th can enter
            hashes = hashes[hashes < self.hashes[-1]]
        merged = np.unique(np.concatenate((self.hashes, hashes)))  # sorted
        self.hashes = merged[: self.size]

    def estimate(self) -> int:
        if len(self.hashes) < self.size:
            return len(self.hashes)
        fraction = (float(self.hashes[-1]) + 1.0) / 2.0**64
        return round((self.size - 1) / fraction)


class Counter:
    """Value -> count, pruned to the most frequent half when it passes its cap (deterministic).

    Pruning keeps the cap // 2 largest counts, ties going to the smallest
    values: what pandas gives for a Series summed by index alignment (an
    outer join, so sorted by value) and cut by nlargest(keep="first"). A dict
    adds a chunk's counts without that sort, and only the values tied at
    the cut are sorted, when pruning.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.table: dict[Any, int] = {}

    def add(self, values: np.ndarray) -> pd.Index:
        """Count the values; returns the distinct values seen in this call."""
        fresh = count_values(values)
        self.add_counts(fresh)
        return fresh.index

    def add_counts(self, fresh: pd.Series) -> None:
        """Add counts made by `count_values` (any thread) in data order."""
        if len(fresh):
            self._add(fresh.index.tolist(), fresh.to_numpy().tolist())

    def merge(self, other: Counter) -> None:
        """Counts added (exact while neither side nor the sum was pruned), pruned as `add` prunes."""
        if other.table:
            self._add(list(other.table), list(other.table.values()))

    def _add(self, keys: list, counts: list[int]) -> None:
        """Adds distinct keys' counts (in C: dict.update over map, no Python loop), then prunes past the cap."""
        table = self.table
        table.update(zip(keys, map(operator.add, map(table.get, keys, itertools.repeat(0)), counts), strict=True))
        if len(table) > self.cap:
            self._prune()

    def _prune(self) -> None:
        keep = self.cap // 2
        keys = np.array(list(self.table), dtype=object)
        counts = np.fromiter(self.table.values(), dtype=np.int64, count=len(keys))
        cut = np.partition(counts, len(counts) - keep)[len(counts) - keep]  # the keep-th largest count
        above = np.flatnonzero(counts > cut)
        tied = sorted(keys[counts == cut].tolist())[: keep - len(above)]
        self.table = dict(zip(keys[above].tolist(), counts[above].tolist(), strict=True))
        self.table.update(zip(tied, itertools.repeat(int(cut))))

    def _ranked(self) -> pd.Series:
        """By count descending, ties by value, so results never depend on hash order."""
        keys = pd.Index(list(self.table), dtype=object)
        frame = pd.DataFrame({"value": keys.astype(str), "count": np.fromiter(self.table.values(), dtype=np.int64,
                                                                             count=len(keys))})
        frame = frame.sort_values(["count", "value"], ascending=[False, True], kind="stable")
        return pd.Series(frame["count"].to_numpy(), index=frame["value"].to_numpy())

    def top(self, limit: int) -> list[list[Any]]:
        ranked = self._ranked().iloc[:limit]
        return [[str(value), int(count)] for value, count in ranked.items()]


def count_values(values) -> pd.Series:
    """Value -> count in order of first appearance, indexed by Python strings (the counters' form).

    A pyarrow-backed column is counted in pyarrow and only its distinct
    values become Python strings; the order and counts are value_counts'.
    """
    if isinstance(values, np.ndarray):
        return pd.Series(values, dtype=object).value_counts(sort=False)
    from .arrow_strings import arrow_text

    array = arrow_text(values)
    if array is not None:  # what pandas' value_counts does for arrow text, without its wrapping
        return _arrow_counts(array)
    fresh = pd.Series(values).value_counts(sort=False)
    return pd.Series(fresh.to_numpy(dtype=np.int64), index=pd.Index(fresh.index.to_numpy(dtype=object), dtype=object),
                     name="count")


class _Attribute:
    """Counts every type shares: present, missing and invalid values.

    `digest` sums up one chunk without touching the accumulator (so any
    thread may run it); `take` adds a digest, in data order. `update` is the
    two in one: the same result whichever thread digested.
    """

    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind
        self.count = self.missing = self.invalid = 0

    def update(self, values, invalid: int, positions: np.ndarray) -> None:
        self.take(self.digest(values, invalid, positions))

    def digest(self, values, invalid: int, positions: np.ndarray) -> dict[str, Any]:
        """A chunk's column (numpy, or a pandas array for text) summed up; `positions`: its records'."""
        present = ~np.asarray(pd.isna(values), dtype=bool)
        count = int(present.sum())
        # an invalid value sits in an invalid record, never in these (valid) rows
        part = {"count": count, "missing": len(values) - count, "invalid": invalid}
        part.update(self.summarize(values[present], positions[present]))
        return part

    def take(self, part: dict[str, Any]) -> None:
        self.count += part["count"]
        self.missing += part["missing"]
        self.invalid += part["invalid"]
        self.absorb(part)

    def add(self, values: np.ndarray, positions: np.ndarray) -> None:
        """Type-specific accumulation of present values (`positions`: their records' over the whole data)."""
        self.absorb(self.summarize(values, positions))

    def summarize(self, values, positions: np.ndarray) -> dict[str, Any]:
        """The type-specific summary of present values (pure)."""
        return {}

    def absorb(self, part: dict[str, Any]) -> None:
        """Adds a type-specific summary."""

    def merge(self, other: _Attribute) -> None:
        """Adds the counts of an accumulator of the records after this one's; subclasses merge the rest."""
        self.count += other.count
        self.missing += other.missing
        self.invalid += other.invalid

    def result(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "count": self.count, "missing": self.missing,
                "invalid": self.invalid}


class _Numeric(_Attribute):
    def __init__(self, name: str, kind: str, sample_size: int) -> None:
        super().__init__(name, kind)
        self.sample_size = sample_size
        self.sample = np.empty(0)
        self.priority = np.empty(0, dtype=np.uint64)
        self.mean = self.m2 = 0.0  # of the values divided by self.scale (a power of two)
        self.scale = 1.0
        self.folded = 0  # values in mean and m2
        self.parts: list[tuple[int, float, float, float]] = []  # per chunk (n, mean, M2, scale), for merging
        self.low, self.high = np.inf, -np.inf
        self.distinct = DistinctSketch()

    def summarize(self, values: np.ndarray, positions: np.ndarray) -> dict[str, Any]:
        values = np.asarray(values, dtype=np.float64)
        if not len(values):
            return {}
        distinct = pd.unique(values + 0.0)  # + 0.0 makes -0.0 equal 0.0
        priority = mix64(np.asarray(positions, dtype=np.uint64) ^ np.uint64(0x5EED))
        if len(values) > self.sample_size:  # only a chunk's own smallest priorities can be among the whole's
            keep = np.argpartition(priority, self.sample_size)[: self.sample_size]
            sample, priority = values[keep], priority[keep]
        else:
            sample = values
        return {"moments": _chunk_moments(values), "low": values.min(), "high": values.max(),
                "distinct": mix64(distinct.view(np.uint64)), "sample": sample, "priority": priority}

    def absorb(self, part: dict[str, Any]) -> None:
        if "moments" not in part:
            return
        self._fold(*part["moments"])
        self.low, self.high = min(self.low, part["low"]), max(self.high, part["high"])
        self.distinct.add(part["distinct"])
        self._sample(part["sample"], part["priority"])

    def _sample(self, values: np.ndarray, priority: np.ndarray) -> None:
        """Keeps the values of the smallest priorities (distinct: one value per record and attribute)."""
        self.sample = np.concatenate((self.sample, values))
        self.priority = np.concatenate((self.priority, priority))
        if len(self.sample) > self.sample_size:
            keep = np.argpartition(self.priority, self.sample_size)[: self.sample_size]
            self.sample, self.priority = self.sample[keep], self.priority[keep]

    def merge(self, other: _Attribute) -> None:
        assert isinstance(other, _Numeric)
        super().merge(other)
        for part in other.parts:
            self._fold(*part)
        self.low, self.high = min(self.low, other.low), max(self.high, other.high)
        self.distinct.merge(other.distinct)
        self._sample(other.sample, other.priority)

    def _moments(self, values: np.ndarray) -> None:
        """One chunk's (n, mean, M2), in units of the power of two at least its largest magnitude, folded in."""
        self._fold(*_chunk_moments(values))

    def _fold(self, n_b: int, mean_b: float, m2_b: float, scale_b: float) -> None:
        """Chan et al.'s pairwise combination of (n, mean, M2); stable for any chunking, in scaled units.

        The part is kept so that a merge folds the same parts in the same order: the same bits.
        """
        self.parts.append((n_b, mean_b, m2_b, scale_b))
        if scale_b > self.scale:
            ratio = self.scale / scale_b
            self.mean, self.m2, self.scale = self.mean * ratio, self.m2 * ratio * ratio, scale_b
        ratio = scale_b / self.scale  # a power of two: exact
        mean_b, m2_b = mean_b * ratio, m2_b * ratio * ratio
        n_a = self.folded
        total = n_a + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / total
        self.m2 += m2_b + delta * delta * n_a * n_b / total
        self.folded = total

    def _unscaled(self, values: np.ndarray) -> np.ndarray:
        """Values computed on the sample divided by the scale, brought back and kept within [min, max]."""
        with np.errstate(over="ignore"):
            return np.clip(values * self.scale, self.low, self.high)

    def quantiles(self) -> list[float]:
        if not len(self.sample):
            return []
        return [float(q) for q in self._unscaled(np.quantile(self.sample / self.scale, QUANTILE_POINTS))]

    def histogram(self) -> dict[str, list]:
        """Equal-width bins over [min, max]; counts scaled from the sample when it is not the whole column."""
        if not self.count:
            return {"edges": [], "counts": []}
        if np.isfinite(self.high - self.low):
            counts, edges = np.histogram(self.sample, bins=HISTOGRAM_BINS, range=(self.low, self.high))
        else:  # a range wider than the largest float: bin the scaled values
            low, high = self.low / self.scale, self.high / self.scale
            counts, edges = np.histogram(self.sample / self.scale, bins=HISTOGRAM_BINS, range=(low, high))
            edges = self._unscaled(edges)
        scaled = np.round(counts * (self.count / len(self.sample))).astype(int)
        return {"edges": [float(edge) for edge in edges], "counts": [int(c) for c in scaled]}

    def result(self) -> dict[str, Any]:
        empty = self.count == 0
        return {**super().result(), "min": None if empty else float(self.low),
                "max": None if empty else float(self.high),
                "mean": None if empty else float(np.clip(self.mean * self.scale, self.low, self.high)),
                "std": None if empty else self._std(), "distinct": self.distinct.estimate(),
                "quantiles": self.quantiles()}

    def _std(self) -> float:
        """The sample standard deviation; the largest float where it would pass it (values near ±1.8e308)."""
        if self.count < 2:
            return 0.0
        with np.errstate(over="ignore"):
            return float(min(np.sqrt(self.m2 / (self.count - 1)) * self.scale, np.finfo(np.float64).max))


def _chunk_moments(values: np.ndarray) -> tuple[int, float, float, float]:
    """(n, mean, M2, scale) of a chunk's values divided by the power of two at least their largest magnitude."""
    largest = float(np.abs(values).max())
    exponent = min(int(np.frexp(largest)[1]), 1023) if largest > 0 else 0
    scale = max(float(np.ldexp(1.0, exponent)), 1.0)
    values = values / scale
    mean = float(values.mean())
    return len(values), mean, float(((values - mean) ** 2).sum()), scale


class _Binary(_Attribute):
    def __init__(self, name: str, kind: str) -> None:
        super().__init__(name, kind)
        self.true = 0

    def summarize(self, values: np.ndarray, positions: np.ndarray) -> dict[str, Any]:
        return {"true": int((np.asarray(values, dtype=np.float64) == 1.0).sum())}

    def absorb(self, part: dict[str, Any]) -> None:
        self.true += part["true"]

    def merge(self, other: _Attribute) -> None:
        assert isinstance(other, _Binary)
        super().merge(other)
        self.true += other.true

    def result(self) -> dict[str, Any]:
        return {**super().result(), "true": self.true, "false": self.count - self.true}


class _Categorical(_Attribute):
    def __init__(self, name: str, kind: str, cap: int) -> None:
        super().__init__(name, kind)
        self.counter = Counter(cap)
        self.distinct = DistinctSketch()

    def summarize(self, values, positions: np.ndarray) -> dict[str, Any]:
        fresh = count_values(values)
        return {"counts": fresh, "hashes": _string_hashes(fresh.index)}

    def absorb(self, part: dict[str, Any]) -> None:
        self.counter.add_counts(part["counts"])
        self.distinct.add(part["hashes"])

    def merge(self, other: _Attribute) -> None:
        assert isinstance(other, _Categorical)
        super().merge(other)
        self.counter.merge(other.counter)
        self.distinct.merge(other.distinct)

    def result(self) -> dict[str, Any]:
        return {**super().result(), "distinct": self.distinct.estimate(), "top": self.counter.top(TOP_CATEGORIES)}


class _Text(_Attribute):
    """Tokens are whitespace-separated pieces, as Amazon ML tokenises TEXT."""

    def __init__(self, name: str, kind: str, cap: int) -> None:
        super().__init__(name, kind)
        self.tokens = 0
        self.counter = Counter(cap)
        self.distinct = DistinctSketch()

    def summarize(self, values, positions: np.ndarray) -> dict[str, Any]:
        counted = _count_arrow_tokens(values)
        if counted is None:  # one join and one split in C instead of a split per row
            tokens = " ".join(map(str, np.asarray(values, dtype=object).tolist())).split()
            counted = len(tokens), count_values(np.array(tokens, dtype=object))
        return {"tokens": counted[0], "counts": counted[1], "hashes": _string_hashes(counted[1].index)}

    def absorb(self, part: dict[str, Any]) -> None:
        self.tokens += part["tokens"]
        self.counter.add_counts(part["counts"])
        self.distinct.add(part["hashes"])

    def merge(self, other: _Attribute) -> None:
        assert isinstance(other, _Text)
        super().merge(other)
        self.tokens += other.tokens
        self.counter.merge(other.counter)
        self.distinct.merge(other.distinct)

    def result(self) -> dict[str, Any]:
        mean = self.tokens / self.count if self.count else 0.0
        return {**super().result(), "tokens": self.tokens, "distinct_tokens": self.distinct.estimate(),
                "mean_tokens": mean, "top": self.counter.top(TOP_TOKENS)}


def _arrow_counts(array) -> pd.Series:
    """Value -> count of an arrow array in order of first appearance (arrow's hash kernel), Python-string keys."""
    import pyarrow.compute as pc

    counted = pc.value_counts(array.drop_null())  # missing values are not counted, as in pandas
    keys = counted.field("values").to_numpy(zero_copy_only=False)
    counts = counted.field("counts").to_numpy().astype(np.int64)
    return pd.Series(counts, index=pd.Index(keys, dtype=object), name="count")


def _count_arrow_tokens(values) -> tuple[int, pd.Series] | None:
    """(tokens, token -> count) of ASCII arrow text split by pyarrow, as str.split() counts them.

    pyarrow's ASCII whitespace is bytes 9-13 and 32; str.split() also splits
    on 28-31, so text holding those (or any non-ASCII byte) is left to the
    other paths (None). Runs of blanks and blank edges give empty pieces,
    which are not tokens.
    """
    from .arrow_strings import arrow_text, string_buffers

    array = arrow_text(values)
    stored = string_buffers(array) if array is not None else None
    if stored is None:
        return None
    present = np.bincount(stored[0], minlength=256)
    if present[28:32].any() or present[0x80:].any():
        return None
    import pyarrow.compute as pc

    pieces = pc.list_flatten(pc.ascii_split_whitespace(array))
    tokens = pieces.filter(pc.greater(pc.binary_length(pieces), 0))
    return len(tokens), _arrow_counts(tokens)


def _column(values: pd.Series):
    """A column as the attributes take it: numbers as numpy, text as its pandas array (never copied to objects)."""
    if values.dtype == object or values.dtype.kind in "fiub":
        return values.to_numpy()
    return values.array


def _string_hashes(values: pd.Index) -> np.ndarray:
    """pandas' hashes of the values as strings; values that already are strings skip the round trip through
    a string column (the same strings, so the same hashes)."""
    if not len(values):
        return np.empty(0, dtype=np.uint64)
    keys = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(keys, skipna=False) != "string":
        keys = np.asarray(values.astype(str), dtype=object)
    return pd.util.hash_array(keys, categorize=False)


class StatisticsAccumulator:
    """Statistics of the valid records of a data source, updated one chunk at a time."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.rows = 0
        self.invalid_rows = 0
        kinds = [attribute.type for attribute in schema.attributes]
        sample_size = int(np.clip(_SAMPLE_BUDGET // max(kinds.count("NUMERIC"), 1), 2_000, 100_000))
        cap = int(np.clip(_COUNTER_BUDGET // max(kinds.count("CATEGORICAL") + kinds.count("TEXT"), 1),
                          2 * TOP_CATEGORIES, 100_000))
        self.attributes: list[_Attribute] = []
        for attribute in schema.attributes:
            name, kind = attribute.name, attribute.type
            if kind == "NUMERIC":
                self.attributes.append(_Numeric(name, kind, sample_size))
            elif kind == "BINARY":
                self.attributes.append(_Binary(name, kind))
            elif kind == "CATEGORICAL":
                self.attributes.append(_Categorical(name, kind, cap))
            else:
                self.attributes.append(_Text(name, kind, cap))

    def update(self, chunk: Chunk) -> None:
        """Add a chunk read with or without keep_invalid; invalid records only count as such."""
        self.take(self.digest(chunk))

    def digest(self, chunk: Chunk) -> dict[str, Any]:
        """What a chunk adds, computed without changing the accumulator: any thread may digest, while
        `take` adds the digests in data order (what `parallel.ordered_map` gives)."""
        valid = np.asarray(chunk.valid, dtype=bool)
        frame = chunk.frame if valid.all() else chunk.frame[valid]
        positions = np.asarray(chunk.positions)[valid] if not valid.all() else np.asarray(chunk.positions)
        parts = [attribute.digest(_column(frame[attribute.name]), chunk.invalid_counts.get(attribute.name, 0),
                                  positions) for attribute in self.attributes]
        return {"invalid_rows": chunk.dropped + int((~valid).sum()), "rows": len(frame), "attributes": parts}

    def take(self, digest: dict[str, Any]) -> None:
        self.invalid_rows += digest["invalid_rows"]
        self.rows += digest["rows"]
        for attribute, part in zip(self.attributes, digest["attributes"], strict=True):
            attribute.take(part)

    def merge(self, other: StatisticsAccumulator) -> StatisticsAccumulator:
        """Adds an accumulator of the records that follow this one's (same schema); returns self.

        Merging the accumulators of consecutive parts in order gives the accumulator of the whole: the same
        result document, except counters pruned on either side (see the module docstring).
        """
        if other.schema.attributes != self.schema.attributes:
            raise ValueError("statistics of different schemas cannot be merged")
        self.rows += other.rows
        self.invalid_rows += other.invalid_rows
        for mine, theirs in zip(self.attributes, other.attributes, strict=True):
            mine.merge(theirs)
        return self

    def result(self) -> dict[str, Any]:
        """The JSON-serialisable statistics document."""
        return {"version": 1, "rows": self.rows, "invalid_rows": self.invalid_rows, "target": self.schema.target,
                "attributes": [attribute.result() for attribute in self.attributes],
                "target_distribution": self._target_distribution()}

    def _target_distribution(self) -> dict[str, Any] | None:
        target = next((a for a in self.attributes if a.name == self.schema.target), None)
        if isinstance(target, _Binary):
            return {"0": target.count - target.true, "1": target.true}
        if isinstance(target, _Categorical):
            return dict(target.counter.top(target.counter.cap))
        if isinstance(target, _Numeric):
            return {"histogram": target.histogram()}
        return None
