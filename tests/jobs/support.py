"""Helpers shared by the job tests."""

import time

from aml_cli.jobs import reap

FINAL = {"COMPLETED", "FAILED", "DELETED"}


def pending(store, kind, resource_id, **plan):
    """Records a PENDING resource whose test handler will follow `plan`."""
    now = time.time()
    record = {"Status": "PENDING", "CreatedAt": now, "LastUpdatedAt": now, "_Test": plan}
    assert store.create(kind, resource_id, record, "fp") is None
    return resource_id


def wait_until(store, kind, resource_id, statuses=FINAL, timeout=30.0):
    """Polls (reaping as every reader does) until the resource reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap(store)
        record = store.get(kind, resource_id)
        if record["Status"] in statuses:
            return record
        time.sleep(0.05)
    raise AssertionError(f"{kind} {resource_id} still {store.get(kind, resource_id)['Status']} after {timeout}s")


def job_rows(store, kind=None):
    """The jobs table as dicts, in submission order."""
    query = "SELECT job_id, kind, resource_id, state, mode, pid, started_at, finished_at FROM jobs ORDER BY seq"
    rows = store.read(lambda conn: conn.execute(query).fetchall())
    keys = ("job_id", "kind", "resource_id", "state", "mode", "pid", "started_at", "finished_at")
    return [dict(zip(keys, row, strict=True)) for row in rows if kind is None or row[1] == kind]


def wait_jobs_done(store, timeout=30.0):
    """Waits until no job is queued or running; a resource is final a moment before its job is done."""
    deadline = time.monotonic() + timeout
    while any(job["state"] != "done" for job in job_rows(store)):
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs still active after {timeout}s: {job_rows(store)}")
        reap(store)
        time.sleep(0.05)
    return job_rows(store)


# The test handlers by kind, and whether `submit` runs jobs inline: what a service would record with each job.
HANDLERS = {"DataSource": "tests.jobs.handlers:data_source", "MLModel": "tests.jobs.handlers:ml_model"}
_MODE = {"synchronous": False, "progress": None}


def set_sync(flag: bool | None) -> None:
    """Jobs submitted by these tests run inline (True) or in detached workers (False, None)."""
    _MODE["synchronous"] = bool(flag)


def submit(store, kind, resource_id, depends_on=(), *, handler=None, progress=None):
    """Queues the test handler of `kind` for a resource, in the mode `set_sync` chose."""
    from aml_cli.jobs import Work
    from aml_cli.jobs import submit as queue

    work = Work(handler or HANDLERS[kind], synchronous=_MODE["synchronous"], progress=progress)
    queue(store, kind, resource_id, work, depends_on)
