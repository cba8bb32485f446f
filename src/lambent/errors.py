"""The one exception hierarchy: every failure a client can see, with its AWS code and status."""

from __future__ import annotations

from collections.abc import Mapping

from lambent.domain.rules import Kind, RuleViolation


class LambentError(Exception):
    """A failure that is rendered to the client in AWS's wire format.

    ``code`` is the AWS error code (``x-amzn-ErrorType``), ``status`` the HTTP status and
    ``sender_fault`` decides ``Type: User`` (client's fault) or ``Type: Service``.
    ``fields`` carries extra members of the modelled exception (``Reason`` of
    ``TooManyRequestsException``, for example).
    """

    code: str = "ServiceException"
    status: int = 500
    sender_fault: bool = False
    #: Whether the body carries ``Type``; AWS leaves it out of some errors.
    typed: bool = True
    #: The body's message key where the model does not say (unmodelled errors).
    message_key: str = "message"

    def __init__(self, message: str, *, fields: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: Mapping[str, object] = fields or {}


class ClientError(LambentError):
    """A mistake in the request: a 4xx."""

    code = "InvalidRequestContentException"
    status = 400
    sender_fault = True


class ValidationError(ClientError):
    """The request broke a constraint of the service model (Coral's ValidationException)."""

    code = "ValidationException"
    typed = False


class InvalidParameterValue(ClientError):
    code = "InvalidParameterValueException"


class InvalidRequestContent(ClientError):
    code = "InvalidRequestContentException"


class SerializationError(ClientError):
    """The body is not what the model's shape says (JSON of the wrong type, say)."""

    code = "SerializationException"


class UnsupportedMediaType(ClientError):
    code = "UnsupportedMediaTypeException"
    status = 415


class ResourceNotFound(ClientError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceConflict(ClientError):
    code = "ResourceConflictException"
    status = 409


class PreconditionFailed(ClientError):
    code = "PreconditionFailedException"
    status = 412


class PolicyLengthExceeded(ClientError):
    code = "PolicyLengthExceededException"


class CodeStorageExceeded(ClientError):
    code = "CodeStorageExceededException"


class RequestTooLarge(ClientError):
    code = "RequestTooLargeException"
    status = 413


class RequestEntityTooLarge(ClientError):
    """The HTTP request itself is over the operation's size limit (not a modelled shape)."""

    code = "RequestEntityTooLargeException"
    status = 413
    typed = False
    message_key = "Message"


class TooManyRequests(ClientError):
    code = "TooManyRequestsException"
    status = 429


class UnknownOperation(ClientError):
    """No operation of the model answers this method and path."""

    code = "UnknownOperationException"
    status = 404


class NotImplementedOperation(LambentError):
    """An operation of the model that Lambent does not implement yet.

    501 rather than 500: the request was understood, and clients do not retry it.
    """

    code = "NotImplementedException"
    status = 501


class ServiceError(LambentError):
    """Our fault: rendered as AWS's ServiceException (500)."""

    code = "ServiceException"
    status = 500


_BY_KIND: dict[Kind, type[LambentError]] = {
    Kind.INVALID_PARAMETER: InvalidParameterValue,
    Kind.NOT_FOUND: ResourceNotFound,
    Kind.CONFLICT: ResourceConflict,
    Kind.PRECONDITION: PreconditionFailed,
    Kind.VALIDATION: ValidationError,
    Kind.REQUEST_TOO_LARGE: RequestEntityTooLarge,
    Kind.CODE_STORAGE: CodeStorageExceeded,
    Kind.POLICY_LENGTH: PolicyLengthExceeded,
}


def from_violation(violation: RuleViolation) -> LambentError:
    """The AWS error a broken domain rule is reported as."""
    return _BY_KIND[violation.kind](str(violation))
