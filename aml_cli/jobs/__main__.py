"""`python -m aml_cli.jobs run <job-id>`: the entry point of a detached worker process."""

from __future__ import annotations

import sys

from aml_cli.jobs.worker import install_stop_handler, run_job
from aml_cli.store import Store

USAGE = "usage: python -m aml_cli.jobs run <job-id>"


def main(argv: list[str] | None = None) -> int:
    """Runs the one job named on the command line; the scheduler is the only caller."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "run":
        print(USAGE, file=sys.stderr)
        return 2
    install_stop_handler()
    run_job(Store(), args[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
