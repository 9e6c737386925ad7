"""Guarantee: a batch prediction killed at any point leaves no output that looks complete, nor any leftovers.

Its data source is a folder of 16 CSVs, so the job writes 16 result files one after another: the old
writer renamed each into `result/` as soon as it was whole, so a worker killed while writing the
second left a finished first one (and `.partial` files) behind a FAILED resource.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.reliability.conftest import (
    FINAL,
    REPO,
    aml,
    aml_env,
    call_detached,
    call_sync,
    job_rows,
    process_gone,
    shared_store,
    wait_status,
)
from tests.reliability.data import write_csv, write_schema

pytestmark = pytest.mark.slow

PARTS = 16  # hard links to one file: 1.9M rows cost nothing to make and take seconds to score
ROWS = 120_000


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("killed-bp")
    home, data = root / "home", root / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AML_HOME", str(home))
        schema = str(write_schema(data / "d.schema"))
        small = write_csv(data / "small.csv", 2_000)
        parts = data / "parts"
        first = write_csv(parts / "part01.csv", ROWS, seed=1)
        for part in range(2, PARTS + 1):
            os.link(first, parts / f"part{part:02d}.csv")
        call_sync("CreateDataSourceFromS3", DataSourceId="small", ComputeStatistics=True,
                  DataSpec={"DataLocationS3": str(small), "DataSchemaLocationS3": schema})
        call_sync("CreateDataSourceFromS3", DataSourceId="parts",
                  DataSpec={"DataLocationS3": str(parts), "DataSchemaLocationS3": schema})
        call_sync("CreateMLModel", MLModelId="model", MLModelType="BINARY", TrainingDataSourceId="small")
        call_sync("CreateBatchPrediction", BatchPredictionId="bp-timing", MLModelId="model",
                  BatchPredictionDataSourceId="parts", OutputUri=str(root / "out" / "timing"))
        seconds = shared_store().get("BatchPrediction", "bp-timing")["ComputeTime"] / 1000
    return SimpleNamespace(home=home, out=root / "out", seconds=seconds)


@pytest.fixture
def store(world, monkeypatch):
    monkeypatch.setenv("AML_HOME", str(world.home))
    return shared_store()


def files_below(folder: Path) -> list[str]:
    """Every file and folder aml left under an output location, hidden ones included."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def writing_the_second_file(out: Path) -> bool:
    """The first of the result files is whole and the second is being written (in any layout)."""
    return any("part02" in p.name for p in out.rglob("*")) if out.exists() else False


def _worker(store, resource_id: str) -> int | None:
    jobs = [job for job in job_rows(store) if job["resource_id"] == resource_id and job["kind"] == "BatchPrediction"]
    return jobs[-1]["pid"] if jobs and jobs[-1]["state"] == "running" else None


def kill_when(store, resource_id: str, ready, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        record = store.get("BatchPrediction", resource_id)
        assert record["Status"] not in FINAL, f"{resource_id} finished before it could be killed"
        pid = _worker(store, resource_id)
        if pid and record["Status"] == "INPROGRESS" and ready(record):
            break
        assert time.monotonic() < deadline, f"{resource_id} never got to the moment"
        time.sleep(0.01)
    assert b"aml_cli.jobs" in Path(f"/proc/{pid}/cmdline").read_bytes()
    os.kill(pid, signal.SIGKILL)
    process_gone(pid)


def assert_nothing_left(resource_id: str, out: Path) -> None:
    result = aml("get-batch-prediction", "--batch-prediction-id", resource_id)
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    assert view["Status"] == "FAILED" and view.get("Message"), view
    leftovers = [name for name in files_below(out) if name not in ("batch-prediction", "batch-prediction/result")]
    assert leftovers == [], f"a FAILED batch prediction left {leftovers}"


def test_a_worker_killed_after_its_first_result_file_leaves_nothing(store, world):
    out = world.out / "second-file"
    call_detached("CreateBatchPrediction", BatchPredictionId="bp-second", MLModelId="model",
                  BatchPredictionDataSourceId="parts", OutputUri=str(out))
    kill_when(store, "bp-second", lambda record: writing_the_second_file(out))
    assert_nothing_left("bp-second", out)


@pytest.mark.parametrize("seed", range(4))
def test_a_worker_killed_at_a_random_moment_leaves_nothing(store, world, seed):
    rng = random.Random(seed)
    out = world.out / f"random-{seed}"
    resource_id = f"bp-random-{seed}"
    call_detached("CreateBatchPrediction", BatchPredictionId=resource_id, MLModelId="model",
                  BatchPredictionDataSourceId="parts", OutputUri=str(out))
    wait_status("BatchPrediction", resource_id, statuses=("INPROGRESS", *FINAL), timeout=120)
    delay = rng.uniform(0.0, 0.8) * world.seconds  # a moment inside the job, however fast the machine
    started = time.monotonic()
    kill_when(store, resource_id, lambda record: time.monotonic() - started > delay)
    assert_nothing_left(resource_id, out)


def _interrupted_sync_run(out: Path, resource_id: str, how: int) -> int:
    """A `--sync` create-batch-prediction sent `how` while its second result file is being written; its exit code."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aml_cli", "create-batch-prediction", "--batch-prediction-id", resource_id,
         "--ml-model-id", "model", "--batch-prediction-data-source-id", "parts", "--output-uri", str(out), "--sync"],
        env=aml_env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not writing_the_second_file(out):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(how)
    code = process.wait(timeout=60)
    process.stderr.close()
    return code


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_sync_run_leaves_nothing(store, world, how):
    """On a loaded machine the last files can be written before the signal lands: such a run exits 0 with
    its whole set published (the truth), and is tried again; one of three runs must be interrupted."""
    for attempt in range(3):
        out, resource_id = world.out / f"sync-{how}-{attempt}", f"bp-sync-{int(how)}-{attempt}"
        if _interrupted_sync_run(out, resource_id, how) != 0:
            assert_nothing_left(resource_id, out)
            return
        assert store.get("BatchPrediction", resource_id)["Status"] == "COMPLETED"
        assert len([p for p in out.rglob("*.csv.gz")]) == PARTS, "a run that exited 0 published a partial set"
    pytest.fail("three runs finished before the signal landed: the interrupt was never tested")


def test_after_the_kills_a_batch_prediction_publishes_its_whole_set(store, world):
    out = world.out / "whole"
    call_detached("CreateBatchPrediction", BatchPredictionId="bp-whole", MLModelId="model",
                  BatchPredictionDataSourceId="parts", OutputUri=str(out))
    assert wait_status("BatchPrediction", "bp-whole", timeout=180)["Status"] == "COMPLETED"
    expected = sorted(["batch-prediction", "batch-prediction/bp-whole.manifest", "batch-prediction/result",
                       *(f"batch-prediction/result/bp-whole-part{n:02d}.csv.gz" for n in range(1, PARTS + 1))])
    assert files_below(out) == expected
    manifest = json.loads((out / "batch-prediction" / "bp-whole.manifest").read_text())
    assert sorted(Path(uri).name for uri in manifest.values()) == sorted(f"bp-whole-part{n:02d}.csv.gz"
                                                                         for n in range(1, PARTS + 1))
