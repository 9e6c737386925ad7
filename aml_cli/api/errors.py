"""Errors the service can return, each carrying its AWS error code.

The service layer raises these; the CLI maps them to stderr text and exit code
254 in one place, and the future HTTP server maps them to JSON 1.1 bodies.
"""


class ServiceError(Exception):
    """An error the real service can return; `code` is its AWS name."""

    code = "InternalServerException"
    http_status = 500

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class InternalServerException(ServiceError):
    """The engine failed in a way the request did not cause."""


class InvalidInputException(ServiceError):
    """The request is well-formed but its content is not acceptable."""

    code = "InvalidInputException"
    http_status = 400


class ResourceNotFoundException(ServiceError):
    """No resource with that ID exists."""

    code = "ResourceNotFoundException"
    http_status = 400


class IdempotentParameterMismatchException(ServiceError):
    """An ID was reused with a request that differs from the first one."""

    code = "IdempotentParameterMismatchException"
    http_status = 400


class LimitExceededException(ServiceError):
    """Too many requests or too large a record for a real-time prediction."""

    code = "LimitExceededException"
    http_status = 400


class PredictorNotMountedException(ServiceError):
    """Predict was called on a model without a READY real-time endpoint."""

    code = "PredictorNotMountedException"
    http_status = 400


class InvalidTagException(ServiceError):
    """A tag key or value breaks the tagging rules."""

    code = "InvalidTagException"
    http_status = 400


class TagLimitExceededException(ServiceError):
    """The resource would carry more tags than allowed."""

    code = "TagLimitExceededException"
    http_status = 400


BY_CODE: dict[str, type[ServiceError]] = {
    cls.code: cls
    for cls in (
        InternalServerException,
        InvalidInputException,
        ResourceNotFoundException,
        IdempotentParameterMismatchException,
        LimitExceededException,
        PredictorNotMountedException,
        InvalidTagException,
        TagLimitExceededException,
    )
}
