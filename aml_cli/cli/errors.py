"""Every error the CLI can end with, turned into the AWS CLI v2's stderr text and exit code.

Errors are typed where they are raised and mapped here once: the service's
errors carry an AWS code, the CLI's own a kind; nothing else chooses an exit code.
"""

from __future__ import annotations

import sys
import traceback

from aml_cli.cli.output_stream import SETTINGS, write_stderr

PARAM_VALIDATION_ERROR_RC = 252
CONFIGURATION_ERROR_RC = 253
CLIENT_ERROR_RC = 254
GENERAL_ERROR_RC = 255


class PagerError(Exception):
    """The pager could not be started (exit 253)."""


class WaiterError(Exception):
    """A waiter reached a failure state, timed out, or met an unexpected service error (exit 255)."""


def write_error(message: str, code: str | None = None) -> None:
    """`\\naml: [ERROR]: ` + message, in the error format the user chose (enhanced by default)."""
    fmt = SETTINGS.error_format
    if fmt in ("json", "yaml", "text", "table"):
        from aml_cli.cli.formatters import format_output

        body = {"Code": code or "Unknown", "Message": message.strip()}
        write_stderr(format_output(body, fmt, title="error"))
        return
    if code and fmt != "legacy":
        message = f"An error occurred ({code}): {message.strip()}"
    write_stderr(f"\naml: [ERROR]: {message.strip()}\n")


def handle_exception(exc: BaseException, *, debug: bool = False) -> int:
    """Print `exc` as the AWS CLI would and return its exit code."""
    from aml_cli.api.errors import ServiceError
    from aml_cli.cli import usage_errors

    if debug:
        traceback.print_exc(file=sys.stderr)
    if isinstance(exc, tuple(usage_errors.EXIT_CODES)) or _is_param_validation(exc):
        _write_cli_error(exc)
        return usage_errors.exit_code_for(exc)
    if isinstance(exc, PagerError):
        write_error(
            "Unable to redirect output to pager. Received the following error when opening pager:\n"
            f"{exc}\n\nLearn more about configuring the output pager by running \"aml help config-vars\".",
            "Pager",
        )
        return CONFIGURATION_ERROR_RC
    if isinstance(exc, ServiceError):
        write_service_error(exc.code, exc.message, getattr(exc, "operation", None) or "")
        return CLIENT_ERROR_RC
    if isinstance(exc, MemoryError):
        write_error("Out of memory.")
        return GENERAL_ERROR_RC
    write_error(str(exc) or type(exc).__name__)  # WaiterError and anything unexpected
    return GENERAL_ERROR_RC


def _write_cli_error(exc: BaseException) -> None:
    """Parse-time errors: the text usage_errors defines, or its fields in a structured error format."""
    from aml_cli.cli import usage_errors

    fmt = SETTINGS.error_format
    if fmt in ("json", "yaml", "text", "table"):
        from aml_cli.cli.formatters import format_output

        write_stderr(format_output(usage_errors.error_fields(exc), fmt, title="error"))
    else:
        write_stderr(usage_errors.format_cli_error(exc, error_format=fmt))


def write_service_error(code: str, message: str, operation: str) -> None:
    """`An error occurred (Code) when calling the Op operation: message` (same in every text format)."""
    fmt = SETTINGS.error_format
    if fmt in ("json", "yaml", "text", "table"):
        from aml_cli.cli.formatters import format_output

        write_stderr(format_output({"Code": code, "Message": message}, fmt, title="error"))
        return
    text = f"An error occurred ({code}) when calling the {operation} operation: {message}"
    write_stderr(f"\naml: [ERROR]: {text.strip()}\n")


def _is_param_validation(exc: BaseException) -> bool:
    try:
        from aml_cli.api.validate import ParamValidationError
    except ImportError:
        return False
    return isinstance(exc, ParamValidationError)
