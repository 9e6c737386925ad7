"""export-ml-model: records scored from the JSON alone, with the documented rule, equal predict and batch scores."""

from __future__ import annotations

import bisect
import csv
import json
import math
import os
import re
import string

import numpy as np
import pandas as pd
import pytest

from aml_cli.service import call
from tests.service.models_conftest import create_model, create_source, result_rows, schema_text, write_csv

# ---- a scorer written from docs/model-export.md alone ----------------------------------------------------

M64 = (1 << 64) - 1
GOLDEN, LENGTH_SEED = 0x9E3779B97F4A7C15, 0x51ED270B27A4F3C5
BINARY_WORDS = {**dict.fromkeys(("0", "n", "no", "f", "false"), "0"),
                **dict.fromkeys(("1", "y", "yes", "t", "true"), "1")}
PUNCT = "[" + re.escape(string.punctuation) + "]+"
EDGE_PUNCT = re.compile(rf"(?<!\S){PUNCT}|{PUNCT}(?!\S)")


def mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def combine(a: int, b: int) -> int:
    return mix((a * GOLDEN + b) & M64)


def text_hash(text: str) -> int:
    data = text.encode("utf-8")
    word = lambda i: int.from_bytes(data[i:i + 8].ljust(8, b"\0"), "little")  # noqa: E731
    h = mix(((len(data) * GOLDEN + LENGTH_SEED) & M64) ^ word(0))
    for start in range(8, len(data), 8):
        h = combine(h, word(start))
    return h


def number(raw: str) -> float | None:
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def values(node: dict, record: dict, markers: dict) -> list[int] | float:
    """A node's value hashes (category: one, tokens: any number) or its number (0.0 when missing)."""
    op, raw = node["op"], record.get(node.get("variable"), "")
    if op == "variable" and node["mode"] == "number":
        found = number(raw)
        return 0.0 if found is None else found / node["scale"]
    if op == "variable" and node["type"] == "BINARY":
        word = BINARY_WORDS.get(raw.strip().lower())
        return [markers["missing"] if word is None else text_hash(word)]
    if op == "variable" and node["type"] == "CATEGORICAL":
        if raw == "":
            return [markers["missing"]]
        raw = raw.lower() if node["lowercase"] else raw
        return [text_hash(EDGE_PUNCT.sub("", raw) if node["no_punct"] else raw)]
    if op == "variable":  # TEXT
        raw = (raw.lower() if node["lowercase"] else raw).replace("\x01", " ")
        tokens = ("".join(" " if c in string.punctuation else c for c in raw) if node["split_punct"] else raw).split()
        tokens = [t.strip(string.punctuation) for t in tokens] if node["no_punct"] else tokens
        return [text_hash(t) for t in tokens if t]
    if op in ("quantile_bin", "normalize"):
        found = number(record.get(node["arg"]["variable"], ""))
        if op == "normalize":
            return 0.0 if found is None else (found - node["mean"]) / node["std"]
        return [markers["missing"] if found is None else text_hash(str(bisect.bisect_right(node["boundaries"], found)))]
    if op == "cartesian":
        left, right = (values(arg, record, markers) for arg in node["args"])
        return [combine(combine(markers["cartesian"], a), b) for a in left for b in right]
    h = values(node["arg"], record, markers)
    n = node["n"]
    if op == "ngram":
        grams = list(h)
        for i in range(len(h)):
            g = h[i]
            for j in range(i + 1, min(i + n, len(h))):
                g = combine(g, h[j])
                grams.append(combine(markers["ngram"], g))
        return grams
    pairs = [(d, i) for d in range(1, n) for i in range(len(h) - d)]
    return [combine(combine(combine(markers["osb"], d), h[i]), h[i + d]) for d, i in pairs]


def score(document: dict, record: dict) -> np.ndarray:
    """BINARY P(1); MULTICLASS probabilities in `classes` order; REGRESSION the value."""
    markers = {k: int(v, 16) for k, v in document["hashing"]["markers"].items()}
    mask = (1 << document["hashing"]["bits"]) - 1
    weights = {f["column"]: np.array(f["weights"]) for f in document["features"]}
    zero = np.zeros(len(document["bias"]))
    margin = np.array(document["bias"], dtype=np.float64)
    for out in document["outputs"]:
        seed = int(out["seed"], 16)
        found = values(out["expression"], record, markers)
        if isinstance(found, float):
            margin += found * weights.get(combine(seed, markers["number"]) & mask, zero)
        else:
            for h in found:
                margin += weights.get(combine(seed, h) & mask, zero)
    if document["model_type"] == "BINARY":
        return 1 / (1 + np.exp(-margin[:1]))
    if document["model_type"] == "MULTICLASS":
        e = np.exp(margin - margin.max())
        return e / e.sum()
    return document["target"]["mean"] + document["target"]["scale"] * margin[:1]


# ---- data with every kind of feature ---------------------------------------------------------------------

WORDS = ["Refund!", "refund", "not", "happy", "great", "service", "late", "delivery", "(thanks)", "bad", "ok",
         "never", "again", "love", "it", "...", "Broken", "box", "fast", "slow", "Ünïcode", "café"]
STATES = ["KS", "ks", "NY!", "OH", "CA", "TX", "a b", "Zz"]


def frame(model_type: str, rows: int, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)
    age = rng.normal(45, 12, rows).round(1)
    income = rng.lognormal(10, 0.5, rows).round(0)
    words = [" ".join(rng.choice(WORDS, size=rng.integers(0, 9))) for _ in range(rows)]
    data = pd.DataFrame({
        "row_id": [f"r{seed}-{i}" for i in range(rows)],
        "age": np.where(rng.random(rows) < 0.05, np.nan, age),
        "income": income,
        "state": np.where(rng.random(rows) < 0.05, "", rng.choice([*STATES, f"S{seed}"], size=rows)),
        "plan": rng.choice(["yes", "no", "", "Y", "false"], size=rows),
        "message": words,
    })
    signal = (age - 45) / 12 + np.array(["refund" in w.lower() for w in words]) - (data["plan"] == "yes")
    if model_type == "BINARY":
        data["y"], kind = np.where(signal + rng.normal(0, 0.5, rows) > 0, "1", "0"), "BINARY"
    elif model_type == "MULTICLASS":
        data["y"], kind = np.where(signal > 0.5, "high", np.where(signal < -0.5, "low", "mid")), "CATEGORICAL"
    else:
        data["y"], kind = (3 * signal + income / 1e4 + rng.normal(0, 0.1, rows)).round(3), "NUMERIC"
    columns = {"row_id": "CATEGORICAL", "age": "NUMERIC", "income": "NUMERIC", "state": "CATEGORICAL",
               "plan": "BINARY", "message": "TEXT", "y": kind}
    return data, columns


RECIPE = json.dumps({"groups": {"NUMS": "group(age,income)"}, "assignments": {"clean": "lowercase(no_punct(message))"},
                     "outputs": ["ALL_BINARY", "state", "lowercase(no_punct(state))", "quantile_bin(NUMS,10)",
                                 "normalize(income)", "age", "ngram(clean,3)", "osb(lowercase(message),3)",
                                 "no_punct(message)", "split_punct(message)", "cartesian(state,plan)",
                                 "cartesian(quantile_bin(age,5),clean)", "cartesian(clean,no_punct(message))"]})


def _trained(store, tmp_path, model_type: str, recipe: str | None) -> tuple[str, object]:
    train, columns = frame(model_type, 400, 1)
    test, _ = frame(model_type, 120, 2)
    schema = schema_text(columns, "y")
    create_source(store, "train", write_csv(tmp_path / "train.csv", train), schema)
    create_source(store, "test", write_csv(tmp_path / "test.csv", test), schema, stats=False)
    members = {"Recipe": recipe} if recipe else {}
    create_model(store, "m", "train", model_type, Parameters={"sgd.maxPasses": "3"}, **members)
    assert call("GetMLModel", {"MLModelId": "m"}, store)["Status"] == "COMPLETED"
    return "m", tmp_path / "test.csv"


@pytest.mark.parametrize("recipe", [RECIPE, None], ids=["every-transformation", "default-recipe"])
@pytest.mark.parametrize("model_type", ["BINARY", "MULTICLASS", "REGRESSION"])
def test_scores_from_the_json_alone_equal_predict_and_batch_prediction(store, tmp_path, model_type, recipe):
    model_id, test_path = _trained(store, tmp_path, model_type, recipe)
    target = tmp_path / "out" / "model.json"
    answer = call("ExportMLModel", {"MLModelId": model_id, "Destination": str(target)}, store)
    assert answer["Location"] == str(target) and (os.stat(target).st_mode & 0o777) == 0o600
    document = json.loads(target.read_text())
    assert document["format"] == "aml-model-export" and document["model_type"] == model_type
    call("CreateRealtimeEndpoint", {"MLModelId": model_id}, store)
    call("CreateBatchPrediction", {"BatchPredictionId": "bp", "MLModelId": model_id,
                                   "BatchPredictionDataSourceId": "test", "OutputUri": str(tmp_path / "bp")}, store)
    _, printed = result_rows(tmp_path / "bp" / "batch-prediction" / "result" / "bp-test.csv.gz")
    with open(test_path, newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == len(printed) == 120
    for record, line in zip(records, printed, strict=True):
        ours = score(document, record)
        request = {"MLModelId": model_id, "Record": record, "PredictEndpoint": "https://localhost"}
        prediction = call("Predict", request, store)["Prediction"]
        if model_type == "REGRESSION":
            # numbers enter the featurizer's matrix as float32: agreement to ~1e-7 of the target's scale
            tolerance = 1e-6 * document["target"]["scale"]
            np.testing.assert_allclose(ours[0], prediction["predictedValue"], rtol=1e-6, atol=tolerance)
            np.testing.assert_allclose(ours[0], float(line[-1]), rtol=2e-6, atol=tolerance)
        elif model_type == "BINARY":
            np.testing.assert_allclose(ours[0], next(iter(prediction["predictedScores"].values())), atol=1e-7)
            np.testing.assert_allclose(ours[0], float(line[-1]), rtol=2e-6, atol=1e-12)
        else:
            expected = [prediction["predictedScores"][label] for label in document["classes"]]
            np.testing.assert_allclose(ours, expected, atol=1e-7)
            np.testing.assert_allclose(ours, [float(v) for v in line[-len(expected):]], rtol=2e-6, atol=1e-12)
