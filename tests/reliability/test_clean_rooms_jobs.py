"""The reliability guarantees over Clean Rooms ML's four job kinds: channel queries, training, inference, export.

A worker killed at any point leaves its resource CREATE_FAILED with statusCode INTERNAL_ERROR (found by the
next reader) and nothing that looks complete; twenty create-trained-model processes at once all land; a crash
around the artifact commit never leaves an ACTIVE version without its model file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from aml_cli.jobs import reap
from aml_cli.jobs.scheduler import DIED_MESSAGE
from aml_cli.ml.model_file import load_model
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store
from tests.reliability.conftest import aml_popen, job_rows, process_gone
from tests.service.cleanroomsml.support import (
    ROLE,
    association,
    channel,
    channel_request,
    data_source,
    hyperparameters,
    membership,
    ml,
    model_request,
    rows,
)

pytestmark = pytest.mark.slow

KEYS = {"MLInputChannel": "mlInputChannelArn", "TrainedModel": "versionIdentifier",
        "TrainedModelInferenceJob": "trainedModelInferenceJobArn"}
EXPORTS = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 1.0},
                                                "filesToExport": ["MODEL", "OUTPUT"]}}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A store with a big data source, a small ACTIVE channel and model, a big channel, an ML configuration."""
    root = tmp_path_factory.mktemp("clean-rooms")
    previous = use_default(RequestContext(synchronous=True))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AML_S3_ROOT", str(root / "s3"))
            store = Store(root / "home", s3_root=root / "s3", max_workers=2)
            data_source(store, root / "data", data=rows(200_000))
            member = membership(store)
            linked = association(store, member, privacyConfiguration=EXPORTS)
            small = channel(store, member, linked, 'SELECT * FROM "ds-1" WHERE id < 2000', name="small")
            big = channel(store, member, linked, name="big")
            model = ml("CreateTrainedModel", model_request(member, linked, {"train": small}, params=hyperparameters(
                **{"sgd.maxPasses": "2"})), store)
            ml("PutMLConfiguration", {"membershipIdentifier": member["id"], "defaultOutputLocation": {
                "destination": {"s3Destination": {"s3Uri": "s3://results/ml"}}, "roleArn": ROLE}}, store)
    finally:
        use_default(previous)
    return SimpleNamespace(root=root, store=store, member=member, association=linked, small=small, big=big,
                           model=model)


@pytest.fixture
def store(world, monkeypatch):
    monkeypatch.setenv("AML_HOME", str(world.store.home))
    monkeypatch.setenv("AML_S3_ROOT", str(world.root / "s3"))
    use_default(RequestContext(synchronous=False))
    return world.store


def _start(world, kind: str, name: str) -> str:
    """Starts one job of `kind` in a detached worker; the store key of its resource."""
    member = world.member
    if kind == "MLInputChannel":
        arn = ml("CreateMLInputChannel", channel_request(member, world.association, 'SELECT * FROM "ds-1"',
                                                         name=name), world.store)["mlInputChannelArn"]
    elif kind == "TrainedModel":
        return ml("CreateTrainedModel", model_request(member, world.association, {"train": world.big}, name=name,
                                                      params=hyperparameters(**{"sgd.maxPasses": "50"})),
                  world.store)["versionIdentifier"]
    elif kind == "TrainedModelInferenceJob":
        arn = ml("StartTrainedModelInferenceJob", {
            "membershipIdentifier": member["id"], "name": name, "trainedModelArn": world.model["trainedModelArn"],
            "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": world.big},
            "outputConfiguration": {"members": [{"accountId": "000000000000"}]}}, world.store)[
            "trainedModelInferenceJobArn"]
    else:
        ml("StartTrainedModelExportJob", {"membershipIdentifier": member["id"], "name": name,
                                          "trainedModelArn": world.model["trainedModelArn"],
                                          "outputConfiguration": {"members": [{"accountId": "000000000000"}]}},
           world.store)
        return next(r["_id"] for r in world.store.list(kind) if r["name"] == name)
    return arn.rsplit("/", 1)[1]


def _worker(store: Store, kind: str, key: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        jobs = [j for j in job_rows(store) if j["kind"] == kind and j["resource_id"] == key]
        if jobs and jobs[-1]["state"] == "running" and jobs[-1]["pid"]:
            return jobs[-1]["pid"]
        assert time.monotonic() < deadline, f"{kind} {key} never started"
        time.sleep(0.005)


def _settled(store: Store, kind: str, key: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        reap(store)
        record = store.get(kind, key)
        if record["Status"] not in ("CREATE_PENDING", "CREATE_IN_PROGRESS"):
            return record
        assert time.monotonic() < deadline, record
        time.sleep(0.05)


@pytest.mark.parametrize("kind", ["MLInputChannel", "TrainedModel", "TrainedModelInferenceJob",
                                  "TrainedModelExportJob"])
def test_a_worker_killed_as_it_starts_fails_its_resource_with_internal_error(world, store, kind):
    key = _start(world, kind, f"killed-early-{kind}")
    pid = _worker(store, kind, key)
    os.kill(pid, signal.SIGKILL)
    process_gone(pid)
    record = _settled(store, kind, key)
    assert record["Status"] == "CREATE_FAILED"
    assert record["statusDetails"] == {"statusCode": "INTERNAL_ERROR", "message": DIED_MESSAGE}


@pytest.mark.parametrize(("kind", "busy"), [
    ("MLInputChannel", "Loaded"), ("TrainedModel", "Pass 1:"), ("TrainedModelInferenceJob", "Scoring")])
def test_a_worker_killed_mid_work_fails_its_resource_and_leaves_nothing_complete(world, store, kind, busy):
    key = _start(world, kind, f"killed-{kind}")
    pid = _worker(store, kind, key)
    log = Path(next(j["log_path"] for j in job_rows(store) if j["resource_id"] == key))
    deadline = time.monotonic() + 90
    while busy not in log.read_text():
        assert store.get(kind, key)["Status"] in ("CREATE_PENDING", "CREATE_IN_PROGRESS"), "finished too soon"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    process_gone(pid)
    record = _settled(store, kind, key)
    assert record["Status"] == "CREATE_FAILED" and record["statusDetails"]["statusCode"] == "INTERNAL_ERROR"
    assert not record.get("_data_path") and not record.get("_model_path") and not record.get("_output_path")
    if kind == "TrainedModelInferenceJob":
        folder = world.root / "s3" / "results" / "ml" / world.member["id"] / key
        assert not (folder / "output.csv").exists()


def test_twenty_concurrent_create_trained_model_processes_all_land(world, store):
    args = ["cleanroomsml", "create-trained-model", "--membership-identifier", world.member["id"],
            "--configured-model-algorithm-association-arn", world.association,
            "--resource-config", "instanceType=ml.m5.xlarge,volumeSizeInGB=1",
            "--data-channels", f"mlInputChannelArn={world.small},channelName=train",
            "--hyperparameters", "MLModelType=BINARY,targetAttributeName=y,sgd.maxPasses=1"]
    processes = [aml_popen(*args, "--name", f"concurrent-{i}", AML_MAX_WORKERS="2") for i in range(20)]
    outputs = [process.communicate(timeout=180) for process in processes]
    assert [p.returncode for p in processes] == [0] * 20, [err for _, err in outputs if err]
    created = [json.loads(out) for out, _ in outputs]
    assert len({c["trainedModelArn"] for c in created}) == 20
    for item in created:
        record = _settled(store, "TrainedModel", item["versionIdentifier"], timeout=300)
        assert record["Status"] == "ACTIVE" and load_model(record["_model_path"]).model_type == "BINARY"
    names = {r["name"] for r in store.list("TrainedModel") if r["name"].startswith("concurrent-")}
    assert names == {f"concurrent-{i}" for i in range(20)}


def test_a_crash_around_the_artifact_commit_never_leaves_an_active_version_without_its_model(world, store):
    """Workers SIGKILLed at spread-out moments of short trainings, the last ones as the model file lands."""
    rng = random.Random(7)
    first = _start(world, "TrainedModel", "timing")
    started = time.monotonic()
    _settled(store, "TrainedModel", first, timeout=120)
    duration = time.monotonic() - started
    outcomes = []
    for trial in range(8):
        key = ml("CreateTrainedModel", model_request(world.member, world.association, {"train": world.small},
                                                     name=f"crash-{trial}", params=hyperparameters(
                                                         **{"sgd.maxPasses": "3"})), store)["versionIdentifier"]
        pid = _worker(store, "TrainedModel", key)
        time.sleep(rng.uniform(0.2, 1.1) * duration)
        os.kill(pid, signal.SIGKILL)
        process_gone(pid)
        outcomes.append(_settled(store, "TrainedModel", key)["Status"])
    for trial in range(3):  # killed the moment its model file is complete: before or just after the commit
        before = set((store.home / "artifacts").glob("*.amlmodel"))
        key = ml("CreateTrainedModel", model_request(world.member, world.association, {"train": world.small},
                                                     name=f"crash-at-commit-{trial}", params=hyperparameters(
                                                         **{"sgd.maxPasses": "2"})), store)["versionIdentifier"]
        pid = _worker(store, "TrainedModel", key)
        deadline = time.monotonic() + 60
        while not set((store.home / "artifacts").glob("*.amlmodel")) - before and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(pid, signal.SIGKILL)
        process_gone(pid)
        outcomes.append(_settled(store, "TrainedModel", key)["Status"])
    for record in store.list("TrainedModel"):
        if record["Status"] == "ACTIVE":
            assert Path(record["_model_path"]).is_file(), record["name"]
            load_model(record["_model_path"])
        elif record["name"].startswith("crash-"):
            assert record["Status"] == "CREATE_FAILED" and record["statusDetails"]["statusCode"] == "INTERNAL_ERROR"
    assert set(outcomes) <= {"ACTIVE", "CREATE_FAILED"}
