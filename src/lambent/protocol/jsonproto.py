"""The JSON-protocol front door (CloudWatch Logs): ``X-Amz-Target: Prefix.Operation``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.model import ServiceModel

from lambent.errors import LambentError, SerializationError, UnknownOperation, ValidationError
from lambent.protocol.http import HttpRequest, OperationHandler
from lambent.protocol.parse import from_json, load_json
from lambent.protocol.serialize import HttpResponse, dumps, to_json
from lambent.protocol.service import ModelService

CONTENT_TYPE = b"application/x-amz-json-1.1"


def render_error(
    model: ServiceModel, error: LambentError, validation_code: str = ValidationError.code
) -> HttpResponse:
    """``{"__type": code, "message": ...}``; the status is the modelled exception's, else
    400 for the client's mistakes and 500 for ours. Model violations carry the code the
    service uses for them (``validation_code``)."""
    code = validation_code if isinstance(error, ValidationError) else error.code
    status = error.status if not error.sender_fault else 400
    if code in model.shape_names:
        status = model.shape_for(code).metadata.get("error", {}).get("httpStatusCode", status)
    body = {"__type": code, "message": error.message, **error.fields}
    return HttpResponse(status=status, body=dumps(body), content_type=CONTENT_TYPE)


class JsonService(ModelService):
    """``validation_code``: the error code the service answers model violations with
    (CloudWatch Logs says ``InvalidParameterException`` where Coral would say
    ``ValidationException``)."""

    def __init__(
        self,
        model: ServiceModel,
        handlers: Mapping[str, OperationHandler],
        default_account: str,
        *,
        validation_code: str = ValidationError.code,
    ) -> None:
        super().__init__(model, handlers, default_account)
        self._validation_code = validation_code

    def _render(self, model: ServiceModel, error: LambentError) -> HttpResponse:
        return render_error(model, error, self._validation_code)

    @property
    def target_prefix(self) -> str:
        return f"{self.model.metadata['targetPrefix']}."

    def accepts(self, request: HttpRequest) -> bool:
        return request.headers.get("x-amz-target", "").startswith(self.target_prefix)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        async def work(request_id: str) -> HttpResponse:
            name = request.headers["x-amz-target"][len(self.target_prefix) :]
            if name not in self.model.operation_names:
                raise UnknownOperation(f"Unknown operation {name}")
            operation = self.model.operation_model(name)
            document: Any = load_json(request.body) if request.body else {}
            if not isinstance(document, dict):
                raise SerializationError("Request body must be a JSON object")
            params = from_json(operation.input_shape, document, "") if operation.input_shape else {}
            result = await self.call(operation, params, request, request_id)
            output = operation.output_shape
            body = to_json(output, result) if output is not None else {}
            return HttpResponse(status=200, body=dumps(body), content_type=CONTENT_TYPE)

        return await self.answer(work, self._render)
