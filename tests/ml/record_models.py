"""Small models for the record-scoring tests: trained ones, and ones made from a fitted featurizer and chosen weights.

Not a conftest: the test modules import what they need. Data stays in memory
or in the test's temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import pandas as pd

from aml_cli.ml.default_recipe import default_recipe
from aml_cli.ml.features import Featurizer
from aml_cli.ml.model_file import MAGIC, load_model, write_model
from aml_cli.ml.parameters import parse
from aml_cli.ml.reader import iter_chunks
from aml_cli.ml.recipe import parse_recipe
from aml_cli.ml.record_scoring import load_scorer
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.statistics import StatisticsAccumulator
from aml_cli.ml.train import train_model

TYPES = {"x": "NUMERIC", "big number": "NUMERIC", "colour": "CATEGORICAL", "shape": "CATEGORICAL",
         "flag": "BINARY", "words": "TEXT", "note": "TEXT"}
TARGET_TYPE = {"BINARY": "BINARY", "MULTICLASS": "CATEGORICAL", "REGRESSION": "NUMERIC"}
LABELS = {"MULTICLASS": ["high", "low", "mid"]}

# Every transformation, alone, nested and crossed; a quoted name; a chain over a bin (the featurizer reads the
# number itself there) and over a cross (it reads the cross's first variable).
EVERY_TRANSFORMATION = json.dumps({
    "groups": {"NUMS": "group(x, 'big number')"},
    "assignments": {"clean": "lowercase(no_punct(words))"},
    "outputs": [
        "ALL_INPUTS",
        "quantile_bin(NUMS, 10)",
        "quantile_bin(x, 500)",
        "normalize(NUMS)",
        "ngram(clean, 3)",
        "ngram(note, 10)",
        "osb(lowercase(note), 4)",
        "osb(words, 2)",
        "no_punct(note)",
        "lowercase(colour)",
        "no_punct(lowercase(shape))",
        "lowercase(quantile_bin('big number', 7))",
        "lowercase(cartesian(colour, shape))",
        "no_punct(cartesian(flag, colour))",
        "cartesian(colour, flag)",
        "cartesian(quantile_bin(x, 5), shape)",
        "cartesian(colour, words)",
        "cartesian(words, note)",
        "cartesian(ngram(words, 2), colour)",
        "cartesian(lowercase(shape), osb(note, 3))",
        "cartesian(cartesian(colour, flag), no_punct(shape))",
        "cartesian(flag, cartesian(colour, words))",
    ],
})

WORDS = ["good", "Fast", "bad", "slow!", "plain", "words,", "(odd)", "ÉTÉ", "naïve", "--", "x.y", "İstanbul"]


def frame(n: int = 400, seed: int = 0, kind: str = "BINARY") -> pd.DataFrame:
    """Mixed columns with missing values, punctuation and Unicode; the target depends on them."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(4)
    big = (rng.lognormal(3, 2, size=n) * rng.choice([-1, 1], n)).round(2)
    colour = rng.choice(["Red", "green", "blue!", "Größe", ""], n)
    shape = rng.choice(["Round.", "square", "tri-angle", "?", "oval"], n)
    flag = rng.choice(["yes", "no", "T", "f", "0", "1", ""], n)
    words = [" ".join(rng.choice(WORDS, rng.integers(0, 6))) for _ in range(n)]
    note = [" ".join(rng.choice(WORDS[::-1], rng.integers(0, 12))) for _ in range(n)]
    signal = x + (colour == "Red") - 0.5 * (shape == "square") + 0.3 * np.array([w.count("good") for w in words])
    if kind == "BINARY":
        target = np.where(signal + rng.logistic(size=n) > 0.3, "yes", "no").astype(object)
    elif kind == "MULTICLASS":
        target = np.array(LABELS["MULTICLASS"])[np.digitize(signal + 0.3 * rng.normal(size=n), [-0.5, 1.0])]
    else:
        target = (3.0 * signal + 10 + rng.normal(scale=0.5, size=n)).round(4)
    data = pd.DataFrame({"x": x, "big number": big, "colour": colour, "shape": shape, "flag": flag,
                         "words": words, "note": note, "target": target})
    data.loc[rng.random(n) < 0.1, "x"] = np.nan
    return data


def schema_for(kind: str) -> str:
    types = {**TYPES, "target": TARGET_TYPE[kind]}
    return json.dumps({
        "version": "1.0", "targetAttributeName": "target", "dataFormat": "CSV", "dataFileContainsHeader": True,
        "attributes": [{"attributeName": name, "attributeType": t} for name, t in types.items()],
    })


def statistics_of(path: Path, schema_text: str) -> dict:
    accumulator = StatisticsAccumulator(parse_schema(schema_text))
    for chunk in iter_chunks([path], parse_schema(schema_text)):
        accumulator.update(chunk)
    return accumulator.result()


def _fitted(folder: Path, kind: str, seed: int):
    """(data, its CSV, schema text, parsed schema, statistics) of `frame(kind=kind, seed=seed)` in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    data = frame(kind=kind, seed=seed)
    path = folder / "data.csv"
    data.to_csv(path, index=False)
    text = schema_for(kind)
    return data, path, text, parse_schema(text), statistics_of(path, text)


def trained(folder: Path, kind: str, recipe: str | None = None, seed: int = 0):
    """(reference Model, RecordScorer, data frame) of a model trained on `frame(kind=kind)`."""
    data, path, _, schema, statistics = _fitted(folder, kind, seed)
    train_model(
        chunks=lambda: (c.frame for c in iter_chunks([path], schema)),
        schema=schema, statistics=statistics, recipe_text=recipe or default_recipe(schema, statistics),
        model_type=kind, settings=parse({"sgd.maxPasses": "3"}), seed="record-scoring",
        cache_dir=folder / "cache", out_path=folder / "m.aml", log=lambda line: None,
    )
    return load_model(folder / "m.aml"), load_scorer(folder / "m.aml"), data


def made(folder: Path, kind: str, *, recipe: str = EVERY_TRANSFORMATION, hash_bits: int = 6, k: int | None = None,
         density: float = 1.0, seed: int = 0, max_bytes: int | None = None):
    """(reference Model, RecordScorer) of a model with a fitted featurizer and random weights, written as
    training writes it: few hash bits make features collide within a record; `density` < 1 stores them sparse."""
    _, _, text, schema, statistics = _fitted(folder, kind, seed)
    types = {a.name: a.type for a in schema.input_attributes}
    featurizer = Featurizer.fit(parse_recipe(recipe, types), types, statistics, hash_bits=hash_bits)
    labels = LABELS.get(kind, ["0", "1"])
    width = k or (len(labels) if kind == "MULTICLASS" else 1)
    rng = np.random.default_rng(seed)
    weights = rng.normal(scale=2.0, size=(featurizer.n_features, width)).astype(np.float32)
    weights[rng.random(weights.shape) >= density] = 0.0
    meta, arrays = featurizer.state()
    header = {"model_type": kind, "schema": text, "recipe": recipe, "labels": labels if kind != "REGRESSION" else [],
              "parameters": {}, "featurizer": meta, "target_mean": 12.5, "target_scale": 3.25}
    write_model(folder / "m.aml", header=header, weights=weights, max_bytes=max_bytes,
                arrays={f"featurizer/{name}": a for name, a in arrays.items()})
    return load_model(folder / "m.aml"), load_scorer(folder / "m.aml")


def records_of(data: pd.DataFrame) -> list[dict[str, str]]:
    """Each row as a Predict record: strings, the empty string for a missing value, no target."""
    return [{k: "" if pd.isna(v) else str(v) for k, v in row.items() if k != "target"}
            for row in data.to_dict("records")]


ODD_RECORDS = [
    {},
    {"unknown": "42", "target": "yes"},
    {"x": "", "big number": " ", "colour": " ", "shape": "", "flag": " ", "words": " ", "note": "\t\n"},
    {"x": "abc", "big number": "1e999", "flag": "maybe", "colour": "RED", "words": "GOOD fast"},
    {"x": "nan", "big number": "-inf", "flag": " Yes ", "colour": "Red\x00", "shape": "\x00square\x00\x00"},
    {"x": " 12.5 ", "big number": "1_000", "flag": "TRUE", "words": "good\x01bad", "note": "a\x00b c"},
    {"x": "-0", "big number": "-0.0", "flag": "F", "shape": "!!!", "words": "!!! ... ,,, good."},
    {"x": "1e308", "big number": "-1.7976931348623157e308", "words": "İSTANBUL Straße ÉTÉ", "note": "ǅ ﬁ ß"},
    {"x": "5e-324", "big number": "1e-300", "words": "non\u00a0breaking\u2003space\u2028line\u0085next"},
    {"x": "3.4028236e38", "big number": "-3.4e39", "words": "emoji 😀 text 🎉!", "note": "\u3000wide\u3000space"},
    {"colour": "Größe", "shape": "tri-angle", "words": "(odd) naïve x.y", "note": "--good-- 'quoted' \"double\""},
    {"colour": 7, "x": 3, "flag": 1, "words": None, "note": 2.5},
    {"words": " ".join(["good"] * 40), "note": " ".join(WORDS * 5)},
    {"words": "a" * 1000, "note": "b" * 17 + " " + "c" * 8 + " " + "d" * 9},
]


def write_signed(path: Path, header: dict, payload: bytes) -> None:
    """Write a model file with a valid checksum over `header` (its sha256 replaced) and `payload`."""
    header = {k: v for k, v in header.items() if k != "sha256"}
    canonical = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    raw = json.dumps({**header, "sha256": hashlib.sha256(canonical + payload).hexdigest()}).encode()
    path.write_bytes(MAGIC + struct.pack("<Q", len(raw)) + raw + payload)


def forge(path: Path, change) -> None:
    """Rewrite a model file through `change(header, arrays)`, checksum recomputed: what a careful forger does."""
    blob = path.read_bytes()
    (length,) = struct.unpack_from("<Q", blob, len(MAGIC))
    start = len(MAGIC) + 8
    header = json.loads(blob[start : start + length])
    payload = blob[start + length :]
    arrays = {e["name"]: np.frombuffer(payload[e["offset"] : e["offset"] + e["nbytes"]], dtype=e["dtype"])
              .reshape(e["shape"]).copy() for e in header["arrays"]}
    change(header, arrays)
    offset, header["arrays"] = 0, []
    for name, a in arrays.items():
        header["arrays"].append({"name": name, "dtype": a.dtype.str, "shape": list(a.shape), "offset": offset,
                                 "nbytes": a.nbytes})
        offset += a.nbytes
    write_signed(path, header, b"".join(a.tobytes() for a in arrays.values()))
