"""Long work as detached worker processes, with the resource lifecycle around it.

`submit` queues a job for a PENDING resource and starts a worker when a slot
is free (or runs it inline in sync mode); `reap` turns the resources of
vanished workers FAILED; `cancel` stops the work on a resource.
"""

from aml_cli.jobs.scheduler import (
    cancel,
    create_with_job,
    is_alive,
    log_path,
    max_workers,
    reap,
    schedule,
    set_sync,
    start_queued,
    submit,
    sync_mode,
)
from aml_cli.jobs.worker import JobContext, JobFailed, run_job

__all__ = [
    "JobContext",
    "JobFailed",
    "cancel",
    "create_with_job",
    "is_alive",
    "log_path",
    "max_workers",
    "reap",
    "run_job",
    "schedule",
    "set_sync",
    "start_queued",
    "submit",
    "sync_mode",
]
