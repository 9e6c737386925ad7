"""Guarantee: no aml process holds the store's write lock across slow or blocking work, and none waits for it
for long: a stopped creator, a FIFO where a log should be, or a lock held by anyone leave the others working."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aml_cli.store.db import LOCK_WAIT_SECONDS
from tests.reliability.conftest import REPO, aml, aml_env, job_rows, shared_store, wait_status
from tests.reliability.data import write_csv, write_schema


@pytest.fixture
def files(tmp_path):
    return write_csv(tmp_path / "d.csv", 200), write_schema(tmp_path / "d.schema")


def create_source(source_id: str, data: Path, schema: Path, *extra: str, **env: str) -> None:
    result = aml("create-data-source-from-s3", "--data-source-id", source_id, "--compute-statistics",
                 "--data-spec", f"DataLocationS3={data},DataSchemaLocationS3={schema}", *extra, **env)
    assert result.returncode == 0, result.stderr


def state_of(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


# A create whose process is stopped (SIGSTOP) at the moment it starts its worker.
STOPPED_AT_SPAWN = """
import os, signal, subprocess, sys
from aml_cli.service import call

real = subprocess.Popen

class StopsFirst(real):
    def __init__(self, args, *rest, **options):
        if "aml_cli.jobs" in args:
            os.kill(os.getpid(), signal.SIGSTOP)
        super().__init__(args, *rest, **options)

subprocess.Popen = StopsFirst
call("CreateDataSourceFromS3", {"DataSourceId": "stopped", "ComputeStatistics": True,
     "DataSpec": {"DataLocationS3": sys.argv[1], "DataSchemaLocationS3": sys.argv[2]}})
"""


def test_a_create_stopped_while_starting_its_worker_holds_no_lock(files):
    data, schema = files
    create_source("other", data, schema, "--sync")
    creator = subprocess.Popen([sys.executable, "-c", STOPPED_AT_SPAWN, str(data), str(schema)], env=aml_env(),
                               cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while state_of(creator.pid) != "T":
            assert creator.poll() is None and time.monotonic() < deadline, "the creator never reached its spawn"
            time.sleep(0.02)
        started = time.monotonic()
        renamed = aml("update-data-source", "--data-source-id", "other", "--data-source-name", "renamed",
                      timeout=45)
        assert renamed.returncode == 0, renamed.stderr
        assert time.monotonic() - started < 10, "the update waited for the stopped creator's lock"
        made = aml("create-data-source-from-s3", "--data-source-id", "meanwhile", "--data-spec",
                   f"DataLocationS3={data},DataSchemaLocationS3={schema}")
        assert made.returncode == 0, made.stderr
    finally:
        creator.send_signal(signal.SIGCONT)
        creator.wait(timeout=60)
    assert wait_status("DataSource", "stopped", timeout=120)["Status"] == "COMPLETED"
    assert wait_status("DataSource", "meanwhile", timeout=120)["Status"] == "COMPLETED"


@pytest.mark.parametrize("planted", ["fifo", "symlink"])
def test_a_fifo_or_link_where_a_log_should_be_fails_that_job_and_blocks_no_one(tmp_path, files, planted):
    data, schema = files
    slow = write_csv(tmp_path / "slow.csv", 400_000, seed=2)
    create_source("first", slow, schema, AML_MAX_WORKERS="1")
    create_source("queued", data, schema, AML_MAX_WORKERS="1")
    store = shared_store()
    [job] = [job for job in job_rows(store) if job["resource_id"] == "queued"]
    assert job["state"] == "queued", "the slot was free: make the first data source slower"
    log = Path(job["log_path"])
    log.unlink(missing_ok=True)
    target = tmp_path / "not-a-log"
    target.write_text("precious\n")
    if planted == "fifo":
        os.mkfifo(log)
    else:
        log.symlink_to(target)
    assert wait_status("DataSource", "first", timeout=120)["Status"] == "COMPLETED"
    started = time.monotonic()
    renamed = aml("update-data-source", "--data-source-id", "first", "--data-source-name", "x",
                  timeout=45)
    assert renamed.returncode == 0, renamed.stderr
    assert time.monotonic() - started < 10
    record = wait_status("DataSource", "queued", timeout=60)
    assert record["Status"] == "FAILED", record
    assert "log" in record["Message"] and ("FIFO" in record["Message"] or "symbolic link" in record["Message"])
    assert target.read_text() == "precious\n"


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_lock_held_too_long_is_a_clear_retryable_error_within_the_busy_timeout(files):
    data, schema = files
    create_source("ds", data, schema, "--sync")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(shared_store().db_path), "120"],
                              stdout=subprocess.PIPE, cwd=REPO)
    try:
        assert holder.stdout.readline() == b"holding\n"
        listed = aml("describe-data-sources", timeout=30)  # reads never wait for the writer
        assert listed.returncode == 0, listed.stderr
        assert [r["DataSourceId"] for r in json.loads(listed.stdout)["Results"]] == ["ds"]
        started = time.monotonic()
        renamed = aml("update-data-source", "--data-source-id", "ds", "--data-source-name", "x", timeout=90)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert renamed.returncode == 254, renamed.stderr
    assert "(InternalServerException)" in renamed.stderr, renamed.stderr
    assert "busy" in renamed.stderr and "Try again" in renamed.stderr
    assert "database is locked" not in renamed.stderr.split("busy")[0]
    assert LOCK_WAIT_SECONDS <= waited < LOCK_WAIT_SECONDS + 15, waited
    assert LOCK_WAIT_SECONDS <= 15
    again = aml("update-data-source", "--data-source-id", "ds", "--data-source-name", "x")
    assert again.returncode == 0, again.stderr


def test_the_lock_is_never_held_while_a_worker_is_spawned():
    """The spawn happens after the claim's transaction, and the pid is recorded in another."""
    import ast

    tree = ast.parse((REPO / "aml_cli" / "jobs" / "scheduler.py").read_text())
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    writers = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
               and getattr(node.func, "attr", "") == "write"]
    for call in writers:
        for argument in call.args:
            called = {getattr(n.func, "id", getattr(n.func, "attr", "")) for n in ast.walk(argument)
                      if isinstance(n, ast.Call)}
            named = {getattr(n, "id", "") for n in ast.walk(argument)}
            inside = called | named
            assert not inside & {"_spawn", "_launch", "open_log", "Popen"}, ast.unparse(call)
            for name in inside & set(functions):
                body = {getattr(n.func, "id", getattr(n.func, "attr", "")) for n in ast.walk(functions[name])
                        if isinstance(n, ast.Call)}
                assert not body & {"_spawn", "_launch", "open_log", "Popen"}, name
    assert sqlite3.sqlite_version
