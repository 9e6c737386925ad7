"""Guarantee 1b: an `aml` process SIGKILLed in the middle of store writes never leaves a broken store."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

import pytest

from aml_cli.store import Store
from tests.ml_api import KINDS
from tests.reliability.conftest import REPO, aml_env, shared_store
from tests.reliability.data import write_csv, write_schema

ROUNDS = 100
STATUSES = {"PENDING", "INPROGRESS", "COMPLETED", "FAILED", "DELETED"}
COMMON = ("CreatedAt", "LastUpdatedAt", "CreatedByIamUser", "Status")
REQUIRED = {
    "DataSource": ("DataSourceId", "DataLocationS3", "ComputeStatistics", *COMMON),
    "MLModel": ("MLModelId", "TrainingDataSourceId", "MLModelType", "TrainingParameters", *COMMON),
    "Evaluation": ("EvaluationId", "MLModelId", "EvaluationDataSourceId", *COMMON),
    "BatchPrediction": ("BatchPredictionId", "MLModelId", "BatchPredictionDataSourceId", "OutputUri", *COMMON),
}

# One round: the service's create/update/tag/delete calls in a loop, jobs run inline by a no-op handler.
# Each call is framed by "begin"/"done" on stdout, so the test knows how far a writer got and whether
# its kill landed inside a call.
WRITER = """
import sys
from aml_cli.service import call
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store
from tests.reliability.handlers import install_quick

round_, data, schema, out = sys.argv[1:]
store = Store()
install_quick()
use_default(RequestContext(synchronous=True))


def step(operation, request):
    print("begin", flush=True)
    call(operation, request, store)
    print("done", flush=True)


print("ready", flush=True)
for i in range(100000):
    n = f"{round_}-{i}"
    step("CreateDataSourceFromS3", {"DataSourceId": "ds" + n, "ComputeStatistics": True,
         "DataSpec": {"DataLocationS3": data, "DataSchemaLocationS3": schema}})
    step("UpdateDataSource", {"DataSourceId": "ds" + n, "DataSourceName": "renamed " + n})
    step("AddTags", {"ResourceId": "ds" + n, "ResourceType": "DataSource",
         "Tags": [{"Key": "round", "Value": round_}, {"Key": "i", "Value": str(i)}]})
    step("CreateMLModel", {"MLModelId": "ml" + n, "MLModelType": "BINARY", "TrainingDataSourceId": "ds" + n})
    step("UpdateMLModel", {"MLModelId": "ml" + n, "MLModelName": n, "ScoreThreshold": 0.25})
    step("CreateEvaluation", {"EvaluationId": "ev" + n, "MLModelId": "ml" + n, "EvaluationDataSourceId": "ds" + n})
    step("CreateBatchPrediction", {"BatchPredictionId": "bp" + n, "MLModelId": "ml" + n,
         "BatchPredictionDataSourceId": "ds" + n, "OutputUri": out})
    step("DeleteTags", {"ResourceId": "ds" + n, "ResourceType": "DataSource", "TagKeys": ["i"]})
    step("DeleteEvaluation", {"EvaluationId": "ev" + n})
"""


def assert_whole(store: Store) -> int:
    """Every listed resource has its required fields, a valid status, and JSON that parses; returns the count."""
    rows = store.read(lambda conn: conn.execute("SELECT kind, id, status, record FROM resources").fetchall())
    for kind, resource_id, status, text in rows:
        record = json.loads(text)
        missing = [name for name in REQUIRED[kind] if name not in record]
        assert not missing, f"{kind} {resource_id} lacks {missing}: {record}"
        assert record[REQUIRED[kind][0]] == resource_id
        assert record["Status"] == status and status in STATUSES, record
        if status == "FAILED":
            assert record.get("Message"), record
    return len(rows)


def assert_every_resource_answers(store: Store) -> None:
    """Get and Describe answer for every kind, through the service, as a user would call them."""
    from aml_cli.service import call

    for kind in KINDS:
        operation = {"DataSource": "DataSources", "MLModel": "MLModels", "Evaluation": "Evaluations",
                     "BatchPrediction": "BatchPredictions"}[kind]
        listed = call(f"Describe{operation}", {}, store)["Results"]
        for record in store.list(kind):
            if record["Status"] == "DELETED":
                continue
            view = call(f"Get{kind}", {REQUIRED[kind][0]: record[REQUIRED[kind][0]]}, store)
            assert view["Status"] in STATUSES - {"DELETED"}
        assert len(listed) <= len(store.list(kind))


def kill_after_calls(writer: subprocess.Popen, calls: int, delay: float) -> bool:
    """Waits until the writer has finished `calls` calls, then SIGKILLs it `delay` seconds later; True when
    the kill landed inside a call (its last word was "begin")."""
    assert writer.stdout.readline() == b"ready\n"
    done = 0
    while done < calls:
        line = writer.stdout.readline()
        assert line, "the writer died before it was killed"
        done += line == b"done\n"
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    rest = writer.stdout.read().split()
    writer.stdout.close()
    return (rest[-1] if rest else b"done") == b"begin"


@pytest.mark.slow
def test_aml_processes_killed_at_random_points_leave_every_resource_whole(tmp_path):
    """Each writer is killed a random moment after a random number (1-4) of its calls have finished: the
    kill time follows the writer's own progress, so a loaded machine changes how long a round takes, not
    what it proves. Every round writes, and most kills land inside a call (a store write or read)."""
    data = str(write_csv(tmp_path / "d.csv", 50))
    schema = str(write_schema(tmp_path / "d.schema"))
    out = str(tmp_path / "out")
    store = shared_store()
    rng = random.Random(11)
    env = aml_env()
    counts, inside = [], 0
    for round_ in range(ROUNDS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, f"r{round_}", data, schema, out],
                                  stdout=subprocess.PIPE, env=env, cwd=REPO)
        inside += kill_after_calls(writer, rng.randint(1, 4), rng.uniform(0.0, 0.05))
        counts.append(assert_whole(store))
    assert counts[-1] >= ROUNDS, "a round ended before its writer created anything"
    assert inside > ROUNDS // 2, f"only {inside} of {ROUNDS} kills landed inside a call"
    assert store.read(lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
    assert_every_resource_answers(store)
    assert_whole(store)


# The creating process dies the moment the new record is committed, whatever it meant to do next.
DIES_AFTER_THE_RECORD = """
import os, signal, sys
from aml_cli.service import call
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import db

real_create = db.Store.create

def create_then_die(self, *args, **kwargs):
    result = real_create(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
    return result

db.Store.create = create_then_die
use_default(RequestContext(synchronous=sys.argv[3] == "sync"))
call("CreateDataSourceFromS3", {"DataSourceId": "orphan", "ComputeStatistics": True,
     "DataSpec": {"DataLocationS3": sys.argv[1], "DataSchemaLocationS3": sys.argv[2]}})
"""


@pytest.mark.parametrize("mode", ["sync", "detached"])
def test_a_create_killed_right_after_its_record_was_written_is_not_pending_forever(tmp_path, mode):
    from tests.reliability.conftest import aml, wait_status

    data = str(write_csv(tmp_path / "d.csv", 50))
    schema = str(write_schema(tmp_path / "d.schema"))
    dying = subprocess.run([sys.executable, "-c", DIES_AFTER_THE_RECORD, data, schema, mode], env=aml_env(),
                           cwd=REPO, timeout=60)
    assert dying.returncode == -signal.SIGKILL
    store = shared_store()
    assert store.get("DataSource", "orphan")["Status"] == "PENDING"  # the record was acknowledged
    active = store.read(lambda conn: conn.execute(
        "SELECT state FROM jobs WHERE kind = 'DataSource' AND resource_id = 'orphan' AND state != 'done'").fetchall())
    assert active, "a PENDING resource with no job queued: nothing will ever work on it"
    spec = f"DataLocationS3={data},DataSchemaLocationS3={schema}"
    assert aml("create-data-source-from-s3", "--data-source-id", "next", "--data-spec", spec).returncode == 0
    assert wait_status("DataSource", "orphan", timeout=60)["Status"] == "COMPLETED"
