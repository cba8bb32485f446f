"""The names of a function's log group and streams."""

from __future__ import annotations

import re

from lambent.observability import lambda_log_group, lambda_log_stream
from lambent.observability.naming import is_lambda_log_stream


def test_the_group_is_under_aws_lambda() -> None:
    assert lambda_log_group("orders") == "/aws/lambda/orders"


def test_a_stream_is_dated_by_the_environments_start_in_utc() -> None:
    started = 1706745599.9  # 2024-01-31T23:59:59.9Z
    name = lambda_log_stream("$LATEST", started, "0123456789abcdef0123456789abcdef")
    assert name == "2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef"
    assert is_lambda_log_stream(name)


def test_streams_get_32_random_hex_digits() -> None:
    first = lambda_log_stream("7", 0.0)
    second = lambda_log_stream("7", 0.0)
    assert re.fullmatch(r"1970/01/01/\[7\][0-9a-f]{32}", first)
    assert first != second
    assert is_lambda_log_stream(second)


def test_other_names_are_not_lambdas() -> None:
    assert not is_lambda_log_stream("my-stream")
    assert not is_lambda_log_stream("2024/01/31/[$LATEST]xyz")
