"""A trained model's job: detached workers, cancel, the stopping condition, what the worker never sees (§2.6)."""

from __future__ import annotations

import math
import os
import random
import signal
import time
from pathlib import Path

import pytest

from aml_cli.api.errors import ConflictException, ResourceNotFoundException, ValidationException
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store
from tests.service.cleanroomsml.support import (
    Chain,
    association,
    channel,
    data_source,
    get_model,
    hyperparameters,
    membership,
    ml,
    trained_model,
    wait_model,
)

WORDS = {"id": "NUMERIC", "x": "NUMERIC", "words": "TEXT", "y": "BINARY"}
# L1 keeps the learner on SGD, whose fit of memorised rows keeps improving for minutes (Newton's methods, the
# default for data this small, would converge in a few passes)
LONG = hyperparameters(**{"sgd.maxPasses": "10000", "sgd.l1RegularizationAmount": "1e-9"})


def _memorise_rows(count: int) -> list[list]:
    """Rows of unique words and a random target: SGD keeps improving its fit, pass after pass, for minutes."""
    rng = random.Random(3)
    return [[i, rng.random(), " ".join(f"w{rng.randrange(10**6)}" for _ in range(8)), rng.randrange(2)]
            for i in range(count)]


class Slow:
    """A channel whose model trains for minutes unless it is stopped."""

    def __init__(self, store: Store, folder: Path) -> None:
        data_source(store, folder, data=_memorise_rows(3000), columns=WORDS)
        self.store, self.member = store, membership(store)
        self.association = association(store, self.member)
        self.channel = channel(store, self.member, self.association)

    def model(self, **extra) -> dict:
        params = extra.pop("params", LONG)
        return trained_model(self.store, self.member, self.association, {"train": self.channel}, params=params,
                             **extra)


@pytest.fixture
def slow(aml_home, tmp_path):
    return Slow(Store(aml_home, max_workers=2), tmp_path / "data")


@pytest.fixture
def workers():
    """Jobs of calls without a context run in detached workers from here on."""
    use_default(RequestContext(synchronous=False))


def _job(store: Store, version: str) -> dict:
    rows = store.read(lambda conn: conn.execute(
        "SELECT state, pid, log_path FROM jobs WHERE kind = 'TrainedModel' AND resource_id = ? ORDER BY seq DESC",
        (version,)).fetchall())
    state, pid, log = rows[0]
    return {"state": state, "pid": pid, "log": Path(log)}


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def _training(slow: Slow, created: dict) -> dict:
    """Waits until the version trains (its worker is past the first pass's featurizing)."""
    view = wait_model(slow.store, slow.member, created["trainedModelArn"], created["versionIdentifier"],
                      statuses={"CREATE_IN_PROGRESS", "ACTIVE", "CREATE_FAILED"})
    assert view["status"] == "CREATE_IN_PROGRESS", view
    deadline = time.monotonic() + 60
    while "Pass 1:" not in _job(slow.store, created["versionIdentifier"])["log"].read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return view


def test_the_chain_runs_detached_a_model_waiting_for_its_channel_to_be_made(store, tmp_path, workers):
    from tests.service.cleanroomsml.support import algorithm, rows

    use_default(RequestContext(synchronous=True))
    data_source(store, tmp_path / "data", data=rows(20_000))
    member = membership(store)
    linked = association(store, member, algorithm(store))
    use_default(RequestContext(synchronous=False))
    arn = channel(store, member, linked)
    created = trained_model(store, member, linked, {"train": arn})
    first = get_model(store, member, created["trainedModelArn"])["status"]
    assert first in ("CREATE_PENDING", "CREATE_IN_PROGRESS")
    deps = store.read(lambda conn: conn.execute("SELECT depends_on FROM jobs WHERE kind = 'TrainedModel'").fetchone())
    assert deps[0] == f'[["MLInputChannel", "{arn.rsplit("/", 1)[1]}"]]'
    seen = {first}
    deadline = time.monotonic() + 120
    while (view := get_model(store, member, created["trainedModelArn"]))["status"] not in ("ACTIVE", "CREATE_FAILED"):
        seen.add(view["status"])
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert view["status"] == "ACTIVE" and view["metricsStatus"] == "PUBLISH_SUCCEEDED"
    assert seen <= {"CREATE_PENDING", "CREATE_IN_PROGRESS"}
    channel_view = ml("GetMLInputChannel", {"membershipIdentifier": member["id"], "mlInputChannelArn": arn}, store)
    assert (channel_view["status"], channel_view["numberOfRecords"]) == ("ACTIVE", 20_000)
    assert store.get("TrainedModel", created["versionIdentifier"])["_training"]["rows_used"] == 20_000


@pytest.mark.slow
def test_cancel_while_training_ends_inactive_within_a_second_with_no_artifact(slow, workers):
    created = slow.model()
    version = created["versionIdentifier"]
    _training(slow, created)
    job = _job(slow.store, version)
    request = {"membershipIdentifier": slow.member["id"], "trainedModelArn": created["trainedModelArn"]}
    asked = time.monotonic()
    assert ml("CancelTrainedModel", request, slow.store) == {}
    assert get_model(slow.store, slow.member, created["trainedModelArn"])["status"] in ("CANCEL_PENDING",
                                                                                         "CANCEL_IN_PROGRESS")
    view = wait_model(slow.store, slow.member, created["trainedModelArn"], version, statuses={"INACTIVE", "ACTIVE"},
                      timeout=30)
    elapsed = time.monotonic() - asked
    assert view["status"] == "INACTIVE" and elapsed < 5, elapsed  # about 0.3 s unloaded; CI machines are busy
    deadline = time.monotonic() + 10
    while _alive(job["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(job["pid"])
    assert not slow.store.get("TrainedModel", version).get("_model_path")
    assert list((slow.store.home / "artifacts").glob("*.amlmodel")) == []
    with pytest.raises(ConflictException, match="INACTIVE"):
        ml("CancelTrainedModel", request, slow.store)


def test_an_active_version_cannot_be_cancelled_and_an_unknown_one_is_not_found(store, tmp_path):
    chain = Chain(store, tmp_path / "data")
    created = chain.model(params=hyperparameters(**{"sgd.maxPasses": "1"}))
    request = {"membershipIdentifier": chain.member["id"], "trainedModelArn": created["trainedModelArn"]}
    with pytest.raises(ConflictException, match="ACTIVE"):
        ml("CancelTrainedModel", request, store)
    with pytest.raises(ResourceNotFoundException):
        ml("CancelTrainedModel", {**request, "versionIdentifier": "00000000-0000-4000-8000-000000000000"}, store)
    assert chain.get(created["trainedModelArn"])["status"] == "ACTIVE"


@pytest.mark.slow
def test_a_version_queued_behind_the_job_limit_is_cancelled_without_running(aml_home, tmp_path, workers):
    use_default(RequestContext(synchronous=True))
    slow = Slow(Store(aml_home, max_workers=1), tmp_path / "data")
    use_default(RequestContext(synchronous=False))
    running = slow.model(name="running")
    _training(slow, running)
    queued = slow.model(name="queued")
    assert get_model(slow.store, slow.member, queued["trainedModelArn"])["status"] == "CREATE_PENDING"
    ml("CancelTrainedModel", {"membershipIdentifier": slow.member["id"], "trainedModelArn": queued["trainedModelArn"]},
       slow.store)
    assert get_model(slow.store, slow.member, queued["trainedModelArn"])["status"] == "INACTIVE"
    job = _job(slow.store, queued["versionIdentifier"])
    assert job["state"] == "done" and job["pid"] is None
    assert not job["log"].exists() or job["log"].read_text() == "", "it never ran (a log is made when a job starts)"
    ml("CancelTrainedModel", {"membershipIdentifier": slow.member["id"],
                              "trainedModelArn": running["trainedModelArn"]}, slow.store)
    assert wait_model(slow.store, slow.member, running["trainedModelArn"], running["versionIdentifier"],
                      timeout=30)["status"] == "INACTIVE"


@pytest.mark.slow
@pytest.mark.parametrize("acknowledged", [False, True], ids=["CANCEL_PENDING", "CANCEL_IN_PROGRESS"])
def test_a_worker_killed_while_cancelling_leaves_the_version_inactive(slow, workers, acknowledged):
    created = slow.model()
    version = created["versionIdentifier"]
    _training(slow, created)
    pid = _job(slow.store, version)["pid"]
    os.kill(pid, signal.SIGSTOP)  # holds it between two mini-batches, before it can see the request
    try:
        ml("CancelTrainedModel", {"membershipIdentifier": slow.member["id"],
                                  "trainedModelArn": created["trainedModelArn"]}, slow.store)
        if acknowledged:  # what the worker's cancel check does when it sees the request
            assert slow.store.transition("TrainedModel", version, "CANCEL_IN_PROGRESS") is not None
        assert slow.store.get("TrainedModel", version)["Status"] == ("CANCEL_IN_PROGRESS" if acknowledged
                                                                     else "CANCEL_PENDING")
    finally:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    view = get_model(slow.store, slow.member, created["trainedModelArn"])
    assert view["status"] == "INACTIVE" and not slow.store.get("TrainedModel", version).get("_model_path")


def test_a_result_finished_as_the_cancel_arrives_is_discarded_never_active(store, tmp_path, monkeypatch):
    from aml_cli.jobs import request_cancel
    from aml_cli.service.cleanroomsml import models

    chain = Chain(store, tmp_path / "data")
    finish = models.finish

    def cancel_then_finish(store_, record, trained, spec, ctx):
        fields = finish(store_, record, trained, spec, ctx)
        assert request_cancel(store_, "TrainedModel", record["versionIdentifier"])["Status"] == "CANCEL_PENDING"
        return fields

    monkeypatch.setattr(models, "finish", cancel_then_finish)
    created = chain.model(params=hyperparameters(**{"sgd.maxPasses": "1"}))
    assert chain.get(created["trainedModelArn"])["status"] == "INACTIVE"
    assert not store.get("TrainedModel", created["versionIdentifier"]).get("_model_path")
    assert list((store.home / "artifacts").glob("*.amlmodel")) == []


class FakeClock:
    """Advances a fixed step each time it is read (the learner reads it between mini-batches)."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _batches_per_pass(rows: int, monkeypatch) -> int:
    """SGD's mini-batches in a pass (the learner made SGD: as if the features were many and the rows too many to
    keep in memory)."""
    from aml_cli.ml import newton, newton_cg
    from aml_cli.ml.train import batch_size_for

    monkeypatch.setattr(newton, "MAX_FEATURES", 0)
    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)
    return math.ceil(rows / batch_size_for(rows, "BINARY"))


def test_at_the_deadline_of_an_injected_clock_the_last_complete_pass_is_kept(store, tmp_path, monkeypatch):
    from aml_cli.service.cleanroomsml import training

    chain = Chain(store, tmp_path / "data")
    per_pass = _batches_per_pass(600, monkeypatch)
    monkeypatch.setattr(training, "clock", FakeClock(1 / (1.5 * per_pass)))  # 1 s = 1.5 passes
    created = chain.model(params=hyperparameters(**{"sgd.maxPasses": "5"}),
                          stoppingCondition={"maxRuntimeInSeconds": 1})
    view = chain.get(created["trainedModelArn"])
    assert view["status"] == "ACTIVE"
    assert view["statusDetails"] == {"statusCode": "MAX_RUNTIME_EXCEEDED", "message": (
        "Training reached maxRuntimeInSeconds=1 and stopped after 1 of 5 passes; the model is that of pass 1.")}
    assert "Stopped after 1 of 5 passes" in Path(view["logsStatusDetails"].removeprefix("file://")).read_text()
    record = store.get("TrainedModel", created["versionIdentifier"])
    assert len(record["_training"]["pass_losses"]) == 1 and Path(record["_model_path"]).exists()


def test_a_deadline_before_the_first_pass_ends_fails_the_version(store, tmp_path, monkeypatch):
    from aml_cli.service.cleanroomsml import training

    chain = Chain(store, tmp_path / "data")
    monkeypatch.setattr(training, "clock", FakeClock(1 / (0.5 * _batches_per_pass(600, monkeypatch))))
    created = chain.model(stoppingCondition={"maxRuntimeInSeconds": 1})
    view = chain.get(created["trainedModelArn"])
    assert view["status"] == "CREATE_FAILED" and view["statusDetails"]["statusCode"] == "MAX_RUNTIME_EXCEEDED"
    assert list((store.home / "artifacts").glob("*.amlmodel")) == []


@pytest.mark.slow
def test_at_the_deadline_of_the_real_clock_training_stops_and_keeps_its_passes(slow):
    started = time.monotonic()  # 8 s: the first pass (reading and featurising included) ends inside it at load 12
    created = slow.model(stoppingCondition={"maxRuntimeInSeconds": 8})
    elapsed = time.monotonic() - started
    view = get_model(slow.store, slow.member, created["trainedModelArn"])
    assert view["status"] == "ACTIVE" and view["statusDetails"]["statusCode"] == "MAX_RUNTIME_EXCEEDED", view
    passes = len(slow.store.get("TrainedModel", created["versionIdentifier"])["_training"]["pass_losses"])
    assert passes >= 1 and f"after {passes} of 10000 passes" in view["statusDetails"]["message"]
    assert elapsed < 30


def test_without_a_stopping_condition_none_is_echoed_and_the_longest_runtime_is_refused(store, tmp_path):
    chain = Chain(store, tmp_path / "data")
    created = chain.model(params=hyperparameters(**{"sgd.maxPasses": "1"}))
    assert "stoppingCondition" not in chain.get(created["trainedModelArn"])
    with pytest.raises(ValidationException, match="less than or equal to 2419200"):
        chain.model(name="long", stoppingCondition={"maxRuntimeInSeconds": 2419201})


@pytest.mark.slow
def test_the_environment_is_echoed_and_never_reaches_the_worker(slow, workers):
    created = slow.model(environment={"AML_PROBE_VARIABLE": "from-the-request", "AML_HOME": "/elsewhere"})
    _training(slow, created)
    pid = _job(slow.store, created["versionIdentifier"])["pid"]
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert not [item for item in environ if item.startswith(b"AML_PROBE_VARIABLE=")]
    assert f"AML_HOME={slow.store.home}".encode() in environ
    view = get_model(slow.store, slow.member, created["trainedModelArn"])
    assert view["environment"] == {"AML_PROBE_VARIABLE": "from-the-request", "AML_HOME": "/elsewhere"}
    ml("CancelTrainedModel", {"membershipIdentifier": slow.member["id"],
                              "trainedModelArn": created["trainedModelArn"]}, slow.store)
