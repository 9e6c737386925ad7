"""Queueing, the worker limit, dependencies, dead workers and cancelling."""

import os
import signal
import subprocess
import sys
import time

import pytest

from aml_cli.jobs import cancel, is_alive, log_path, reap, schedule
from aml_cli.jobs.scheduler import DIED_MESSAGE, TIMED_OUT_MESSAGE, max_workers, process_start
from aml_cli.jobs.worker import STOPPED_MESSAGE
from aml_cli.store import Store
from tests.jobs.support import job_rows, pending, set_sync, submit, wait_jobs_done, wait_until


def running_pid(store, resource_id, timeout=20.0):
    """Waits for the resource's worker to be INPROGRESS and returns its pid."""
    wait_until(store, "DataSource", resource_id, {"INPROGRESS"}, timeout)
    [job] = [row for row in job_rows(store) if row["resource_id"] == resource_id]
    return job["pid"]


def max_overlap(intervals):
    """The largest number of [start, end] intervals open at one instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    depth = peak = 0
    for _, step in events:
        depth += step
        peak = max(peak, depth)
    return peak


@pytest.mark.slow
def test_six_jobs_under_a_limit_of_two_never_overlap_more_than_two_and_start_in_order(store):
    ids = [pending(store, "DataSource", f"ds-{n}", sleep=0.4) for n in range(6)]
    for resource_id in ids:
        submit(store, "DataSource", resource_id)
    records = [wait_until(store, "DataSource", resource_id) for resource_id in ids]
    assert [record["Status"] for record in records] == ["COMPLETED"] * 6
    jobs = wait_jobs_done(store)
    assert max_overlap([(job["started_at"], job["finished_at"]) for job in jobs]) == 2
    assert max_overlap([(record["StartedAt"], record["FinishedAt"]) for record in records]) == 2
    starts = [job["started_at"] for job in jobs]
    assert starts == sorted(starts)  # FIFO: the queue order is the start order


@pytest.mark.slow
def test_a_job_waits_for_its_dependency_to_finish(store):
    pending(store, "DataSource", "ds-dep", sleep=0.6)
    pending(store, "MLModel", "ml-dep", report=[["DataSource", "ds-dep"]])
    submit(store, "DataSource", "ds-dep")
    submit(store, "MLModel", "ml-dep", depends_on=[("DataSource", "ds-dep")])
    assert [job["state"] for job in job_rows(store, "MLModel")] == ["queued"]
    model = wait_until(store, "MLModel", "ml-dep")
    source = store.get("DataSource", "ds-dep")
    assert model["Status"] == "COMPLETED" and model["SeenStatus"] == "COMPLETED"
    assert model["StartedAt"] >= source["FinishedAt"]


def test_sync_mode_waits_for_a_dependency_running_in_another_process(store):
    pending(store, "DataSource", "ds-async", sleep=0.5)
    submit(store, "DataSource", "ds-async")
    set_sync(True)
    pending(store, "MLModel", "ml-sync", report=[["DataSource", "ds-async"]])
    submit(store, "MLModel", "ml-sync", depends_on=[("DataSource", "ds-async")])
    model = store.get("MLModel", "ml-sync")
    assert model["Status"] == "COMPLETED" and model["SeenStatus"] == "COMPLETED"


def test_a_dependency_with_no_job_does_not_block_forever(store):
    set_sync(True)
    store.create("DataSource", "orphan", {"Status": "PENDING"}, "fp")  # its creator died before submitting
    pending(store, "MLModel", "ml-orphan", report=[["DataSource", "orphan"]])
    submit(store, "MLModel", "ml-orphan", depends_on=[("DataSource", "orphan")])
    assert store.get("MLModel", "ml-orphan")["SeenStatus"] == "PENDING"


@pytest.mark.slow
def test_a_sigkilled_worker_is_found_on_the_next_reap_and_its_resource_fails(store):
    pending(store, "DataSource", "ds-kill", sleep=60)
    submit(store, "DataSource", "ds-kill")
    pid = running_pid(store, "ds-kill")
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while is_alive(pid, None) and time.monotonic() < deadline:
        time.sleep(0.02)
    reap(store)
    record = store.get("DataSource", "ds-kill")
    assert record["Status"] == "FAILED"
    assert record["Message"] == DIED_MESSAGE
    assert record["FinishedAt"] >= record["StartedAt"]
    assert job_rows(store)[0]["state"] == "done"


def test_a_reused_pid_is_not_mistaken_for_the_worker(store):
    pending(store, "DataSource", "ds-reused")
    store.transition("DataSource", "ds-reused", "INPROGRESS")
    store.write(
        lambda conn: conn.execute(
            "INSERT INTO jobs (job_id, kind, resource_id, state, pid, pid_start, log_path)"
            " VALUES ('j', 'DataSource', 'ds-reused', 'running', ?, 'not-its-start-time', 'x.log')",
            (os.getpid(),),
        )
    )
    reap(store)
    assert store.get("DataSource", "ds-reused")["Status"] == "FAILED"


def test_reap_leaves_a_live_inline_job_and_finished_resources_alone(store):
    pending(store, "DataSource", "ds-live")
    pending(store, "DataSource", "ds-done")
    store.transition("DataSource", "ds-done", "COMPLETED")
    store.write(
        lambda conn: conn.executemany(
            "INSERT INTO jobs (job_id, kind, resource_id, state, mode, pid, pid_start, log_path)"
            " VALUES (?, 'DataSource', ?, 'running', ?, ?, ?, 'x.log')",
            [
                ("live", "ds-live", "inline", os.getpid(), process_start(os.getpid())),
                ("gone", "ds-done", "worker", 2**22 + 17, "1"),
            ],
        )
    )
    reap(store)
    assert store.get("DataSource", "ds-live")["Status"] == "PENDING"
    assert store.get("DataSource", "ds-done")["Status"] == "COMPLETED"
    assert {job["resource_id"]: job["state"] for job in job_rows(store)} == {"ds-live": "running", "ds-done": "done"}


@pytest.mark.slow
def test_cancel_drops_a_queued_job_and_stops_a_running_worker(store, monkeypatch):
    monkeypatch.setenv("AML_MAX_WORKERS", "1")  # for the workers it starts
    monkeypatch.setattr(store, "max_workers", 1)  # this process's store was opened at the default
    pending(store, "DataSource", "ds-run", sleep=60)
    pending(store, "DataSource", "ds-wait")
    submit(store, "DataSource", "ds-run")
    submit(store, "DataSource", "ds-wait")
    pid = running_pid(store, "ds-run")
    cancel(store, "DataSource", "ds-wait")
    cancel(store, "DataSource", "ds-run")
    record = wait_until(store, "DataSource", "ds-run")  # the default patience: a loaded CI machine is slow
    assert record["Status"] == "FAILED" and record["Message"] == STOPPED_MESSAGE
    deadline = time.monotonic() + 30
    while is_alive(pid, None) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not is_alive(pid, None)
    schedule(store)
    assert store.get("DataSource", "ds-wait")["Status"] == "PENDING"  # never started
    assert [job["state"] for job in job_rows(store)] == ["done", "done"]


@pytest.mark.slow
def test_a_cancelled_worker_does_not_overwrite_a_deleted_resource(store):
    pending(store, "DataSource", "ds-gone", sleep=60)
    submit(store, "DataSource", "ds-gone")
    running_pid(store, "ds-gone")
    store.transition("DataSource", "ds-gone", "DELETED")
    cancel(store, "DataSource", "ds-gone")
    wait_jobs_done(store, timeout=10)
    record = store.get("DataSource", "ds-gone")
    assert record["Status"] == "DELETED" and "Message" not in record


def test_submitting_the_same_resource_twice_queues_one_job(store, monkeypatch):
    monkeypatch.setenv("AML_MAX_WORKERS", "1")  # for the workers it starts
    monkeypatch.setattr(store, "max_workers", 1)  # this process's store was opened at the default
    store.write(
        lambda conn: conn.execute(
            "INSERT INTO jobs (job_id, kind, resource_id, state, pid, log_path)"
            " VALUES ('busy', 'DataSource', 'other', 'running', ?, 'x.log')",
            (os.getpid(),),
        )
    )
    pending(store, "DataSource", "ds-twice")
    submit(store, "DataSource", "ds-twice")
    submit(store, "DataSource", "ds-twice")
    assert [job["state"] for job in job_rows(store) if job["resource_id"] == "ds-twice"] == ["queued"]


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("0", 1), ("lots", os.cpu_count() or 1), ("", None)])
def test_the_worker_limit_comes_from_aml_max_workers_when_the_store_opens(monkeypatch, aml_home, value, expected):
    monkeypatch.setenv("AML_MAX_WORKERS", value)
    store = Store(aml_home)
    monkeypatch.setenv("AML_MAX_WORKERS", "7")  # read once, when opened: the store keeps its setting
    assert max_workers(store) == (expected or os.cpu_count() or 1)
    assert max_workers(Store(aml_home, max_workers=5)) == 5


def test_a_job_running_for_more_than_seven_days_is_terminated_as_failed(store):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        pending(store, "DataSource", "ds-old")
        store.transition("DataSource", "ds-old", "INPROGRESS")
        eight_days_ago = time.time() - 8 * 24 * 3600
        store.write(
            lambda conn: conn.execute(
                "INSERT INTO jobs (job_id, kind, resource_id, state, pid, pid_start, log_path, started_at)"
                " VALUES ('old', 'DataSource', 'ds-old', 'running', ?, ?, 'x.log', ?)",
                (sleeper.pid, process_start(sleeper.pid), eight_days_ago),
            )
        )
        reap(store)
        record = store.get("DataSource", "ds-old")
        assert record["Status"] == "FAILED" and record["Message"] == TIMED_OUT_MESSAGE
        assert sleeper.wait(timeout=10) == -signal.SIGTERM
    finally:
        sleeper.kill()
        sleeper.wait()


def test_logs_are_private_files_in_a_private_folder(store):
    set_sync(True)
    pending(store, "DataSource", "ds-private")
    submit(store, "DataSource", "ds-private")
    path = log_path(store, "DataSource", "ds-private")
    assert path.parent == store.home / "logs"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert "ds-private" not in path.name


SUBMITTER = """
import sys, time
from aml_cli.jobs import Work, submit
from aml_cli.store import Store

store = Store()
now = time.time()
store.create("DataSource", sys.argv[1], {"Status": "PENDING", "CreatedAt": now, "_Test": {"sleep": 0.3}}, "fp")
submit(store, "DataSource", sys.argv[1], Work("tests.jobs.handlers:data_source"))
"""


@pytest.mark.slow
def test_eight_processes_submitting_at_once_never_exceed_the_limit(store):
    submitters = [
        subprocess.Popen([sys.executable, "-c", SUBMITTER, f"ds-{n}"], stderr=subprocess.PIPE, text=True)
        for n in range(8)
    ]
    assert [(p.wait(timeout=60), p.stderr.read()) for p in submitters] == [(0, "")] * 8
    for n in range(8):
        assert wait_until(store, "DataSource", f"ds-{n}")["Status"] == "COMPLETED"
    jobs = wait_jobs_done(store)
    assert len(jobs) == 8
    assert max_overlap([(job["started_at"], job["finished_at"]) for job in jobs]) == 2
