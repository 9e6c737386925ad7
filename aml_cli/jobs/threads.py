"""How many threads a job's per-chunk work may use: `AML_WORKER_THREADS`, or every core this process may run on.

Read once, when the job layer is imported (a worker process, or the `aml`
process that runs a job inline), never during a service call, and handed
to `aml_cli.ml` as a number (the engine never reads the environment). A
value that is not a positive integer means the default, so a typo never
fails a job.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

VARIABLE = "AML_WORKER_THREADS"


def all_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def configured(environ: Mapping[str, str]) -> int | None:
    """`AML_WORKER_THREADS` when it is a positive integer, else None (the default)."""
    text = environ.get(VARIABLE, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


CONFIGURED = configured(os.environ)


def worker_threads(environ: Mapping[str, str] | None = None) -> int:
    """The count in force: from `environ` when given, else as read at import; all cores by default."""
    count = configured(environ) if environ is not None else CONFIGURED
    return count or all_cores()
