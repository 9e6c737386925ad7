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

TEXT (undocumented by the service; aml's choice), per TEXT attribute from
its statistics: lower-cased, with edge punctuation stripped, as single
words — ``lowercase(no_punct(x))`` — unless the vocabulary is so small that
every possible word pair is expected at least 100 times
(``tokens >= 100 * distinct_tokens ** 2``); only then word pairs are added
too, ``ngram(lowercase(no_punct(x)),2)``. Pairs keep short phrases ("not
good") that single words lose, but on a large vocabulary they are
hundreds of thousands of rare features whose noise costs more than they
add in ten passes. When every TEXT attribute gets the same treatment the
output is written over ``ALL_TEXT``; otherwise each treatment gets a group
(``TEXT_VARS_NGRAM_1``, ``TEXT_VARS_NGRAM_2``).

The target, the rowId, the weight and excluded attributes are never inputs,
so they never appear. A schema without any input gets ``ALL_INPUTS`` alone.
"""

from __future__ import annotations

import json
from typing import Any

BIN_CHOICES = (10, 20, 50, 100, 200, 500)
MIN_VALUES_PER_BIN = 500
MIN_DISTINCT_PER_BIN = 2
MIN_PAIR_OCCURRENCES = 100  # expected occurrences of each possible word pair before pairs become features


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
    texts: dict[int, list[str]] = {}
    for name, kind in inputs:
        if kind == "TEXT":
            texts.setdefault(ngram_size(stats.get(name, {})), []).append(name)
    outputs += _text_outputs(texts, groups)
    document = {"groups": groups, "assignments": {}, "outputs": outputs or ["ALL_INPUTS"]}
    return json.dumps(document, indent=2) + "\n"


def ngram_size(attribute_statistics: dict[str, Any]) -> int:
    """2 (words and word pairs) for a TEXT attribute whose vocabulary is small enough, else 1 (words)."""
    tokens = attribute_statistics.get("tokens")
    distinct = attribute_statistics.get("distinct_tokens")
    if not isinstance(tokens, int | float) or not isinstance(distinct, int | float) or distinct < 1:
        return 1
    return 2 if tokens >= MIN_PAIR_OCCURRENCES * distinct * distinct else 1


def _text_outputs(texts: dict[int, list[str]], groups: dict[str, str]) -> list[str]:
    """One output per n-gram size, over ALL_TEXT when all TEXT attributes share it (adds groups otherwise)."""
    if len(texts) == 1:
        return [_text_output("ALL_TEXT", next(iter(texts)))]
    outputs = []
    for n, names in sorted(texts.items()):
        groups[f"TEXT_VARS_NGRAM_{n}"] = _group(names)
        outputs.append(_text_output(f"TEXT_VARS_NGRAM_{n}", n))
    return outputs


def _text_output(variable: str, n: int) -> str:
    words = f"lowercase(no_punct({variable}))"
    return words if n == 1 else f"ngram({words},{n})"


def _group(names: list[str]) -> str:
    return "group(" + ",".join(_quote(name) for name in names) + ")"


def _quote(name: str) -> str:
    """Single quotes as the service wrote them; backslash escapes a quote or backslash inside."""
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"
