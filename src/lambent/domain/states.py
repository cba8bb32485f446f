"""The base of the state enums the invocation path looks up many times per invocation."""

from __future__ import annotations

import enum


class StateEnum(enum.Enum):
    """An enum whose members hash by identity.

    ``enum.Enum`` hashes a member by hashing its name in Python code, a function call each
    time a member is a dict key or is looked up in a set; the lifecycle's transition
    tables do that a dozen times per invocation. Members are singletons, so identity is
    the same equality, and ``object.__hash__`` is the C slot itself.
    """

    __hash__ = object.__hash__
