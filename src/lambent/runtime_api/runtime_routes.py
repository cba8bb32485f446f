"""The Runtime API's endpoints (2018-06-01): turning runtime requests into lifecycle calls.

Reference: AWS "Using the Lambda runtime API for custom runtimes" and its OpenAPI document;
the response-streaming headers and trailers from "Implementing response streaming in a
custom runtime"; statuses and messages from the Runtime Interface Emulator's handlers.
"""

from __future__ import annotations

import base64
import binascii
import json

from lambent.runtime_api import replies
from lambent.runtime_api.lifecycle import Lifecycle
from lambent.runtime_api.model import (
    INVALID_RESPONSE_MODE,
    RESPONSE_SIZE_TOO_LARGE,
    RUNTIME_UNKNOWN,
    UNHANDLED,
    FunctionError,
    InitError,
    Outcome,
    Success,
)
from lambent.runtime_api.runtime_state import RuntimeCall
from lambent.wire import Connection, Request, Response

NEXT = "/2018-06-01/runtime/invocation/next"
INIT_ERROR = "/2018-06-01/runtime/init/error"
INVOCATION = "/2018-06-01/runtime/invocation/"

ERROR_TYPE = "lambda-runtime-function-error-type"
ERROR_BODY = "lambda-runtime-function-error-body"
RESPONSE_MODE = "lambda-runtime-function-response-mode"
STREAMING = "streaming"
BUFFERED = "buffered"


def error_type_of(headers: dict[str, str], body: bytes, default: str) -> str:
    """The error's type: the ``Lambda-Runtime-Function-Error-Type`` header, else the
    ``errorType`` of a JSON body, else ``default``."""
    header = headers.get(ERROR_TYPE)
    if header:
        return header
    if body[:1] == b"{" or body.lstrip()[:1] == b"{":
        try:
            document = json.loads(body)
        except ValueError:
            return default
        if isinstance(document, dict):
            found = document.get("errorType")
            if isinstance(found, str) and found:
                return found
    return default


def _decode_error_body(value: str) -> bytes:
    # AWS has runtimes send the error body trailer base64-encoded.
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode("latin-1")


class RuntimeRoutes:
    """The runtime's four endpoints, over one :class:`Lifecycle`."""

    def __init__(
        self, lifecycle: Lifecycle, *, max_response_bytes: int, max_streamed_bytes: int
    ) -> None:
        self._lifecycle = lifecycle
        self._max = max_response_bytes
        self._max_streamed = max_streamed_bytes

    def body_limit(self, headers: dict[str, str]) -> int:
        if headers.get(RESPONSE_MODE, "").lower() == STREAMING:
            return self._max_streamed
        return self._max

    def route(self, request: Request, connection: Connection) -> Response | None:
        path = request.path
        if path == NEXT:
            if request.method != "GET":
                return replies.METHOD_NOT_ALLOWED
            return self._lifecycle.runtime_next(connection)
        if path.startswith(INVOCATION):
            request_id, _, action = path[len(INVOCATION) :].rpartition("/")
            if not request_id or "/" in request_id or action not in ("response", "error"):
                return replies.NOT_FOUND
            if request.method != "POST":
                return replies.METHOD_NOT_ALLOWED
            if action == "response":
                return self.response(request_id, request)
            return self.error(request_id, request)
        if path == INIT_ERROR:
            if request.method != "POST":
                return replies.METHOD_NOT_ALLOWED
            return self.init_error(request)
        return replies.NOT_FOUND

    def response(self, request_id: str, request: Request) -> Response:
        """``POST /runtime/invocation/{id}/response``: 202, or 413 past the size limit."""
        lifecycle = self._lifecycle
        if not lifecycle.accepts_result_for(request_id):
            return replies.INVALID_REQUEST_ID
        headers = request.headers
        mode = headers.get(RESPONSE_MODE)
        streamed = mode is not None and mode.lower() == STREAMING
        if mode is not None and not streamed and mode.lower() != BUFFERED:
            reply = lifecycle.runtime_result(
                request_id,
                RuntimeCall.RESPONSE,
                FunctionError(
                    INVALID_RESPONSE_MODE,
                    replies.go_json(
                        {
                            "errorMessage": "Invalid function response mode",
                            "errorType": INVALID_RESPONSE_MODE,
                        }
                    ),
                ),
            )
            return replies.INVALID_RESPONSE_MODE if reply is replies.ACCEPTED else reply
        limit = self._max_streamed if streamed else self._max
        outcome: Outcome
        if request.body_size > limit:
            outcome = FunctionError(
                RESPONSE_SIZE_TOO_LARGE,
                replies.response_too_large_document(limit),
            )
        elif streamed and ERROR_TYPE in request.trailers:
            # A streamed response that failed part-way reports the error in trailers.
            outcome = FunctionError(
                request.trailers[ERROR_TYPE],
                _decode_error_body(request.trailers.get(ERROR_BODY, "")),
            )
        else:
            outcome = Success(request.body, headers.get("content-type"), streamed)
        reply = lifecycle.runtime_result(request_id, RuntimeCall.RESPONSE, outcome)
        if reply is replies.ACCEPTED and request.body_size > limit:
            return replies.request_too_large(limit)
        return reply

    def error(self, request_id: str, request: Request) -> Response:
        """``POST /runtime/invocation/{id}/error``: the function failed; 202."""
        lifecycle = self._lifecycle
        if not lifecycle.accepts_result_for(request_id):
            return replies.INVALID_REQUEST_ID
        body = request.body
        outcome = FunctionError(
            error_type_of(request.headers, body, UNHANDLED),
            body,
            request.headers.get("content-type"),
        )
        return lifecycle.runtime_result(request_id, RuntimeCall.ERROR_RESPONSE, outcome)

    def init_error(self, request: Request) -> Response:
        """``POST /runtime/init/error``: initialisation failed; 202, 403 once initialised."""
        body = request.body
        error = InitError(error_type_of(request.headers, body, RUNTIME_UNKNOWN), body)
        return self._lifecycle.runtime_init_error(error)
