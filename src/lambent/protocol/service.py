"""What every model-driven front door shares: validation, dispatch and error capture."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from botocore.model import OperationModel, ServiceModel

from lambent.domain import ids
from lambent.domain.context import RequestContext
from lambent.domain.rules import RuleViolation
from lambent.errors import LambentError, NotImplementedOperation, ServiceError, from_violation
from lambent.protocol.http import HttpRequest, OperationHandler
from lambent.protocol.serialize import HttpResponse
from lambent.protocol.sigv4 import caller_scope
from lambent.protocol.validate import validate

log = logging.getLogger(__name__)

ErrorRenderer = Callable[[ServiceModel, LambentError], HttpResponse]


class ModelService:
    """Runs the operations of one service model; subclasses speak its wire protocol."""

    def __init__(
        self,
        model: ServiceModel,
        handlers: Mapping[str, OperationHandler],
        default_account: str,
        self_validated: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """``self_validated``: per operation, the members its handler validates itself."""
        self.model = model
        self._handlers = dict(handlers)
        self._default_account = default_account
        self._self_validated = dict(self_validated or {})

    async def call(
        self,
        operation: OperationModel,
        params: dict[str, Any],
        request: HttpRequest,
        request_id: str,
    ) -> Mapping[str, Any]:
        """Validate ``params`` against the model and run the operation's handler."""
        skip = self._self_validated.get(operation.name, frozenset())
        validate(operation.input_shape, params, skip)
        handler = self._handlers.get(operation.name)
        if handler is None:
            raise NotImplementedOperation(
                f"The {operation.name} operation is not implemented by Lambent yet."
            )
        account, region = caller_scope(request.headers, request.query, self._default_account)
        return await handler(RequestContext(account, region, request_id, request.base_url), params)

    async def answer(
        self,
        work: Callable[[str], Awaitable[HttpResponse]],
        render_error: ErrorRenderer,
    ) -> HttpResponse:
        """Run ``work(request_id)``; every failure becomes the protocol's error response."""
        request_id = ids.request_id()
        try:
            response = await work(request_id)
        except LambentError as e:
            response = render_error(self.model, e)
        except RuleViolation as e:
            response = render_error(self.model, from_violation(e))
        except Exception:
            log.exception("unhandled error in the %s API", self.model.service_name)
            response = render_error(self.model, ServiceError("An internal error occurred."))
        response.headers.append((b"x-amzn-RequestId", request_id.encode()))
        return response
