"""DataRearrangement: which records of the data a data source keeps.

Grammar (the Developer Guide's, plus the forms seen in the wild):
    {"splitting": {"percentBegin": 0..100, "percentEnd": 0..100,
                   "complement": true|false|"true"|"false",
                   "strategy": "sequential"|"random",
                   "strategyParams": {"randomSeed": "<any string>"}}}
`randomSeed` may also sit directly in "splitting" (botocore's doc string).
Both percentages absent means all rows; one absent defaults to 0 or 100.
A record is kept when its number r (its position for sequential, a hash for
random) satisfies begin <= r < end, so [0, 70) and [70, 100) partition the
data and the complement of a range is exactly the rows outside it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

STRATEGIES = ("sequential", "random")
_SPLITTING_KEYS = ("percentBegin", "percentEnd", "complement", "strategy", "strategyParams", "randomSeed")


class RearrangementError(ValueError):
    """The DataRearrangement text is not valid; the message names the member at fault."""


@dataclass(frozen=True)
class Rearrangement:
    begin: float
    end: float
    complement: bool
    strategy: str
    seed: str

    @property
    def needs_total(self) -> bool:
        """Sequential splits need the record count before the first record can be placed."""
        return self.strategy == "sequential"


def parse_rearrangement(text: str | None) -> Rearrangement | None:
    """Parse DataRearrangement JSON; None (or blank) means every record is used."""
    if text is None or not text.strip():
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise RearrangementError(f"DataRearrangement is not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise RearrangementError("DataRearrangement must be a JSON object")
    unknown = [key for key in document if key != "splitting"]
    if unknown:
        raise RearrangementError(f"DataRearrangement has unknown key(s) {', '.join(map(repr, unknown))}; "
                                 "only 'splitting' is allowed")
    splitting = document.get("splitting", {})
    if not isinstance(splitting, dict):
        raise RearrangementError("DataRearrangement 'splitting' must be a JSON object")
    return _splitting(splitting)


def _splitting(splitting: dict[str, Any]) -> Rearrangement:
    unknown = [key for key in splitting if key not in _SPLITTING_KEYS]
    if unknown:
        raise RearrangementError(f"splitting has unknown key(s) {', '.join(map(repr, unknown))}; "
                                 f"allowed: {', '.join(_SPLITTING_KEYS)}")
    begin = _percent(splitting, "percentBegin", 0.0)
    end = _percent(splitting, "percentEnd", 100.0)
    if begin > end:
        raise RearrangementError(f"percentBegin ({_show(begin)}) must not be greater than percentEnd ({_show(end)})")
    strategy = splitting.get("strategy", "sequential")
    if strategy not in STRATEGIES:
        raise RearrangementError(f'strategy must be "sequential" or "random", not {json.dumps(strategy)}')
    return Rearrangement(begin=begin, end=end, complement=_complement(splitting), strategy=strategy,
                         seed=_seed(splitting))


def _percent(splitting: dict[str, Any], key: str, default: float) -> float:
    value = splitting.get(key, default)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise RearrangementError(f"{key} must be a number from 0 to 100, not {json.dumps(value)}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise RearrangementError(f"{key} must be a number from 0 to 100, not {json.dumps(value)}")
    return float(value)


def _show(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _complement(splitting: dict[str, Any]) -> bool:
    value = splitting.get("complement", False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise RearrangementError(f"complement must be true or false, not {json.dumps(value)}")


def _seed(splitting: dict[str, Any]) -> str:
    params = splitting.get("strategyParams", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise RearrangementError("strategyParams must be a JSON object such as {\"randomSeed\": \"s\"}")
    unknown = [key for key in params if key != "randomSeed"]
    if unknown:
        raise RearrangementError(f"strategyParams has unknown key(s) {', '.join(map(repr, unknown))}; "
                                 "only 'randomSeed' is allowed")
    if "randomSeed" in params and "randomSeed" in splitting:
        raise RearrangementError("randomSeed is given both in splitting and in strategyParams; give it once")
    seed = params.get("randomSeed", splitting.get("randomSeed", ""))
    if isinstance(seed, bool) or not isinstance(seed, str | int | float):
        raise RearrangementError(f"randomSeed must be a string, not {json.dumps(seed)}")
    return str(seed)


def selection_mask(
    rearrangement: Rearrangement | None,
    *,
    row_positions: np.ndarray,
    total_rows: int | None,
    file_indexes: np.ndarray | int,
    line_numbers: np.ndarray,
) -> np.ndarray:
    """Which of these records the data source keeps.

    row_positions: 0-based record numbers over the whole data (sequential);
    file_indexes and line_numbers identify each record for the random draw,
    so the draw does not depend on how the data was chunked.
    """
    count = len(line_numbers)
    if rearrangement is None:
        return np.ones(count, dtype=bool)
    if rearrangement.strategy == "sequential":
        if total_rows is None:
            raise ValueError("a sequential split needs total_rows")
        # position as a percentage, compared without rounding: 100*p < end*total
        score = np.asarray(row_positions, dtype=np.float64) * 100.0 / max(total_rows, 1)
    else:
        score = random_percent(rearrangement.seed, file_indexes, line_numbers)
    kept = (score >= rearrangement.begin) & (score < rearrangement.end)
    return ~kept if rearrangement.complement else kept


def random_percent(seed: str, file_indexes: np.ndarray | int, line_numbers: np.ndarray) -> np.ndarray:
    """A number in [0, 100) per record, a pure function of (seed, file index, line number)."""
    salt = np.uint64(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "little"))
    files = np.broadcast_to(np.asarray(file_indexes, dtype=np.uint64), np.shape(line_numbers))
    mixed = mix64(mix64(files ^ salt) ^ np.asarray(line_numbers, dtype=np.uint64))
    # the top 53 bits give a uniform double in [0, 1)
    return (mixed >> np.uint64(11)).astype(np.float64) * (100.0 / float(1 << 53))


def mix64(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijection on uint64 whose output bits look independent (wraps mod 2**64)."""
    with np.errstate(over="ignore"):
        z = np.asarray(values, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))
