"""The store, the worker and the reaper move resources only as their kind's declared lifecycle says.

A kind with Clean Rooms ML's statuses, registered by the test, goes through
the same machinery as Amazon ML's: nothing in `store` or `jobs` names a status.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from pathlib import Path

import pytest

from aml_cli.api import SERVICES, resource_kinds
from aml_cli.api.resources import Lifecycle, ResourceKind, transitions
from aml_cli.jobs import Work, reap, submit
from aml_cli.jobs.scheduler import DIED_MESSAGE
from tests.jobs.support import job_rows, wait_until

REPO = Path(__file__).resolve().parents[2]

CLEAN_ROOMS_LIKE = Lifecycle(
    start="CREATE_PENDING",
    running="CREATE_IN_PROGRESS",
    done="ACTIVE",
    failed="CREATE_FAILED",
    allowed=transitions({
        "CREATE_PENDING": "CREATE_IN_PROGRESS CREATE_FAILED CANCEL_PENDING",
        "CREATE_IN_PROGRESS": "ACTIVE CREATE_FAILED CANCEL_PENDING",
        "CANCEL_PENDING": "CANCEL_IN_PROGRESS INACTIVE",
        "CANCEL_IN_PROGRESS": "INACTIVE",
        "ACTIVE": "INACTIVE",
        "CREATE_FAILED": "INACTIVE",
        "INACTIVE": "",
    }),
    stamps={status: ("updateTime",) for status in ("CREATE_IN_PROGRESS", "ACTIVE", "CREATE_FAILED", "INACTIVE")},
    message_field="statusDetails",
    failure_code="INTERNAL_ERROR",
)
WIDGET = ResourceKind(name="Widget", service="machinelearning", noun="widget", id_member="widgetId",
                      module="tags", lifecycle=CLEAN_ROOMS_LIKE, job="tests.jobs.handlers:widget")


def _declared() -> list[ResourceKind]:
    return [kind for name in SERVICES for kind in resource_kinds(name).values() if kind.lifecycle is not None]


@pytest.fixture
def widgets(monkeypatch):
    """Registers the test's kind as if a service had declared it."""
    monkeypatch.setitem(resource_kinds("machinelearning"), "Widget", WIDGET)
    return WIDGET


@pytest.mark.parametrize("kind", _declared(), ids=lambda kind: kind.name)
def test_every_declared_lifecycle_is_whole(kind):
    life = kind.lifecycle
    assert {life.start, life.running, life.done, life.failed} <= life.statuses
    assert life.may_move(life.start, life.running)
    assert life.may_move(life.running, life.done) and life.may_move(life.running, life.failed)
    assert life.start not in life.settled and life.running not in life.settled
    assert set(life.stamps) <= life.statuses
    assert kind.job is None or ":" in kind.job


@pytest.mark.parametrize("kind", [*_declared(), WIDGET], ids=lambda kind: kind.name)
def test_the_store_allows_exactly_the_moves_a_lifecycle_allows(store, monkeypatch, kind):
    monkeypatch.setitem(resource_kinds("machinelearning"), "Widget", WIDGET)
    statuses = sorted(kind.lifecycle.statuses)
    for n, (old, new) in enumerate(itertools.product(statuses, statuses)):
        store.create(kind.name, f"r{n}", {"Status": old}, "fp")
        moved = store.transition(kind.name, f"r{n}", new, {"Note": "x"})
        if kind.lifecycle.may_move(old, new):
            assert moved == {"Status": new, "Note": "x"}, (old, new)
        else:
            assert moved is None and store.get(kind.name, f"r{n}") == {"Status": old}, (old, new)


def test_a_job_of_another_lifecycle_runs_through_its_own_statuses(store, widgets):
    store.create("Widget", "w", {"Status": "CREATE_PENDING", "_Test": {"result": {"sizeInGb": 1}}}, "fp")
    submit(store, "Widget", "w", Work(widgets.job, synchronous=True))
    record = store.get("Widget", "w")
    assert record["Status"] == "ACTIVE" and record["sizeInGb"] == 1
    assert isinstance(record["updateTime"], float)
    assert "ComputeTime" not in record and "StartedAt" not in record  # Amazon ML's stamps are its own


def test_a_failure_is_recorded_where_and_how_the_kind_keeps_it(store, widgets):
    plan = {"fail": "the query failed", "code": "QUERY_ERROR"}
    store.create("Widget", "w", {"Status": "CREATE_PENDING", "_Test": plan}, "fp")
    submit(store, "Widget", "w", Work(widgets.job, synchronous=True))
    record = store.get("Widget", "w")
    assert record["Status"] == "CREATE_FAILED"
    assert record["statusDetails"] == {"statusCode": "QUERY_ERROR", "message": "the query failed"}
    assert "Message" not in record


@pytest.mark.slow
def test_a_dead_worker_fails_its_resource_with_the_kinds_failed_status(store, widgets, monkeypatch):
    """The worker is a real detached process: it must find the test's kind too, so the test registers it there."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    store.create("Widget", "w", {"Status": "CREATE_PENDING", "_Test": {"sleep": 60}}, "fp")
    submit(store, "Widget", "w", Work("tests.jobs.widget_worker:run"))
    running = wait_until(store, "Widget", "w", statuses={"CREATE_IN_PROGRESS"})
    assert running["Status"] == "CREATE_IN_PROGRESS"
    [job] = [row for row in job_rows(store) if row["state"] == "running"]
    subprocess.run(["kill", "-9", str(job["pid"])], check=True)
    deadline = time.monotonic() + 30
    while store.get("Widget", "w")["Status"] == "CREATE_IN_PROGRESS" and time.monotonic() < deadline:
        reap(store)
        time.sleep(0.05)
    record = store.get("Widget", "w")
    assert record["Status"] == "CREATE_FAILED"
    assert record["statusDetails"] == {"statusCode": "INTERNAL_ERROR", "message": DIED_MESSAGE}


def test_jobs_and_store_import_no_service_and_name_no_status():
    """The handler a job runs is data in its row; no module of `jobs` or `store` names a service or a status."""
    sources = [*Path(REPO / "aml_cli" / "jobs").glob("*.py"), *Path(REPO / "aml_cli" / "store").glob("*.py")]
    statuses = {status for kind in _declared() for status in kind.lifecycle.statuses}
    for path in sources:
        text = path.read_text()
        assert "aml_cli.service" not in text and "AML_TEST_HANDLERS" not in text, path
        assert not [status for status in statuses if f'"{status}"' in text or f"'{status}'" in text], path
