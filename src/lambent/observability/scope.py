"""Which log group (and stream) a request names, their ARNs, and finding them or failing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from lambent.domain.context import PARTITION, RequestContext
from lambent.observability.errors import InvalidParameter, group_not_found, stream_not_found
from lambent.store import logs
from lambent.store.logs import GroupRow, StreamRow


@dataclass(frozen=True, slots=True)
class GroupRef:
    account: str
    region: str
    name: str


def group_arn(ref: GroupRef) -> str:
    """``logGroupArn``: without the ``:*`` that the older ``arn`` member carries."""
    return f"arn:{PARTITION}:logs:{ref.region}:{ref.account}:log-group:{ref.name}"


def stream_arn(ref: GroupRef, stream: str) -> str:
    return f"{group_arn(ref)}:log-stream:{stream}"


def named_group(ctx: RequestContext, name: str) -> GroupRef:
    return GroupRef(ctx.account, ctx.region, name)


def target_group(ctx: RequestContext, params: dict[str, Any]) -> GroupRef:
    """The group of an operation that takes ``logGroupName`` or ``logGroupIdentifier``
    (a name or an ARN, with or without the trailing ``:*``), exactly one of them."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if name is not None and identifier is not None:
        raise InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if name is not None:
        return named_group(ctx, name)
    if identifier is None:
        raise InvalidParameter("Should provide either name or ARN of LogGroup.")
    if not identifier.startswith("arn:"):
        return named_group(ctx, identifier)
    parts = identifier.split(":")
    if len(parts) not in (7, 8) or parts[2] != "logs" or parts[5] != "log-group":
        raise InvalidParameter(f"Invalid log group identifier: {identifier}")
    if len(parts) == 8 and parts[7] != "*":
        raise InvalidParameter(f"Invalid log group identifier: {identifier}")
    return GroupRef(parts[4], parts[3], parts[6])


def require_group(c: sqlite3.Connection, ref: GroupRef) -> GroupRow:
    found = logs.get_group(c, ref.account, ref.region, ref.name)
    if found is None:
        raise group_not_found()
    return found


def require_stream(c: sqlite3.Connection, group: GroupRow, name: str) -> StreamRow:
    found = logs.get_stream(c, group.id, name)
    if found is None:
        raise stream_not_found()
    return found


def sequence_token(uploads: int) -> str:
    """The (now ignored) sequence token after ``uploads`` batches reached a stream."""
    return f"{uploads:056d}"
