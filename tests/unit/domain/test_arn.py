"""Resolving how a client names a function."""

from __future__ import annotations

import pytest

from lambent.domain.arn import parse_function_ref, parse_layer_version_arn
from lambent.domain.context import RequestContext
from lambent.domain.rules import Kind, RuleViolation

CTX = RequestContext("000000000000", "us-east-1", "r", "http://x")


@pytest.mark.parametrize(
    ("name", "qualifier", "expected"),
    [
        ("f", None, ("000000000000", "f", None)),
        ("f:live", None, ("000000000000", "f", "live")),
        ("f", "3", ("000000000000", "f", "3")),
        ("123456789012:function:f", None, ("123456789012", "f", None)),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
            None,
            ("123456789012", "f", "$LATEST"),
        ),
    ],
)
def test_forms(name: str, qualifier: str | None, expected: tuple[str, str, str | None]) -> None:
    ref = parse_function_ref(CTX, name, qualifier)
    assert (ref.account, ref.name, ref.qualifier) == expected


def test_conflicting_qualifiers() -> None:
    with pytest.raises(RuleViolation) as e:
        parse_function_ref(CTX, "f:live", "3")
    assert e.value.kind is Kind.INVALID_PARAMETER


def test_other_region() -> None:
    with pytest.raises(RuleViolation) as e:
        parse_function_ref(CTX, "arn:aws:lambda:eu-west-1:000000000000:function:f")
    assert e.value.kind is Kind.NOT_FOUND
    assert (
        str(e.value) == "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    )


def test_arn_properties() -> None:
    ref = parse_function_ref(CTX, "f", "live")
    assert ref.arn == "arn:aws:lambda:us-east-1:000000000000:function:f:live"
    assert ref.unqualified_arn == "arn:aws:lambda:us-east-1:000000000000:function:f"


def test_layer_version_arn() -> None:
    ref = parse_layer_version_arn("arn:aws:lambda:us-east-1:000000000000:layer:lib:3")
    assert ref is not None and (ref.name, ref.version) == ("lib", 3)
    assert parse_layer_version_arn("arn:aws:lambda:us-east-1:000000000000:layer:lib") is None
