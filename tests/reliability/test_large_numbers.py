"""Guarantee: a large finite number is a number: statistics stay finite JSON, training stays finite."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from aml_cli.ml.model_file import read_model_file
from tests.reliability.conftest import aml, shared_store
from tests.reliability.data import write_csv, write_schema

VALUES = ["1e155", "1e200", "1e308", "-1e308"]


def _with_values(path: Path, values: list[str], column: str = "x1", rows: int = 400) -> Path:
    write_csv(path, rows, seed=4)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    index = header.index(column)
    for row, value in enumerate(values, start=1):
        fields = lines[row].split(",")
        fields[index] = value
        lines[row] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    return path


def _finite_everywhere(document: object) -> bool:
    if isinstance(document, float):
        return math.isfinite(document)
    if isinstance(document, dict):
        return all(_finite_everywhere(v) for v in document.values())
    if isinstance(document, list):
        return all(_finite_everywhere(v) for v in document)
    return True


def _statistics_of(data_source_id: str) -> dict:
    path = shared_store().get("DataSource", data_source_id)["_statistics_path"]
    text = Path(path).read_text()
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the statistics"))


@pytest.mark.parametrize("values", [[v] for v in VALUES] + [VALUES], ids=[*VALUES, "all"])
def test_huge_finite_numbers_give_finite_statistics_and_a_finite_model(tmp_path, values):
    data, schema = _with_values(tmp_path / "d.csv", values), write_schema(tmp_path / "d.schema")
    made = aml("create-data-source-from-s3", "--data-source-id", "big", "--compute-statistics", "--data-spec",
               f"DataLocationS3={data},DataSchemaLocationS3={schema}", "--sync")
    assert made.returncode == 0, made.stderr
    assert "Warning" not in made.stderr, made.stderr
    record = shared_store().get("DataSource", "big")
    assert record["Status"] == "COMPLETED", record.get("Message")
    statistics = _statistics_of("big")
    x1 = next(a for a in statistics["attributes"] if a["name"] == "x1")
    assert _finite_everywhere(statistics)
    numbers = [float(v) for v in values]
    assert x1["max"] == max(numbers) if max(numbers) > 0 else x1["max"] < 10
    assert x1["min"] == min(numbers) if min(numbers) < 0 else x1["min"] > -10
    assert x1["min"] <= x1["mean"] <= x1["max"] and x1["std"] > 0
    assert x1["quantiles"] == sorted(x1["quantiles"])
    _train_a_finite_model("ml", "BINARY", "big")
    for x1_value in ("0.5", "1e308", "-1e308"):
        predicted = aml("predict", "--ml-model-id", "ml", "--predict-endpoint", "https://local", "--record",
                        f"x1={x1_value},x2=0.1,colour=c1,note=w1 w2")
        assert predicted.returncode == 0 and "Warning" not in predicted.stderr, predicted.stderr
        (score,) = json.loads(predicted.stdout)["Prediction"]["predictedScores"].values()
        assert 0.0 <= score <= 1.0


def _train_a_finite_model(model_id: str, model_type: str, data_source_id: str) -> None:
    """Trained with no numpy warning, COMPLETED, finite weights, and ready for Predict."""
    trained = aml("create-ml-model", "--ml-model-id", model_id, "--ml-model-type", model_type,
                  "--training-data-source-id", data_source_id, "--sync")
    assert trained.returncode == 0 and "Warning" not in trained.stderr, trained.stderr
    model = shared_store().get("MLModel", model_id)
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert np.isfinite(read_model_file(model["_model_path"]).weights).all()
    assert aml("create-realtime-endpoint", "--ml-model-id", model_id).returncode == 0


def test_a_regression_target_of_huge_numbers_trains_a_finite_model(tmp_path):
    data = tmp_path / "r.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    target = np.where(x > 0, 1e200, -1e200) * (1 + rng.random(500))
    data.write_text("x,t\n" + "".join(f"{a:.4f},{b:.6e}\n" for a, b in zip(x, target, strict=True)))
    schema = tmp_path / "r.schema"
    schema.write_text(json.dumps({"version": "1.0", "targetAttributeName": "t", "dataFormat": "CSV",
                                  "dataFileContainsHeader": True,
                                  "attributes": [{"attributeName": "x", "attributeType": "NUMERIC"},
                                                 {"attributeName": "t", "attributeType": "NUMERIC"}]}))
    made = aml("create-data-source-from-s3", "--data-source-id", "r", "--compute-statistics", "--data-spec",
               f"DataLocationS3={data},DataSchemaLocationS3={schema}", "--sync")
    assert made.returncode == 0 and "Warning" not in made.stderr, made.stderr
    assert _finite_everywhere(_statistics_of("r"))
    _train_a_finite_model("reg", "REGRESSION", "r")
    predicted = aml("predict", "--ml-model-id", "reg", "--predict-endpoint", "https://local", "--record", "x=2.0")
    assert predicted.returncode == 0, predicted.stderr
    assert 1e199 < json.loads(predicted.stdout)["Prediction"]["predictedValue"] < 4e200
    extreme = aml("predict", "--ml-model-id", "reg", "--predict-endpoint", "https://local", "--record", "x=1e308")
    assert extreme.returncode == 0 and "Warning" not in extreme.stderr, extreme.stderr
    assert math.isfinite(json.loads(extreme.stdout)["Prediction"]["predictedValue"])
