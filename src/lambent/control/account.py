"""The account: GetAccountSettings (its limits and what it uses of them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.domain import limits
from lambent.domain.context import RequestContext
from lambent.store import functions


async def get_account_settings(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    def work(c: sqlite3.Connection) -> tuple[int, int, int]:
        size, count = functions.total_code_size(c, ctx.account, ctx.region)
        return size, count, functions.reserved_total(c, ctx.account, ctx.region)

    code_size, function_count, reserved = await deps.db.read(work)
    return {
        "AccountLimit": {
            "TotalCodeSize": limits.TOTAL_CODE_STORAGE,
            "CodeSizeUnzipped": limits.UNZIPPED_CODE_MAX,
            "CodeSizeZipped": limits.ZIPPED_CODE_MAX,
            "ConcurrentExecutions": deps.concurrent_executions,
            "UnreservedConcurrentExecutions": deps.concurrent_executions - reserved,
        },
        "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": function_count},
    }


OPERATIONS: dict[str, Operation] = {"GetAccountSettings": get_account_settings}
