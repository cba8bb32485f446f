"""The rest-json front door: one generic dispatcher for every operation of a service model."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel, ServiceModel

from lambent.domain.context import RequestContext
from lambent.domain.limits import REQUEST_LIMITS, REQUEST_MAX
from lambent.domain.rules import RuleViolation
from lambent.errors import (
    LambentError,
    NotImplementedOperation,
    RequestEntityTooLarge,
    RequestTooLarge,
    ServiceError,
    UnknownOperation,
    from_violation,
)
from lambent.protocol.http import HttpRequest, OperationHandler
from lambent.protocol.model import operations
from lambent.protocol.parse import parse_request
from lambent.protocol.router import Match, Router
from lambent.protocol.serialize import HttpResponse, serialize_error, serialize_result
from lambent.protocol.sigv4 import caller_scope
from lambent.protocol.validate import validate

log = logging.getLogger(__name__)


class RestJsonService:
    """Routes by the model's URIs; every operation is routable, implemented or not."""

    def __init__(
        self,
        model: ServiceModel,
        handlers: Mapping[str, OperationHandler],
        default_account: str,
        self_validated: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """``self_validated``: per operation, the members its handler validates itself."""
        self.model = model
        self._router = Router(operations(model))
        self._handlers = dict(handlers)
        self._self_validated = dict(self_validated or {})
        self._default_account = default_account

    def route(self, request: HttpRequest) -> Match | None:
        return self._router.match(request.method, request.raw_path, request.query)

    @staticmethod
    def body_limit(operation: OperationModel) -> int:
        return REQUEST_LIMITS.get(operation.name, (REQUEST_MAX, ""))[0]

    @staticmethod
    def too_large(operation: OperationModel) -> LambentError:
        limit, name = REQUEST_LIMITS.get(operation.name, (REQUEST_MAX, operation.name))
        message = f"Request must be smaller than {limit} bytes for the {name} operation"
        if operation.name.startswith("Invoke"):
            return RequestTooLarge(message)
        return RequestEntityTooLarge(message)

    async def handle(self, request: HttpRequest, match: Match | None) -> HttpResponse:
        request_id = str(uuid.uuid4())
        try:
            response = await self._run(request, match, request_id)
        except LambentError as e:
            response = serialize_error(self.model, e)
        except RuleViolation as e:
            response = serialize_error(self.model, from_violation(e))
        except Exception:
            log.exception("unhandled error in %s", match.operation.name if match else "routing")
            response = serialize_error(self.model, ServiceError("An internal error occurred."))
        response.headers.append((b"x-amzn-RequestId", request_id.encode()))
        return response

    async def _run(
        self, request: HttpRequest, match: Match | None, request_id: str
    ) -> HttpResponse:
        if match is None:
            raise UnknownOperation(
                f"No operation of the {self.model.service_name} API answers "
                f"{request.method} {request.raw_path}"
            )
        operation = match.operation
        handler = self._handlers.get(operation.name)
        params: dict[str, Any] = parse_request(
            operation, match.labels, request.query, request.headers, request.body
        )
        validate(
            operation.input_shape, params, self._self_validated.get(operation.name, frozenset())
        )
        if handler is None:
            raise NotImplementedOperation(
                f"The {operation.name} operation is not implemented by Lambent yet."
            )
        account, region = caller_scope(request.headers, request.query, self._default_account)
        ctx = RequestContext(account, region, request_id, request.base_url)
        result = await handler(ctx, params)
        return serialize_result(operation, result)
