"""Readable names for a model's hashed feature columns, and the features that weigh most per class.

A column is a hash, so its name is known only for values we can enumerate:
every bin of a ``quantile_bin``, both values of a BINARY variable, the
number column of a NUMERIC output, and the categories and words the
training statistics list as most frequent (with word pairs and crosses of
those). Each candidate is hashed exactly as the featurizer hashes it
(``export.py`` describes the rule); a column no candidate reaches is
"hashed feature N".
"""

from __future__ import annotations

import itertools
import string
from typing import Any

import numpy as np
import pandas as pd

from aml_cli.ml import hashing, transforms
from aml_cli.ml.export import MARKERS, ExportError, mode_of
from aml_cli.ml.recipe import BINARY, TEXT, TEXT_OPS, Apply, Var

MAX_CROSS = 50_000  # candidate pairs tried for a cartesian output
MAX_PAIR_WORDS = 100  # frequent words combined into pairs (ngram, osb)

Known = list[tuple[int, str]]  # (value hash, label)


def feature_names(featurizer: Any, statistics: dict) -> dict[int, tuple[str, str]]:
    """column -> (readable name, recipe output) for every column a known value reaches; first name wins."""
    stats = {item["name"]: item for item in statistics.get("attributes", [])}
    names: dict[int, tuple[str, str]] = {featurizer.bias_index: ("(bias)", "")}
    for out in featurizer.recipe.outputs:
        seed = hashing.tag(out.name)
        if mode_of(out.expr, featurizer.recipe.variables) == "number":
            column = int(hashing.to_columns(np.atleast_1d(hashing.combine(seed, MARKERS["number"])),
                                            featurizer.hash_bits)[0])
            names.setdefault(column, (_number_label(out.expr, featurizer), out.name))
            continue
        known = _known(out.expr, featurizer, stats)
        if not known:
            continue
        hashes = np.array([h for h, _ in known], dtype=np.uint64)
        columns = hashing.to_columns(hashing.combine(seed, hashes), featurizer.hash_bits).tolist()
        for column, (_, label) in zip(columns, known, strict=True):
            names.setdefault(int(column), (label, out.name))
    return names


def _number_label(expr: Var | Apply, featurizer: Any) -> str:
    if isinstance(expr, Var):
        return f"{expr.name} / {featurizer.fitted[str(expr)]['scale']:.6g}"
    fit = featurizer.fitted[str(expr)]
    std = float(fit["std"]) if np.isfinite(float(fit["std"])) and float(fit["std"]) > 0 else 1.0
    return f"({expr.args[0].name} - {float(fit['mean']):.6g}) / {std:.6g}"


def _known(expr: Var | Apply, featurizer: Any, stats: dict[str, dict]) -> Known:
    """(value hash, label) of the values of `expr` that can be enumerated, as the featurizer hashes them."""
    variables = featurizer.recipe.variables
    if isinstance(expr, Var) or expr.func in TEXT_OPS:
        return _variable_values(expr, variables, stats)
    if expr.func == "quantile_bin":
        return _bins(expr, featurizer)
    if expr.func in ("ngram", "osb"):
        return _pairs(expr, featurizer, stats)
    if expr.func == "cartesian":
        left, right = (_known(arg, featurizer, stats) for arg in expr.args)
        if len(left) * len(right) > MAX_CROSS:
            return []
        pairs = [(a, b) for a in left for b in right]
        inner = hashing.combine(MARKERS["cartesian"], np.array([a[0] for a, _ in pairs], dtype=np.uint64))
        folded = hashing.combine(inner, np.array([b[0] for _, b in pairs], dtype=np.uint64))
        return [(int(h), f"{a[1]} and {b[1]}") for h, (a, b) in zip(folded.tolist(), pairs, strict=True)]
    raise ExportError(f"the recipe uses the transformation {expr.func!r}, which aml cannot name")


def _variable_values(expr: Var | Apply, variables: dict[str, str], stats: dict[str, dict]) -> Known:
    ops, name = _chain(expr)
    kind = variables[name]
    missing = (int(MARKERS["missing"]), f"{name} missing")
    if kind == BINARY:
        return [*_hashed(["0", "1"], [f"{name} = 0", f"{name} = 1"]), missing]
    top = [str(item[0]) for item in stats.get(name, {}).get("top", [])]
    if kind == TEXT:
        words = _clean_words(top, ops)
        return _hashed(words, [f'word "{w}" in {name}' for w in words])
    values = pd.Series(top, dtype=object)
    if "lowercase" in ops:
        values = transforms.lowercase(values)
    if "no_punct" in ops:
        values = transforms.no_punct(values)
    unique = values.drop_duplicates().tolist()
    return [*_hashed(unique, [f"{name} = {v}" for v in unique]), missing]


def _clean_words(tokens: list[str], ops: set[str]) -> list[str]:
    words = [t.lower() if "lowercase" in ops else t for t in tokens]
    if "split_punct" in ops:
        words = [w for t in transforms.split_punct(pd.Series(words, dtype=object)) for w in t.split()]
    if "no_punct" in ops:
        words = [w.strip(string.punctuation) for w in words]
    return list(dict.fromkeys(w for w in words if w))


def _hashed(values: list[str], labels: list[str]) -> Known:
    return list(zip(hashing.hash_strings(values).tolist(), labels, strict=True)) if values else []


def _bins(expr: Apply, featurizer: Any) -> Known:
    bounds = featurizer.arrays[featurizer.fitted[str(expr)]["bins"]]
    name = expr.args[0].name
    if len(bounds) == 0:
        labels = [f"{name} (any value)"]
    else:
        labels = [f"{name} < {bounds[0]:.6g}"]
        labels += [f"{name} in [{lo:.6g}, {hi:.6g})" for lo, hi in itertools.pairwise(bounds)]
        labels.append(f"{name} >= {bounds[-1]:.6g}")
    return [*_hashed([str(i) for i in range(len(bounds) + 1)], labels),
            (int(MARKERS["missing"]), f"{name} missing")]


def _pairs(expr: Apply, featurizer: Any, stats: dict[str, dict]) -> Known:
    """Single words (ngram) and pairs of frequent words, adjacent (ngram) or d words apart (osb)."""
    ops, var = _chain(expr.args[0])
    words = _clean_words([str(item[0]) for item in stats.get(var, {}).get("top", [])], ops)
    found: Known = _hashed(words, [f'word "{w}" in {var}' for w in words]) if expr.func == "ngram" else []
    top = words[:MAX_PAIR_WORDS]
    if not top:
        return found
    hashes = hashing.hash_strings(top)
    first, second = np.repeat(hashes, len(top)), np.tile(hashes, len(top))
    pairs = [(a, b) for a in top for b in top]
    if expr.func == "ngram":
        folded = hashing.combine(MARKERS["ngram"], hashing.combine(first, second))
        return found + [(int(h), f'words "{a} {b}" in {var}') for h, (a, b) in zip(folded.tolist(), pairs, strict=True)]
    for d in range(1, expr.param):
        folded = hashing.combine(hashing.combine(hashing.combine(MARKERS["osb"], d), first), second)
        gap = " " + "… " * (d - 1) if d > 1 else " "
        found += [(int(h), f'words "{a}{gap}{b}" in {var}') for h, (a, b) in zip(folded.tolist(), pairs, strict=True)]
    return found


def _chain(expr: Var | Apply) -> tuple[set[str], str]:
    """(lowercase/no_punct/split_punct applied, variable name) of a chain ending at a variable."""
    ops: set[str] = set()
    while isinstance(expr, Apply):
        if expr.func not in TEXT_OPS:
            raise ExportError(f"{expr} is not a TEXT variable with {'/'.join(TEXT_OPS)}, which aml cannot name")
        ops.add(expr.func)
        expr = expr.args[0]
    return ops, expr.name


# ---- weights -----------------------------------------------------------------------------------------

def top_features(model: Any, names: dict[int, tuple[str, str]], count: int = 10) -> list[dict[str, Any]]:
    """Per class (or direction), the features whose weights push hardest toward it, by readable name.

    BINARY: positive weights push toward "1", negative toward "0". MULTICLASS: a
    feature's weight for a class minus its mean over the classes (softmax only
    sees differences). REGRESSION: the weight times the target's scale, in the
    target's units, raising or lowering the prediction.
    """
    W = np.asarray(model.weights, dtype=np.float64).copy()
    W[model.featurizer.bias_index] = 0.0
    if model.model_type == "BINARY":
        groups = [("1", W[:, 0]), ("0", -W[:, 0])]
    elif model.model_type == "MULTICLASS":
        centered = W - W.mean(axis=1, keepdims=True)
        groups = [(label, centered[:, i]) for i, label in enumerate(model.labels)]
    else:
        scaled = W[:, 0] * model.target_scale
        groups = [("raises the prediction", scaled), ("lowers the prediction", -scaled)]
    return [{"class": label, "features": _strongest(push, names, count)} for label, push in groups]


def _strongest(push: np.ndarray, names: dict[int, tuple[str, str]], count: int) -> list[dict[str, Any]]:
    positive = np.flatnonzero(push > 0)
    order = positive[np.argsort(-push[positive], kind="stable")][:count]
    return [{"feature": names.get(int(c), (f"hashed feature {int(c)}", ""))[0], "column": int(c),
             "weight": float(push[c])} for c in order]
