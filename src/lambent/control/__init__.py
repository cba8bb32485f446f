"""The control plane: one module per resource group, each exporting its OPERATIONS."""

from __future__ import annotations

import functools
from typing import Any

from lambent.control import (
    account,
    aliases,
    concurrency,
    event_invoke,
    functions,
    layers,
    permissions,
    provisioned,
    tags,
    versions,
)
from lambent.control.deps import ControlDeps, Operation
from lambent.control.s3 import fetch_s3
from lambent.control.settle import Settler

_MODULES = (
    concurrency,
    functions,
    versions,
    aliases,
    layers,
    permissions,
    tags,
    account,
    event_invoke,
    provisioned,
)


def operations() -> dict[str, Operation]:
    """Every implemented operation, by the service model's operation name."""
    found: dict[str, Operation] = {}
    for module in _MODULES:
        found.update(module.OPERATIONS)
    return found


#: Members the operations validate themselves, because AWS words those failures its own way.
SELF_VALIDATED: dict[str, frozenset[str]] = {
    "CreateFunction": frozenset({"Runtime"}),
    "UpdateFunctionConfiguration": frozenset({"Runtime"}),
}


def bind(deps: ControlDeps) -> dict[str, Any]:
    """The operations with their dependencies bound: ``handler(ctx, params)``."""
    return {name: functools.partial(op, deps) for name, op in operations().items()}


__all__ = ["SELF_VALIDATED", "ControlDeps", "Settler", "bind", "fetch_s3", "operations"]
