"""Rendering what the runtime and extensions receive: the invocation and lifecycle events.

Header names and order follow AWS's Runtime API reference ("Next invocation") and the
Runtime Interface Emulator's ``renderInvokeHeaders``; the event documents follow the
Extensions API reference ("Next event") and the emulator's ``model/agentevent.go``.
"""

from __future__ import annotations

import uuid

from lambent.runtime_api.model import Invocation, ShutdownReason
from lambent.runtime_api.replies import JSON, go_json
from lambent.wire import Response

#: The ``tracing.type`` of an ``INVOKE`` event.
XRAY_TRACING = "X-Amzn-Trace-Id"


def _header_safe(name: str, value: str) -> str:
    # A CR or LF would let a value forge headers; AWS's values never contain one.
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must not contain a line break")
    return value


def next_invocation(invocation: Invocation) -> Response:
    """The reply to the runtime's ``GET /runtime/invocation/next``."""
    headers = [("Lambda-Runtime-Aws-Request-Id", invocation.request_id)]
    if invocation.trace_id:
        headers.append(("Lambda-Runtime-Trace-Id", invocation.trace_id))
    if invocation.client_context:
        headers.append(("Lambda-Runtime-Client-Context", invocation.client_context))
    if invocation.cognito_identity:
        headers.append(("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity))
    headers.append(("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_function_arn))
    headers.append(("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms)))
    if invocation.tenant_id:
        headers.append(("Lambda-Runtime-Aws-Tenant-Id", invocation.tenant_id))
    headers.append(("Content-Type", invocation.content_type or JSON))
    for name, value in headers:
        _header_safe(name, value)
    return Response(200, invocation.payload, tuple(headers))


def invoke_event(invocation: Invocation) -> bytes:
    """The ``INVOKE`` event document.

    ``tracing`` is always present: AWS always sends it, and clients such as the Rust
    ``lambda-extension`` crate fail to parse an event without it.
    """
    return go_json(
        {
            "eventType": "INVOKE",
            "deadlineMs": invocation.deadline_ms,
            "requestId": invocation.request_id,
            "invokedFunctionArn": invocation.invoked_function_arn,
            "tracing": {"type": XRAY_TRACING, "value": invocation.trace_id or ""},
        }
    )


def shutdown_event(reason: ShutdownReason, deadline_ms: int) -> bytes:
    """The ``SHUTDOWN`` event document."""
    return go_json(
        {"eventType": "SHUTDOWN", "deadlineMs": deadline_ms, "shutdownReason": reason.value}
    )


def event_reply(document: bytes) -> Response:
    """The reply to an extension's ``GET /extension/event/next``."""
    return Response(
        200,
        document,
        (("Lambda-Extension-Event-Identifier", str(uuid.uuid4())), ("Content-Type", JSON)),
    )
