"""Guarantee 1a: a worker SIGKILLed mid-work leaves a FAILED resource, no complete-looking file, and a usable store."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from aml_cli.store import Store
from tests.reliability.conftest import (
    FINAL,
    aml,
    call_detached,
    call_sync,
    job_rows,
    process_gone,
    shared_store,
    wait_status,
)
from tests.reliability.data import write_csv, write_schema

pytestmark = pytest.mark.slow

BIG_ROWS = 300_000
PARTS = 8  # the multi-file location: hard links to the big file, so the data costs nothing to make


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One store for the module: a trained model and COMPLETED data sources over small and big data."""
    root = tmp_path_factory.mktemp("killed")
    home, data = root / "home", root / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AML_HOME", str(home))
        schema = str(write_schema(data / "d.schema"))
        small = write_csv(data / "small.csv", 2_000)
        big = write_csv(data / "big.csv", BIG_ROWS, seed=1)
        many = data / "many"
        many.mkdir()
        for part in range(PARTS):
            os.link(big, many / f"part{part}.csv")
        for source_id, location, stats in (("small", small, True), ("big", big, True), ("many", many, False)):
            call_sync("CreateDataSourceFromS3", DataSourceId=source_id, ComputeStatistics=stats,
                      DataSpec={"DataLocationS3": str(location), "DataSchemaLocationS3": schema})
        call_sync("CreateMLModel", MLModelId="model", MLModelType="BINARY", TrainingDataSourceId="small")
        store = shared_store()
        assert all(store.get(kind, rid)["Status"] == "COMPLETED" for kind, rid in
                   (("DataSource", "small"), ("DataSource", "big"), ("DataSource", "many"), ("MLModel", "model")))
    return SimpleNamespace(home=home, data=data, schema=schema, many=many, out=root / "out")


@pytest.fixture
def store(world, monkeypatch):
    monkeypatch.setenv("AML_HOME", str(world.home))
    return shared_store()


def _running_job(store: Store, kind: str, resource_id: str) -> dict | None:
    jobs = [job for job in job_rows(store) if job["kind"] == kind and job["resource_id"] == resource_id]
    return jobs[-1] if jobs and jobs[-1]["state"] == "running" else None


def kill_mid_work(store: Store, kind: str, resource_id: str, busy, timeout: float = 60.0) -> None:
    """Waits until the worker is INPROGRESS and `busy(job, record)` says it is doing the work, then SIGKILLs it."""
    deadline = time.monotonic() + timeout
    while True:
        record = store.get(kind, resource_id)
        assert record["Status"] not in FINAL, f"{kind} {resource_id} finished before it could be killed: {record}"
        job = _running_job(store, kind, resource_id)
        if job and record["Status"] == "INPROGRESS" and busy(job, record):
            break
        assert time.monotonic() < deadline, f"{kind} {resource_id} never got busy"
        time.sleep(0.02)
    pid = job["pid"]
    assert b"aml_cli.jobs" in Path(f"/proc/{pid}/cmdline").read_bytes(), "the recorded pid is not our worker"
    os.kill(pid, signal.SIGKILL)
    process_gone(pid)


def log_has(text: str):
    return lambda job, record: text in Path(job["log_path"]).read_text()


def running_for(seconds: float):
    return lambda job, record: time.time() - record["StartedAt"] > seconds


def complete_looking(folder: Path) -> set[str]:
    """Names of files that a reader would take for a finished artifact (temporary names are hidden)."""
    if not folder.exists():
        return set()
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def assert_failed_on_next_read(command: str, id_option: str, resource_id: str) -> dict:
    """The very next `aml get-...` (a new process) tells the truth: FAILED, with a Message."""
    result = aml(command, id_option, resource_id)
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    assert view["Status"] == "FAILED", view
    assert "stopped unexpectedly" in view["Message"]
    assert "FinishedAt" in view
    return view


def test_killed_data_source_processing_fails_leaves_no_statistics_and_can_be_created_again(store, world):
    before = complete_looking(world.home / "artifacts")
    spec = {"DataLocationS3": str(world.many), "DataSchemaLocationS3": world.schema}
    call_detached("CreateDataSourceFromS3", DataSourceId="ds-killed", ComputeStatistics=True, DataSpec=spec)
    kill_mid_work(store, "DataSource", "ds-killed", log_has("progress"))
    assert_failed_on_next_read("get-data-source", "--data-source-id", "ds-killed")
    assert "_statistics_path" not in store.get("DataSource", "ds-killed")
    assert complete_looking(world.home / "artifacts") == before
    call_detached("CreateDataSourceFromS3", DataSourceId="ds-again", ComputeStatistics=True, DataSpec=spec)
    record = wait_status("DataSource", "ds-again", timeout=120)
    assert record["Status"] == "COMPLETED", record.get("Message")


def test_killed_training_fails_leaves_no_model_file_and_can_be_created_again(store, world):
    before = complete_looking(world.home / "artifacts")
    request = {"MLModelType": "BINARY", "TrainingDataSourceId": "big", "Parameters": {"sgd.maxPasses": "30"}}
    call_detached("CreateMLModel", MLModelId="ml-killed", **request)
    kill_mid_work(store, "MLModel", "ml-killed", log_has("Pass 2:"))
    view = assert_failed_on_next_read("get-ml-model", "--ml-model-id", "ml-killed")
    assert "SizeInBytes" not in view
    assert "_model_path" not in store.get("MLModel", "ml-killed")
    assert complete_looking(world.home / "artifacts") == before
    call_detached("CreateMLModel", MLModelId="ml-again", **request)
    record = wait_status("MLModel", "ml-again", timeout=120)
    assert record["Status"] == "COMPLETED", record.get("Message")
    assert Path(record["_model_path"]).stat().st_size == record["SizeInBytes"]


def test_killed_evaluation_fails_without_metrics_and_can_be_created_again(store, world):
    before = complete_looking(world.home / "artifacts")
    request = {"MLModelId": "model", "EvaluationDataSourceId": "many"}
    call_detached("CreateEvaluation", EvaluationId="ev-killed", **request)
    kill_mid_work(store, "Evaluation", "ev-killed", running_for(1.0))
    view = assert_failed_on_next_read("get-evaluation", "--evaluation-id", "ev-killed")
    assert "PerformanceMetrics" not in view
    assert complete_looking(world.home / "artifacts") == before
    call_detached("CreateEvaluation", EvaluationId="ev-again", **request)
    record = wait_status("Evaluation", "ev-again", timeout=120)
    assert record["Status"] == "COMPLETED", record.get("Message")
    assert float(record["PerformanceMetrics"]["Properties"]["BinaryAUC"]) > 0.8


def _partial_result(folder: Path):
    """A result file is being written (in the private staging folder beside the results)."""
    return lambda job, record: any(p.is_file() for p in folder.rglob("*")) if folder.exists() else False


def test_killed_batch_prediction_fails_and_leaves_no_result_or_manifest(store, world):
    out = world.out / "killed"
    request = {"MLModelId": "model", "BatchPredictionDataSourceId": "big"}
    call_detached("CreateBatchPrediction", BatchPredictionId="bp-killed", OutputUri=str(out), MLModelId="model",
                  BatchPredictionDataSourceId="many")  # 2.4M rows: seconds of work even on a fast machine
    kill_mid_work(store, "BatchPrediction", "bp-killed", _partial_result(out / "batch-prediction"))
    view = assert_failed_on_next_read("get-batch-prediction", "--batch-prediction-id", "bp-killed")
    assert "TotalRecordCount" not in view
    assert complete_looking(out / "batch-prediction" / "result") == set()
    assert complete_looking(out / "batch-prediction") == set()  # no manifest
    again = world.out / "again"
    call_detached("CreateBatchPrediction", BatchPredictionId="bp-again", OutputUri=str(again), **request)
    assert wait_status("BatchPrediction", "bp-again", timeout=120)["Status"] == "COMPLETED"
    assert complete_looking(again / "batch-prediction") == {"bp-again.manifest"}
    assert complete_looking(again / "batch-prediction" / "result") == {"bp-again-big.csv.gz"}


def test_the_feature_cache_of_a_killed_training_is_swept_by_the_next_one(tmp_path):
    """A worker killed mid-training cannot clean up; the next training removes its cache folder."""
    import os
    import subprocess
    import sys

    from aml_cli.service.machinelearning.ml_models import _fresh_cache_dir
    from aml_cli.store import Store

    store = Store()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = store.home / "tmp" / f"train-{dead.pid}-abc"
    orphan.mkdir(parents=True)
    (orphan / "x.npy").write_bytes(b"0")
    mine = _fresh_cache_dir(store)
    assert not orphan.exists()
    assert mine.exists() and mine.name.startswith(f"train-{os.getpid()}-")
