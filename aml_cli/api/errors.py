"""Errors the services can return, each carrying its AWS error code.

The service layer raises these; each front end maps them once: the CLI to
stderr text and exit code 254, the server to the wire format of the service
that was called, with the HTTP status that service's description gives the
code (ResourceNotFoundException is 400 in Amazon ML, 404 in Clean Rooms ML).
"""


class ServiceError(Exception):
    """An error the real service can return; `code` is its AWS name, `fields` its modeled extra members."""

    code = "InternalServerException"

    def __init__(self, message: str = "", **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class InternalServerException(ServiceError):
    """The engine failed in a way the request did not cause."""


class InternalServiceException(ServiceError):
    """Clean Rooms ML's name for an engine failure the request did not cause."""

    code = "InternalServiceException"


class InvalidInputException(ServiceError):
    """The request is well-formed but its content is not acceptable."""

    code = "InvalidInputException"


class ValidationException(ServiceError):
    """Clean Rooms' and Clean Rooms ML's answer to input that breaks a constraint or a rule."""

    code = "ValidationException"


class ResourceNotFoundException(ServiceError):
    """No resource with that ID exists."""

    code = "ResourceNotFoundException"


class IdempotentParameterMismatchException(ServiceError):
    """An ID was reused with a request that differs from the first one."""

    code = "IdempotentParameterMismatchException"


class LimitExceededException(ServiceError):
    """Too many requests or too large a record for a real-time prediction."""

    code = "LimitExceededException"


class PredictorNotMountedException(ServiceError):
    """Predict was called on a model without a READY real-time endpoint."""

    code = "PredictorNotMountedException"


class InvalidTagException(ServiceError):
    """A tag key or value breaks the tagging rules."""

    code = "InvalidTagException"


class TagLimitExceededException(ServiceError):
    """The resource would carry more tags than allowed."""

    code = "TagLimitExceededException"


class AccessDeniedException(ServiceError):
    """The caller may not act on that resource (another account's role, for one)."""

    code = "AccessDeniedException"


class ConflictException(ServiceError):
    """The resource is in a state that does not allow the request, or another resource depends on it."""

    code = "ConflictException"


class ServiceQuotaExceededException(ServiceError):
    """A quota would be exceeded; carries quotaName and quotaValue."""

    code = "ServiceQuotaExceededException"


class ThrottlingException(ServiceError):
    """Too many requests at once."""

    code = "ThrottlingException"


BY_CODE: dict[str, type[ServiceError]] = {
    cls.code: cls
    for cls in (
        InternalServerException,
        InternalServiceException,
        InvalidInputException,
        ValidationException,
        ResourceNotFoundException,
        IdempotentParameterMismatchException,
        LimitExceededException,
        PredictorNotMountedException,
        InvalidTagException,
        TagLimitExceededException,
        AccessDeniedException,
        ConflictException,
        ServiceQuotaExceededException,
        ThrottlingException,
    )
}


def error_for(code: str, message: str, **fields: object) -> ServiceError:
    """An error of the class named by `code` (a service's validation error, say)."""
    return BY_CODE[code](message, **fields)
