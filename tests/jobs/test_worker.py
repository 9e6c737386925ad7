"""A job's lifecycle as the worker records it, in detached and in sync mode."""

import os
import re
import subprocess
import sys

import pytest

from aml_cli.jobs import log_path
from aml_cli.jobs.worker import STOPPED_MESSAGE, JobContext, run_job
from tests.jobs.support import HANDLERS, job_rows, pending, set_sync, submit, wait_jobs_done, wait_until


@pytest.mark.slow
def test_a_detached_job_runs_to_completed_with_times_and_compute_time(store):
    pending(store, "DataSource", "ds-1", burn=0.2, result={"NumberOfFiles": 3})
    submit(store, "DataSource", "ds-1")
    assert store.get("DataSource", "ds-1")["Status"] in {"PENDING", "INPROGRESS"}
    record = wait_until(store, "DataSource", "ds-1")
    assert record["Status"] == "COMPLETED"
    assert record["CreatedAt"] <= record["StartedAt"] <= record["FinishedAt"] == record["LastUpdatedAt"]
    assert isinstance(record["ComputeTime"], int) and 150 <= record["ComputeTime"] < 5000
    assert record["NumberOfFiles"] == 3
    [job] = wait_jobs_done(store)
    assert job["mode"] == "worker" and job["pid"] != os.getpid()


@pytest.mark.slow
def test_the_worker_writes_timestamped_lines_to_the_job_log(store):
    pending(store, "DataSource", "ds-log")
    submit(store, "DataSource", "ds-log")
    wait_until(store, "DataSource", "ds-log")
    lines = log_path(store, "DataSource", "ds-log").read_text().splitlines()
    stamped = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z ")
    assert any("plan {}" in line for line in lines)
    assert any("COMPLETED" in line for line in lines)
    assert all(stamped.match(line) for line in lines)


@pytest.mark.slow
def test_a_handler_raising_job_failed_fails_the_resource_with_its_message(store):
    pending(store, "DataSource", "ds-bad", fail="Too many invalid records (lines 3, 9).")
    submit(store, "DataSource", "ds-bad")
    record = wait_until(store, "DataSource", "ds-bad")
    assert record["Status"] == "FAILED"
    assert record["Message"] == "Too many invalid records (lines 3, 9)."
    assert record["FinishedAt"] >= record["StartedAt"]
    assert "ComputeTime" not in record


def test_an_unexpected_exception_is_an_internal_error_with_the_traceback_in_the_log(store):
    set_sync(True)
    pending(store, "DataSource", "ds-crash", crash=True)
    submit(store, "DataSource", "ds-crash")
    record = store.get("DataSource", "ds-crash")
    assert record["Status"] == "FAILED"
    assert record["Message"] == "Internal error: ValueError: boom"
    assert "Traceback (most recent call last)" in log_path(store, "DataSource", "ds-crash").read_text()


def test_a_job_whose_handler_cannot_be_found_fails_instead_of_hanging(store):
    set_sync(True)
    pending(store, "DataSource", "ds-nowhere")
    submit(store, "DataSource", "ds-nowhere", handler="tests.jobs.no_such_module:run")
    record = store.get("DataSource", "ds-nowhere")
    assert record["Status"] == "FAILED"
    assert record["Message"] == "Internal error: ModuleNotFoundError: No module named 'tests.jobs.no_such_module'"


def test_a_job_queued_before_handlers_were_recorded_runs_its_kinds_declared_one(store, monkeypatch):
    """A store upgraded with jobs in its queue: their rows have no handler, their kind names one."""
    from aml_cli.api import resource_kind, resource_kinds

    declared = resource_kinds("machinelearning")
    monkeypatch.setitem(declared, "DataSource", resource_kind("DataSource")._replace(job=HANDLERS["DataSource"]))
    set_sync(True)
    pending(store, "DataSource", "ds-old-row", result={"Extra": "declared"})
    submit(store, "DataSource", "ds-old-row", handler="")
    assert store.get("DataSource", "ds-old-row")["Extra"] == "declared"


def test_sync_mode_runs_the_job_inline_before_submit_returns(store):
    set_sync(True)
    pending(store, "DataSource", "ds-sync", result={"Extra": "x"})
    submit(store, "DataSource", "ds-sync")
    record = store.get("DataSource", "ds-sync")
    assert record["Status"] == "COMPLETED" and record["Extra"] == "x"
    [job] = job_rows(store)
    assert job["mode"] == "inline" and job["pid"] == os.getpid() and job["state"] == "done"


def test_a_handler_may_remove_a_field_by_returning_none(store):
    set_sync(True)
    pending(store, "DataSource", "ds-nostats", result={"ComputeTime": None})
    submit(store, "DataSource", "ds-nostats")
    record = store.get("DataSource", "ds-nostats")
    assert record["Status"] == "COMPLETED" and "ComputeTime" not in record


def test_a_resource_deleted_during_the_job_stays_deleted(store, monkeypatch):
    set_sync(True)
    pending(store, "DataSource", "ds-del")

    def delete_then_finish(store_, resource_id, ctx):
        store_.transition("DataSource", resource_id, "DELETED")
        return {"NumberOfFiles": 1}

    monkeypatch.setattr("aml_cli.jobs.worker.resolve_handler", lambda job: delete_then_finish)
    submit(store, "DataSource", "ds-del")
    record = store.get("DataSource", "ds-del")
    assert record["Status"] == "DELETED"
    assert "FinishedAt" not in record and "NumberOfFiles" not in record


def test_ctrl_c_in_sync_mode_fails_the_resource_and_reaches_the_caller(store, monkeypatch):
    set_sync(True)
    pending(store, "DataSource", "ds-int")

    def interrupted(store_, resource_id, ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr("aml_cli.jobs.worker.resolve_handler", lambda job: interrupted)
    with pytest.raises(KeyboardInterrupt):
        submit(store, "DataSource", "ds-int")
    record = store.get("DataSource", "ds-int")
    assert record["Status"] == "FAILED" and record["Message"] == STOPPED_MESSAGE
    assert job_rows(store)[0]["state"] == "done"


def test_a_job_not_claimed_by_the_calling_process_is_left_alone(store, monkeypatch):
    monkeypatch.setenv("AML_MAX_WORKERS", "1")  # for the workers it starts
    monkeypatch.setattr(store, "max_workers", 1)  # this process's store was opened at the default
    pending(store, "DataSource", "ds-q")
    store.write(
        lambda conn: conn.execute(
            "INSERT INTO jobs (job_id, kind, resource_id, log_path) VALUES ('j1', 'DataSource', 'ds-q', ?)",
            (str(store.home / "j1.log"),),
        )
    )
    run_job(store, "j1")
    assert store.get("DataSource", "ds-q")["Status"] == "PENDING"
    assert job_rows(store)[0]["state"] == "queued"


def test_the_worker_entry_point_refuses_a_bad_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "aml_cli.jobs", "go"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert "usage: python -m aml_cli.jobs run <job-id>" in result.stderr


class FullDisk:
    def write(self, text=""):
        raise OSError(28, "No space left on device")

    flush = close = write


def test_a_log_that_cannot_be_written_loses_the_line_not_the_job(tmp_path):
    ctx = JobContext(tmp_path / "job.log", "DataSource x")
    ctx._log_file.close()
    ctx._log_file = FullDisk()
    ctx.log("a line")
    ctx.progress(0.5, "half")
    ctx.close()
