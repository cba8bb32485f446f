"""Invoking functions: routing to a version, running it, and answering as AWS does."""

from __future__ import annotations

import functools
from typing import Any

from lambent.invoke.admission import Admission
from lambent.invoke.cache import InvokeCache
from lambent.invoke.operation import InvokeDeps, invoke


def bind(deps: InvokeDeps) -> dict[str, Any]:
    return {"Invoke": functools.partial(invoke, deps)}


__all__ = ["Admission", "InvokeCache", "InvokeDeps", "bind"]
