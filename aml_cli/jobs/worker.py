"""Running one job: the resource's lifecycle around a handler's work.

The worker owns the status moves (its kind's start -> running -> done |
failed, as `aml_cli.api.resources` declares them) so that every handler gets
them right: the fields each move stamps, the compute time, the failure's cause
where the kind keeps it, and never overwriting a resource that moved on meanwhile.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sqlite3
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aml_cli.jobs.logs import FailureNote, UnusableLog, open_log
from aml_cli.jobs.processes import process_start
from aml_cli.jobs.progress import LogProgress, Tee
from aml_cli.jobs.scheduler import load_job, logs_dir, schedule, settle_cancelled
from aml_cli.jobs.threads import worker_threads
from aml_cli.store import Store, StoreError
from aml_cli.store.clock import now
from aml_cli.store.db import lifecycle_of

STOPPED_MESSAGE = "The job was stopped before it finished."

_stop_handler_installed = False


class JobFailed(Exception):
    """A handler's way to fail its resource; the message (and a status code, where the kind has them) is recorded."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class JobCancelled(Exception):
    """A handler's way to say it stopped because its resource was asked to (`JobContext.cancel_requested`):
    the resource ends in its kind's `cancelled` status and nothing the handler made is kept."""


class WorkerStopped(BaseException):
    """Raised in a detached worker by SIGTERM; a BaseException so handlers do not swallow it."""


CANCEL_POLL_SECONDS = 0.2  # how often a running handler's cancel check reads the store


class JobContext:
    """What a handler gets besides the store: a log, a progress reporter, and whether it was asked to stop."""

    def __init__(self, log_path: Path, description: str, progress: Callable[[str], Any] | None = None,
                 job: Any = None, store: Store | None = None) -> None:
        self.log_path = log_path
        self._log_file = os.fdopen(open_log(log_path), "a", encoding="utf-8")  # closed by close()
        shown = progress(description) if progress is not None else None
        self._progress = Tee(LogProgress(self.log), shown)
        self._job, self._store = job, store
        self._discards: list[Callable[[], Any]] = []
        self._checked, self._cancelled = 0.0, False
        self.threads = worker_threads()  # for the handler's per-chunk work (AML_WORKER_THREADS)

    def cancel_requested(self) -> bool:
        """True once the resource was asked to stop (its kind's `cancel_requested` status), which this call
        acknowledges by moving it to `cancelling`. Cheap enough to call between mini-batches: the store is
        read at most every CANCEL_POLL_SECONDS."""
        if self._cancelled or self._job is None or self._store is None:
            return self._cancelled
        now = time.monotonic()
        if now - self._checked < CANCEL_POLL_SECONDS:
            return False
        self._checked = now
        lifecycle = lifecycle_of(self._job.kind)
        record = self._store.get(self._job.kind, self._job.resource_id) or {}
        if lifecycle.cancelling and record.get("Status") == lifecycle.cancel_requested:
            self._store.transition(self._job.kind, self._job.resource_id, lifecycle.cancelling,
                                   lifecycle.stamp(lifecycle.cancelling, now()))
            record = self._store.get(self._job.kind, self._job.resource_id) or {}
        self._cancelled = record.get("Status") in lifecycle.cancelling_statuses
        return self._cancelled

    def cluster(self) -> Any:
        """The Dask cluster the job's environment names (AML_DASK_SCHEDULER; `jobs.cluster`), or None."""
        from aml_cli.jobs.cluster import setting

        return setting()

    def on_discard(self, callback: Callable[[], Any]) -> None:
        """Registers the undoing of something the handler made (an artifact file), run when its result is not
        recorded: a cancel that arrived as it finished, or a resource that moved on meanwhile."""
        self._discards.append(callback)

    def discard(self) -> None:
        for callback in self._discards:
            with contextlib.suppress(Exception):
                callback()
        self._discards.clear()

    def log(self, line: str) -> None:
        """Appends a timestamped line to the job's log; a full disk loses the line, not the job."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        text = "".join(f"{stamp} {part}\n" for part in str(line).splitlines() or [""])
        with contextlib.suppress(OSError, ValueError):
            self._log_file.write(text)
            self._log_file.flush()

    def progress(self, fraction: float, text: str = "") -> None:
        """Reports how much of the work is done, 0.0 to 1.0."""
        self._progress.update(fraction, text)

    def close(self) -> None:
        self._progress.close()
        with contextlib.suppress(OSError):
            self._log_file.close()


def install_stop_handler() -> None:
    """Makes SIGTERM (as sent by `cancel`) unwind the running handler once."""
    global _stop_handler_installed

    def on_term(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise WorkerStopped()

    signal.signal(signal.SIGTERM, on_term)
    _stop_handler_installed = True


def _shield() -> None:
    """From here on a SIGTERM must not interrupt the bookkeeping that records the outcome."""
    if _stop_handler_installed:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def resolve_handler(job: Any) -> Callable[..., dict | None]:
    """Imports the "module:function" the job was queued with (a job queued before handlers were recorded:
    its kind's declared one), only when the job runs."""
    spec = job.handler
    if not spec:
        from aml_cli.api import resource_kind

        spec = resource_kind(job.kind).job or ""
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise LookupError(f"no job handler is recorded for {job.kind} {job.resource_id}")
    return getattr(importlib.import_module(module_name), function_name)


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for."""
    total = time.process_time()
    try:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += children.ru_utime + children.ru_stime
    except (ImportError, OSError):
        pass
    return total


def _claim(conn: sqlite3.Connection, job_id: str, pid: int, token: str | None) -> Any:
    """The job, taken over by this process: a detached worker by its claim's token (it records its own pid),
    an inline run by the pid its caller recorded; None when the claim is not (or no longer) ours."""
    job = load_job(conn, job_id)
    if job is None or job.state != "running":
        return None
    if token:
        if job.claim != token:
            return None
        conn.execute("UPDATE jobs SET pid = ?, pid_start = ?, starting = 0 WHERE job_id = ?",
                     (pid, process_start(pid), job_id))
        return load_job(conn, job_id)
    return job if job.pid == pid and not job.starting else None


def run_job(store: Store, job_id: str, *, progress: Callable[[str], Any] | None = None,
            claim: str | None = None) -> None:
    """Runs a claimed job to its end, records the outcome, then lets the next job start.

    The failure note is reserved before the store is needed: if the outcome cannot be recorded (the store's
    disk is full), its cause goes there, for the reaper to record once it can.
    """
    note = FailureNote(logs_dir(store) / f"{job_id}.log")
    try:
        job = store.write(lambda conn: _claim(conn, job_id, os.getpid(), claim))
    except StoreError as err:
        note.write(f"The worker could not start: {err.message}")
        raise
    if job is None:
        note.discard()
        return
    try:
        ctx = JobContext(Path(job.log_path), f"{job.kind} {job.resource_id}", progress, job=job, store=store)
    except UnusableLog as err:
        _record_or_note(store, job, None, note, _failed(job.kind, err.message))
        return
    ctx.log(f"job {job_id}: {job.kind} {job.resource_id!r} in process {os.getpid()}")
    reraise = _run_claimed(store, job, ctx, note)
    if reraise is not None:
        raise reraise
    schedule(store)


def _run_claimed(store: Store, job: Any, ctx: JobContext, note: FailureNote) -> BaseException | None:
    """The handler, then its outcome recorded (or noted) and the job finished; returns an interrupt to re-raise."""
    reraise: BaseException | None = None
    try:
        try:
            outcome, reraise = _execute(store, job, ctx)
        except WorkerStopped:  # arrived outside the handler, e.g. while recording the running status
            outcome = _failed(job.kind, STOPPED_MESSAGE)
        except (KeyboardInterrupt, SystemExit) as err:
            outcome, reraise = _failed(job.kind, STOPPED_MESSAGE), err
        except StoreError as err:  # the store failed the worker's own bookkeeping (the running status)
            outcome = _failed(job.kind, err.message)
        _shield()
        _record_or_note(store, job, ctx, note, outcome)
    finally:
        ctx.close()
    return reraise


def _record_or_note(store: Store, job: Any, ctx: JobContext | None, note: FailureNote, outcome) -> None:
    """Records the outcome and finishes the job; when the store cannot take it, the cause goes in the note
    and the worker ends (the reaper records the note when it finds the worker gone)."""
    try:
        if outcome is not None:
            _record(store, job, ctx, *outcome)
        _finish(store, job.job_id)
    except StoreError as err:
        cause = _cause(job.kind, outcome)
        note.write(f"{cause} (Recorded after the job ended: the store could not take it then.)" if cause else
                   f"The job ended but the store could not record its outcome: {err.message}")
        if ctx is not None:
            ctx.log(f"could not record the outcome: {err.message}")
        raise
    note.discard()


def _cause(kind: str, outcome) -> str | None:
    if outcome is None or outcome[0] != lifecycle_of(kind).failed:
        return None
    cause = outcome[1].get(lifecycle_of(kind).message_field)
    return cause.get("message") if isinstance(cause, dict) else cause


def _record(store: Store, job: Any, ctx: JobContext | None, status: str, changes: dict) -> None:
    """The outcome, if the resource is still where the job left it; a result that lost a race with a cancel
    request is discarded and the resource ends cancelled (the store checks both moves in their transaction)."""
    lifecycle = lifecycle_of(job.kind)
    changes = {**lifecycle.stamp(status, now()), **changes}
    log = ctx.log if ctx is not None else (lambda line: None)
    if store.transition(job.kind, job.resource_id, status, changes) is None:
        if status != lifecycle.cancelled and _settle_cancelled(store, job):
            log(f"the work was cancelled; {status} not recorded, its result discarded")
        else:
            log(f"the resource was no longer {lifecycle.running}; {status} not recorded")
        if ctx is not None:
            ctx.discard()
        return
    if status != lifecycle.done and ctx is not None:
        ctx.discard()
    cause = changes.get(lifecycle.message_field)
    if isinstance(cause, dict):
        cause = cause.get("message")
    log(f"{status}" + (f": {cause}" if cause and status == lifecycle.failed else ""))


def _execute(store: Store, job: Any, ctx: JobContext) -> tuple[tuple[str, dict] | None, BaseException | None]:
    """Runs the handler; returns ((status, changes) or None if never started, an interrupt to re-raise).

    The handler's module is imported first: it is the service's, and may be where its kinds are declared.
    """
    try:
        handler = resolve_handler(job)
    except Exception as err:
        ctx.log(traceback.format_exc())
        return _failed(job.kind, f"Internal error: {type(err).__name__}: {err}"), None
    lifecycle = lifecycle_of(job.kind)
    started = lifecycle.stamp(lifecycle.running, now())
    if store.transition(job.kind, job.resource_id, lifecycle.running, started) is None:
        ctx.log(f"the resource is no longer {lifecycle.start}; nothing to do")
        _settle_cancelled(store, job)
        return None, None
    from aml_cli.store.artifacts import artifact_facts  # here: metadata commands import this module

    cpu_before = _cpu_seconds()
    try:
        fields = handler(store, job.resource_id, ctx) or {}
        fields = {**fields, **artifact_facts(fields)}  # what it wrote, so damage to it can be told later
    except JobFailed as err:
        return _failed(job.kind, err.message, err.code), None
    except JobCancelled:
        return (lifecycle.cancelled or lifecycle.failed, {} if lifecycle.cancelled else
                lifecycle.failure(STOPPED_MESSAGE)), None
    except StoreError as err:  # the store itself failed the handler (damaged, full): its words, not a traceback
        ctx.log(f"store error: {err.message}")
        return _failed(job.kind, err.message), None
    except WorkerStopped:
        return _failed(job.kind, STOPPED_MESSAGE), None
    except (KeyboardInterrupt, SystemExit) as err:
        return _failed(job.kind, STOPPED_MESSAGE), err
    except Exception as err:
        ctx.log(traceback.format_exc())
        return _failed(job.kind, f"Internal error: {type(err).__name__}: {err}"), None
    changes = dict(fields)
    if lifecycle.compute_time_field:
        changes.setdefault(lifecycle.compute_time_field, round((_cpu_seconds() - cpu_before) * 1000))
    return (lifecycle.done, changes), None


def _failed(kind: str, message: str, code: str | None = None) -> tuple[str, dict]:
    lifecycle = lifecycle_of(kind)
    return lifecycle.failed, lifecycle.failure(message, code)


def _settle_cancelled(store: Store, job: Any) -> bool:
    """Ends a resource whose work was asked to stop in its kind's `cancelled` status; False if it was not."""
    return store.write(lambda conn: settle_cancelled(conn, job.kind, job.resource_id, now())) is not None


def _finish(store: Store, job_id: str) -> None:
    store.write(
        lambda conn: conn.execute(
            "UPDATE jobs SET state = 'done', finished_at = ? WHERE job_id = ?", (time.time(), job_id)
        )
    )
