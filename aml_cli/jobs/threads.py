"""How many threads a job's per-chunk work may use: the job layer reads it, ``aml_cli.ml`` is handed it.

``AML_WORKER_THREADS`` (a positive integer) sets it; unset, or anything else, means every core this process
may run on. Results never depend on it (``aml_cli/ml/parallel.py``), only the time they take.
"""

from __future__ import annotations

import os

ENV = "AML_WORKER_THREADS"


def worker_threads(environ: dict[str, str] | None = None) -> int:
    """The thread count for this job: ``AML_WORKER_THREADS`` when it is a positive integer, else every core."""
    text = (os.environ if environ is None else environ).get(ENV, "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
