"""Server-side validation in Coral's words (recorded from AWS: see the notes in tests)."""

from __future__ import annotations

from typing import Any

import pytest

from lambent.errors import ValidationError
from lambent.protocol.model import service_model
from lambent.protocol.validate import validate


def message(operation: str, params: dict[str, Any]) -> str:
    shape = service_model("lambda").operation_model(operation).input_shape
    with pytest.raises(ValidationError) as e:
        validate(shape, params)
    return e.value.message


def test_min_value() -> None:
    params = {"FunctionName": "f", "MemorySize": 64}
    assert message("UpdateFunctionConfiguration", params) == (
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy "
        "constraint: Member must have value greater than or equal to 128"
    )


def test_several_violations_are_counted_and_joined() -> None:
    params = {"FunctionName": "f", "MemorySize": 64, "Timeout": 0}
    text = message("UpdateFunctionConfiguration", params)
    assert text.startswith("2 validation errors detected: ")
    assert "; " in text


def test_required_member_is_null() -> None:
    text = message("CreateFunction", {"FunctionName": "f", "Code": {}})
    assert "Value null at 'role' failed to satisfy constraint: Member must not be null" in text


def test_pattern() -> None:
    text = message("CreateAlias", {"FunctionName": "f", "Name": "2024", "FunctionVersion": "1"})
    assert text == (
        "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
    )


def test_list_element_lists_every_constraint_of_the_element() -> None:
    params = {"FunctionName": "f", "Architectures": ["X86_64"]}
    assert message("UpdateFunctionCode", params) == (
        "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[x86_64, arm64], Member must not be null]"
    )


def test_map_values_render_doubles_as_java() -> None:
    params = {
        "FunctionName": "f",
        "Name": "live",
        "FunctionVersion": "1",
        "RoutingConfig": {"AdditionalVersionWeights": {"2": 2.0}},
    }
    assert message("CreateAlias", params) == (
        "1 validation error detected: Value '{2=2.0}' at "
        "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value "
        "must satisfy constraint: [Member must have value less than or equal to 1.0, Member "
        "must have value greater than or equal to 0.0, Member must not be null]"
    )


def test_sensitive_values_are_not_shown() -> None:
    params = {"FunctionName": "f", "Environment": {"Variables": {"1bad": "secret"}}}
    text = message("UpdateFunctionConfiguration", params)
    assert "secret" not in text
    assert "Value at 'environment.variables'" in text


def test_self_validated_members_are_skipped() -> None:
    shape = service_model("lambda").operation_model("UpdateFunctionConfiguration").input_shape
    validate(shape, {"FunctionName": "f", "Runtime": "python9"}, frozenset({"Runtime"}))


def test_valid_input_passes() -> None:
    shape = service_model("lambda").operation_model("CreateFunction").input_shape
    validate(
        shape,
        {
            "FunctionName": "f",
            "Role": "arn:aws:iam::000000000000:role/r",
            "Code": {"ZipFile": b"zip"},
            "MemorySize": 128,
            "Architectures": ["arm64"],
        },
    )
