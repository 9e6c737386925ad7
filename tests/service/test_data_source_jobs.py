"""Data sources processed by real detached workers (`python -m aml_cli.jobs`), as a shell runs them."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from aml_cli.jobs import is_alive
from aml_cli.jobs.scheduler import process_start
from aml_cli.service import call
from tests.service.conftest import ROLE, id_rows, s3_request, selected_ids, split, wait_final, write_csv

pytestmark = pytest.mark.slow


def running_pid(store, data_source_id: str, timeout: float = 20.0) -> int:
    """The pid of the worker the scheduler started for the data source, as soon as it is recorded."""
    query = "SELECT pid FROM jobs WHERE resource_id = ? AND state = 'running' AND mode = 'worker'"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = store.read(lambda conn: conn.execute(query, (data_source_id,)).fetchone())
        if row and row[0]:
            return int(row[0])
        time.sleep(0.005)
    raise AssertionError(f"no worker started for {data_source_id}")


@pytest.fixture
def big_csv(tmp_path):
    """Big enough (about 300,000 rows) that a worker is still busy when the test reaches it."""
    path = tmp_path / "big.csv"
    with open(path, "w") as handle:
        handle.write("id,x,color,y\n")
        handle.writelines(f"{i},{i * 0.5},c{i % 50},{i % 2}\n" for i in range(300_000))
    return path


def test_create_returns_at_once_and_a_worker_completes_the_data_source(store, detached, tmp_path):
    data = write_csv(tmp_path / "data.csv", id_rows(500))
    started = time.monotonic()
    call("CreateDataSourceFromS3", s3_request("bg", data, ComputeStatistics=True))
    assert time.monotonic() - started < 5.0
    assert call("GetDataSource", {"DataSourceId": "bg"})["Status"] in ("PENDING", "INPROGRESS", "COMPLETED")
    view = wait_final(store, "bg")
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert view["CreatedAt"] <= view["StartedAt"] <= view["FinishedAt"]
    assert isinstance(view["ComputeTime"], int)
    log = view["LogUri"][len("file://"):]
    with open(log) as handle:
        assert "COMPLETED" in handle.read()
    assert selected_ids(store, "bg") == list(range(500))


def test_a_killed_worker_leaves_the_data_source_failed_with_a_message(store, detached, big_csv):
    call("CreateDataSourceFromS3", s3_request("killed", big_csv, ComputeStatistics=True))
    pid = running_pid(store, "killed")
    os.kill(pid, signal.SIGKILL)
    view = wait_final(store, "killed")
    assert view["Status"] == "FAILED"
    assert "stopped unexpectedly" in view["Message"]
    assert "FinishedAt" in view and "ComputeTime" not in view


def test_deleting_a_running_data_source_stops_its_worker(store, detached, big_csv):
    call("CreateDataSourceFromS3", s3_request("stopped", big_csv, ComputeStatistics=True))
    pid = running_pid(store, "stopped")
    start = process_start(pid)
    call("DeleteDataSource", {"DataSourceId": "stopped"})
    deadline = time.monotonic() + 30
    while is_alive(pid, start):
        assert time.monotonic() < deadline, "the worker was not stopped"
        time.sleep(0.05)
    assert call("GetDataSource", {"DataSourceId": "stopped"})["Status"] == "DELETED"  # reaps the job
    query = "SELECT state FROM jobs WHERE resource_id = 'stopped'"
    assert store.read(lambda conn: conn.execute(query).fetchone()[0]) == "done"


def test_complementary_splits_run_side_by_side_in_workers(store, detached, tmp_path):
    data = write_csv(tmp_path / "data.csv", id_rows(800))
    call("CreateDataSourceFromS3", s3_request("a", data, spec_DataRearrangement=split(0, 70, strategy="random")))
    call("CreateDataSourceFromS3", s3_request("b", data, spec_DataRearrangement=split(0, 70, complement=True,
                                                                                       strategy="random")))
    assert wait_final(store, "a")["Status"] == wait_final(store, "b")["Status"] == "COMPLETED"
    first, second = selected_ids(store, "a"), selected_ids(store, "b")
    assert set(first).isdisjoint(second) and sorted(first + second) == list(range(800))


def test_an_rds_data_source_is_processed_by_a_worker(store, detached, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conn = sqlite3.connect(tmp_path / "w.db")
    conn.execute("CREATE TABLE t (id INTEGER, v REAL)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, i / 3) for i in range(300)])
    conn.commit()
    conn.close()
    request = {"DataSourceId": "rds-bg", "RoleARN": ROLE, "ComputeStatistics": True, "RDSData": {
        "DatabaseInformation": {"InstanceIdentifier": "local", "DatabaseName": "w.db"},
        "SelectSqlQuery": "SELECT id, v FROM t", "DatabaseCredentials": {"Username": "u", "Password": "password1"},
        "S3StagingLocation": "s3://stage/", "ResourceRole": "r", "ServiceRole": "s", "SubnetId": "n",
        "SecurityGroupIds": ["g"]}}
    call("CreateDataSourceFromRDS", request)
    view = wait_final(store, "rds-bg")
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert selected_ids(store, "rds-bg") == list(range(300))
