"""`aml wait <waiter>`: poll a Describe* operation until its acceptors say success or failure.

The acceptors, messages and exit codes are the AWS CLI's. Only the pacing
differs: a local engine answers in moments, so polling starts at 0.1 s and
backs off to 5 s, within the service's overall limit (delay x attempts = 30
minutes; `AML_WAITER_TIMEOUT` seconds overrides it).
"""

from __future__ import annotations

import os
import time

from aml_cli.api import Service, cli_name
from aml_cli.cli.errors import WaiterError

FIRST_DELAY = 0.1
MAX_DELAY = 5.0


def run_wait(described: Service, argv: list[str], options) -> int:
    """`aml wait <waiter> ...`; `aml wait help` lists the waiters, and `aml wait` alone names them in its error."""
    from aml_cli.cli import help as help_pages
    from aml_cli.cli.main import wants_help

    if not argv:
        from aml_cli.cli.usage_errors import UsageError

        raise UsageError("the following arguments are required: subcommand\n\n" + help_pages.waiter_list(described))
    if argv[0] in help_pages.HELP_WORDS:
        help_pages.print_wait_help(described)
        return 0
    spec = described.waiter(help_pages.find_waiter(described, argv[0]))
    if wants_help(argv[1:]):
        help_pages.print_waiter_help(described, spec.name)
        return 0
    from aml_cli.cli.args import parse_operation_args

    polled = described.operation(spec.operation)
    parsed = parse_operation_args(polled, argv[1:])
    if parsed.skeleton is not None:
        from aml_cli.cli.invoke import run_operation

        return run_operation(polled, argv[1:], options)  # the polled operation's skeletons, as the AWS CLI
    wait_for(spec, _request(polled, parsed), options, service_name=described.cli_name)
    return 0


def waiter_description(described: Service, spec) -> str:
    """The waiter's help text: its doc, then how it polls (derived from the waiter and this module's pacing)."""
    from aml_cli.api.docs import of

    minutes = spec.delay * spec.max_attempts // 60
    doc = of(described.cli_name).WAITER_DOCS[spec.name]
    return (
        f"{doc} It calls {cli_name(spec.operation)} with the options below at once, then "
        f"again after {FIRST_DELAY:g} s, doubling the pause up to {MAX_DELAY:g} s, for at most {minutes} minutes "
        "(or AML_WAITER_TIMEOUT seconds). Success prints nothing and exits 0; a FAILED result, the time limit "
        "or a service error exits 255."
    )


def _request(op, parsed) -> dict:
    """The Describe* request; pagination options fail as the AWS CLI's waiters fail them."""
    from aml_cli.api.validate import ParamValidationError, check_client_side

    request = dict(parsed.request)
    if any(v is not None for v in (parsed.starting_token, parsed.page_size, parsed.max_items)):
        members = ", ".join(op.input.members)
        raise ParamValidationError([f'Unknown parameter in input: "PaginationConfig", must be one of: {members}'])
    check_client_side(op, request)
    return request


def wait_for(spec, request: dict, options=None, *, service_name: str = "machinelearning") -> None:
    """Poll until success (return), failure or timeout (WaiterError)."""
    from aml_cli.api.errors import ServiceError
    from aml_cli.cli.invoke import call_service

    operation = spec.operation
    deadline = time.monotonic() + float(os.environ.get("AML_WAITER_TIMEOUT", spec.delay * spec.max_attempts))
    delay = FIRST_DELAY
    while True:
        try:
            response = call_service(operation, request, options, service_name=service_name)
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
