"""The model's constraints checked server-side, reported in AWS's (Coral's) words.

AWS answers a request that breaks its model with ``ValidationException`` and a message
such as ``1 validation error detected: Value '64' at 'memorySize' failed to satisfy
constraint: Member must have value greater than or equal to 128``; several violations
are joined with ``; `` after ``N validation errors detected: ``. Member paths are the
member names in lowerCamelCase joined with dots; a list element's or map entry's
failure is reported at the list or map.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from botocore.model import Shape, StructureShape

from lambent.domain.rules import constraint_message, violation
from lambent.errors import ValidationError

_NOT_NULL = "failed to satisfy constraint: Member must not be null"


@cache
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct: the model is still the contract elsewhere
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _render(value: Any) -> str:
    """How Coral prints a value: Java's ``toString`` of the deserialized object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return "java.nio.HeapByteBuffer"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_render(k)}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)


@cache
def _rules(shape: Shape) -> tuple[tuple[str, Any], ...]:
    """The shape's constraints, in the order Coral lists them: max, min, pattern, enum.
    (Shapes live as long as their model: so does this.)"""
    meta = shape.metadata
    found: list[tuple[str, Any]] = []
    if "max" in meta:
        found.append(("max", meta["max"]))
    if "min" in meta:
        found.append(("min", meta["min"]))
    if shape.type_name == "string":
        if "pattern" in meta:
            found.append(("pattern", meta["pattern"]))
        if meta.get("enum"):
            found.append(("enum", meta["enum"]))
    return tuple(found)


def _describe(shape: Shape, rule: str, bound: Any) -> str:
    measure = "length" if shape.type_name in ("string", "list", "map", "blob") else "value"
    if rule == "max":
        return f"Member must have {measure} less than or equal to {bound}"
    if rule == "min":
        return f"Member must have {measure} greater than or equal to {bound}"
    if rule == "pattern":
        return f"Member must satisfy regular expression pattern: {bound}"
    return f"Member must satisfy enum value set: [{', '.join(bound)}]"


def _holds(shape: Shape, rule: str, bound: Any, value: Any) -> bool:
    measured = len(value) if shape.type_name in ("string", "list", "map", "blob") else value
    if rule == "max":
        return bool(measured <= bound)
    if rule == "min":
        return bool(measured >= bound)
    if rule == "pattern":
        regex = _regex(bound)
        return regex is None or regex.fullmatch(value) is not None
    return value in bound


def _constraints(shape: Shape, value: Any) -> list[str]:
    """The constraint messages ``value`` breaks on its own shape (not its members)."""
    return [
        _describe(shape, rule, bound)
        for rule, bound in _rules(shape)
        if not _holds(shape, rule, bound, value)
    ]


def _element_rules(shape: Shape) -> str:
    """How Coral states an element's constraints: all of them, then not-null."""
    rules = [_describe(shape, rule, bound) for rule, bound in _rules(shape)]
    return ", ".join([*rules, "Member must not be null"])


def _check(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    def report(messages: list[str]) -> None:
        # Coral leaves sensitive values (environment variables, code) out of messages.
        shown = None if shape.metadata.get("sensitive") else _render(value)
        errors.extend(violation(path, shown, m) for m in messages)

    own = _constraints(shape, value)
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        _check_structure(shape, value, path, errors)
    elif kind == "list":
        member = shape.member
        if not all(_element_ok(member, item) for item in value):
            own.append(f"Member must satisfy constraint: [{_element_rules(member)}]")
        elif member.type_name == "structure":
            for index, item in enumerate(value, start=1):
                _check(member, item, f"{path}.{index}.member", errors)
    elif kind == "map":
        key, item_shape = shape.key, shape.value
        if not all(_element_ok(key, k) for k in value):
            own.append(f"Map keys must satisfy constraint: [{_element_rules(key)}]")
        if not all(_element_ok(item_shape, v) for v in value.values()):
            own.append(f"Map value must satisfy constraint: [{_element_rules(item_shape)}]")
    if own:
        report(own)


def _element_ok(shape: Shape, value: Any) -> bool:
    if value is None:
        return False
    return shape.type_name == "structure" or not _constraints(shape, value)


def _check_structure(
    shape: StructureShape,
    value: dict[str, Any],
    path: str,
    errors: list[str],
    skip: frozenset[str] = frozenset(),
) -> None:
    prefix = f"{path}." if path else ""
    for name in shape.required_members:
        if value.get(name) is None:
            errors.append(f"Value null at '{prefix}{_camel(name)}' {_NOT_NULL}")
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None and name not in skip:
            _check(member, item, f"{prefix}{_camel(name)}", errors)


def validate(
    shape: StructureShape | None, params: dict[str, Any], skip: frozenset[str] = frozenset()
) -> None:
    """Raise ``ValidationException`` listing every constraint ``params`` breaks.

    Members in ``skip`` are checked by the operation itself, because AWS reports their
    violations differently (an unknown ``Runtime`` is an InvalidParameterValueException).
    """
    if shape is None:
        return
    errors: list[str] = []
    _check_structure(shape, params, "", errors, skip)
    if errors:
        raise ValidationError(constraint_message(errors))
