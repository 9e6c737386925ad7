"""Guarantee: a full disk says so. The store's own filesystem (a 20 MiB tmpfs as AML_HOME) is filled from
outside while a job runs: the resource fails with the cause, reads go on while the disk is full, and writes
answer an AWS-style error naming it.

Needs root to mount the tmpfs (skipped otherwise, with the reason); `test_running_out.py` covers the same
ground without privileges through RLIMIT_FSIZE.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import aml, job_rows
from tests.reliability.data import write_csv, write_schema

pytestmark = pytest.mark.slow

SIZE = "20m"


@pytest.fixture
def disk(tmp_path, monkeypatch):
    """A 20 MiB tmpfs holding AML_HOME (and its S3 root); unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; test_running_out.py covers a full disk with RLIMIT_FSIZE")
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    monkeypatch.setenv("AML_HOME", str(mount / "home"))
    try:
        yield mount
    finally:
        for job in _jobs(mount / "home"):
            with contextlib.suppress(ProcessLookupError, TypeError):
                os.killpg(job["pid"], 9)
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _jobs(home: Path) -> list[dict]:
    if not (home / "aml.db").exists():
        return []
    from aml_cli.store import Store

    try:
        store = Store(home)
        rows = job_rows(store)
        store.close()
    except Exception:
        return []
    return [row for row in rows if row["state"] == "running"]


class Filler:
    """Keeps the disk full from outside: whatever space frees up is taken again within milliseconds."""

    def __init__(self, mount: Path) -> None:
        self.path = mount / "filler"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Filler:
        self._fill()
        self.thread.start()
        return self

    def _fill(self) -> None:
        with open(self.path, "ab", buffering=0) as handle:
            block = b"\0" * (64 << 10)
            while True:
                try:
                    handle.write(block)
                except OSError as err:
                    assert err.errno == errno.ENOSPC, err
                    try:
                        handle.write(b"\0" * 4096)
                    except OSError:
                        return

    def _run(self) -> None:
        while not self.stop.wait(0.01):
            self._fill()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.path.unlink()


def _view(command: str, option: str, resource_id: str) -> dict:
    result = aml(command, option, resource_id)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _wait_worker_gone(home: Path, resource_id: str, timeout: float = 120) -> None:
    from aml_cli.jobs.processes import process_start

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [row for row in _all_jobs(home) if row["resource_id"] == resource_id]
        if rows and (rows[-1]["state"] == "done" or (rows[-1]["pid"] and process_start(rows[-1]["pid"]) is None)):
            return
        time.sleep(0.05)
    raise AssertionError(f"the worker of {resource_id} is still running")


def _all_jobs(home: Path) -> list[dict]:
    """The jobs table, read without keeping a connection (so no WAL stays around for writers to use)."""
    import sqlite3

    keys = ("resource_id", "state", "pid")
    try:
        conn = sqlite3.connect(f"file:{home / 'aml.db'}?immutable=1", uri=True)
        rows = conn.execute(f"SELECT {', '.join(keys)} FROM jobs ORDER BY seq").fetchall()
        conn.close()
    except sqlite3.Error:
        return []
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _assert_reads_and_refused_writes(resource_id: str) -> None:
    """While the disk is full: every read answers; a write is the service's error naming the full disk."""
    for listing in ("describe-data-sources", "describe-ml-models", "describe-batch-predictions"):
        result = aml(listing)
        assert result.returncode == 0, f"{listing}: {result.stderr}"
    written = aml("create-data-source-from-s3", "--data-source-id", "more", "--data-spec",
                  "DataLocationS3=s3://bkt/d.csv,DataSchemaLocationS3=s3://bkt/d.schema")
    assert written.returncode == 254, written.stdout + written.stderr
    assert "(InternalServerException)" in written.stderr and "disk is full" in written.stderr, written.stderr


def _assert_failed_with_the_cause(view: dict) -> None:
    assert view["Status"] == "FAILED", view
    assert "No space left on device" in view["Message"], view["Message"]
    assert "stopped unexpectedly" not in view["Message"]


def test_a_disk_filled_during_statistics_fails_the_data_source_with_the_cause(disk, tmp_path):
    home = disk / "home"
    bucket = home / "s3" / "bkt"
    write_csv(bucket / "d.csv", 50)
    write_schema(bucket / "d.schema")
    big, schema = write_csv(tmp_path / "big.csv", 600_000, seed=3), write_schema(tmp_path / "big.schema")
    made = aml("create-data-source-from-s3", "--data-source-id", "stats", "--compute-statistics", "--data-spec",
               f"DataLocationS3={big},DataSchemaLocationS3={schema}")
    assert made.returncode == 0, made.stderr
    deadline = time.monotonic() + 60
    while _view("get-data-source", "--data-source-id", "stats")["Status"] == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with Filler(disk):
        _wait_worker_gone(home, "stats")
        view = _view("get-data-source", "--data-source-id", "stats")
        _assert_failed_with_the_cause(view)  # told the truth while the disk is full
        _assert_reads_and_refused_writes("stats")
    view = _view("get-data-source", "--data-source-id", "stats")  # and written down once there is room
    _assert_failed_with_the_cause(view)
    again = aml("update-data-source", "--data-source-id", "stats", "--data-source-name", "after")
    assert again.returncode == 0, again.stderr


def test_a_disk_filled_during_a_batch_prediction_fails_it_with_the_cause_and_no_output(disk, tmp_path):
    home = disk / "home"
    bucket = home / "s3" / "bkt"
    write_csv(bucket / "d.csv", 2_000)
    write_schema(bucket / "d.schema")
    spec = "DataLocationS3=s3://bkt/d.csv,DataSchemaLocationS3=s3://bkt/d.schema"
    assert aml("create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec", spec,
               "--sync").returncode == 0
    assert aml("create-ml-model", "--ml-model-id", "ml", "--ml-model-type", "BINARY", "--training-data-source-id",
               "ds", "--sync").returncode == 0
    big, schema = write_csv(tmp_path / "big.csv", 600_000, seed=5), write_schema(tmp_path / "big.schema")
    assert aml("create-data-source-from-s3", "--data-source-id", "big", "--data-spec",
               f"DataLocationS3={big},DataSchemaLocationS3={schema}", "--sync").returncode == 0
    made = aml("create-batch-prediction", "--batch-prediction-id", "bp", "--ml-model-id", "ml",
               "--batch-prediction-data-source-id", "big", "--output-uri", "s3://bkt/out/")
    assert made.returncode == 0, made.stderr
    deadline = time.monotonic() + 60
    while not (bucket / "out" / "batch-prediction").exists():
        assert time.monotonic() < deadline, "the batch prediction never started writing"
        time.sleep(0.02)
    with Filler(disk):
        _wait_worker_gone(home, "bp")
        view = _view("get-batch-prediction", "--batch-prediction-id", "bp")
        _assert_failed_with_the_cause(view)
        _assert_reads_and_refused_writes("bp")
    _assert_failed_with_the_cause(_view("get-batch-prediction", "--batch-prediction-id", "bp"))
    left = sorted(str(p.relative_to(bucket / "out")) for p in (bucket / "out").rglob("*"))
    assert left in ([], ["batch-prediction"], ["batch-prediction", "batch-prediction/result"]), left
