"""Shared tools of the reliability suite: `aml` as a subprocess or in-process, store snapshots, waiting."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aml_cli.jobs import reap
from aml_cli.store import Store
from tests.conftest import jobs_inline
from tests.ml_api import KINDS

REPO = Path(__file__).resolve().parents[2]
FINAL = ("COMPLETED", "FAILED", "DELETED")
_STORES: dict[str, Store] = {}
ID_MEMBER = {"DataSource": "DataSourceId", "MLModel": "MLModelId", "Evaluation": "EvaluationId",
             "BatchPrediction": "BatchPredictionId"}


@pytest.fixture(autouse=True)
def _jobs_mode_restored():
    """Every test starts and ends detached, at the default limit."""
    saved = {name: os.environ.get(name) for name in ("AML_SYNC", "AML_MAX_WORKERS")}
    for name in saved:
        os.environ.pop(name, None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def aml_env(**extra: str) -> dict[str, str]:
    """The environment of an `aml` subprocess: this test's AML_HOME, this checkout's code."""
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("COLUMNS", None)
    return env


def aml(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """Runs `aml <args>` as its own process (as a user's shell would) and waits for it."""
    return subprocess.run(
        [sys.executable, "-m", "aml_cli", *args],
        capture_output=True, text=True, timeout=timeout, env=aml_env(**env), cwd=REPO, stdin=subprocess.DEVNULL,
    )


def aml_popen(*args: str, **env: str) -> subprocess.Popen:
    """Starts `aml <args>` without waiting (for races)."""
    return subprocess.Popen(
        [sys.executable, "-m", "aml_cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=aml_env(**env), cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def shared_store() -> Store:
    """One Store per data directory for this whole process.

    A second Store opened while another has a connection would drop that connection's
    SQLite locks (see test_store_sharing.py); the suite never does that to itself.
    """
    home = os.environ["AML_HOME"]
    if home not in _STORES:
        _STORES[home] = Store(Path(home))
    return _STORES[home]


@pytest.fixture
def cli(capsys, monkeypatch):
    """`aml` in this process: returns (exit code, stdout, stderr)."""
    import aml_cli.service
    from aml_cli.cli.main import run

    real_call = aml_cli.service.call
    monkeypatch.setattr(aml_cli.service, "call", lambda name, request, store=None, **kwargs: real_call(
        name, request, store or shared_store(), **kwargs))

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def call_sync(operation: str, **request: object) -> dict:
    """A service call whose job (if any) runs here and now."""
    from aml_cli.service import call

    with jobs_inline(True):
        return call(operation, request, shared_store())


def call_detached(operation: str, **request: object) -> dict:
    """A service call whose job runs in a detached worker."""
    from aml_cli.service import call

    with jobs_inline(False):
        return call(operation, request, shared_store())


def snapshot(store: Store | None = None) -> dict[str, list[dict]]:
    """Every record of every kind, to compare a store before and after."""
    store = store or shared_store()
    return {kind: store.list(kind) for kind in KINDS}


def files_under(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every regular file below `folder`."""
    result = {}
    if folder.exists():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                result[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def wait_status(kind: str, resource_id: str, statuses=FINAL, timeout: float = 60.0, store: Store | None = None) -> dict:
    """Polls, reaping as every reader does, until the resource has one of `statuses`."""
    store = store or shared_store()
    deadline = time.monotonic() + timeout
    while True:
        reap(store)
        record = store.get(kind, resource_id)
        if record is not None and record["Status"] in statuses:
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"{kind} {resource_id} is {record and record['Status']} after {timeout} s")
        time.sleep(0.05)


def job_rows(store: Store) -> list[dict]:
    """The jobs table as dicts, in submission order."""
    keys = ("job_id", "kind", "resource_id", "state", "mode", "pid", "log_path", "started_at", "finished_at")
    query = f"SELECT {', '.join(keys)} FROM jobs ORDER BY seq"
    return [dict(zip(keys, row, strict=True)) for row in store.read(lambda conn: conn.execute(query).fetchall())]


def wait_jobs_idle(store: Store, timeout: float = 60.0) -> None:
    """Waits until no job is queued or running (a resource is final a moment before its job row is done)."""
    deadline = time.monotonic() + timeout
    while any(job["state"] != "done" for job in job_rows(store)):
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs still active after {timeout} s: {job_rows(store)}")
        reap(store)
        time.sleep(0.05)


def process_gone(pid: int, timeout: float = 10.0) -> None:
    """Waits until `pid` has exited (gone or a zombie), reaping it if it is our child."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} still running after {timeout} s")
