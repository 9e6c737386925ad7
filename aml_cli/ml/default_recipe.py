"""The suggested recipe used when CreateMLModel gets none.

Written the way the service wrote its suggestions: numeric inputs grouped by
the bin count chosen for them (``NUMERIC_VARS_QB_<n>`` = ``group('a','b')``)
and quantile-binned per group; BINARY and CATEGORICAL inputs as they are.

Bin count per NUMERIC attribute (the service's rule was never published):
the largest of 10, 20, 50, 100, 200, 500 that leaves on average at least
two distinct values and 500 present values per bin, and never fewer than
10 — ``min(distinct / 2, present / 500)`` rounded down to that list. Few
distinct values or few rows give coarse bins (each bin is then estimated
from enough rows); large varied data gets fine ones. 500 rows per bin, not
fewer, because a MULTICLASS model estimates one weight per class in every
bin: with 100 rows per bin, validation splits of benchmarks/training.py's
training files showed a worse log loss for MULTICLASS and REGRESSION and no
gain for BINARY.

Each NUMERIC input is also given as its standardised value,
``normalize(ALL_NUMERIC)`` ((x - mean) / deviation from the statistics,
missing as 0): bins alone lose what a raw number keeps (a straight line
through 10 bins is a staircase; issue 16 measured `diabetes` at 10% above
Ridge's RMSE and a generated linear set 12% above), and the number alone
misses a curve; both together let the model fit either. On validation folds
of the benchmark's training files it lowered the RMSE of every REGRESSION set
and the log loss of most BINARY ones.

TEXT (undocumented by the service; aml's choice): lower-cased, every ASCII
punctuation character read as a space (aml's ``split_punct``), as words and
word pairs — ``ngram(lowercase(split_punct(ALL_TEXT)),2)``. Pairs keep short
phrases ("not good") that single words lose; on the text sets of the
benchmark they raised the validation AUC (reviews 0.811 -> 0.827 with the
same learner). Splitting at punctuation, as scikit-learn's CountVectorizer
does, makes words of what the service's ``no_punct`` keeps whole: a link
(``https://t.co/x7Gq`` is ``https t co x7gq``: every linked message shares
"https" and "t co" where ``no_punct`` gave each its own unique token), a
hyphenation, a path. On validation folds of the benchmark's training files:
trump_android AUC 0.9372 -> 0.9538 and log loss 0.321 -> 0.275; reviews,
bird_strikes, tate_year, loans within 0.001 of the AUC / 0.1% of the RMSE /
0.002 of the macro F1 they had; nace_section macro F1 0.747 -> 0.739 with a
lower log loss (0.721 -> 0.704).

The target, the rowId, the weight and excluded attributes are never inputs,
so they never appear. A schema without any input gets ``ALL_INPUTS`` alone.
"""

from __future__ import annotations

import json
from typing import Any

BIN_CHOICES = (10, 20, 50, 100, 200, 500)
MIN_VALUES_PER_BIN = 500
MIN_DISTINCT_PER_BIN = 2
TEXT_NGRAM = 2  # words and word pairs


def bin_count(attribute_statistics: dict[str, Any], rows: int) -> int:
    """Bins for one NUMERIC attribute from its statistics (see the module docstring)."""
    present = attribute_statistics.get("count")
    missing = attribute_statistics.get("missing") or 0
    if not isinstance(present, int | float):
        present = max(rows - missing, 0)
    distinct = attribute_statistics.get("distinct")
    if not isinstance(distinct, int | float):
        distinct = present
    capacity = min(distinct / MIN_DISTINCT_PER_BIN, present / MIN_VALUES_PER_BIN)
    fitting = [n for n in BIN_CHOICES if n <= capacity]
    return fitting[-1] if fitting else BIN_CHOICES[0]


def default_recipe(schema: Any, statistics: dict) -> str:
    """The suggested recipe's JSON text for ``schema`` (an ml.schema.Schema) and its statistics."""
    inputs = [(attribute.name, attribute.type) for attribute in schema.input_attributes]
    stats = {item.get("name"): item for item in statistics.get("attributes", [])}
    rows = int(statistics.get("rows") or 0)
    by_bins: dict[int, list[str]] = {}
    for name, kind in inputs:
        if kind == "NUMERIC":
            by_bins.setdefault(bin_count(stats.get(name, {}), rows), []).append(name)
    kinds = {kind for _, kind in inputs}
    groups = {f"NUMERIC_VARS_QB_{n}": _group(names) for n, names in sorted(by_bins.items())}
    outputs = [name for name, kind in (("ALL_BINARY", "BINARY"), ("ALL_CATEGORICAL", "CATEGORICAL")) if kind in kinds]
    outputs += [f"quantile_bin(NUMERIC_VARS_QB_{n},{n})" for n in sorted(by_bins)]
    if by_bins:
        outputs.append("normalize(ALL_NUMERIC)")
    if "TEXT" in kinds:
        outputs.append(f"ngram(lowercase(split_punct(ALL_TEXT)),{TEXT_NGRAM})")
    document = {"groups": groups, "assignments": {}, "outputs": outputs or ["ALL_INPUTS"]}
    return json.dumps(document, indent=2) + "\n"


def _group(names: list[str]) -> str:
    return "group(" + ",".join(_quote(name) for name in names) + ")"


def _quote(name: str) -> str:
    """Single quotes as the service wrote them; backslash escapes a quote or backslash inside."""
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"
