"""`python -m aml_cli.jobs run <job-id>`: the entry point of a detached worker process."""

from __future__ import annotations

import os
import sys

from aml_cli.jobs.worker import install_stop_handler, run_job
from aml_cli.store import Store, StoreError

USAGE = "usage: python -m aml_cli.jobs run <job-id> [<claim>]"


def main(argv: list[str] | None = None) -> int:
    """Runs the one job named on the command line (with the token of its claim); the scheduler is the only
    caller. Whatever the caller's umask, every file the worker makes is its owner's only (0600, folders 0700)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3) or args[0] != "run":
        print(USAGE, file=sys.stderr)
        return 2
    os.umask(0o077)
    install_stop_handler()
    try:
        run_job(Store(), args[1], claim=args[2] if len(args) == 3 else None)
    except StoreError as err:  # the cause is in the job's note and log; the reaper records it
        print(f"aml worker: {err.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
