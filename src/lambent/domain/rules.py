"""How a broken domain rule is reported: a message and the kind of AWS error it becomes."""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    """The AWS error family a violation maps to (``lambent.errors.from_violation``)."""

    INVALID_PARAMETER = "InvalidParameterValueException"
    NOT_FOUND = "ResourceNotFoundException"
    CONFLICT = "ResourceConflictException"
    PRECONDITION = "PreconditionFailedException"
    VALIDATION = "ValidationException"
    REQUEST_TOO_LARGE = "RequestEntityTooLargeException"
    CODE_STORAGE = "CodeStorageExceededException"
    POLICY_LENGTH = "PolicyLengthExceededException"


class RuleViolation(ValueError):
    """A request that breaks one of Lambda's rules; ``str(self)`` is AWS's message."""

    def __init__(self, message: str, kind: Kind = Kind.INVALID_PARAMETER) -> None:
        super().__init__(message)
        self.kind = kind


def constraint_message(violations: list[str]) -> str:
    """Coral's summary of broken model constraints, as AWS words it."""
    noun = "error" if len(violations) == 1 else "errors"
    return f"{len(violations)} validation {noun} detected: " + "; ".join(violations)


def violation(path: str, shown: str | None, constraint: str) -> str:
    """One broken constraint: ``Value '64' at 'memorySize' failed to satisfy constraint: ...``.

    ``shown`` is the value as Java would print it, or None to leave it out (sensitive).
    """
    value = "" if shown is None else f" '{shown}'"
    return f"Value{value} at '{path}' failed to satisfy constraint: {constraint}"
