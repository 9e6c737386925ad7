"""`aml wait <waiter>`: poll a Describe* operation until its acceptors say success or failure.

The acceptors, messages and exit codes are the AWS CLI's. Only the pacing
differs: a local engine answers in moments, so polling starts at 0.1 s and
backs off to 5 s, within the service's overall limit (delay x attempts = 30
minutes; `AML_WAITER_TIMEOUT` seconds overrides it).
"""

from __future__ import annotations

import os
import time

from aml_cli.api import cli_name, operation, waiter, waiter_names
from aml_cli.cli.errors import WaiterError

FIRST_DELAY = 0.1
MAX_DELAY = 5.0


def run_wait(argv: list[str], options) -> int:
    from aml_cli.cli.usage_errors import UsageError

    by_cli = {cli_name(name): name for name in waiter_names()}
    if not argv:
        raise UsageError("the following arguments are required: subcommand")
    name = argv[0]
    if name not in by_cli:
        import difflib

        close = difflib.get_close_matches(name, list(by_cli), cutoff=0.8)
        message = f"argument subcommand: Found invalid choice '{name}'\n"
        if close:
            message += "\nMaybe you meant:\n\n" + "\n".join(f"  * {c}" for c in close)
        raise UsageError(message)
    spec = waiter(by_cli[name])
    if argv[1:] in (["help"], ["--help"]):
        from aml_cli.cli.help import print_waiter_help

        print_waiter_help(spec.name)
        return 0
    request = _request(spec, argv[1:])
    wait_for(spec, request)
    return 0


def _request(spec, argv: list[str]) -> dict:
    from aml_cli.api.validate import ParamValidationError, check_client_side
    from aml_cli.cli.args import parse_operation_args

    op = operation(spec.operation)
    parsed = parse_operation_args(op, argv)
    request = dict(parsed.request)
    if any(v is not None for v in (parsed.starting_token, parsed.page_size, parsed.max_items)):
        members = ", ".join(op.input.members)
        raise ParamValidationError([f'Unknown parameter in input: "PaginationConfig", must be one of: {members}'])
    check_client_side(op, request)
    return request


def wait_for(spec, request: dict) -> None:
    """Poll until success (return), failure or timeout (WaiterError)."""
    from aml_cli.api.errors import ServiceError
    from aml_cli.service import call

    deadline = time.monotonic() + float(os.environ.get("AML_WAITER_TIMEOUT", spec.delay * spec.max_attempts))
    delay = FIRST_DELAY
    while True:
        try:
            response = call(spec.operation, request)
        except ServiceError as exc:
            raise WaiterError(f"Waiter {spec.name} failed: An error occurred ({exc.code}): {exc.message}") from exc
        state = _match(spec, response)
        if state == "success":
            return
        if state == "failure":
            acceptor = next(a for a in spec.acceptors if a.state == "failure")
            raise WaiterError(
                f"Waiter {spec.name} failed: Waiter encountered a terminal failure state: For expression "
                f'"{acceptor.argument}" we matched expected path: "{acceptor.expected}" at least once'
            )
        if time.monotonic() + delay > deadline:
            raise WaiterError(f"Waiter {spec.name} failed: Max attempts exceeded")
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY)


def _match(spec, response: dict) -> str | None:
    import jmespath

    for acceptor in spec.acceptors:
        found = jmespath.search(acceptor.argument, response) if acceptor.argument else None
        if acceptor.matcher == "pathAll":
            if isinstance(found, list) and found and all(v == acceptor.expected for v in found):
                return acceptor.state
        elif acceptor.matcher == "pathAny":
            if isinstance(found, list) and any(v == acceptor.expected for v in found):
                return acceptor.state
        elif acceptor.matcher == "path" and found == acceptor.expected:
            return acceptor.state
    return None
