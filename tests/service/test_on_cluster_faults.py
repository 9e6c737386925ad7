"""Faults on a real cluster: a worker killed mid-job is retried by Dask, a lost scheduler fails the job cleanly."""

from __future__ import annotations

import contextlib
import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aml_cli.service import call
from tests.service.test_on_cluster import create_source, statistics_of, write_data

distributed = pytest.importorskip("distributed")


class DieOnce(distributed.WorkerPlugin):
    """Kills the worker process the first time it starts a task whose name begins with `prefix` (once per
    marker file, whichever worker gets there first): the death of a machine in the middle of the job."""

    def __init__(self, prefix: str, marker: str) -> None:
        self.prefix, self.marker = prefix, marker

    def transition(self, key, start, finish, **kwargs):
        name = key[0] if isinstance(key, tuple) else str(key)
        if finish == "executing" and str(name).startswith(self.prefix):
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
            os._exit(1)


class KillScheduler(distributed.WorkerPlugin):
    """Kills the scheduler's process when a worker starts a task whose name begins with `prefix`."""

    def __init__(self, prefix: str, pid: int) -> None:
        self.prefix, self.pid = prefix, pid

    def transition(self, key, start, finish, **kwargs):
        name = key[0] if isinstance(key, tuple) else str(key)
        if finish == "executing" and str(name).startswith(self.prefix):
            time.sleep(0.2)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr("aml_cli.service.machinelearning.reading.CHUNK_BYTES", 4096)
    monkeypatch.setenv("AML_DASK_PARTITION_BYTES", "8192")


@pytest.mark.slow
@pytest.mark.parametrize("task", ["statistics_of", "scored_lines"])
def test_a_worker_killed_mid_job_is_replaced_and_the_result_is_still_exact(store, tmp_path, monkeypatch,
                                                                           small_blocks, task):
    data = write_data(tmp_path / "data")
    create_source(store, "single", data)
    call("CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "single"}, store)
    call("CreateBatchPrediction", {"BatchPredictionId": "bp-single", "MLModelId": "m",
                                   "BatchPredictionDataSourceId": "single", "OutputUri": str(tmp_path / "one")}, store)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        client.register_plugin(DieOnce(task, str(tmp_path / "died")), name="die-once")
        monkeypatch.setenv("AML_DASK_SCHEDULER", cluster.scheduler_address)
        clustered = create_source(store, "clustered", data)
        call("CreateBatchPrediction", {"BatchPredictionId": "bp-cluster", "MLModelId": "m",
                                       "BatchPredictionDataSourceId": "clustered",
                                       "OutputUri": str(tmp_path / "two")}, store)
    assert (tmp_path / "died").exists()  # a worker did die
    assert clustered["Status"] == "COMPLETED"
    assert statistics_of(store, "clustered") == statistics_of(store, "single")
    assert call("GetBatchPrediction", {"BatchPredictionId": "bp-cluster"}, store)["Status"] == "COMPLETED"
    for name in ("a.csv", "b.csv", "c.csv"):
        one = gzip.decompress((tmp_path / f"one/batch-prediction/result/bp-single-{name}.gz").read_bytes())
        two = gzip.decompress((tmp_path / f"two/batch-prediction/result/bp-cluster-{name}.gz").read_bytes())
        assert one == two


@pytest.fixture
def separate_scheduler(tmp_path):
    """A scheduler and a worker as processes of their own, so that the scheduler can be killed."""
    scheduler_file = tmp_path / "scheduler.json"
    env = dict(os.environ)
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(scheduler_file)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                                   str(scheduler_file), "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with distributed.Client(scheduler_file=str(scheduler_file), timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
            yield client, scheduler
    finally:
        for process in (worker, scheduler):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@pytest.mark.slow
def test_a_lost_scheduler_fails_the_batch_prediction_naming_the_cluster_and_publishes_nothing(
        store, tmp_path, monkeypatch, small_blocks, separate_scheduler):
    client, scheduler = separate_scheduler
    data = write_data(tmp_path / "data")
    create_source(store, "source", data)
    call("CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "source"}, store)
    address = client.scheduler.address
    client.register_plugin(KillScheduler("scored_lines", scheduler.pid), name="kill-scheduler")
    monkeypatch.setenv("AML_DASK_SCHEDULER", address)
    monkeypatch.setattr("aml_cli.jobs.cluster.CONNECT_SECONDS", 5)
    started = time.monotonic()
    call("CreateBatchPrediction", {"BatchPredictionId": "bp", "MLModelId": "m", "BatchPredictionDataSourceId": "source",
                                   "OutputUri": str(tmp_path / "out")}, store)
    view = call("GetBatchPrediction", {"BatchPredictionId": "bp"}, store)
    assert view["Status"] == "FAILED"
    assert f"Lost the Dask cluster at {address}" in view["Message"]
    assert time.monotonic() - started < 120
    left = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*")) if (
        tmp_path / "out").exists() else []
    assert not [name for name in left if name.endswith((".gz", ".manifest"))], left
    assert not any(Path(name).name.startswith(".aml-staging") for name in left)
