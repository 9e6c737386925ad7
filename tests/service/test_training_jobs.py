"""Training as a job: the three model types, GetMLModel per status, the log, size cap, L1, shuffling, killing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest

from aml_cli.api.errors import ResourceNotFoundException
from aml_cli.jobs import is_alive
from aml_cli.ml.model_file import load_model
from aml_cli.service import call
from aml_cli.store import Store
from tests.service.models_conftest import (
    SHORT,
    TYPES,
    create_model,
    create_source,
    job_pid,
    record_of,
    schema_text,
    sync_jobs,
    tiny_frame,
    tiny_source,
    trained_world,
    wait_final,
    wait_idle,
    wait_status,
    write_csv,
)

WIDE_COLUMNS = {"row_id": "CATEGORICAL", "text": "TEXT", "code": "CATEGORICAL", "x": "NUMERIC", "y": "BINARY"}


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return trained_world(tmp_path_factory)


def wide_frame(rows: int = 3000) -> pd.DataFrame:
    """Many distinct words and codes: over 30,000 non-zero weights without regularization."""
    rng = np.random.default_rng(1)
    vocabulary = np.array([f"w{i}" for i in range(20000)])
    x = rng.normal(size=rows)
    return pd.DataFrame({
        "row_id": [f"r{i}" for i in range(rows)],
        "text": [" ".join(words) for words in rng.choice(vocabulary, (rows, 8))],
        "code": [f"c{c}" for c in rng.integers(0, 3000, size=rows)],
        "x": x.round(3),
        "y": np.where(x + 0.5 * rng.normal(size=rows) > 0, "1", "0"),
    })


def wide_store(home: Path, data: Path) -> Store:
    store = Store(home)
    with sync_jobs():
        create_source(store, "wide", data, schema_text(WIDE_COLUMNS, "y"))
    return store


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """Models on the wide data: default parameters, a 100,000-byte cap, L1, and auto shuffling."""
    folder = tmp_path_factory.mktemp("wide")
    data = write_csv(folder / "wide.csv", wide_frame())
    store = wide_store(folder / "home", data)
    with sync_jobs():
        create_model(store, "plain", "wide", "BINARY")
        create_model(store, "capped", "wide", "BINARY", Parameters={"sgd.maxMLModelSizeInBytes": "100000"})
        create_model(store, "lasso", "wide", "BINARY", Parameters={"sgd.l1RegularizationAmount": "1E-3"})
        create_model(store, "auto", "wide", "BINARY", Parameters={"sgd.shuffleType": "auto"})
    for record in store.list("MLModel"):
        assert record["Status"] == "COMPLETED", record.get("Message")
    store.data_path = data
    return store


def log_text(model: dict) -> str:
    uri = urlparse(model["LogUri"])
    assert uri.scheme == "file"
    return Path(uri.path).read_text(encoding="utf-8")


def log_lines(model: dict) -> list[str]:
    """The log's lines without their timestamps."""
    return [line.partition(" ")[2] for line in log_text(model).splitlines()]


def weights_of(store: Store, model_id: str) -> np.ndarray:
    return load_model(Path(record_of(store, "MLModel", model_id)["_model_path"])).weights


# -- the three types, COMPLETED ---------------------------------------------------------------------


@pytest.mark.parametrize("model_type", TYPES)
def test_each_model_type_trains_and_get_ml_model_reports_it(world, model_type):
    short = SHORT[model_type]
    model = call("GetMLModel", {"MLModelId": short}, world.store)
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert model["MLModelType"] == model_type
    assert model["TrainingDataSourceId"] == f"{short}-train"
    assert model["InputDataLocationS3"] == str(world.data[short].train)
    assert model["Name"] == f"{short} model"
    assert model["CreatedByIamUser"].startswith("arn:aws:iam::")
    assert model["CreatedAt"] <= model["StartedAt"] <= model["FinishedAt"] <= model["LastUpdatedAt"]
    assert isinstance(model["ComputeTime"], int) and model["ComputeTime"] >= 0
    assert model["SizeInBytes"] == os.path.getsize(record_of(world.store, "MLModel", short)["_model_path"])
    assert model["TrainingParameters"] == {
        "algorithm": "sgd",
        "sgd.maxMLModelSizeInBytes": "33554432",
        "sgd.maxPasses": "10",
        "sgd.shuffleType": "none",
    }
    assert "Message" not in model
    assert "Recipe" not in model and "Schema" not in model
    assert not [key for key in model if key.startswith("_")]


@pytest.mark.parametrize("model_type", TYPES)
def test_only_binary_models_have_a_score_threshold_of_one_half(world, model_type):
    model = call("GetMLModel", {"MLModelId": SHORT[model_type]}, world.store)
    if model_type == "BINARY":
        assert model["ScoreThreshold"] == 0.5
    else:
        assert "ScoreThreshold" not in model
    assert "ScoreThresholdLastUpdatedAt" not in model


def test_verbose_adds_the_default_recipe_used_and_the_schema(world):
    model = call("GetMLModel", {"MLModelId": "churn", "Verbose": True}, world.store)
    recipe = json.loads(model["Recipe"])
    assert "ALL_BINARY" in recipe["outputs"] and "ALL_CATEGORICAL" in recipe["outputs"]
    assert any(output.startswith("quantile_bin(") for output in recipe["outputs"])
    assert model["Schema"] == (Path(__file__).parents[2] / "aml_cli" / "demo" / "churn.schema").read_text()
    assert model["Recipe"].strip() in "\n".join(log_lines(model))


def test_the_log_holds_the_recipe_rows_features_and_a_loss_per_pass(world):
    model = call("GetMLModel", {"MLModelId": "bin", "Verbose": True}, world.store)
    lines = log_lines(model)
    text = "\n".join(lines)
    assert model["Recipe"].strip() in text
    train_rows = len(pd.read_csv(world.data["bin"].train))
    assert f"Rows read: {train_rows}; used: {train_rows}; skipped for a missing target: 0" in text
    assert "Features: " in text
    passes = [line for line in lines if line.startswith("Pass ")]
    assert passes and all("loss" in line for line in passes)
    assert [int(line.split()[1].rstrip(":")) for line in passes] == list(range(1, len(passes) + 1))


def test_rows_without_a_target_are_skipped_and_counted(tmp_path):
    store = Store()
    frame, columns, target = tiny_frame("REGRESSION", rows=50)
    frame.loc[[3, 7, 11], target] = np.nan
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
        create_model(store, "m", "ds", "REGRESSION")
    model = call("GetMLModel", {"MLModelId": "m"}, store)
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert "Rows read: 50; used: 47; skipped for a missing target: 3" in log_text(model)


def test_an_unknown_model_is_not_found():
    with pytest.raises(ResourceNotFoundException, match="ghost"):
        call("GetMLModel", {"MLModelId": "ghost"}, Store())


# -- PENDING and FAILED ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_pending_model_has_no_start_finish_compute_time_or_size(tmp_path):
    store = Store()
    with sync_jobs(False):
        tiny_source(store, tmp_path, "ds", "BINARY", rows=2000)
        create_model(store, "m", "ds", "BINARY")
        pending = call("GetMLModel", {"MLModelId": "m"}, store)
        done = wait_final(store, "MLModel", "m")
        wait_idle(store)
    assert pending["Status"] == "PENDING"
    for member in ("StartedAt", "FinishedAt", "ComputeTime", "SizeInBytes", "Message"):
        assert member not in pending
    assert pending["EndpointInfo"] == {"PeakRequestsPerSecond": 0, "EndpointStatus": "NONE"}
    assert done["Status"] == "COMPLETED"


def test_a_failed_training_has_a_message_and_finish_time_but_no_compute_time(tmp_path):
    store = Store()
    frame, columns, target = tiny_frame("MULTICLASS")
    frame[target] = "only"
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
        create_model(store, "m", "ds", "MULTICLASS")
    model = call("GetMLModel", {"MLModelId": "m"}, store)
    assert model["Status"] == "FAILED"
    assert "class" in model["Message"]
    assert model["StartedAt"] <= model["FinishedAt"]
    assert "ComputeTime" not in model and "SizeInBytes" not in model
    assert model["Message"] in log_text(model)


# -- size cap, L1, shuffling ------------------------------------------------------------------------


def test_the_size_cap_prunes_the_model_file_to_fit(wide):
    capped = call("GetMLModel", {"MLModelId": "capped"}, wide)
    plain = call("GetMLModel", {"MLModelId": "plain"}, wide)
    assert plain["SizeInBytes"] > 100000
    assert capped["SizeInBytes"] <= 100000
    assert capped["SizeInBytes"] == os.path.getsize(record_of(wide, "MLModel", "capped")["_model_path"])
    dropped = np.count_nonzero(weights_of(wide, "plain")) - np.count_nonzero(weights_of(wide, "capped"))
    assert dropped > 0
    assert f"Pruned {dropped} of" in log_text(capped)
    assert "Pruned" not in log_text(plain)


def test_l1_gives_fewer_non_zero_weights_than_no_regularization(wide):
    assert np.count_nonzero(weights_of(wide, "lasso")) < 0.5 * np.count_nonzero(weights_of(wide, "plain"))
    model = call("GetMLModel", {"MLModelId": "lasso"}, wide)
    assert float(model["TrainingParameters"]["sgd.l1RegularizationAmount"]) == 1e-3
    assert "sgd.l2RegularizationAmount" not in model["TrainingParameters"]


def test_auto_shuffling_is_the_same_for_the_same_model_id_and_differs_from_none(wide, tmp_path):
    """The same model ID shuffles alike; the order matters to SGD (here under L1, which always trains with
    SGD), while Newton's methods, which this small data takes by default, land on the same optimum in any
    order."""
    other = wide_store(tmp_path / "other-home", wide.data_path)
    with sync_jobs():
        create_model(other, "auto", "wide", "BINARY", Parameters={"sgd.shuffleType": "auto"})
        lasso = {"sgd.l1RegularizationAmount": "1E-3", "sgd.shuffleType": "auto"}
        create_model(wide, "lasso-auto", "wide", "BINARY", Parameters=lasso)
    first = Path(record_of(wide, "MLModel", "auto")["_model_path"]).read_bytes()
    again = Path(record_of(other, "MLModel", "auto")["_model_path"]).read_bytes()
    assert first == again
    assert not np.array_equal(weights_of(wide, "lasso-auto"), weights_of(wide, "lasso"))


# -- workers that die or are stopped ----------------------------------------------------------------


@pytest.fixture
def running_training(tmp_path):
    """(store, pid): a detached training on the wide data (minutes long), caught while INPROGRESS.

    The worker is killed at teardown whatever the test did, so none outlives it.
    """
    store = Store()
    data = write_csv(tmp_path / "wide.csv", wide_frame(6000))
    with sync_jobs():
        create_source(store, "wide", data, schema_text(WIDE_COLUMNS, "y"))
    with sync_jobs(False):
        create_model(store, "m", "wide", "BINARY", Parameters={"sgd.maxPasses": "10000"})
        wait_status(store, "MLModel", "m", "INPROGRESS")
    pid = job_pid(store, "MLModel", "m")
    assert pid is not None and pid != os.getpid()
    yield store, pid
    if is_alive(pid, None):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def wait_gone(pid: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while is_alive(pid, None):
        if time.monotonic() > deadline:
            raise AssertionError(f"worker {pid} still running")
        time.sleep(0.05)


@pytest.mark.slow
def test_a_killed_training_worker_leaves_a_failed_model_with_a_message(running_training):
    store, pid = running_training
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    model = call("GetMLModel", {"MLModelId": "m"}, store)
    assert model["Status"] == "FAILED"
    assert "stopped unexpectedly" in model["Message"]
    assert "FinishedAt" in model and "ComputeTime" not in model and "SizeInBytes" not in model


@pytest.mark.slow
def test_deleting_a_running_training_stops_its_worker(running_training):
    store, pid = running_training
    call("DeleteMLModel", {"MLModelId": "m"}, store)
    wait_gone(pid)
    wait_idle(store)
    time.sleep(0.2)
    model = call("GetMLModel", {"MLModelId": "m"}, store)
    assert model["Status"] == "DELETED"
    assert "SizeInBytes" not in model
