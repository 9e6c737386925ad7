"""`--debug`: diagnostics on stderr in the AWS CLI's log format; stdout stays untouched."""

import logging
import sys

FORMAT = "%(asctime)s - %(threadName)s - %(name)s - %(levelname)s - %(message)s"


def start_debug_log(argv: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger("aml_cli")
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    from aml_cli.cli.version import version_line

    log = logging.getLogger("aml_cli.cli.main")
    log.debug("CLI version: %s", version_line())
    log.debug("Arguments entered to CLI: %r", argv)
