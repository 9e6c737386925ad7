"""Generated data sets for the reliability tests: a schema, and CSVs of any length."""

from __future__ import annotations

import json
from pathlib import Path

ATTRIBUTES = (("x1", "NUMERIC"), ("x2", "NUMERIC"), ("colour", "CATEGORICAL"), ("note", "TEXT"), ("y", "BINARY"))
SCHEMA = {
    "version": "1.0",
    "targetAttributeName": "y",
    "dataFormat": "CSV",
    "dataFileContainsHeader": True,
    "attributes": [{"attributeName": name, "attributeType": kind} for name, kind in ATTRIBUTES],
}


def schema_text(**changes: object) -> str:
    """The schema as JSON, with top-level fields replaced by `changes`."""
    return json.dumps({**SCHEMA, **changes})


def write_csv(path: Path, rows: int, seed: int = 0, words: int = 50) -> Path:
    """A learnable BINARY data set (y depends on x1, x2 and colour) of `rows` records, written fast."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=rows).round(3), rng.normal(size=rows).round(3)
    colour = rng.integers(0, 8, size=rows)
    vocabulary = np.array([f"w{i}" for i in range(words)])
    first, second = vocabulary[rng.integers(0, words, size=rows)], vocabulary[rng.integers(0, words, size=rows)]
    note = pd.Series(first) + " " + second
    y = ((x1 + x2 + (colour % 2) - 0.5 + rng.normal(scale=0.3, size=rows)) > 0).astype(int)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "colour": [f"c{c}" for c in colour], "note": note, "y": y})
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def write_schema(path: Path, **changes: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(**changes))
    return path


def write_wide(folder: Path, rows: int, numeric: int = 150, categories: int = 5_000) -> tuple[Path, Path]:
    """Many NUMERIC columns and a many-valued CATEGORICAL one: big statistics, many features. Returns (csv, schema)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    columns: dict[str, object] = {f"n{i}": rng.normal(size=rows).round(3) for i in range(numeric)}
    codes = rng.integers(0, categories, size=rows)
    columns["cat"] = [f"k{code}" for code in codes]
    columns["y"] = ((columns["n0"] + (codes % 2) - 0.5) > 0).astype(int)
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "wide.csv"
    pd.DataFrame(columns).to_csv(csv, index=False)
    attributes = [{"attributeName": f"n{i}", "attributeType": "NUMERIC"} for i in range(numeric)]
    attributes += [{"attributeName": "cat", "attributeType": "CATEGORICAL"},
                   {"attributeName": "y", "attributeType": "BINARY"}]
    schema = folder / "wide.schema"
    schema.write_text(json.dumps({**SCHEMA, "attributes": attributes}))
    return csv, schema
