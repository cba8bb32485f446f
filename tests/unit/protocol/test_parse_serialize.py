"""Requests into parameters and results into responses, as the model places them."""

from __future__ import annotations

import base64
import json

import pytest

from lambent.errors import InvalidRequestContent, ResourceNotFound, TooManyRequests, ValidationError
from lambent.protocol.model import service_model
from lambent.protocol.parse import parse_request
from lambent.protocol.serialize import serialize_error, serialize_result

MODEL = service_model("lambda")


def test_body_uri_query_and_blob() -> None:
    body = json.dumps({"ZipFile": base64.b64encode(b"PK").decode(), "Publish": True}).encode()
    params = parse_request(
        MODEL.operation_model("UpdateFunctionCode"), {"FunctionName": "f"}, {}, {}, body
    )
    assert params == {"FunctionName": "f", "ZipFile": b"PK", "Publish": True}


def test_headers_query_and_raw_payload() -> None:
    params = parse_request(
        MODEL.operation_model("Invoke"),
        {"FunctionName": "f"},
        {"Qualifier": ["live"]},
        {"x-amz-invocation-type": "Event"},
        b"{}",
    )
    assert params == {
        "FunctionName": "f",
        "Qualifier": "live",
        "InvocationType": "Event",
        "Payload": b"{}",
    }


def test_integers_in_query() -> None:
    params = parse_request(MODEL.operation_model("ListFunctions"), {}, {"MaxItems": ["5"]}, {}, b"")
    assert params == {"MaxItems": 5}
    with pytest.raises(InvalidRequestContent):
        parse_request(MODEL.operation_model("ListFunctions"), {}, {"MaxItems": ["x"]}, {}, b"")


@pytest.mark.parametrize("body", [b"{bad", b"[1]", b'{"MemorySize": "abc"}', b'{"Code": 1}'])
def test_malformed_bodies_are_client_errors(body: bytes) -> None:
    with pytest.raises(InvalidRequestContent) as e:
        parse_request(MODEL.operation_model("CreateFunction"), {}, {}, {}, body)
    assert e.value.message.startswith("Could not parse request body into json: ")


def test_result_members_by_location() -> None:
    response = serialize_result(
        MODEL.operation_model("Invoke"),
        {"StatusCode": 200, "Payload": b"42", "ExecutedVersion": "$LATEST", "Unknown": 1},
    )
    assert response.status == 200
    assert response.body == b"42"
    assert (b"X-Amz-Executed-Version", b"$LATEST") in response.headers


def test_unknown_members_are_dropped() -> None:
    response = serialize_result(
        MODEL.operation_model("GetFunctionConfiguration"),
        {"FunctionName": "f", "_internal": 1},
    )
    assert json.loads(response.body) == {"FunctionName": "f"}


def test_error_body_uses_the_models_message_key() -> None:
    not_found = serialize_error(MODEL, ResourceNotFound("gone"))
    assert not_found.status == 404
    assert json.loads(not_found.body) == {"Type": "User", "Message": "gone"}
    assert (b"x-amzn-ErrorType", b"ResourceNotFoundException") in not_found.headers
    throttled = serialize_error(MODEL, TooManyRequests("Rate Exceeded.", fields={"Reason": "X"}))
    assert json.loads(throttled.body) == {
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "X",
    }
    invalid = serialize_error(MODEL, ValidationError("bad"))
    assert json.loads(invalid.body) == {"message": "bad"}
