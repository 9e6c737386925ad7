"""Queueing, starting and watching job processes.

Every decision (may this job start? is that worker dead?) is made inside a
store write transaction, so any number of aml processes can schedule at once
without exceeding the worker limit or starting a job twice — and nothing slow
or blocking happens inside one: a job is claimed in a transaction (running,
under the claimer's pid, with a fresh claim token), its log is opened and its
worker spawned outside any, then the worker's pid is recorded. The worker
(`python -m aml_cli.jobs run <job-id> <token>`, its own session) takes the job
over by its token; a claimer that died before that leaves a job the reaper
puts back in the queue, and a worker whose claim was taken back exits
without touching anything. A worker that vanished is found by `reap`, which
every reader may call.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aml_cli
from aml_cli.jobs.logs import UnusableLog, append_line, open_log, read_note, remove_note
from aml_cli.jobs.processes import is_alive, process_start
from aml_cli.store import Store, StoreBusy, StoreFull
from aml_cli.store.clock import now
from aml_cli.store.db import apply_transition, lifecycle_of, load_record

DIED_MESSAGE = (
    "The worker processing this resource stopped unexpectedly (it was killed or crashed); "
    "create the resource again under a new ID."
)
TIMED_OUT_MESSAGE = "The job ran for more than 7 days and was terminated."
MAX_JOB_SECONDS = 7 * 24 * 3600  # the service's limit on one job
POLL_SECONDS = 0.2

_children: list = []  # subprocess.Popen objects  # our own workers, polled so they never linger as zombies


@dataclass(frozen=True)
class Job:
    """One row of the jobs table."""

    job_id: str
    kind: str
    resource_id: str
    state: str
    mode: str
    depends_on: list
    pid: int | None
    pid_start: str | None
    log_path: str
    started_at: float | None
    handler: str  # "module:function", recorded when the job was queued
    claim: str | None = None  # the token of the claim that started it; its worker takes the job over by it
    starting: bool = False  # claimed, its worker not yet recorded: pid is the claiming process's


_JOB_COLUMNS = ("job_id, kind, resource_id, state, mode, depends_on, pid, pid_start, log_path, started_at, handler, "
                "claim, starting")


def _job(row: tuple) -> Job:
    job_id, kind, resource_id, state, mode, depends_on, pid, pid_start, log_path, started_at, handler = row[:11]
    return Job(job_id, kind, resource_id, state, mode, json.loads(depends_on), pid, pid_start, log_path, started_at,
               handler or "", row[11], bool(row[12]))


def load_job(conn: sqlite3.Connection, job_id: str) -> Job | None:
    """Reads one job with an open connection."""
    row = conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _job(row)


# -- settings ---------------------------------------------------------------


def max_workers(store: Store) -> int:
    """The limit on detached workers running at once, as the store was configured (AML_MAX_WORKERS)."""
    return store.max_workers


# -- submitting -------------------------------------------------------------


def logs_dir(store: Store) -> Path:
    """`<home>/logs`, made 0700 when missing; a file in its place is a damaged store."""
    from aml_cli.store.artifacts import store_dir

    return store_dir(store, "logs")


def _insert_job(
    conn: sqlite3.Connection, store: Store, kind: str, resource_id: str, deps: list, handler: str
) -> str | None:
    """A queued job (a sync caller claims it afterwards with `_claim_inline`). Only its log's name is chosen
    here: the file is made when the job starts, outside the transaction."""
    active = conn.execute(
        "SELECT 1 FROM jobs WHERE kind = ? AND resource_id = ? AND state != 'done'", (kind, resource_id)
    ).fetchone()
    if active is not None:
        return None  # already queued or running: submitting twice is harmless
    import secrets

    job_id = secrets.token_hex(12)
    log_path = store.home / "logs" / f"{job_id}.log"
    conn.execute(
        "INSERT INTO jobs (job_id, kind, resource_id, depends_on, log_path, queued_at, handler) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (job_id, kind, resource_id, json.dumps(deps), str(log_path), time.time(), handler),
    )
    return job_id


@dataclass(frozen=True)
class Work:
    """What to run for a resource and how: the handler ("module:function"), inline or detached, a progress sink."""

    handler: str
    synchronous: bool = False
    progress: Callable[[str], Any] | None = None  # description -> an object with update(fraction, text), close()


def submit(store: Store, kind: str, resource_id: str, work: Work, depends_on: Iterable[tuple[str, str]] = ()) -> None:
    """Queues the work on a resource in its lifecycle's first status; runs it here and now when synchronous.

    `depends_on` lists (kind, ID) pairs that must be settled (finished, failed
    or deleted) first; the handler decides what a failed one means.
    """
    deps = [[dep_kind, dep_id] for dep_kind, dep_id in depends_on]
    store.write(lambda conn: _insert_job(conn, store, kind, resource_id, deps, work.handler))
    start_queued(store, kind, resource_id, work, deps)


def create_with_job(
    store: Store,
    kind: str,
    resource_id: str,
    record: dict,
    fingerprint: str,
    work: Work,
    depends_on: Iterable[tuple[str, str]] = (),
) -> str | None:
    """Records a new resource and queues its work in one transaction, then starts it.

    A caller killed at any point leaves either nothing or a resource whose job
    some scheduler will run: never a resource waiting for work nothing will do. Returns
    the existing fingerprint when the ID is taken (and then changes nothing).
    """
    deps = [[dep_kind, dep_id] for dep_kind, dep_id in depends_on]
    def queue(conn: sqlite3.Connection) -> None:
        _insert_job(conn, store, kind, resource_id, deps, work.handler)

    existing = store.create(kind, resource_id, record, fingerprint, also=queue)
    if existing is None:
        start_queued(store, kind, resource_id, work, deps)
    return existing


def start_queued(store: Store, kind: str, resource_id: str, work: Work, deps: list | tuple = ()) -> None:
    """A detached worker when a slot is free; synchronous work is run by this process itself."""
    if not work.synchronous:
        schedule(store)
        return
    _wait_for(store, deps)
    job_id = store.write(lambda conn: _claim_inline(conn, kind, resource_id))
    if job_id is None:  # another aml process's scheduler started a worker first: sync still means "finished"
        _wait_for(store, [[kind, resource_id]])
        return
    from aml_cli.jobs.worker import run_job

    run_job(store, job_id, progress=work.progress)


def _claim_inline(conn: sqlite3.Connection, kind: str, resource_id: str) -> str | None:
    row = conn.execute(
        "SELECT job_id FROM jobs WHERE kind = ? AND resource_id = ? AND state = 'queued'", (kind, resource_id)
    ).fetchone()
    if row is None:
        return None
    pid = os.getpid()
    conn.execute(
        "UPDATE jobs SET state = 'running', mode = 'inline', pid = ?, pid_start = ?, started_at = ? WHERE job_id = ?",
        (pid, process_start(pid), time.time(), row[0]),
    )
    return row[0]


def _wait_for(store: Store, deps: list) -> None:
    """Polls until every dependency is finished, nudging the scheduler now and then."""
    last_schedule = time.monotonic()
    while not store.read(lambda conn: all(_dependency_done(conn, kind, rid) for kind, rid in deps)):
        time.sleep(POLL_SECONDS)
        if time.monotonic() - last_schedule > 1.0:
            schedule(store)
            last_schedule = time.monotonic()


def _dependency_done(conn: sqlite3.Connection, kind: str, resource_id: str) -> bool:
    """Settled, gone, or with no job that could ever settle it (so nothing waits forever)."""
    row = conn.execute("SELECT status FROM resources WHERE kind = ? AND id = ?", (kind, resource_id)).fetchone()
    if row is None or row[0] in lifecycle_of(kind).settled:
        return True
    active = conn.execute(
        "SELECT 1 FROM jobs WHERE kind = ? AND resource_id = ? AND state != 'done'", (kind, resource_id)
    ).fetchone()
    return active is None


# -- starting ---------------------------------------------------------------


def schedule(store: Store) -> None:
    """Reaps dead workers, then starts ready jobs in queue order while under the limit."""
    _forget_exited_children()
    _reap_dead(store)
    _start_ready(store)


def _forget_exited_children() -> None:
    _children[:] = [child for child in _children if child.poll() is None]


def _start_ready(store: Store) -> None:
    limit = max_workers(store)
    while True:
        job = store.write(lambda conn: _claim_next(conn, limit))
        if job is None:
            return
        _launch(store, job)


def _claim_next(conn: sqlite3.Connection, limit: int) -> Job | None:
    """Claims at most one ready job for this process: running, under this pid, with a fresh token.

    Nothing else happens inside the transaction; the caller starts the worker after it.
    """
    running = conn.execute("SELECT COUNT(*) FROM jobs WHERE state = 'running' AND mode = 'worker'").fetchone()[0]
    if running >= limit:
        return None
    for row in conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE state = 'queued' ORDER BY seq").fetchall():
        job = _job(row)
        if all(_dependency_done(conn, kind, rid) for kind, rid in job.depends_on):
            import secrets

            token, pid = secrets.token_hex(8), os.getpid()
            conn.execute(
                "UPDATE jobs SET state = 'running', mode = 'worker', pid = ?, pid_start = ?, started_at = ?, "
                "claim = ?, starting = 1 WHERE job_id = ?",
                (pid, process_start(pid), time.time(), token, job.job_id),
            )
            return load_job(conn, job.job_id)
    return None


def _launch(store: Store, job: Job) -> None:
    """Opens the job's log and spawns its worker (outside any transaction), then records the worker's pid.

    A log that is not a regular file fails the job with that cause; a spawn that fails puts the job back.
    """
    try:
        logs_dir(store)
        log = open_log(job.log_path)
    except UnusableLog as err:
        message = err.message
        store.write(lambda conn: _fail_unstarted(conn, job, message))
        return
    try:
        child = _spawn(store, job, log)
    except BaseException:
        store.write(lambda conn: _requeue(conn, job))
        raise
    finally:
        os.close(log)
    store.write(lambda conn: conn.execute(
        "UPDATE jobs SET pid = ?, pid_start = ?, starting = 0 WHERE job_id = ? AND claim = ? AND state = 'running'",
        (child.pid, process_start(child.pid), job.job_id, job.claim),
    ))


def _requeue(conn: sqlite3.Connection, job: Job) -> None:
    """Puts a claimed job whose worker never took it over back in the queue (its claim withdrawn)."""
    conn.execute(
        "UPDATE jobs SET state = 'queued', pid = NULL, pid_start = NULL, started_at = NULL, claim = NULL, "
        "starting = 0 WHERE job_id = ? AND claim = ? AND starting = 1",
        (job.job_id, job.claim),
    )


def _fail_unstarted(conn: sqlite3.Connection, job: Job, message: str) -> None:
    """A job that cannot start (its log is unusable): done, and its resource failed with the cause."""
    current = load_job(conn, job.job_id)
    if current is None or current.claim != job.claim or current.state != "running":
        return
    conn.execute("UPDATE jobs SET state = 'done', finished_at = ? WHERE job_id = ?", (time.time(), job.job_id))
    _fail_resource(conn, job, message)


def _fail_resource(conn: sqlite3.Connection, job: Job, message: str) -> None:
    """The resource failed with `message`; one that was being stopped ends cancelled instead (nothing was kept)."""
    lifecycle = lifecycle_of(job.kind)
    moment = now()
    changes = {**lifecycle.stamp(lifecycle.failed, moment), **lifecycle.failure(message)}
    if apply_transition(conn, job.kind, job.resource_id, lifecycle.failed, changes) is None:
        settle_cancelled(conn, job.kind, job.resource_id, moment)


def _worker_env(store: Store) -> dict[str, str]:
    """The caller's environment, pointed at the same data directory and the same aml code."""
    env = dict(os.environ, AML_HOME=str(store.home))
    root = str(Path(aml_cli.__file__).resolve().parent.parent)
    import sysconfig

    installed = {str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("purelib", "platlib")}
    if root not in installed:  # a source checkout: let `-m aml_cli.jobs` find it from any cwd
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _spawn(store: Store, job: Job, log: int):
    """A detached worker: own session, no stdin, output to the job's (already opened) log, never a shell."""
    import subprocess

    child = subprocess.Popen(
        [sys.executable, "-m", "aml_cli.jobs", "run", job.job_id, job.claim or ""],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        close_fds=True,
        env=_worker_env(store),
    )
    _children.append(child)
    return child


# -- watching ---------------------------------------------------------------


def reap(store: Store) -> None:
    """Fails the resources of vanished workers (their kind's failed status, with the cause).

    Cheap when nothing runs (one indexed query). Readers call it, so a store that cannot be written
    just now (a full disk, a lock held too long) does not fail their read: the next reader reaps, and
    meanwhile this process shows the failure it could not write.
    """
    _forget_exited_children()
    try:
        if _reap_dead(store):
            _start_ready(store)  # their slots are free again
    except (StoreFull, StoreBusy):
        pass


def _reap_dead(store: Store) -> int:
    running = store.read(
        lambda conn: [_job(row) for row in conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE state = 'running'")]
    )
    moment = now()
    overdue = [job for job in running if job.started_at and moment - job.started_at > MAX_JOB_SECONDS]
    for job in overdue:
        _terminate(job)
    gone = [job for job in running if job not in overdue and not is_alive(job.pid, job.pid_start)]
    orphans = [job for job in gone if job.starting]  # their claimer died before a worker took them over
    dead = [(job, read_note(job.log_path) or DIED_MESSAGE) for job in gone if not job.starting]
    dead += [(job, TIMED_OUT_MESSAGE) for job in overdue]
    if not dead and not orphans:
        return 0
    for job, _ in dead:
        _clean_up(store, job)
    try:
        buried = store.write(lambda conn: sum(_bury(conn, job, message) for job, message in dead)
                             + sum(_requeue(conn, job) or 0 for job in orphans))
    except StoreFull:
        for job, message in dead:
            lifecycle = lifecycle_of(job.kind)
            changes = {**lifecycle.stamp(lifecycle.failed, moment), **lifecycle.failure(message)}
            store.show_unwritten(job.kind, job.resource_id, lifecycle.failed, changes)
        raise
    for job, _ in dead:
        remove_note(job.log_path)
    return buried + len(orphans)


def _clean_up(store: Store, job: Job) -> None:
    """Runs the kind's declared cleanup for a dead job whose resource is still unfinished, before it is failed.

    Outside any transaction (it touches files); a reaper that dies here leaves the job for the next one,
    which cleans again (cleanups are idempotent). A cleanup that fails is logged, never raised.
    """
    from aml_cli.api import resource_kind

    spec = resource_kind(job.kind).cleanup
    if not spec or is_alive(job.pid, job.pid_start):  # a terminated worker still unwinding cleans itself
        return
    lifecycle = lifecycle_of(job.kind)
    record = store.get(job.kind, job.resource_id)
    if record is None or record.get("Status") not in (lifecycle.start, lifecycle.running):
        return
    module_name, _, function_name = spec.partition(":")
    try:
        import importlib

        getattr(importlib.import_module(module_name), function_name)(store, job.resource_id)
    except Exception as err:
        append_line(job.log_path, f"cleanup of {job.kind} {job.resource_id!r} failed: {type(err).__name__}: {err}")


def _bury(conn: sqlite3.Connection, job: Job, message: str) -> int:
    """Marks one dead job done and fails its unfinished resource, unless someone else already did."""
    current = load_job(conn, job.job_id)
    if current is None or current.state != "running" or current.pid != job.pid:
        return 0
    conn.execute("UPDATE jobs SET state = 'done', finished_at = ? WHERE job_id = ?", (now(), job.job_id))
    _fail_resource(conn, job, message)
    return 1


def settle_cancelled(conn: sqlite3.Connection, kind: str, resource_id: str, moment: float) -> dict | None:
    """In a write transaction: a resource whose work was asked to stop moves to its kind's `cancelled` status."""
    lifecycle = lifecycle_of(kind)
    record = load_record(conn, kind, resource_id)
    if lifecycle.cancelled is None or record is None or record.get("Status") not in lifecycle.cancelling_statuses:
        return None
    return apply_transition(conn, kind, resource_id, lifecycle.cancelled, lifecycle.stamp(lifecycle.cancelled, moment))


def request_cancel(store: Store, kind: str, resource_id: str) -> dict | None:
    """Asks the work on a resource to stop, as its kind's lifecycle says; returns the record, or None when its
    status allows no cancel.

    In one transaction: a job still queued is dropped and the resource goes straight through
    `cancel_requested` to `cancelled`; a running one is left to see `cancel_requested` through
    `JobContext.cancel_requested` (it cannot then record its result: the store refuses that move).
    """
    lifecycle = lifecycle_of(kind)
    if lifecycle.cancel_requested is None:
        return None

    def ask(conn: sqlite3.Connection) -> dict | None:
        moment = now()
        stamp = lifecycle.stamp(lifecycle.cancel_requested, moment)
        record = apply_transition(conn, kind, resource_id, lifecycle.cancel_requested, stamp)
        if record is None:
            return None
        running = conn.execute(
            "SELECT 1 FROM jobs WHERE kind = ? AND resource_id = ? AND state = 'running'", (kind, resource_id)
        ).fetchone()
        conn.execute(
            "UPDATE jobs SET state = 'done', finished_at = ? WHERE kind = ? AND resource_id = ? AND state = 'queued'",
            (time.time(), kind, resource_id),
        )
        return record if running is not None else settle_cancelled(conn, kind, resource_id, moment)

    return store.write(ask)


def _terminate(job: Job) -> None:
    """SIGTERM to a detached worker's process group, only if it is still that worker."""
    if job.mode != "worker" or job.starting or job.pid is None or not is_alive(job.pid, job.pid_start):
        return  # (a job still starting has its claimer's pid: never signal that process)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(job.pid, signal.SIGTERM)


def cancel(store: Store, kind: str, resource_id: str) -> None:
    """Stops the work on a resource: a queued job is dropped, a running worker gets SIGTERM."""

    def drop_queued(conn: sqlite3.Connection) -> list[Job]:
        rows = conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE kind = ? AND resource_id = ? AND state != 'done'",
            (kind, resource_id),
        ).fetchall()
        conn.execute(
            "UPDATE jobs SET state = 'done', finished_at = ? WHERE kind = ? AND resource_id = ? AND state = 'queued'",
            (time.time(), kind, resource_id),
        )
        return [_job(row) for row in rows if row[3] == "running"]

    for job in store.write(drop_queued):
        _terminate(job)


def log_path(store: Store, kind: str, resource_id: str) -> Path | None:
    """The log file of the latest job on a resource (for LogUri), if there is one."""
    row = store.read(
        lambda conn: conn.execute(
            "SELECT log_path FROM jobs WHERE kind = ? AND resource_id = ? ORDER BY seq DESC LIMIT 1",
            (kind, resource_id),
        ).fetchone()
    )
    return None if row is None else Path(row[0])
