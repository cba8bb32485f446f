"""What asynchronous invocation reports: invocation records, dead-letter messages, and the
error that refuses an event too large to queue.

The record is AWS's ("Capturing records of Lambda asynchronous invocations", example
invocation record)::

    {"version": "1.0", "timestamp": "2019-11-14T18:16:05.568Z",
     "requestContext": {"requestId": ..., "functionArn": "...:function:NAME:$LATEST",
                        "condition": "RetriesExhausted", "approximateInvokeCount": 3},
     "requestPayload": {...},
     "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                         "functionError": "Unhandled"},
     "responsePayload": {...}}

``responseContext`` and ``responsePayload`` describe the last response of the function;
an event that never reached the function (throttled until it aged out, say) has none.
For SQS and SNS the record is the message, for a function the payload, for EventBridge
the ``detail`` of an event whose ``source`` is ``lambda``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lambent.domain.retry import Condition

RECORD_VERSION = "1.0"
#: EventBridge ``detail-type`` of a record (AWS spells it with a hyphen-minus).
SUCCESS_DETAIL_TYPE = "Lambda Function Invocation Result - Success"
FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure"
EVENT_SOURCE = "lambda"
#: Dead-letter messages carry "the first 1 KB of the error message".
DLQ_MESSAGE_MAX = 1024


@dataclass(frozen=True, slots=True)
class Response:
    """The function's answer to one attempt."""

    executed_version: str
    payload: bytes
    #: Set when the function failed (``X-Amz-Function-Error: Unhandled``).
    error_type: str | None = None
    status_code: int = 200


def record_timestamp(epoch: float) -> str:
    """``2019-11-14T18:16:05.568Z``."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def decoded(payload: bytes) -> Any:
    """A payload as the record embeds it: its JSON value, else its text."""
    if not payload:
        return None
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", errors="replace")


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: Condition,
    invoke_count: int,
    request_payload: bytes,
    response: Response | None,
    timestamp: float,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "version": RECORD_VERSION,
        "timestamp": record_timestamp(timestamp),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition.value,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": decoded(request_payload),
    }
    if response is not None:
        context: dict[str, Any] = {
            "statusCode": response.status_code,
            "executedVersion": response.executed_version,
        }
        if response.error_type is not None:
            context["functionError"] = "Unhandled"
        record["responseContext"] = context
        record["responsePayload"] = decoded(response.payload)
    return record


def detail_type(condition: Condition) -> str:
    return SUCCESS_DETAIL_TYPE if condition is Condition.SUCCESS else FAILURE_DETAIL_TYPE


def error_message(response: Response | None, fallback: str) -> str:
    """The error a dead-letter message reports: the function's ``errorMessage``, else its
    whole error document, else ``fallback`` (why the platform gave up)."""
    if response is None or response.error_type is None:
        return fallback
    document = decoded(response.payload)
    if isinstance(document, dict) and isinstance(document.get("errorMessage"), str):
        message: str = document["errorMessage"]
    elif isinstance(document, str):
        message = document
    else:
        message = json.dumps(document)
    return message


def dead_letter_attributes(request_id: str, error_code: int, message: str) -> dict[str, Any]:
    """AWS's dead-letter message attributes (``RequestID`` String, ``ErrorCode`` Number,
    ``ErrorMessage`` String: its first 1 KB), in SQS's and SNS's shape."""
    first_kb = message.encode()[:DLQ_MESSAGE_MAX].decode("utf-8", errors="ignore")
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": str(error_code)},
        "ErrorMessage": {"DataType": "String", "StringValue": first_kb or "-"},
    }


def payload_too_large(size: int, limit: int) -> str:
    """AWS's ``RequestEntityTooLargeException`` message for an Event payload over the
    limit (real responses: ``2236568 byte payload is too large for the Event invocation
    type (limit 1048576 bytes)``, after AWS raised the limit to 1 MB in 2025)."""
    return f"{size} byte payload is too large for the Event invocation type (limit {limit} bytes)"
