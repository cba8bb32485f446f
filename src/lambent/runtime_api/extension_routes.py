"""The Extensions API's endpoints (2020-01-01): register, next event, init and exit errors.

Reference: AWS "Lambda Extensions API" (API reference section); statuses, error types and
messages from the Runtime Interface Emulator's ``agentregister.go``, ``agentnext.go``,
``agentiniterror.go``, ``agentexiterror.go`` and ``middleware.go``.
"""

from __future__ import annotations

import json
import uuid

from lambent.runtime_api import replies
from lambent.runtime_api.lifecycle import Lifecycle
from lambent.runtime_api.model import FunctionMetadata
from lambent.runtime_api.registry import Extension
from lambent.wire import Connection, Request, Response

REGISTER = "/2020-01-01/extension/register"
EVENT_NEXT = "/2020-01-01/extension/event/next"
INIT_ERROR = "/2020-01-01/extension/init/error"
EXIT_ERROR = "/2020-01-01/extension/exit/error"

NAME = "lambda-extension-name"
IDENTIFIER = "lambda-extension-identifier"
ACCEPT_FEATURE = "lambda-extension-accept-feature"
ERROR_TYPE = "lambda-extension-function-error-type"

_METHODS = {REGISTER: "POST", EVENT_NEXT: "GET", INIT_ERROR: "POST", EXIT_ERROR: "POST"}


def parse_events(body: bytes) -> list[str] | str:
    """The ``events`` of a register request, or why the body is refused.

    The messages mimic Go's ``encoding/json``, which AWS's handler reports verbatim.
    """
    if not body.strip():
        return "unexpected end of JSON input"
    try:
        document = json.loads(body)
    except ValueError as e:
        return f"invalid JSON: {e}"
    if not isinstance(document, dict):
        return "json: cannot unmarshal into Go value of type handler.RegisterRequest"
    events = document.get("events")
    if events is None:
        events = []
    if not isinstance(events, list) or not all(isinstance(event, str) for event in events):
        return (
            "json: cannot unmarshal into Go struct field RegisterRequest.events"
            " of type []core.Event"
        )
    if document.get("configurationKeys"):
        return "configurationKeys are deprecated; use environment variables instead"
    return events


class ExtensionRoutes:
    """The extensions' four endpoints, over one :class:`Lifecycle`."""

    def __init__(self, lifecycle: Lifecycle, metadata: FunctionMetadata) -> None:
        self._lifecycle = lifecycle
        self._metadata = metadata

    def route(self, request: Request, connection: Connection) -> Response | None:
        method = _METHODS.get(request.path)
        if method is None:
            return replies.NOT_FOUND
        if request.method != method:
            return replies.METHOD_NOT_ALLOWED
        if request.path == REGISTER:
            return self.register(request)
        found = self._identify(request)
        if isinstance(found, Response):
            return found
        if request.path == EVENT_NEXT:
            return self._next(found, request, connection)
        error_type = request.headers.get(ERROR_TYPE)
        if not error_type:
            return replies.ERROR_TYPE_MISSING
        extension = self._lifecycle.registry.find(found)
        if extension is None:
            return replies.UNKNOWN_EXTENSION_HEADER
        if request.path == INIT_ERROR:
            return self._lifecycle.extension_init_error(extension, error_type, request.body)
        return self._lifecycle.extension_exit_error(extension, error_type, request.body)

    def register(self, request: Request) -> Response:
        """``POST /extension/register``: 200 with the identifier, or 403."""
        name = request.headers.get(NAME, "")
        if not name:
            return replies.EXTENSION_NAME_EMPTY
        events = parse_events(request.body)
        if isinstance(events, str):
            return replies.invalid_request_format(events)
        lifecycle = self._lifecycle
        registered = lifecycle.registry.register(name, events, open_=lifecycle.registration_open())
        if isinstance(registered, Response):
            return registered
        return self._registered(registered, request.headers.get(ACCEPT_FEATURE, ""))

    def _registered(self, extension: Extension, features: str) -> Response:
        metadata = self._metadata
        document: dict[str, str] = {}
        if "accountId" in (feature.strip() for feature in features.split(",")):
            document["accountId"] = metadata.account_id
        document["functionName"] = metadata.function_name
        document["functionVersion"] = metadata.function_version
        document["handler"] = metadata.handler
        reply = replies.json_response(200, document)
        return Response(
            reply.status,
            reply.body,
            (("Lambda-Extension-Identifier", extension.identifier), *reply.headers),
        )

    def _identify(self, request: Request) -> str | Response:
        value = request.headers.get(IDENTIFIER)
        if not value:
            return replies.EXTENSION_ID_MISSING
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return replies.EXTENSION_ID_INVALID

    def _next(self, identifier: str, request: Request, connection: Connection) -> Response | None:
        extension = self._lifecycle.registry.find(identifier)
        if extension is None:
            return replies.unknown_extension(identifier)
        return self._lifecycle.extension_next(extension, connection)
