"""The rest-json front door (Lambda): operations found by the model's URIs."""

from __future__ import annotations

from collections.abc import Mapping

from botocore.model import OperationModel, ServiceModel

from lambent.domain.limits import REQUEST_LIMITS, REQUEST_MAX
from lambent.errors import LambentError, RequestEntityTooLarge, UnknownOperation
from lambent.protocol.http import HttpRequest, OperationHandler
from lambent.protocol.model import operations
from lambent.protocol.parse import parse_request
from lambent.protocol.router import Match, Router
from lambent.protocol.serialize import HttpResponse, serialize_error, serialize_result
from lambent.protocol.service import ModelService


class RestJsonService(ModelService):
    """Every operation of the model is routable, implemented or not."""

    def __init__(
        self,
        model: ServiceModel,
        handlers: Mapping[str, OperationHandler],
        default_account: str,
        self_validated: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        super().__init__(model, handlers, default_account, self_validated)
        self._router = Router(operations(model))

    def route(self, request: HttpRequest) -> Match | None:
        return self._router.match(request.method, request.raw_path, request.query)

    @staticmethod
    def body_limit(operation: OperationModel) -> int:
        return REQUEST_LIMITS.get(operation.name, (REQUEST_MAX, ""))[0]

    @staticmethod
    def too_large(operation: OperationModel) -> LambentError:
        limit, name = REQUEST_LIMITS.get(operation.name, (REQUEST_MAX, operation.name))
        message = f"Request must be smaller than {limit} bytes for the {name} operation"
        # Invoke too: AWS answers RequestEntityTooLargeException, not the modelled
        # RequestTooLargeException (notes §15).
        return RequestEntityTooLarge(message)

    async def handle(self, request: HttpRequest, match: Match | None) -> HttpResponse:
        async def work(request_id: str) -> HttpResponse:
            if match is None:
                raise UnknownOperation(
                    f"No operation of the {self.model.service_name} API answers "
                    f"{request.method} {request.raw_path}"
                )
            operation = match.operation
            params = parse_request(
                operation, match.labels, request.query, request.headers, request.body
            )
            result = await self.call(operation, params, request, request_id)
            return serialize_result(operation, result)

        return await self.answer(work, serialize_error)
