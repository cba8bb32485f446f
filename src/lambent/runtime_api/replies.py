"""The replies Lambda's Runtime and Extensions APIs send, byte for byte where it matters.

Status codes, ``errorType`` values and message texts follow AWS's runtime API OpenAPI
document (``runtime-api.zip`` linked from "Using the Lambda runtime API for custom
runtimes") and the reference implementation AWS publishes of both APIs, the Runtime
Interface Emulator (``lambda/rapi``): its JSON encoder escapes ``<``, ``>`` and ``&`` and
ends every status or error document with a newline, so ours do too.
"""

from __future__ import annotations

import json

from lambent.wire import Response, constant

JSON = "application/json"
_JSON_HEADERS = (("Content-Type", JSON),)

#: "State transition is not allowed" is the text of the state machines' refusal.
NOT_ALLOWED = "State transition is not allowed"


def go_json(document: object, *, newline: bool = False) -> bytes:
    """JSON as Go's ``encoding/json`` writes it: compact, HTML characters escaped."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        text = (
            text.replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )
    return (text + "\n").encode() if newline else text.encode()


def json_response(status: int, document: object, *, newline: bool = True) -> Response:
    return Response(status, go_json(document, newline=newline), _JSON_HEADERS)


def error(status: int, error_type: str, message: str) -> Response:
    return json_response(status, {"errorMessage": message, "errorType": error_type})


#: Sent once per invocation: encoded once.
ACCEPTED = constant(json_response(202, {"status": "OK"}))

# Chi's defaults for unrouted requests: a text 404, and 405 with no body.
NOT_FOUND = Response(404, b"404 page not found\n", (("Content-Type", "text/plain; charset=utf-8"),))
METHOD_NOT_ALLOWED = Response(405)

INVALID_REQUEST_ID = error(400, "InvalidRequestID", "Invalid request ID")
INVALID_RESPONSE_MODE = error(400, "InvalidFunctionResponseMode", "Invalid function response mode")


def request_too_large(limit: int) -> Response:
    return error(
        413, "RequestEntityTooLarge", f"Exceeded maximum allowed payload size ({limit} bytes)."
    )


def runtime_transition_refused(current: str, target: str) -> Response:
    return error(
        403,
        "InvalidStateTransition",
        f"State transition from {current} to {target} failed for runtime. Error: {NOT_ALLOWED}",
    )


def response_too_large_document(limit: int) -> bytes:
    """What the caller of ``Invoke`` gets when the function's response is over the limit
    (AWS names the limit, not the size)."""
    return go_json(
        {
            "errorMessage": (
                f"Response payload size exceeded maximum allowed payload size ({limit} bytes)."
            ),
            "errorType": "Function.ResponseSizeTooLarge",
        }
    )


# -- Extensions API (RIE lambda/rapi/handler/constants.go and the agent handlers) -------------

EXTENSION_ID_MISSING = error(
    403, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header"
)
EXTENSION_ID_INVALID = error(
    403, "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier"
)
EXTENSION_NAME_EMPTY = error(403, "Extension.InvalidExtensionName", "Empty extension name")
REGISTRATION_CLOSED = error(
    403, "Extension.RegistrationClosed", "Extension registration closed already"
)
EXTENSION_NAME_TAKEN = error(
    403, "Extension.InvalidExtensionState", "Extension with this name already registered"
)
ERROR_TYPE_MISSING = error(
    403, "Extension.MissingHeader", "Lambda-Extension-Function-Error-Type not found"
)
UNKNOWN_EXTENSION_HEADER = error(
    403, "Extension.UnknownExtensionIdentifier", "Unknown Lambda-Extension-Identifier"
)


def unknown_extension(identifier: str) -> Response:
    return error(403, "Extension.UnknownExtensionIdentifier", f"Unknown extension {identifier}")


def too_many_extensions(limit: int) -> Response:
    return error(403, "Extension.TooManyExtensions", f"Extension limit ({limit}) reached")


def invalid_request_format(message: str) -> Response:
    return error(403, "InvalidRequestFormat", message)


def invalid_event_type(event: str, reason: str) -> Response:
    return error(403, "Extension.InvalidEventType", f"{event}: {reason}")


def extension_transition_refused(current: str, target: str, who: str) -> Response:
    return error(
        403,
        "Extension.InvalidExtensionState",
        f"State transition from {current} to {target} failed for extension {who}. "
        f"Error: {NOT_ALLOWED}",
    )
