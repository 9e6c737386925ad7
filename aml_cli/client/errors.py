"""The client's exceptions, shaped like botocore's so that handlers written for boto3 read the same.

Two families, as in botocore: `ClientError` for what the service answered
(`err.response["Error"]["Code"]`, `err.operation_name`), with one subclass per
error code of the service; and `BotoCoreError` for what went wrong before or
around a call (parameter validation, waiters, pagination, unknown service).
"""

from __future__ import annotations

from typing import Any

from aml_cli.api.errors import BY_CODE


class BotoCoreError(Exception):
    """Base of the errors raised on the client's side of a call (botocore's family name)."""

    fmt = "An unspecified error occurred"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(self.fmt.format(**kwargs))
        self.kwargs = kwargs


class ParamValidationError(BotoCoreError):
    """The request breaks a client-side rule (required, unknown key, type, minimum); nothing was sent."""

    fmt = "Parameter validation failed:\n{report}"


class UnknownServiceError(BotoCoreError):
    """`aml_cli.client(name)` for a service aml does not run."""

    fmt = "Unknown service: '{service_name}'. Valid service names are: {known_service_names}"


class WaiterError(BotoCoreError):
    """A waiter met a failure state, an unexpected error, or ran out of attempts."""

    fmt = "Waiter {name} failed: {reason}"

    def __init__(self, name: str, reason: str, last_response: dict) -> None:
        super().__init__(name=name, reason=reason, last_response=last_response)
        self.last_response = last_response


class PaginationError(BotoCoreError):
    """The service handed back the same page token twice; following it would never end."""

    fmt = "Error during pagination: {message}"


class OperationNotPageableError(BotoCoreError):
    """`get_paginator` for an operation that has no paginator."""

    fmt = "Operation cannot be paginated: {operation_name}"


class ClientError(Exception):
    """The service answered with an error; `response` holds it as botocore parses one."""

    def __init__(self, error_response: dict, operation_name: str) -> None:
        error = error_response.get("Error", {})
        code, message = error.get("Code", "Unknown"), error.get("Message", "Unknown")
        super().__init__(f"An error occurred ({code}) when calling the {operation_name} operation: {message}")
        self.response = error_response
        self.operation_name = operation_name


def _modeled(code: str) -> type[ClientError]:
    doc = (BY_CODE[code].__doc__ or "").strip()
    return type(code, (ClientError,), {"__module__": __name__, "__doc__": doc})


# One class per error code of the service, made once so that every client raises the same classes.
MODELED: dict[str, type[ClientError]] = {code: _modeled(code) for code in BY_CODE}


class ClientExceptions:
    """`client.exceptions`: `ClientError` and one attribute per error code, as boto3 clients have."""

    ClientError = ClientError

    def __init__(self, codes: tuple[str, ...]) -> None:
        self._codes = codes
        for code in codes:
            setattr(self, code, MODELED[code])

    def from_code(self, code: str) -> type[ClientError]:
        """The class for an error code; `ClientError` itself for a code the service does not model."""
        return MODELED.get(code, ClientError) if code in self._codes else ClientError
