"""Long work as detached worker processes, with the resource lifecycle around it.

`submit` queues a job (what to run: a `Work`) for a resource in its first
status and starts a worker when a slot is free (or runs it in this process
when the work is synchronous); `reap` fails the resources of vanished workers
with their kind's failed status; `cancel` stops the work on a resource and
`request_cancel` asks it to stop, for kinds whose lifecycle has cancel statuses. The
statuses are read from each kind's declared lifecycle, never named here.
"""

from aml_cli.jobs.scheduler import (
    Work,
    cancel,
    create_with_job,
    is_alive,
    log_path,
    max_workers,
    reap,
    request_cancel,
    schedule,
    start_queued,
    submit,
)
from aml_cli.jobs.worker import JobCancelled, JobContext, JobFailed, run_job

__all__ = [
    "JobCancelled",
    "JobContext",
    "JobFailed",
    "Work",
    "cancel",
    "create_with_job",
    "is_alive",
    "log_path",
    "max_workers",
    "reap",
    "request_cancel",
    "run_job",
    "schedule",
    "start_queued",
    "submit",
]
