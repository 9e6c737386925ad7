"""Write a deterministic mixed-type CSV and its Amazon ML schema, for benchmarks and demos.

The target depends on the features plus noise, so a model has something to learn:
    python benchmarks/generate_data.py --rows 1000000 --out data.csv --schema-out data.csv.schema
    python benchmarks/generate_data.py --rows 50000 --out m.csv --target multiclass --classes 5
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

WORDS = np.array([f"w{i:03d}" for i in range(400)] + ["great", "good", "fast", "bad", "slow", "broken"])
_GOOD, _BAD = ("great", "good", "fast"), ("bad", "slow", "broken")
CITIES = np.array(["lisbon", "oslo", "lima", "quito", "hanoi", "accra", "perth", "bern", "dakar", "riga",
                   "suva", "baku", "doha", "apia", "male", "nuuk"])
BINARY_WORDS = np.array(["yes", "no", "true", "false", "1", "0", "Y", "N"])
BINARY_TRUTH = np.array([1, 0, 1, 0, 1, 0, 1, 0])
BLOCK_ROWS = 200_000


def generate_block(rng: np.random.Generator, start: int, rows: int, target: str, classes: int,
                   missing: float) -> pd.DataFrame:
    """One block of rows; row ids continue from `start` so blocks concatenate into one file."""
    age = np.round(rng.normal(40, 12, rows).clip(18, 90), 0)
    income = np.round(rng.lognormal(10.5, 0.6, rows), 2)
    score = np.round(rng.uniform(-1, 1, rows), 4)
    city = rng.integers(0, len(CITIES), rows)
    product = rng.zipf(1.6, rows).clip(max=5000)
    binary_pick = rng.integers(0, len(BINARY_WORDS), rows)
    words = rng.integers(0, len(WORDS), (rows, 6))
    lengths = rng.integers(2, 7, rows)
    text = _join_words(WORDS[words], lengths)
    good = _count_words(WORDS[words], lengths, _GOOD) - _count_words(WORDS[words], lengths, _BAD)
    signal = (0.04 * (age - 40) + 0.9 * score + 0.6 * (city % 4 == 0) - 0.4 * (product > 10)
              + 0.8 * BINARY_TRUTH[binary_pick] - 0.4 + 0.9 * good + 0.3 * np.log(income / 36000))
    frame = pd.DataFrame({
        "id": np.arange(start, start + rows),
        "age": age, "income": income, "score": score,
        "city": CITIES[city], "product": np.char.add("p", product.astype(str)),
        "review": text, "member": BINARY_WORDS[binary_pick],
        "label": _target(rng, signal, target, classes),
    })
    for column in ("age", "income", "city", "review"):
        frame.loc[rng.random(rows) < missing, column] = None
    return frame


def _join_words(words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Whitespace-joined first `length` words of each row, built column by column (no loop per row)."""
    text = words[:, 0].astype(object)
    for column in range(1, words.shape[1]):
        longer = lengths > column
        text[longer] = text[longer] + " " + words[longer, column]
    return text


def _count_words(words: np.ndarray, lengths: np.ndarray, wanted: tuple[str, ...]) -> np.ndarray:
    used = np.arange(words.shape[1])[None, :] < lengths[:, None]
    return (np.isin(words, wanted) & used).sum(axis=1)


def _target(rng: np.random.Generator, signal: np.ndarray, target: str, classes: int) -> np.ndarray:
    if target == "numeric":
        return np.round(10 * signal + rng.normal(0, 2, len(signal)), 3)
    if target == "binary":
        return (signal + rng.logistic(0, 0.6, len(signal)) > 0).astype(int)
    cuts = np.quantile(signal, np.linspace(0, 1, classes + 1)[1:-1])
    noisy = signal + rng.normal(0, 0.4, len(signal))
    return np.char.add("class", np.searchsorted(cuts, noisy).astype(str))


def schema_for(target: str, header: bool) -> dict:
    """The Amazon ML schema (the Developer Guide's spelling) of the generated columns."""
    types = {"id": "CATEGORICAL", "age": "NUMERIC", "income": "NUMERIC", "score": "NUMERIC",
             "city": "CATEGORICAL", "product": "CATEGORICAL", "review": "TEXT", "member": "BINARY",
             "label": {"binary": "BINARY", "multiclass": "CATEGORICAL", "numeric": "NUMERIC"}[target]}
    return {"version": "1.0", "rowId": "id", "rowWeight": None, "targetAttributeName": "label",
            "dataFormat": "CSV", "dataFileContainsHeader": header,
            "attributes": [{"attributeName": name, "attributeType": kind} for name, kind in types.items()],
            "excludedAttributeNames": []}


def write(out: Path, rows: int, *, target: str = "binary", classes: int = 5, seed: int = 7,
          missing: float = 0.02, header: bool = True) -> dict:
    """Write `rows` rows to `out` in blocks (bounded memory) and return the schema."""
    rng = np.random.default_rng(seed)
    with out.open("w", newline="") as stream:
        for start in range(0, rows, BLOCK_ROWS):
            block = generate_block(rng, start, min(BLOCK_ROWS, rows - start), target, classes, missing)
            block.to_csv(stream, index=False, header=header and start == 0, lineterminator="\n")
    return schema_for(target, header)


def write_split(train: Path, test: Path, rows: int, *, train_share: float = 0.7, target: str = "binary",
                seed: int = 7, missing: float = 0.02, drop: tuple[str, ...] = ("id",)) -> tuple[dict, int]:
    """`rows` rows split into two files block by block: each block's first `train_share` to `train`, the rest
    to `test`. The rows are independent draws, so this is a random split that never holds the set in memory.
    Returns the schema (without the `drop`ped columns) and the training rows."""
    rng = np.random.default_rng(seed)
    kept = 0
    with train.open("w", newline="") as train_out, test.open("w", newline="") as test_out:
        for start in range(0, rows, BLOCK_ROWS):
            block = generate_block(rng, start, min(BLOCK_ROWS, rows - start), target, 5, missing)
            block = block.drop(columns=list(drop))
            cut = round(train_share * len(block))
            block.iloc[:cut].to_csv(train_out, index=False, header=start == 0, lineterminator="\n")
            block.iloc[cut:].to_csv(test_out, index=False, header=start == 0, lineterminator="\n")
            kept += cut
    schema = schema_for(target, True)
    schema["attributes"] = [a for a in schema["attributes"] if a["attributeName"] not in drop]
    if schema["rowId"] in drop:
        schema["rowId"] = None
    return schema, kept


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--schema-out", type=Path, help="default: <out>.schema")
    parser.add_argument("--target", choices=("binary", "multiclass", "numeric"), default="binary")
    parser.add_argument("--classes", type=int, default=5, help="classes of a multiclass target")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--missing", type=float, default=0.02, help="share of missing values in some columns")
    parser.add_argument("--no-header", action="store_true")
    args = parser.parse_args(argv)
    schema = write(args.out, args.rows, target=args.target, classes=args.classes, seed=args.seed,
                   missing=args.missing, header=not args.no_header)
    schema_out = args.schema_out or args.out.with_name(args.out.name + ".schema")
    schema_out.write_text(json.dumps(schema, indent=2) + "\n")


if __name__ == "__main__":
    main()
