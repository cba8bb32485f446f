"""Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, Put/DeleteRetentionPolicy."""

from __future__ import annotations

import sqlite3
from typing import Any

from lambent.domain.context import RequestContext
from lambent.observability import limits, tokens
from lambent.observability.deps import LogsDeps, Operation, Result
from lambent.observability.errors import InvalidParameter, group_exists, invalid_token
from lambent.observability.scope import GroupRef, group_arn, named_group, require_group
from lambent.store import logs
from lambent.store.logs import GroupRow

#: CreateLogGroup: "Log group names can't start with the string aws/" (any case).
_RESERVED = "aws/"


def describe_group(ref: GroupRef, row: GroupRow, names_only: bool = False) -> dict[str, Any]:
    """A LogGroup as DescribeLogGroups shows it (retentionInDays only when one is set)."""
    arn = group_arn(ref)
    shown: dict[str, Any] = {
        "logGroupName": row.name,
        "creationTime": row.creation_time,
        "arn": f"{arn}:*",
    }
    if names_only:  # logGroupNamePattern: "only arn, creationTime, and logGroupName"
        return shown
    if row.retention_days is not None:
        shown["retentionInDays"] = row.retention_days
    shown.update(
        metricFilterCount=0,
        storedBytes=row.stored_bytes,
        logGroupClass="STANDARD",
        logGroupArn=arn,
    )
    return shown


async def create_log_group(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = named_group(ctx, params["logGroupName"])
    if ref.name.lower().startswith(_RESERVED):
        raise InvalidParameter("Log groups starting with AWS/ are reserved for AWS.")
    now = deps.now_ms()

    def work(c: sqlite3.Connection) -> None:
        if not logs.create_group(c, ref.account, ref.region, ref.name, now):
            raise group_exists()

    await deps.db.write(work)
    return {}


async def delete_log_group(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = named_group(ctx, params["logGroupName"])

    def work(c: sqlite3.Connection) -> None:
        logs.delete_group(c, require_group(c, ref).id)

    await deps.db.write(work)
    return {}


async def describe_log_groups(
    deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    prefix = params.get("logGroupNamePrefix")
    pattern = params.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        raise InvalidParameter(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
        )
    limit = params.get("limit") or limits.DESCRIBE_PAGE
    after = None
    if "nextToken" in params:
        try:
            after = tokens.parse_groups_token(params["nextToken"])
        except tokens.InvalidToken:
            raise invalid_token() from None

    def work(c: sqlite3.Connection) -> list[GroupRow]:
        return logs.list_groups(
            c, ctx.account, ctx.region, prefix or "", pattern or "", after, limit + 1
        )

    rows = await deps.db.read(work)
    page = rows[:limit]
    result: dict[str, Any] = {
        "logGroups": [
            describe_group(named_group(ctx, row.name), row, pattern is not None) for row in page
        ]
    }
    if len(rows) > limit:
        result["nextToken"] = tokens.groups_token(page[-1].name)
    return result


async def put_retention_policy(
    deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = named_group(ctx, params["logGroupName"])
    days = params["retentionInDays"]
    if days not in limits.RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in limits.RETENTION_DAYS)
        raise InvalidParameter(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{allowed}]"
        )

    def work(c: sqlite3.Connection) -> None:
        logs.set_retention(c, require_group(c, ref).id, days)

    await deps.db.write(work)
    return {}


async def delete_retention_policy(
    deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = named_group(ctx, params["logGroupName"])

    def work(c: sqlite3.Connection) -> None:
        logs.set_retention(c, require_group(c, ref).id, None)

    await deps.db.write(work)
    return {}


OPERATIONS: dict[str, Operation] = {
    "CreateLogGroup": create_log_group,
    "DeleteLogGroup": delete_log_group,
    "DescribeLogGroups": describe_log_groups,
    "PutRetentionPolicy": put_retention_policy,
    "DeleteRetentionPolicy": delete_retention_policy,
}
