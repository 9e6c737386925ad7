"""How many threads a job's per-chunk work may use: `AML_WORKER_THREADS`, or every core this process may run on.

Read here, in the job layer, and handed to `aml_cli.ml` as a number (the
engine never reads the environment). A value that is not a positive integer
is ignored in favour of the default, so a typo never fails a job; the value
in force is written in the job's log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

VARIABLE = "AML_WORKER_THREADS"


def worker_threads(environ: Mapping[str, str] | None = None) -> int:
    """`AML_WORKER_THREADS` when it is a positive integer, else all cores."""
    text = (os.environ if environ is None else environ).get(VARIABLE, "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    from aml_cli.ml.parallel import default_threads

    return default_threads()
