"""A trained model as one documented JSON document (``aml export-ml-model``), and its readable feature names.

The document (format ``aml-model-export`` 1, described in docs/model-export.md)
holds everything needed to score a record without aml: each recipe output as
an expression tree with its fitted constants (bin boundaries, scales, means),
the hashing rule's constants, the bias and every non-zero weight by column,
with a readable name where one is known. The rule is the featurizer's own
(``features.py``, ``transforms.py``, ``hashing.py``); a test scores records
from the document alone and compares with ``predict``.

Built generically over the recipe's expressions: a transformation this
module does not know, or a featurizer format it was not written for, raises
``ExportError`` naming it instead of exporting something that scores wrongly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aml_cli.ml import features, hashing, transforms
from aml_cli.ml.recipe import CATEGORICAL, NUMERIC, TEXT, TEXT_OPS, Apply, Var

FORMAT = "aml-model-export"
VERSION = 1
FEATURIZER = (features.FORMAT, features.VERSION)  # the featurizer state this exporter was written for
# The fixed hashes the featurizer folds into feature hashes, by the name the document gives them.
MARKERS = {
    "missing": features._MISSING,
    "number": features._NUMBER,
    "ngram": transforms._NGRAM_TAG,
    "osb": transforms._OSB_TAG,
    "cartesian": transforms._CROSS_TAG,
}


class ExportError(Exception):
    """The model holds something this exporter cannot describe exactly; the message names it."""


def hex64(value: Any) -> str:
    return f"0x{int(value):016x}"


# ---- expressions -----------------------------------------------------------------------------------

def mode_of(expr: Var | Apply, variables: dict[str, str]) -> str:
    """How an expression contributes: one value per record (category), many (tokens), or a number."""
    if isinstance(expr, Var):
        kind = variables[expr.name]
        return {NUMERIC: "number", TEXT: "tokens"}.get(kind, "category")
    if expr.func in TEXT_OPS:
        return mode_of(_chain_end(expr), variables)
    if expr.func == "quantile_bin":
        return "category"
    if expr.func == "normalize":
        return "number"
    if expr.func in ("ngram", "osb"):
        return "tokens"
    if expr.func == "cartesian":
        return "category" if all(mode_of(a, variables) == "category" for a in expr.args) else "tokens"
    raise ExportError(f"the recipe uses the transformation {expr.func!r}, which aml export-ml-model cannot describe")


def _chain_end(expr: Var | Apply) -> Var:
    """The variable under a chain of lowercase/no_punct/split_punct; anything else under it cannot be exported."""
    node = expr
    while isinstance(node, Apply) and node.func in TEXT_OPS:
        node = node.args[0]
    if not isinstance(node, Var):
        raise ExportError(f"{expr} applies {'/'.join(TEXT_OPS)} to {node}, which aml export-ml-model cannot describe")
    return node


def _text_ops(expr: Var | Apply) -> set[str]:
    ops: set[str] = set()
    while isinstance(expr, Apply) and expr.func in TEXT_OPS:
        ops.add(expr.func)
        expr = expr.args[0]
    return ops


def describe_expression(expr: Var | Apply, featurizer: Any) -> dict[str, Any]:
    """One node of the document's expression tree, with the constants fitted for it."""
    variables = featurizer.recipe.variables
    mode = mode_of(expr, variables)
    if isinstance(expr, Var) or expr.func in TEXT_OPS:
        var = _chain_end(expr)
        ops = _text_ops(expr)
        node: dict[str, Any] = {"op": "variable", "variable": var.name, "type": variables[var.name], "mode": mode}
        if variables[var.name] in (TEXT, CATEGORICAL):
            node.update(lowercase="lowercase" in ops, no_punct="no_punct" in ops)
        if variables[var.name] == TEXT:
            node["split_punct"] = "split_punct" in ops
        if variables[var.name] == NUMERIC:
            node["scale"] = float(featurizer.fitted[str(var)]["scale"])
        return node
    if expr.func == "quantile_bin":
        bounds = featurizer.arrays[featurizer.fitted[str(expr)]["bins"]]
        return {"op": "quantile_bin", "mode": mode, "bins": expr.param, "boundaries": [float(b) for b in bounds],
                "arg": _raw_number(expr.args[0])}
    if expr.func == "normalize":
        fit = featurizer.fitted[str(expr)]
        std = float(fit["std"])
        return {"op": "normalize", "mode": mode, "mean": float(fit["mean"]),
                "std": std if np.isfinite(std) and std > 0 else 1.0, "arg": _raw_number(expr.args[0])}
    if expr.func in ("ngram", "osb"):
        return {"op": expr.func, "mode": mode, "n": expr.param, "arg": describe_expression(expr.args[0], featurizer)}
    return {"op": "cartesian", "mode": mode, "args": [describe_expression(a, featurizer) for a in expr.args]}


def _raw_number(expr: Var | Apply) -> dict[str, Any]:
    """The argument of quantile_bin and normalize: a NUMERIC variable's value as read (no scale)."""
    if not isinstance(expr, Var):
        raise ExportError(f"{expr} is not a NUMERIC variable as read, which aml export-ml-model cannot describe")
    return {"op": "variable", "variable": expr.name, "type": NUMERIC, "mode": "number"}


def _check_featurizer(featurizer: Any) -> None:
    state = featurizer.state()[0]
    if (state.get("format"), state.get("version")) != FEATURIZER:
        raise ExportError(f"the model's featurizer is {state.get('format')} version {state.get('version')}; "
                          f"aml export-ml-model describes {FEATURIZER[0]} version {FEATURIZER[1]} only")


# ---- the document ----------------------------------------------------------------------------------

def export_document(model: Any, *, names: dict[int, tuple[str, str]], threshold: float | None) -> dict[str, Any]:
    """The whole model as a JSON-able dict (see the module docstring and docs/model-export.md)."""
    import json

    featurizer = model.featurizer
    _check_featurizer(featurizer)
    outputs = [{"name": out.name, "type": out.type, "seed": hex64(hashing.tag(out.name)),
                "expression": describe_expression(out.expr, featurizer)} for out in featurizer.recipe.outputs]
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model_type": model.model_type,
        "classes": list(model.labels),
        "threshold": threshold,
        "target": {"name": model.schema.target, "mean": float(model.target_mean),
                   "scale": float(model.target_scale)},
        "schema": json.loads(model.schema.text),
        "recipe": model.recipe_text,
        "training_parameters": dict(model.parameters),
        "hashing": {"bits": featurizer.hash_bits, "columns": featurizer.n_features,
                    "bias_column": featurizer.bias_index, "markers": {k: hex64(v) for k, v in MARKERS.items()}},
        "outputs": outputs,
    }
    document.update(_weights(model, names))
    return document


def _weights(model: Any, names: dict[int, tuple[str, str]]) -> dict[str, Any]:
    W = np.asarray(model.weights, dtype=np.float32)
    bias = model.featurizer.bias_index
    rows = np.flatnonzero(np.any(W != 0, axis=1))
    rows = rows[rows != bias]
    listed = []
    for column in rows.tolist():
        name, output = names.get(column, (None, None))
        listed.append({"column": column, "name": name, "output": output,
                       "weights": [float(w) for w in W[column]]})
    return {"bias": [float(w) for w in W[bias]], "features": listed}
