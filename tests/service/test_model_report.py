"""show-ml-model's data: the training curve, the pruning, the heaviest features by readable name; export's refusals."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from aml_cli.api.errors import InvalidInputException, ResourceNotFoundException
from aml_cli.jobs import log_path
from aml_cli.service import call
from tests.service.models_conftest import create_model, create_source, schema_text, write_csv
from tests.service.test_model_export import frame


def _model(store, tmp_path, model_type: str, model_id: str = "m", **members) -> str:
    train, columns = frame(model_type, 400, 1)
    if not call("DescribeDataSources", {"FilterVariable": "Name", "EQ": "train"}, store)["Results"]:
        call("CreateDataSourceFromS3", {"DataSourceId": "train", "DataSourceName": "train", "ComputeStatistics": True,
                                        "DataSpec": {"DataLocationS3": str(write_csv(tmp_path / "t.csv", train)),
                                                     "DataSchema": schema_text(columns, "y")}}, store)
    create_model(store, model_id, "train", model_type, **members)
    return model_id


def _logged_losses(store, model_id: str) -> list[float]:
    text = log_path(store, "MLModel", model_id).read_text()
    return [float(v) for v in re.findall(r"Pass \d+: mean training loss (\S+)", text)]


def test_the_loss_of_every_pass_is_kept_with_the_model(store, tmp_path):
    _model(store, tmp_path, "BINARY", Parameters={"sgd.maxPasses": "5"})
    report = call("ShowMLModel", {"MLModelId": "m"}, store)
    losses = report["training"]["pass_losses"]
    assert 1 <= len(losses) <= 5
    assert losses == pytest.approx(_logged_losses(store, "m"), rel=1e-5)
    assert losses[-1] < losses[0]
    assert report["training"]["rows_used"] == 400


def test_the_heaviest_features_have_readable_names(store, tmp_path):
    _model(store, tmp_path, "BINARY")
    report = call("ShowMLModel", {"MLModelId": "m", "Top": 8}, store)
    assert [group["class"] for group in report["top_features"]] == ["1", "0"]
    toward_one = [item["feature"] for item in report["top_features"][0]["features"]]
    toward_zero = [item["feature"] for item in report["top_features"][1]["features"]]
    assert 'word "refund" in message' in toward_one  # the target's signal: "refund" raises it
    age = r"age (>=|<) [\d.]+|age in \[[\d.]+, [\d.]+\)|\(age - [\d.]+\) / [\d.]+"  # a bin, or the number itself
    assert any(re.fullmatch(age, name) for name in toward_one + toward_zero)
    assert all(item["weight"] > 0 for group in report["top_features"] for item in group["features"])
    assert report["features"]["pruned"] == 0
    assert report["recipe"] == call("GetMLModel", {"MLModelId": "m", "Verbose": True}, store)["Recipe"]


def test_multiclass_lists_features_per_class_and_regression_per_direction(store, tmp_path):
    _model(store, tmp_path, "MULTICLASS", "multi")
    groups = call("ShowMLModel", {"MLModelId": "multi"}, store)["top_features"]
    assert [group["class"] for group in groups] == ["high", "low", "mid"]
    assert 'word "refund" in message' in [item["feature"] for item in groups[0]["features"]]
    train, columns = frame("REGRESSION", 400, 1)
    create_source(store, "reg-train", write_csv(tmp_path / "r.csv", train), schema_text(columns, "y"))
    create_model(store, "reg", "reg-train", "REGRESSION")
    report = call("ShowMLModel", {"MLModelId": "reg"}, store)
    assert [group["class"] for group in report["top_features"]] == ["raises the prediction", "lowers the prediction"]
    assert report["classes"] == []


def test_a_pruned_model_says_how_many_weights_the_size_cap_removed(store, tmp_path):
    rng = np.random.default_rng(3)
    words = [" ".join(f"w{n}" for n in rng.integers(0, 40_000, size=6)) for _ in range(5000)]
    data = pd.DataFrame({"row_id": range(5000), "note": words, "y": rng.integers(0, 2, 5000)})
    schema = schema_text({"row_id": "CATEGORICAL", "note": "TEXT", "y": "BINARY"}, "y")
    create_source(store, "text", write_csv(tmp_path / "text.csv", data), schema)
    create_model(store, "capped", "text", "BINARY", Parameters={"sgd.maxMLModelSizeInBytes": "100000"})
    report = call("ShowMLModel", {"MLModelId": "capped"}, store)
    logged = re.search(r"Pruned (\d+) of (\d+) non-zero weights", log_path(store, "MLModel", "capped").read_text())
    assert logged, "the cap did not bite: make the vocabulary larger"
    pruned, total = int(logged.group(1)), int(logged.group(2))
    features = report["features"]
    assert features["pruned"] == pruned > 0
    bias_entries = sum(1 for w in report["bias"] if w != 0)
    assert features["non_zero_weights"] + bias_entries + pruned == total
    assert features["SizeInBytes"] <= 100_000


def test_a_model_that_is_not_completed_or_not_there_is_refused(store, tmp_path):
    with pytest.raises(ResourceNotFoundException):
        call("ShowMLModel", {"MLModelId": "nope"}, store)
    with pytest.raises(ResourceNotFoundException):
        call("ExportMLModel", {"MLModelId": "nope", "Destination": str(tmp_path / "x.json")}, store)
    train, columns = frame("BINARY", 50, 1)
    train["y"] = ""  # no row has a target: training fails
    create_source(store, "empty", write_csv(tmp_path / "n.csv", train), schema_text(columns, "y"))
    create_model(store, "failed", "empty", "BINARY")
    assert call("GetMLModel", {"MLModelId": "failed"}, store)["Status"] == "FAILED"
    with pytest.raises(InvalidInputException, match=r"The model failed is FAILED, not COMPLETED\."):
        call("ShowMLModel", {"MLModelId": "failed"}, store)
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("where", ["aml.db.json", "artifacts/x.json", "logs/x.json", "x.json"])
def test_export_never_writes_among_the_stores_own_files(store, tmp_path, where):
    _model(store, tmp_path, "BINARY")
    before = sorted(p.relative_to(store.home) for p in store.home.rglob("*"))
    with pytest.raises(InvalidInputException, match="inside the aml store"):
        call("ExportMLModel", {"MLModelId": "m", "Destination": str(store.home / where)}, store)
    assert sorted(p.relative_to(store.home) for p in store.home.rglob("*")) == before


def test_export_may_write_under_the_local_s3_root_and_replaces_a_file_whole(store, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "s3_root", store.home / "s3")
    _model(store, tmp_path, "BINARY")
    answer = call("ExportMLModel", {"MLModelId": "m", "Destination": "s3://models/churn.json"}, store)
    target = store.home / "s3" / "models" / "churn.json"
    assert answer["Location"] == str(target) and json.loads(target.read_text())["MLModelId"] == "m"
    target.write_text("old")
    call("ExportMLModel", {"MLModelId": "m", "Destination": str(target)}, store)
    assert json.loads(target.read_text())["format"] == "aml-model-export"
    assert [p.name for p in target.parent.iterdir()] == ["churn.json"]  # no temporary file left


def test_export_refuses_a_folder(store, tmp_path):
    _model(store, tmp_path, "BINARY")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(InvalidInputException, match="not a regular file"):
        call("ExportMLModel", {"MLModelId": "m", "Destination": str(tmp_path / "dir.json")}, store)
