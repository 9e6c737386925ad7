"""One operation from argv to printed output: parse, validate, call the service, render."""

from __future__ import annotations

import json

from aml_cli.api.model import Operation
from aml_cli.cli.output_stream import SETTINGS, terminal_width, use_color, write_stdout


def run_operation(op: Operation, argv: list[str], options) -> int:
    from aml_cli.cli.args import parse_operation_args

    parsed = parse_operation_args(op, argv)
    if parsed.skeleton in ("input", "yaml-input"):
        from aml_cli.cli.skeleton import input_skeleton, yaml_input_skeleton

        write_stdout(input_skeleton(op) if parsed.skeleton == "input" else yaml_input_skeleton(op))
        return 0
    request = parsed.request
    if parsed.skeleton == "output":
        from aml_cli.cli.skeleton import output_skeleton

        _render_single(op, output_skeleton(op), options, convert=False)
        return 0
    _check_pagination_conflicts(op, parsed, options)
    from aml_cli.api.validate import check_client_side

    check_client_side(op, request)
    if SETTINGS.debug:
        import logging

        logging.getLogger("aml_cli.cli.invoke").debug(
            "calling %s with parameters: %s", op.name, json.dumps(request, separators=(",", ":"), default=str)
        )
    if op.paginator is not None and not options.no_paginate and not parsed.raw_pagination:
        _run_paginated(op, request, parsed, options)
    else:
        response = call_service(op.name, request, options, service_name=op.service)
        _render_single(op, response, options)
    return 0


def call_service(op_name: str, request: dict, options, *, service_name: str = "machinelearning",
                 synchronous: bool | None = None) -> dict:
    """The service call with this command's context, the operation's name attached to a service error."""
    from aml_cli.api.errors import ServiceError
    from aml_cli.cli.context import cli_context
    from aml_cli.service import call

    context = cli_context(options, synchronous=synchronous)
    try:
        return call(op_name, request, service_name=service_name, context=context)
    except ServiceError as exc:
        exc.operation = op_name
        raise


def _check_pagination_conflicts(op, parsed, options) -> None:
    if not options.no_paginate or op.paginator is None:
        return
    given = [
        flag
        for flag, value in (
            ("--starting-token", parsed.starting_token),
            ("--page-size", parsed.page_size),
            ("--max-items", parsed.max_items),
        )
        if value is not None
    ]
    if given:
        from aml_cli.cli.usage_errors import CliValidationError

        raise CliValidationError(f"Cannot specify --no-paginate along with pagination arguments: {', '.join(given)}")


def _run_paginated(op, request: dict, parsed, options) -> None:
    from aml_cli.cli.paginate import iterate_pages, render_paginated
    from aml_cli.cli.wire import to_cli_values

    pag = op.paginator

    def fetch(page_request: dict) -> dict:
        return to_cli_values(op.output, call_service(op.name, page_request, options, service_name=op.service))

    if parsed.max_items is not None and parsed.max_items <= 0:
        from aml_cli.cli.output_stream import write_stderr

        write_stderr("warning: Non-positive values for --max-items may result in undefined behavior.\n")
    pages = iterate_pages(
        fetch,
        request,
        input_token=pag.input_token,
        output_token=pag.output_token,
        limit_key=pag.limit_key,
        result_key=pag.result_key,
        page_size=parsed.page_size,
        max_items=parsed.max_items,
        starting_token=parsed.starting_token,
    )
    text = render_paginated(
        pages,
        output=options.output,
        query=options.query,
        title=op.name,
        width=terminal_width(),
        color=use_color(),
        result_key=pag.result_key,
    )
    write_stdout(text)


def _render_single(op, response: dict, options, *, convert: bool = True) -> None:
    from aml_cli.cli.paginate import render_single
    from aml_cli.cli.wire import to_cli_values

    value = to_cli_values(op.output, response) if convert else response
    text = render_single(
        value, output=options.output, query=options.query, title=op.name, width=terminal_width(), color=use_color()
    )
    write_stdout(text)

