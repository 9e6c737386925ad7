"""Guarantee: every file aml writes is 0600 and every folder 0700, whatever the umask it runs under.

The caller's umask is 000 here (the most permissive a user can have). Each job kind runs, in this process
(synchronous) and in detached workers; after each, every file under AML_HOME and the batch output is
checked, and so is the training feature cache (`tmp/train-*/features/*.npy`, `batches/*`), which lives only
while a model trains: caught just before it is removed, or left behind by a worker killed mid-training.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import REPO, aml_env, call_sync, job_rows, process_gone, shared_store, wait_status
from tests.reliability.data import write_csv, write_schema

pytestmark = pytest.mark.slow


def wrong_modes(root: Path) -> dict[str, str]:
    """Every entry below `root` (root itself included) whose mode is not 0700 (folder) or 0600 (file)."""
    wrong = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        expected = 0o700 if path.is_dir() else 0o600
        if mode != expected:
            wrong[str(path.relative_to(root.parent))] = oct(mode)
    return wrong


@pytest.fixture
def open_umask():
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def caches(monkeypatch):
    """The modes of every training cache tree, taken just before it is removed."""
    seen: dict[str, dict[str, str]] = {}
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        path = Path(path)
        if any(part.startswith("train-") for part in path.parts) and path.exists():
            seen[str(path)] = {**wrong_modes(path), "files": str(sum(1 for p in path.rglob("*") if p.is_file()))}
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    return seen


def test_every_file_of_every_job_kind_is_private_under_an_open_umask(open_umask, caches, aml_home, tmp_path):
    data, schema = write_csv(tmp_path / "in" / "d.csv", 3_000), write_schema(tmp_path / "in" / "d.schema")
    spec = {"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)}
    out = tmp_path / "out"
    steps = [
        ("CreateDataSourceFromS3", {"DataSourceId": "ds", "ComputeStatistics": True, "DataSpec": spec}),
        ("CreateMLModel", {"MLModelId": "ml", "MLModelType": "BINARY", "TrainingDataSourceId": "ds"}),
        ("CreateEvaluation", {"EvaluationId": "ev", "MLModelId": "ml", "EvaluationDataSourceId": "ds"}),
        ("CreateBatchPrediction", {"BatchPredictionId": "bp", "MLModelId": "ml", "BatchPredictionDataSourceId": "ds",
                                   "OutputUri": str(out)}),
    ]
    for operation, request in steps:
        call_sync(operation, **request)
        assert wrong_modes(aml_home) == {}, f"after {operation}"
    assert {record["Status"] for kind in ("DataSource", "MLModel", "Evaluation", "BatchPrediction")
            for record in shared_store().list(kind)} == {"COMPLETED"}
    assert sum(int(tree.pop("files")) for tree in caches.values()) > 0, "the training wrote no cache to check"
    assert [tree for tree in caches.values() if tree] == [], "the training feature cache was not private"
    assert wrong_modes(out) == {}


def test_a_detached_worker_writes_privately_whatever_umask_its_caller_has(aml_home, tmp_path):
    """The worker sets its own umask: its feature cache, left behind by a kill mid-training, shows it."""
    data, schema = write_csv(tmp_path / "in" / "d.csv", 300_000), write_schema(tmp_path / "in" / "d.schema")

    def aml_open(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "aml_cli", *args], capture_output=True, text=True,
                              env=aml_env(), cwd=REPO, timeout=120, preexec_fn=lambda: os.umask(0))

    made = aml_open("create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec",
                    f"DataLocationS3={data},DataSchemaLocationS3={schema}")
    assert made.returncode == 0, made.stderr
    assert wait_status("DataSource", "ds", timeout=120)["Status"] == "COMPLETED"
    made = aml_open("create-ml-model", "--ml-model-id", "ml", "--ml-model-type", "BINARY",
                    "--training-data-source-id", "ds", "--parameters", "sgd.maxPasses=50")
    assert made.returncode == 0, made.stderr
    store = shared_store()
    deadline = time.monotonic() + 120
    while not list((aml_home / "tmp").glob("train-*/*/*.npy")):
        assert store.get("MLModel", "ml")["Status"] in ("PENDING", "INPROGRESS"), "trained before it was caught"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    [job] = [job for job in job_rows(store) if job["kind"] == "MLModel"]
    os.kill(job["pid"], signal.SIGKILL)
    process_gone(job["pid"])
    assert list((aml_home / "tmp").glob("train-*/*/*.npy")), "the killed training left no cache to check"
    assert wrong_modes(aml_home) == {}


def test_every_clean_rooms_ml_job_kind_writes_privately_under_an_open_umask(open_umask, aml_home, tmp_path):
    """Channel query, training, inference and export, under umask 000: the store and the output location."""
    from tests.conftest import jobs_inline
    from tests.service.cleanroomsml.support import (
        ROLE,
        Chain,
        association,
        channel,
        hyperparameters,
        ml,
        model_request,
    )

    store, out = shared_store(), tmp_path / "results"
    exports = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 1.0},
                                                    "filesToExport": ["MODEL", "OUTPUT"]}}}
    with jobs_inline(True):
        chain = Chain(store, tmp_path / "data")
        assert wrong_modes(aml_home) == {}, "after the channel's query"
        ml("PutMLConfiguration", {"membershipIdentifier": chain.member["id"], "defaultOutputLocation": {
            "destination": {"s3Destination": {"s3Uri": str(out)}}, "roleArn": ROLE}}, store)
        exporting = association(store, chain.member, chain.algorithm, privacyConfiguration=exports, name="exports")
        trained = ml("CreateTrainedModel", model_request(chain.member, exporting, {"train": channel(
            store, chain.member, exporting, name="for-export")}, params=hyperparameters(**{"sgd.maxPasses": "2"})),
            store)
        assert wrong_modes(aml_home) == {}, "after the training"
        members = {"members": [{"accountId": "000000000000"}]}
        ml("StartTrainedModelInferenceJob", {
            "membershipIdentifier": chain.member["id"], "name": "score", "trainedModelArn": trained["trainedModelArn"],
            "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": chain.channel},
            "outputConfiguration": members}, store)
        ml("StartTrainedModelExportJob", {"membershipIdentifier": chain.member["id"], "name": "ship",
                                          "trainedModelArn": trained["trainedModelArn"],
                                          "outputConfiguration": members}, store)
    assert {r["Status"] for kind in ("MLInputChannel", "TrainedModel", "TrainedModelInferenceJob",
                                     "TrainedModelExportJob") for r in store.list(kind)} == {"ACTIVE"}
    assert sum(1 for p in out.rglob("*") if p.is_file()) >= 5, "the jobs wrote no output to check"
    assert wrong_modes(aml_home) == {}
    assert wrong_modes(out) == {}
