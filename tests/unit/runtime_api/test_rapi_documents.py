"""What the listener renders and parses: AWS's documents, headers and error types."""

from __future__ import annotations

import json

import pytest

from lambent.runtime_api import replies
from lambent.runtime_api.events import invoke_event, next_invocation, shutdown_event
from lambent.runtime_api.extension_routes import parse_events
from lambent.runtime_api.model import Invocation, ShutdownReason
from lambent.runtime_api.runtime_routes import error_type_of

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_go_json_is_compact_and_escapes_html() -> None:
    assert replies.go_json({"a": "<b>&é"}) == b'{"a":"\\u003cb\\u003e\\u0026\xc3\xa9"}'
    assert replies.go_json({"status": "OK"}, newline=True) == b'{"status":"OK"}\n'


def test_fixed_replies_match_aws() -> None:
    assert replies.ACCEPTED.status == 202
    assert replies.ACCEPTED.body == b'{"status":"OK"}\n'
    assert replies.INVALID_REQUEST_ID.body == (
        b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n'
    )
    too_large = replies.request_too_large(6291456)
    assert (too_large.status, json.loads(too_large.body)) == (
        413,
        {
            "errorMessage": "Exceeded maximum allowed payload size (6291456 bytes).",
            "errorType": "RequestEntityTooLarge",
        },
    )
    refused = replies.runtime_transition_refused("Ready", "InitError")
    assert refused.status == 403
    assert json.loads(refused.body)["errorMessage"] == (
        "State transition from Ready to InitError failed for runtime. "
        "Error: State transition is not allowed"
    )


def test_error_type_sources() -> None:
    header = {"lambda-runtime-function-error-type": "H"}
    assert error_type_of(header, b'{"errorType":"B"}', "D") == "H"
    assert error_type_of({}, b'  {"errorType":"B"}', "D") == "B"
    assert error_type_of({}, b'{"errorType":""}', "D") == "D"
    assert error_type_of({}, b'{"errorType":3}', "D") == "D"
    assert error_type_of({}, b"[1]", "D") == "D"
    assert error_type_of({}, b"{broken", "D") == "D"
    assert error_type_of({}, b"", "D") == "D"


def test_register_body_parsing() -> None:
    assert parse_events(b'{"events":["INVOKE","SHUTDOWN"]}') == ["INVOKE", "SHUTDOWN"]
    assert parse_events(b"{}") == []
    assert parse_events(b'{"events":null}') == []
    assert parse_events(b"") == "unexpected end of JSON input"
    assert isinstance(parse_events(b"{x"), str)
    assert isinstance(parse_events(b'{"events":"INVOKE"}'), str)
    assert isinstance(parse_events(b'{"events":[1]}'), str)
    assert isinstance(parse_events(b"[]"), str)
    assert parse_events(b'{"configurationKeys":["k"]}') == (
        "configurationKeys are deprecated; use environment variables instead"
    )


def test_next_invocation_headers_in_aws_order() -> None:
    reply = next_invocation(
        Invocation("id", b"{}", 1700000000123, ARN, "Root=1", '{"c":1}', '{"i":1}', "text/plain")
    )
    assert reply.status == 200
    assert reply.body == b"{}"
    assert [name for name, _ in reply.headers] == [
        "Lambda-Runtime-Aws-Request-Id",
        "Lambda-Runtime-Trace-Id",
        "Lambda-Runtime-Client-Context",
        "Lambda-Runtime-Cognito-Identity",
        "Lambda-Runtime-Invoked-Function-Arn",
        "Lambda-Runtime-Deadline-Ms",
        "Content-Type",
    ]
    assert dict(reply.headers)["Lambda-Runtime-Deadline-Ms"] == "1700000000123"
    assert dict(reply.headers)["Content-Type"] == "text/plain"


def test_header_values_cannot_break_lines() -> None:
    with pytest.raises(ValueError, match="line break"):
        next_invocation(Invocation("id\r\nX-Evil: 1", b"", 1, ARN))
    with pytest.raises(ValueError):
        next_invocation(Invocation("id", b"", 1, ARN, client_context='{"a":\n1}'))


def test_extension_events() -> None:
    invoke = json.loads(invoke_event(Invocation("r", b"", 5, ARN, "Root=x")))
    assert invoke == {
        "eventType": "INVOKE",
        "deadlineMs": 5,
        "requestId": "r",
        "invokedFunctionArn": ARN,
        "tracing": {"type": "X-Amzn-Trace-Id", "value": "Root=x"},
    }
    untraced = json.loads(invoke_event(Invocation("r", b"", 5, ARN)))
    assert untraced["tracing"] == {"type": "X-Amzn-Trace-Id", "value": ""}
    assert shutdown_event(ShutdownReason.TIMEOUT, 9) == (
        b'{"eventType":"SHUTDOWN","deadlineMs":9,"shutdownReason":"timeout"}'
    )
