"""Guarantee 3: a full disk fails the resource with the cause and touches nothing else; the size cap prunes.

The full disk is a file-size limit (RLIMIT_FSIZE) on the process running the job
synchronously: it works without privileges in any CI, unlike a tiny tmpfs. CPython
ignores SIGXFSZ, so a write past the limit fails with EFBIG ("File too large").
The limit is well above what the store's own files need, below every artifact made here.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from aml_cli.ml.model_file import read_model_file
from tests.reliability.conftest import REPO, aml_env, call_sync, files_under, shared_store, snapshot
from tests.reliability.data import write_csv, write_schema, write_wide

pytestmark = pytest.mark.slow

LIMIT = 600 * 1024


def aml_with_full_disk(*args: str) -> subprocess.CompletedProcess:
    """`aml <args> --sync` in a process that cannot make any file larger than LIMIT."""

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    store = shared_store()
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the store's own files stay small
    assert (store.home / "aml.db").stat().st_size < LIMIT / 2
    return subprocess.run([sys.executable, "-m", "aml_cli", *args, "--sync"], capture_output=True, text=True,
                          env=aml_env(), cwd=REPO, timeout=120, preexec_fn=limit_file_size)


def assert_failed_by_full_disk(kind: str, resource_id: str, before: dict, artifacts_before: dict) -> None:
    store = shared_store()
    record = store.get(kind, resource_id)
    assert record["Status"] == "FAILED", record
    after = snapshot(store)
    id_member = {"DataSource": "DataSourceId", "MLModel": "MLModelId", "Evaluation": "EvaluationId",
                 "BatchPrediction": "BatchPredictionId"}[kind]
    after[kind] = [r for r in after[kind] if r[id_member] != resource_id]
    assert after == before
    assert files_under(store.home / "artifacts") == artifacts_before
    assert "File too large" in record["Message"], record["Message"]  # the cause, in the system's words


@pytest.fixture
def wide(tmp_path):
    return write_wide(tmp_path / "wide", 5_000)


def test_a_full_disk_while_computing_statistics_fails_the_data_source_and_touches_nothing_else(wide):
    csv, schema = wide
    call_sync("CreateDataSourceFromS3", DataSourceId="earlier", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(csv), "DataSchemaLocationS3": str(schema)})
    assert Path(shared_store().get("DataSource", "earlier")["_statistics_path"]).stat().st_size > LIMIT
    before, artifacts = snapshot(), files_under(shared_store().home / "artifacts")
    result = aml_with_full_disk("create-data-source-from-s3", "--data-source-id", "full", "--compute-statistics",
                                "--data-spec", f"DataLocationS3={csv},DataSchemaLocationS3={schema}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert_failed_by_full_disk("DataSource", "full", before, artifacts)


def test_a_full_disk_while_training_fails_the_model_and_touches_nothing_else(wide):
    csv, schema = wide
    call_sync("CreateDataSourceFromS3", DataSourceId="wide", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(csv), "DataSchemaLocationS3": str(schema)})
    before, artifacts = snapshot(), files_under(shared_store().home / "artifacts")
    result = aml_with_full_disk("create-ml-model", "--ml-model-id", "full", "--ml-model-type", "BINARY",
                                "--training-data-source-id", "wide")
    assert result.returncode == 0, result.stderr
    home = shared_store().home
    leftovers = [p for folder in (home / "artifacts", home / "tmp") if folder.exists() for p in folder.iterdir()]
    assert not [p for p in leftovers if p.is_dir()], "a feature cache was left"
    assert_failed_by_full_disk("MLModel", "full", before, artifacts)


def test_a_full_disk_while_predicting_fails_the_batch_prediction_and_leaves_no_result(tmp_path):
    schema = str(write_schema(tmp_path / "d.schema"))
    small, big = write_csv(tmp_path / "small.csv", 2_000), write_csv(tmp_path / "big.csv", 300_000, seed=3)
    call_sync("CreateDataSourceFromS3", DataSourceId="small", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(small), "DataSchemaLocationS3": schema})
    call_sync("CreateDataSourceFromS3", DataSourceId="big",
              DataSpec={"DataLocationS3": str(big), "DataSchemaLocationS3": schema})
    call_sync("CreateMLModel", MLModelId="model", MLModelType="BINARY", TrainingDataSourceId="small")
    out = tmp_path / "out"
    before, artifacts = snapshot(), files_under(shared_store().home / "artifacts")
    result = aml_with_full_disk("create-batch-prediction", "--batch-prediction-id", "full", "--ml-model-id", "model",
                                "--batch-prediction-data-source-id", "big", "--output-uri", str(out))
    assert result.returncode == 0, result.stderr
    assert_failed_by_full_disk("BatchPrediction", "full", before, artifacts)
    assert files_under(out) == {}, "a result file or manifest was left behind"


def test_a_model_over_the_size_cap_is_pruned_by_magnitude_and_never_larger_than_the_cap(tmp_path):
    data, schema = write_csv(tmp_path / "t.csv", 20_000, words=50_000), write_schema(tmp_path / "t.schema")
    call_sync("CreateDataSourceFromS3", DataSourceId="text", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)})
    cap = 100_000
    call_sync("CreateMLModel", MLModelId="full", MLModelType="BINARY", TrainingDataSourceId="text")
    call_sync("CreateMLModel", MLModelId="capped", MLModelType="BINARY", TrainingDataSourceId="text",
              Parameters={"sgd.maxMLModelSizeInBytes": str(cap)})
    store = shared_store()
    full, capped = store.get("MLModel", "full"), store.get("MLModel", "capped")
    assert full["SizeInBytes"] > cap, "the cap would not bite: make the model bigger"
    assert capped["Status"] == "COMPLETED", capped.get("Message")
    assert capped["SizeInBytes"] <= cap
    assert Path(capped["_model_path"]).stat().st_size == capped["SizeInBytes"]
    assert capped["TrainingParameters"]["sgd.maxMLModelSizeInBytes"] == str(cap)
    from aml_cli.jobs import log_path

    assert "Pruned " in log_path(store, "MLModel", "capped").read_text()
    kept, unpruned = read_model_file(capped["_model_path"]).weights, read_model_file(full["_model_path"]).weights
    assert kept.shape == unpruned.shape
    survivors = kept != 0
    assert (kept[survivors] == unpruned[survivors]).all(), "pruning changed weights instead of dropping them"
    dropped = (unpruned != 0) & ~survivors
    assert dropped.any()
    weaker = abs(unpruned[survivors]) < abs(unpruned[dropped]).max()
    assert weaker.sum() <= 1, f"{weaker.sum()} kept weights are smaller than a dropped one (only the bias may be)"
    call_sync("CreateRealtimeEndpoint", MLModelId="capped")
    record = {"x1": "0.5", "x2": "1.0", "colour": "c1", "note": "w1 w2"}
    assert call_sync("Predict", MLModelId="capped", Record=record,
                     PredictEndpoint="https://example.com")["Prediction"]["predictedLabel"] in ("0", "1")
