"""Invoking functions: routing to a version, running it, and answering as AWS does."""

from __future__ import annotations

import functools
from typing import Any

from lambent.invoke.admission import Admission
from lambent.invoke.asynchronous import AsyncInvocation, admission_gate
from lambent.invoke.cache import InvokeCache
from lambent.invoke.operation import InvokeDeps, invoke, invoke_async
from lambent.invoke.provisioning import Provisioning


def bind(deps: InvokeDeps) -> dict[str, Any]:
    return {
        "Invoke": functools.partial(invoke, deps),
        "InvokeAsync": functools.partial(invoke_async, deps),
    }


__all__ = [
    "Admission",
    "AsyncInvocation",
    "InvokeCache",
    "InvokeDeps",
    "Provisioning",
    "admission_gate",
    "bind",
]
