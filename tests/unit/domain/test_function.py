"""Function configuration rules."""

from __future__ import annotations

import pytest

from lambent.domain import function as fn
from lambent.domain.rules import Kind, RuleViolation


def test_reserved_keys_in_request_order() -> None:
    with pytest.raises(RuleViolation) as e:
        fn.check_environment({"OK_KEY": "1", "AWS_REGION": "x", "_HANDLER": "y"})
    assert str(e.value).endswith("Reserved keys used in this request: AWS_REGION, _HANDLER")


def test_environment_over_4kb_shows_the_measured_string() -> None:
    variables = {"BIG": "x" * 4100}
    with pytest.raises(RuleViolation) as e:
        fn.check_environment(variables)
    assert str(e.value).endswith('String measured: {"BIG":"' + "x" * 4100 + '"}')


def test_environment_at_the_limit_is_fine() -> None:
    fn.check_environment({"K1": "x" * (4096 - len('{"K1":""}'))})


def test_limits_beyond_the_model() -> None:
    with pytest.raises(RuleViolation) as e:
        fn.check_limits({"Timeout": 901, "MemorySize": 10241})
    assert e.value.kind is Kind.VALIDATION
    assert str(e.value).startswith("2 validation errors detected: Value '901' at 'timeout'")


def test_new_configuration_defaults() -> None:
    code = fn.CodeInfo("00" * 32, 10)
    config = fn.new_configuration(
        "000000000000",
        "us-east-1",
        "f",
        {"Runtime": "python3.12", "Handler": "a.b"},
        code=code,
        layers=[],
        now=0.0,
    )
    assert config["LastModified"] == "1970-01-01T00:00:00.000+0000"
    assert config["State"] == "Pending"
    assert config["CodeSha256"] == "A" * 43 + "="
    assert config["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(
        "arn:aws:lambda:us-east-1::runtime:"
    )


def test_settled_and_published() -> None:
    code = fn.CodeInfo("00" * 32, 10)
    latest = fn.new_configuration(
        "000000000000",
        "us-east-1",
        "f",
        {"Runtime": "python3.12", "Handler": "a.b"},
        code=code,
        layers=[],
        now=0.0,
    )
    version = fn.published(latest, "000000000000", "us-east-1", 7, 1.0)
    assert version["Version"] == "7"
    assert version["FunctionArn"].endswith(":function:f:7")
    assert version["State"] == "Active"
    assert "StateReason" not in version
