"""The `aml` entry point: global options, command dispatch, and the one place errors become exit codes.

Exit codes follow AWS CLI v2: 0 success, 130 Ctrl-C, 252 usage and client-side
validation, 254 an error answered by the service, 255 anything else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from aml_cli.cli import output_stream
from aml_cli.cli.errors import GENERAL_ERROR_RC


def main(argv: Sequence[str] | None = None) -> None:
    """Run `aml` with `argv` (default: sys.argv[1:]) and exit with the AWS CLI's exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args))


def run(args: list[str]) -> int:
    debug = "--debug" in args
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        sys.stdout.flush()
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return GENERAL_ERROR_RC
    except Exception as exc:  # the last resort: a message, never a traceback unless --debug
        from aml_cli.cli.errors import handle_exception

        return handle_exception(exc, debug=debug)


def _dispatch(args: list[str]) -> int:
    from aml_cli.cli.globals import split_global_options

    options, rest = split_global_options(args)
    _apply_process_options(options)
    if options.query is not None:
        _check_query(options.query)
    if options.debug:
        from aml_cli.cli.debug import start_debug_log

        start_debug_log(args)
    if options.version:
        from aml_cli.cli.version import version_line

        sys.stdout.write(version_line() + "\n")
        return 0
    from aml_cli.api import DEFAULT_SERVICE

    if rest and rest[0] in cli_services():
        service_name, rest, missing = rest[0], rest[1:], "operation"
    else:
        service_name, missing = DEFAULT_SERVICE, "command"
    if not rest:
        from aml_cli.cli.usage_errors import UsageError

        raise UsageError(f"the following arguments are required: {missing}")
    return _run_command(service_name, rest[0], rest[1:], options)


def cli_services() -> tuple[str, ...]:
    """The services `aml <service> <command>` reaches: those described and answered by a service package."""
    from aml_cli.service import answered_services

    return answered_services()


def _run_command(service_name: str, name: str, tail: list[str], options) -> int:
    """`help`, `wait`, an extra or an operation; `<command> help` shows the command's page."""
    from aml_cli.api import DEFAULT_SERVICE, service

    described = service(service_name)
    if name in ("help", "--help", "-h"):
        from aml_cli.cli.help import run_help

        return run_help(described, tail)
    if name == "wait" and described.waiter_names():
        from aml_cli.cli.waiters import run_wait

        return run_wait(described, tail, options)
    from aml_cli.cli.extras import EXTRAS

    if name in EXTRAS and service_name == DEFAULT_SERVICE:
        return _run_extra(name, tail, options)
    op = described.operation(operation_for(described, name))
    if wants_help(tail):
        from aml_cli.cli.help import print_operation_help

        print_operation_help(op)
        return 0
    from aml_cli.cli.invoke import run_operation

    return run_operation(op, tail, options)


def _run_extra(name: str, tail: list[str], options) -> int:
    if wants_help(tail):
        from aml_cli.cli.help import print_extra_help

        print_extra_help(name)
        return 0
    from aml_cli.cli.extras import run_extra

    return run_extra(name, tail, options)


def operation_for(described, command: str, also: tuple[str, ...] = ()) -> str:
    """The API operation a command names in a service, or the AWS CLI's invalid-choice usage error.

    `also` adds words that are valid where the command was looked up (help topics
    after `aml help`), so the suggestions offer them too.
    """
    from aml_cli.api import DEFAULT_SERVICE, cli_name

    by_cli = {cli_name(name): name for name in described.operation_names()}
    if command in by_cli:
        return by_cli[command]
    from aml_cli.cli.extras import EXTRAS
    from aml_cli.cli.usage_errors import UsageError, invalid_choice_message

    words = ["wait"] if described.waiter_names() else []
    if described.cli_name == DEFAULT_SERVICE:
        words += [*EXTRAS, *also]
    raise UsageError(invalid_choice_message("operation", command, [*by_cli, *words]))


def _check_query(query: str) -> None:
    """A --query that is not JMESPath is a usage error before anything runs, as the AWS CLI has it."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    from aml_cli.cli.usage_errors import CliValidationError

    try:
        jmespath.compile(query)
    except JMESPathError as exc:
        raise CliValidationError(f"Bad value for --query {query}: {exc}") from exc


def wants_help(tail: list[str]) -> bool:
    """`<command> help`, `<command> -h`, or `--help` anywhere among the command's words."""
    return tail in (["help"], ["-h"]) or "--help" in tail


def _apply_process_options(options) -> None:
    """Options that change how this process reports (how it runs jobs travels in each call's context)."""
    output_stream.configure(options)


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass

