"""The errors raised while turning argv into a request, and their exact stderr text.

They carry a message, never an exit code of their own choosing: `EXIT_CODES`
and `format_cli_error` are the single mapping, matching the AWS CLI v2
(`enhanced` error format by default) with the program's name in place of `aws`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

PROG = "aml"

USAGE = (
    f"usage: {PROG} [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
    "To see help text, you can run:\n"
    "\n"
    f"  {PROG} help\n"
    f"  {PROG} <command> help\n"
    f"  {PROG} <command> <subcommand> help\n"
)

PARAM_VALIDATION_CODE = "ParamValidation"


class UsageError(Exception):
    """An argparse-style usage error: printed with the usage text, exit 252."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownOptionsError(Exception):
    """Tokens no option of the command claimed (values included), exit 252."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = list(tokens)
        super().__init__(f"Unknown options: {', '.join(self.tokens)}")


class ParamParseError(Exception):
    """A parameter value that could not be read (JSON, shorthand, file://), exit 252."""

    def __init__(self, param_name: str, message: str) -> None:
        self.param_name = param_name
        self.message = message
        super().__init__(f"Error parsing parameter '{param_name}': {message}")


class CliInputConflictError(ParamParseError):
    """Both --cli-input-json and --cli-input-yaml given; the AWS CLI names no parameter here."""

    def __init__(self) -> None:
        self.param_name = "--cli-input-"
        self.message = "Only one --cli-input- parameter may be specified."
        Exception.__init__(self, self.message)


class CliValidationError(Exception):
    """A CLI-side check that is neither argparse's nor botocore's (exit 252), e.g. a bad --query."""


class GeneralError(Exception):
    """Anything the AWS CLI reports bare with exit 255, e.g. `int()` failing on a modeled integer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


EXIT_CODES: dict[type[Exception], int] = {
    UsageError: 252,
    UnknownOptionsError: 252,
    ParamParseError: 252,
    CliValidationError: 252,
    GeneralError: 255,
}


def exit_code_for(exc: Exception) -> int:
    """252 for the parse-time errors above, 255 for GeneralError (and anything unknown)."""
    for kind, code in EXIT_CODES.items():
        if isinstance(exc, kind):
            return code
    if _problems_of(exc) is not None:
        return 252
    return 255


_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")


def looks_like_option(token: str, known: Iterable[str] = ()) -> bool:
    """argparse's test for "this token starts an option" (so it is not a value): it starts with '-' and is a
    known option, or is neither a negative number nor a text with a space."""
    if not token.startswith("-") or token == "-":
        return False
    if token in known or token.split("=", 1)[0] in known:
        return True
    return not (_NEGATIVE_NUMBER.match(token) or " " in token)


def invalid_choice_message(argument: str, value: str, choices: Iterable[str]) -> str:
    """argparse's message as the AWS CLI rewords it, with difflib suggestions (cutoff 0.8)."""
    import difflib  # only a mistyped command needs it: every other command starts without it

    message = f"argument {argument}: Found invalid choice '{value}'\n"
    close = difflib.get_close_matches(value, list(choices), cutoff=0.8)
    if close:
        message += "\nMaybe you meant:\n\n" + "\n".join(f"  * {c}" for c in close)
    return message


def _frame(message: str, code: str | None, error_format: str) -> str:
    if code and error_format != "legacy":
        message = f"An error occurred ({code}): {message.strip()}"
    return f"\n{PROG}: [ERROR]: {message.strip()}\n"


def format_param_validation(exc: Exception, *, error_format: str = "enhanced") -> str:
    """stderr for api.validate.ParamValidationError: one line per problem after the heading."""
    problems = _problems_of(exc) or [str(exc)]
    return _frame("Parameter validation failed:\n" + "\n".join(problems), PARAM_VALIDATION_CODE, error_format)


def format_cli_error(exc: Exception, *, error_format: str = "enhanced") -> str:
    """The exact stderr text for any error of this module (or a ParamValidationError).

    `error_format` is `enhanced` (default) or `legacy`; the structured formats
    (json, yaml, ...) render `error_fields(exc)` with the output formatters instead.
    """
    if isinstance(exc, UsageError):
        if error_format == "legacy":
            return f"\n{PROG}: [ERROR]: {exc.message}\n\n{USAGE}"
        return f"\n{PROG}: [ERROR]: An error occurred ({PARAM_VALIDATION_CODE}): {exc.message}\n\n{USAGE}"
    if isinstance(exc, UnknownOptionsError):
        return f"\n{USAGE}\n" + _frame(str(exc), None, error_format)
    if isinstance(exc, ParamParseError | CliValidationError):
        return _frame(str(exc), PARAM_VALIDATION_CODE, error_format)
    if _problems_of(exc) is not None:
        return format_param_validation(exc, error_format=error_format)
    return _frame(str(exc), None, error_format)


def error_fields(exc: Exception) -> dict[str, str]:
    """`{"Code", "Message"}` for --cli-error-format json|yaml|text|table."""
    if isinstance(exc, UsageError | ParamParseError | CliValidationError):
        return {"Code": PARAM_VALIDATION_CODE, "Message": str(exc).strip()}
    problems = _problems_of(exc)
    if problems is not None:
        return {"Code": PARAM_VALIDATION_CODE, "Message": "Parameter validation failed:\n" + "\n".join(problems)}
    return {"Code": "Unknown", "Message": str(exc).strip()}


def _problems_of(exc: Exception) -> list[str] | None:
    """The problem lines of a ParamValidationError, recognised without importing api.validate."""
    problems = getattr(exc, "problems", None)
    if isinstance(problems, list) and type(exc).__name__ == "ParamValidationError":
        return [str(p) for p in problems]
    return None
