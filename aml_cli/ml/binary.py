"""BINARY attribute values: the one rule shared by reading, statistics, training and prediction.

Amazon ML accepts 0/n/no/f/false and 1/y/yes/t/true, case-insensitive, with
surrounding whitespace ignored, and any mix of them in one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where columns are parsed: one Predict record needs neither
    import numpy as np
    import pandas as pd

FALSE_WORDS = ("0", "n", "no", "f", "false")
TRUE_WORDS = ("1", "y", "yes", "t", "true")
_VALUE_OF = {**dict.fromkeys(FALSE_WORDS, 0.0), **dict.fromkeys(TRUE_WORDS, 1.0)}


@dataclass(frozen=True)
class BinaryColumn:
    """0/1 floats with NaN where the value is missing or invalid; `invalid` marks the latter."""

    values: np.ndarray
    invalid: np.ndarray


def parse_binary(column: pd.Series) -> BinaryColumn:
    """Map a column of raw strings to 0.0/1.0; empty or NA is missing, anything else unknown is invalid.

    Works on the distinct values only (a BINARY column has few), then maps
    codes back, so the cost per row is one factorize and one take.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    words = pd.Index(uniques, dtype=object).astype(str).str.strip().str.lower()
    mapped = np.array([_VALUE_OF.get(word, np.nan) for word in words], dtype=np.float64)
    blank = np.asarray(words == "", dtype=bool)
    bad = np.isnan(mapped) & ~blank
    # index -1 (NA) lands on the appended sentinel: missing, not invalid
    lookup_value = np.append(mapped, np.nan)
    lookup_bad = np.append(bad, False)
    return BinaryColumn(values=lookup_value[codes], invalid=lookup_bad[codes])


def binary_from_scalar(value: object) -> float:
    """One value (e.g. a real-time Predict record field): 0.0, 1.0, or NaN when missing or unknown."""
    if value is None:
        return float("nan")
    return _VALUE_OF.get(str(value).strip().lower(), float("nan"))
