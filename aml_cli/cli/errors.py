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


class CliValidationError(Exception):
    """A CLI-side check that is neither argparse's nor botocore's (exit 252), e.g. a bad --query."""


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
    from aml_cli.cli.usage_errors import GeneralError, ParamParseError, UnknownOptionsError, UsageError

    if debug:
        traceback.print_exc(file=sys.stderr)
    if isinstance(exc, UsageError):
        from aml_cli.cli.usage_errors import USAGE

        write_error(f"{exc.message}\n\n{USAGE}", "ParamValidation")
        return PARAM_VALIDATION_ERROR_RC
    if isinstance(exc, UnknownOptionsError):
        from aml_cli.cli.usage_errors import USAGE

        tokens = ", ".join(exc.tokens)
        write_stderr(f"\n{USAGE}\n")
        write_error(f"Unknown options: {tokens}")
        return PARAM_VALIDATION_ERROR_RC
    if isinstance(exc, ParamParseError | CliValidationError):
        write_error(str(exc), "ParamValidation")
        return PARAM_VALIDATION_ERROR_RC
    if _is_param_validation(exc):
        write_error(str(exc), "ParamValidation")
        return PARAM_VALIDATION_ERROR_RC
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
    if isinstance(exc, GeneralError | WaiterError):
        write_error(str(exc))
        return GENERAL_ERROR_RC
    if isinstance(exc, MemoryError):
        write_error("Out of memory.")
        return GENERAL_ERROR_RC
    text = str(exc) or type(exc).__name__
    write_error(text)
    return GENERAL_ERROR_RC


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
