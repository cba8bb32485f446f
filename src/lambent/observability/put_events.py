"""PutLogEvents: a batch of events into one stream, stored before the call is answered.

Sequence tokens are ignored, as AWS now ignores them (never InvalidSequenceToken nor
DataAlreadyAccepted); ``nextSequenceToken`` is still answered for older clients.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from lambent.domain.context import RequestContext
from lambent.observability.deps import LogsDeps, Operation, Result
from lambent.observability.ingest import admit
from lambent.observability.scope import (
    named_group,
    require_group,
    require_stream,
    sequence_token,
)
from lambent.store import logs


async def put_log_events(deps: LogsDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = named_group(ctx, params["logGroupName"])
    events = [(event["timestamp"], event["message"]) for event in params["logEvents"]]
    now = deps.now_ms()

    def work(c: sqlite3.Connection) -> dict[str, Any]:
        group = require_group(c, ref)
        stream = require_stream(c, group, params["logStreamName"])
        admission = admit(events, now, group.retention_days)
        accepted = [(group.id, stream.id, ts, message) for ts, message in admission.accepted]
        logs.append_events(c, accepted, now)
        uploads = stream.uploads + (1 if admission.accepted else 0)
        result: dict[str, Any] = {"nextSequenceToken": sequence_token(uploads)}
        if admission.rejected:
            result["rejectedLogEventsInfo"] = admission.rejected
        return result

    return await deps.db.write(work)


OPERATIONS: dict[str, Operation] = {"PutLogEvents": put_log_events}
