"""The CloudWatch Logs API's own errors, with the codes and messages AWS answers.

All of them are 400s: the Logs model gives its exceptions no HTTP status, and AWS
answers every client error of this API with 400.
"""

from __future__ import annotations

from lambent.errors import ClientError, ResourceNotFound


class InvalidParameter(ClientError):
    code = "InvalidParameterException"


class ResourceAlreadyExists(ClientError):
    code = "ResourceAlreadyExistsException"


def group_not_found() -> ResourceNotFound:
    return ResourceNotFound("The specified log group does not exist.")


def stream_not_found() -> ResourceNotFound:
    return ResourceNotFound("The specified log stream does not exist.")


def group_exists() -> ResourceAlreadyExists:
    return ResourceAlreadyExists("The specified log group already exists")


def stream_exists() -> ResourceAlreadyExists:
    return ResourceAlreadyExists("The specified log stream already exists")


def invalid_token() -> InvalidParameter:
    return InvalidParameter("The specified nextToken is invalid.")
