"""Invocation records and dead-letter messages, in AWS's shapes."""

from __future__ import annotations

import json

from lambent.domain.invocation_record import (
    FAILURE_DETAIL_TYPE,
    SUCCESS_DETAIL_TYPE,
    Response,
    dead_letter_attributes,
    detail_type,
    error_message,
    invocation_record,
    payload_too_large,
    record_timestamp,
)
from lambent.domain.retry import Condition

ARN = "arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST"
ERROR = b'{"errorMessage": "RequestId: e4b4 Process exited before completing request"}'


def test_failure_record_matches_awss_example() -> None:
    """AWS's documented example record, field for field and in its order."""
    record = invocation_record(
        request_id="e4b46cbf-b738-xmpl-8880-a18cdf61200e",
        function_arn=ARN,
        condition=Condition.RETRIES_EXHAUSTED,
        invoke_count=3,
        request_payload=b'{"ORDER_IDS": ["9e07af03"]}',
        response=Response("$LATEST", ERROR, "Runtime.ExitError"),
        timestamp=1573755365.568,
    )
    assert record == {
        "version": "1.0",
        "timestamp": "2019-11-14T18:16:05.568Z",
        "requestContext": {
            "requestId": "e4b46cbf-b738-xmpl-8880-a18cdf61200e",
            "functionArn": ARN,
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"ORDER_IDS": ["9e07af03"]},
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": {
            "errorMessage": "RequestId: e4b4 Process exited before completing request"
        },
    }
    assert list(record) == [
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    ]


def test_success_record_has_no_function_error() -> None:
    record = invocation_record(
        request_id="r",
        function_arn=ARN,
        condition=Condition.SUCCESS,
        invoke_count=1,
        request_payload=b'{"Success": true}',
        response=Response("1", b"null"),
        timestamp=0.0,
    )
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "1"}
    assert record["responsePayload"] is None
    assert record["requestContext"]["condition"] == "Success"


def test_an_event_that_never_ran_has_no_response() -> None:
    record = invocation_record(
        request_id="r",
        function_arn=ARN,
        condition=Condition.EVENT_AGE_EXCEEDED,
        invoke_count=0,
        request_payload=b"{}",
        response=None,
        timestamp=0.0,
    )
    assert "responseContext" not in record
    assert "responsePayload" not in record
    assert record["requestContext"]["approximateInvokeCount"] == 0


def test_payloads_that_are_not_json_are_text() -> None:
    record = invocation_record(
        request_id="r",
        function_arn=ARN,
        condition=Condition.SUCCESS,
        invoke_count=1,
        request_payload=b'"plain"',
        response=Response("$LATEST", b"not json"),
        timestamp=0.0,
    )
    assert record["requestPayload"] == "plain"
    assert record["responsePayload"] == "not json"
    json.dumps(record)


def test_timestamp_has_milliseconds_and_z() -> None:
    assert record_timestamp(0.001) == "1970-01-01T00:00:00.001Z"


def test_eventbridge_detail_types() -> None:
    assert detail_type(Condition.SUCCESS) == SUCCESS_DETAIL_TYPE
    assert detail_type(Condition.EVENT_AGE_EXCEEDED) == FAILURE_DETAIL_TYPE
    assert SUCCESS_DETAIL_TYPE == "Lambda Function Invocation Result - Success"


def test_dead_letter_attributes() -> None:
    attributes = dead_letter_attributes("req-1", 200, "x" * 5000)
    assert attributes["RequestID"] == {"DataType": "String", "StringValue": "req-1"}
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["DataType"] == "String"
    assert len(attributes["ErrorMessage"]["StringValue"]) == 1024
    # Cut on a character boundary, never in the middle of one.
    cut = dead_letter_attributes("r", 200, "é" * 1000)["ErrorMessage"]["StringValue"]
    assert cut == "é" * 512


def test_error_message_is_the_functions() -> None:
    response = Response("$LATEST", b'{"errorMessage": "boom", "errorType": "E"}', "E")
    assert error_message(response, "fallback") == "boom"
    assert error_message(None, "fallback") == "fallback"
    assert error_message(Response("1", b"[1]", "E"), "f") == "[1]"


def test_too_large_message_is_awss() -> None:
    assert payload_too_large(2236568, 1048576) == (
        "2236568 byte payload is too large for the Event invocation type (limit 1048576 bytes)"
    )
