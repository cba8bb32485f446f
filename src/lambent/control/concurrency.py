"""Reserved concurrency: Put-, Get- and DeleteFunctionConcurrency."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.domain.arn import LATEST, FunctionRef, parse_function_ref
from lambent.domain.concurrency import check_reservation
from lambent.domain.context import RequestContext
from lambent.domain.rules import RuleViolation
from lambent.store import functions, lookup

Result = Mapping[str, Any]


def _function(ctx: RequestContext, params: dict[str, Any]) -> FunctionRef:
    ref = parse_function_ref(ctx, params["FunctionName"])
    if ref.qualifier is not None:
        raise RuleViolation(
            "This operation is permitted on Lambda functions only. Aliases and versions do "
            "not support this operation. Please specify either a function name or an "
            "unqualified function ARN."
        )
    return ref


def _reserved(c: sqlite3.Connection, ref: FunctionRef, missing_arn: str) -> int | None:
    try:
        return functions.reserved_concurrency(c, ref.account, ref.region, ref.name)
    except LookupError:
        raise lookup.not_found(missing_arn) from None


async def put_function_concurrency(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _function(ctx, params)
    requested = int(params["ReservedConcurrentExecutions"])

    def work(c: sqlite3.Connection) -> None:
        # AWS names the version in this one message: "Function not found: ...:$LATEST".
        _reserved(c, ref, f"{ref.unqualified_arn}:{LATEST}")
        others = functions.reserved_total(c, ref.account, ref.region, excluding=ref.name)
        check_reservation(requested, deps.concurrent_executions, others)
        functions.set_reserved_concurrency(c, ref.account, ref.region, ref.name, requested)

    await deps.db.write(work)
    return {"ReservedConcurrentExecutions": requested}


async def get_function_concurrency(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _function(ctx, params)
    reserved = await deps.db.read(lambda c: _reserved(c, ref, ref.unqualified_arn))
    return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}


async def delete_function_concurrency(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _function(ctx, params)

    def work(c: sqlite3.Connection) -> None:
        _reserved(c, ref, ref.unqualified_arn)
        functions.set_reserved_concurrency(c, ref.account, ref.region, ref.name, None)

    await deps.db.write(work)
    return {}


OPERATIONS: dict[str, Operation] = {
    "PutFunctionConcurrency": put_function_concurrency,
    "GetFunctionConcurrency": get_function_concurrency,
    "DeleteFunctionConcurrency": delete_function_concurrency,
}
