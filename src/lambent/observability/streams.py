"""Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams."""

from __future__ import annotations

import sqlite3
from typing import Any

from lambent.domain.context import RequestContext
from lambent.observability import limits, tokens
from lambent.observability.deps import LogsDeps, Operation, Result
from lambent.observability.errors import InvalidParameter, invalid_token, stream_exists
from lambent.observability.scope import (
    GroupRef,
    named_group,
    require_group,
    require_stream,
    sequence_token,
    stream_arn,
    target_group,
)
from lambent.store import logs
from lambent.store.logs import StreamRow


def describe_stream(ref: GroupRef, row: StreamRow) -> dict[str, Any]:
    """A LogStream as DescribeLogStreams shows it: the event times once it has events;
    ``storedBytes`` is always 0 for streams (AWS stopped reporting it in 2019)."""
    shown: dict[str, Any] = {"logStreamName": row.name, "creationTime": row.creation_time}
    if row.first_event is not None:
        shown["firstEventTimestamp"] = row.first_event
        shown["lastEventTimestamp"] = row.last_event
        shown["lastIngestionTime"] = row.last_ingestion
        shown["uploadSequenceToken"] = sequence_token(row.uploads)
    shown["arn"] = stream_arn(ref, row.name)
    shown["storedBytes"] = 0
    return shown


async def create_log_stream(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = named_group(ctx, params["logGroupName"])
    name = params["logStreamName"]
    now = deps.now_ms()

    def work(c: sqlite3.Connection) -> None:
        if not logs.create_stream(c, require_group(c, ref).id, name, now):
            raise stream_exists()

    await deps.db.write(work)
    return {}


async def delete_log_stream(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = named_group(ctx, params["logGroupName"])

    def work(c: sqlite3.Connection) -> None:
        logs.delete_stream(c, require_stream(c, require_group(c, ref), params["logStreamName"]).id)

    await deps.db.write(work)
    return {}


async def describe_log_streams(
    deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = target_group(ctx, params)
    by_last_event = params.get("orderBy", "LogStreamName") == "LastEventTime"
    prefix = params.get("logStreamNamePrefix")
    if by_last_event and prefix is not None:
        raise InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
    descending = bool(params.get("descending", False))
    limit = params.get("limit") or limits.DESCRIBE_PAGE
    after = None
    if "nextToken" in params:
        try:
            after = tokens.parse_streams_token(params["nextToken"])
        except tokens.InvalidToken:
            raise invalid_token() from None

    def work(c: sqlite3.Connection) -> list[StreamRow]:
        group = require_group(c, ref)
        return logs.list_streams(
            c, group.id, prefix or "", by_last_event, descending, after, limit + 1
        )

    rows = await deps.db.read(work)
    page = rows[:limit]
    result: dict[str, Any] = {"logStreams": [describe_stream(ref, row) for row in page]}
    if len(rows) > limit:
        last = page[-1]
        result["nextToken"] = tokens.streams_token(
            (last.last_event or 0) if by_last_event else 0, last.name
        )
    return result


OPERATIONS: dict[str, Operation] = {
    "CreateLogStream": create_log_stream,
    "DeleteLogStream": delete_log_stream,
    "DescribeLogStreams": describe_log_streams,
}
