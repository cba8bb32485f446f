"""Account and region from the SigV4 credential scope."""

from __future__ import annotations

from lambent.protocol.sigv4 import caller_scope

AUTH = (
    "AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def test_unsigned_defaults() -> None:
    assert caller_scope({}, {}, "000000000000") == ("000000000000", "us-east-1")


def test_region_from_header() -> None:
    headers = {"authorization": AUTH.format(key="AKIDEXAMPLE", region="eu-west-2")}
    assert caller_scope(headers, {}, "000000000000") == ("000000000000", "eu-west-2")


def test_twelve_digit_key_names_the_account() -> None:
    headers = {"authorization": AUTH.format(key="123456789012", region="us-west-2")}
    assert caller_scope(headers, {}, "000000000000") == ("123456789012", "us-west-2")


def test_presigned_query() -> None:
    query = {"X-Amz-Credential": ["AKID/20260101/ap-south-1/lambda/aws4_request"]}
    assert caller_scope({}, query, "000000000000") == ("000000000000", "ap-south-1")
