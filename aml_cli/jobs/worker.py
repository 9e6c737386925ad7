"""Running one job: the resource's lifecycle around a handler's work.

The worker owns the status moves (PENDING -> INPROGRESS -> COMPLETED |
FAILED) so that every handler gets them right: timestamps, ComputeTime,
Message, and never overwriting a resource that was deleted meanwhile.
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

from aml_cli.jobs.progress import make_progress
from aml_cli.jobs.scheduler import load_job, schedule
from aml_cli.store import Store

STOPPED_MESSAGE = "The job was stopped before it finished."
HANDLER_REGISTRY = "aml_cli.service.job_handlers"

_stop_handler_installed = False


class JobFailed(Exception):
    """A handler's way to fail its resource; the message becomes the resource's Message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WorkerStopped(BaseException):
    """Raised in a detached worker by SIGTERM; a BaseException so handlers do not swallow it."""


class JobContext:
    """What a handler gets besides the store: a log and a progress reporter."""

    def __init__(self, log_path: Path, description: str, interactive: bool) -> None:
        self.log_path = log_path
        self._log_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._progress = make_progress(description, self.log, interactive)

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


def resolve_handler(kind: str) -> Callable[..., dict | None]:
    """Imports the "module:function" registered for `kind`, only when a job needs it."""
    registry = importlib.import_module(HANDLER_REGISTRY)
    spec = registry.handler_spec(kind)
    if not spec:
        raise LookupError(f"no job handler is registered for {kind}")
    module_name, _, function_name = spec.partition(":")
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


def _claim(conn: sqlite3.Connection, job_id: str, pid: int) -> Any:
    """The job if it is running under this very process, else None (the scheduler rolled back)."""
    job = load_job(conn, job_id)
    if job is None or job.state != "running" or job.pid != pid:
        return None
    return job


def run_job(store: Store, job_id: str, *, interactive: bool = False) -> None:
    """Runs a claimed job to its end, records the outcome, then lets the next job start."""
    job = store.write(lambda conn: _claim(conn, job_id, os.getpid()))
    if job is None:
        return
    ctx = JobContext(Path(job.log_path), f"{job.kind} {job.resource_id}", interactive)
    ctx.log(f"job {job_id}: {job.kind} {job.resource_id!r} in process {os.getpid()}")
    reraise: BaseException | None = None
    try:
        try:
            outcome, reraise = _execute(store, job, ctx)
        except WorkerStopped:  # arrived outside the handler, e.g. while recording INPROGRESS
            outcome = _failed(STOPPED_MESSAGE)
        except (KeyboardInterrupt, SystemExit) as err:
            outcome, reraise = _failed(STOPPED_MESSAGE), err
        _shield()
        if outcome is not None:
            status, changes = outcome
            if store.transition(job.kind, job.resource_id, status, changes) is None:
                ctx.log(f"the resource was no longer INPROGRESS; {status} not recorded")
            else:
                ctx.log(f"{status}" + (f": {changes['Message']}" if "Message" in changes else ""))
    finally:
        _finish(store, job_id)
        ctx.close()
    if reraise is not None:
        raise reraise
    schedule(store)


def _execute(store: Store, job: Any, ctx: JobContext) -> tuple[tuple[str, dict] | None, BaseException | None]:
    """Runs the handler; returns ((status, changes) or None if never started, an interrupt to re-raise)."""
    now = _stamp()
    if store.transition(job.kind, job.resource_id, "INPROGRESS", {"StartedAt": now, "LastUpdatedAt": now}) is None:
        ctx.log("the resource is no longer PENDING; nothing to do")
        return None, None
    cpu_before = _cpu_seconds()
    try:
        handler = resolve_handler(job.kind)
        fields = handler(store, job.resource_id, ctx) or {}
    except JobFailed as err:
        return _failed(err.message), None
    except WorkerStopped:
        return _failed(STOPPED_MESSAGE), None
    except (KeyboardInterrupt, SystemExit) as err:
        return _failed(STOPPED_MESSAGE), err
    except Exception as err:
        ctx.log(traceback.format_exc())
        return _failed(f"Internal error: {type(err).__name__}: {err}"), None
    finished = _stamp()
    compute_ms = round((_cpu_seconds() - cpu_before) * 1000)
    changes = {"FinishedAt": finished, "LastUpdatedAt": finished, "ComputeTime": compute_ms, **fields}
    return ("COMPLETED", changes), None


def _stamp() -> float:
    """Epoch seconds to the millisecond, as the service stamps resources."""
    return round(time.time(), 3)


def _failed(message: str) -> tuple[str, dict]:
    now = _stamp()
    return "FAILED", {"FinishedAt": now, "LastUpdatedAt": now, "Message": message}


def _finish(store: Store, job_id: str) -> None:
    store.write(
        lambda conn: conn.execute(
            "UPDATE jobs SET state = 'done', finished_at = ? WHERE job_id = ?", (time.time(), job_id)
        )
    )
