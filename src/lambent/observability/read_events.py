"""Reading events back: GetLogEvents (one stream) and FilterLogEvents (a group).

GetLogEvents pages either way along a stream: ``nextForwardToken`` continues after the
page's last event, ``nextBackwardToken`` before its first, and at either end the token
passed in comes back unchanged (the GetLogEvents reference). Without a token it reads
from the head (``startFromHead``) or, by default, the tail.

FilterLogEvents reads a group's streams interleaved in (timestamp, ingestion) order,
oldest first unless ``startFromHead`` is false; a page stops at ``limit`` matches, 1 MB,
or after examining ``limits.FILTER_SCAN`` events, and carries a ``nextToken`` unless the
search reached the end. ``searchedLogStreams`` is always empty, as AWS answers since
2020, and ``interleaved`` is ignored, as AWS ignores it since 2019.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from lambent.domain.context import RequestContext
from lambent.observability import limits, tokens
from lambent.observability.deps import LogsDeps, Operation, Result
from lambent.observability.errors import InvalidParameter, invalid_token
from lambent.observability.filter_pattern import InvalidPattern, Matcher, compile_pattern
from lambent.observability.scope import require_group, require_stream, target_group
from lambent.store import logs
from lambent.store.logs import EventRow, Key

_SCAN_BATCH = 1000


def _size(event: EventRow) -> int:
    return len(event.message.encode()) + limits.EVENT_OVERHEAD


def _within_bytes(events: list[EventRow], forward: bool) -> list[EventRow]:
    """The events nearest the reading position that fit in one page's bytes (at least one)."""
    ordered = events if forward else events[::-1]
    kept: list[EventRow] = []
    total = 0
    for event in ordered:
        total += _size(event)
        if kept and total > limits.PAGE_BYTES:
            break
        kept.append(event)
    return kept if forward else kept[::-1]


async def get_log_events(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = target_group(ctx, params)
    limit = params.get("limit") or limits.EVENTS_PAGE
    start, end = params.get("startTime"), params.get("endTime")
    token = params.get("nextToken")
    cursor: Key | None = None
    forward = bool(params.get("startFromHead", False))
    if token is not None:
        try:
            forward, cursor = tokens.parse_stream_token(token)
        except tokens.InvalidToken:
            raise invalid_token() from None

    def work(c: sqlite3.Connection) -> list[EventRow]:
        stream = require_stream(c, require_group(c, ref), params["logStreamName"])
        return logs.stream_events(c, stream.id, start, end, cursor, forward, limit)

    events = _within_bytes(await deps.db.read(work), forward)
    if events:
        forward_token = tokens.stream_token(True, events[-1].key)
        backward_token = tokens.stream_token(False, events[0].key)
    elif token is not None and cursor is not None:
        forward_token = token if forward else tokens.stream_token(True, cursor)
        backward_token = token if not forward else tokens.stream_token(False, cursor)
    else:
        origin = (start or 0, 0)
        forward_token = tokens.stream_token(True, origin)
        backward_token = tokens.stream_token(False, origin)
    return {
        "events": [
            {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
            for e in events
        ],
        "nextForwardToken": forward_token,
        "nextBackwardToken": backward_token,
    }


def _matcher(params: dict[str, Any]) -> Matcher:
    try:
        return compile_pattern(params.get("filterPattern") or "")
    except InvalidPattern as e:
        raise InvalidParameter(str(e)) from None


async def filter_log_events(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = target_group(ctx, params)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise InvalidParameter(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
        )
    matches = _matcher(params)
    limit = params.get("limit") or limits.EVENTS_PAGE
    start, end = params.get("startTime"), params.get("endTime")
    cursor: Key | None = None
    forward = bool(params.get("startFromHead", True))
    if "nextToken" in params:
        try:
            forward, cursor = tokens.parse_filter_token(params["nextToken"])
        except tokens.InvalidToken:
            raise invalid_token() from None
    elif not forward and (start is None or start < limits.DESCENDING_SINCE_MS):
        raise InvalidParameter(
            "startFromHead=false is supported only with a startTime on or after "
            "Jan 1, 2024 00:00:00 UTC."
        )

    def work(c: sqlite3.Connection) -> tuple[list[EventRow], Key | None]:
        group = require_group(c, ref)
        found: list[EventRow] = []
        size, scanned, position = 0, 0, cursor
        while True:
            batch = logs.group_events(
                c, group.id, names, prefix, start, end, position, forward, _SCAN_BATCH
            )
            for event in batch:
                scanned += 1
                position = event.key
                if not matches(event.message):
                    continue
                found.append(event)
                size += _size(event)
                if len(found) >= limit or size >= limits.PAGE_BYTES:
                    return found, position
            if len(batch) < _SCAN_BATCH:
                return found, None
            if scanned >= limits.FILTER_SCAN:
                return found, position

    found, resume = await deps.db.read(work)
    result: dict[str, Any] = {
        "events": [
            {
                "logStreamName": e.stream,
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion_time,
                "eventId": tokens.event_id(e.key),
            }
            for e in found
        ],
        "searchedLogStreams": [],
    }
    if resume is not None:
        result["nextToken"] = tokens.filter_token(forward, resume)
    return result


OPERATIONS: dict[str, Operation] = {
    "GetLogEvents": get_log_events,
    "FilterLogEvents": filter_log_events,
}
