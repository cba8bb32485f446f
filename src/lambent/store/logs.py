"""Log groups, log streams and their events in ``logs.db``: the queries, nothing more.

Events are ordered by their key ``(timestamp, id)``: ``id`` is the event's row id, which
grows with ingestion, so events with one timestamp keep the order they arrived in. Paging
cursors are keys: a page reads the events strictly after (or before) a cursor.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass

Key = tuple[int, int]
"""``(timestamp, id)``: an event's place in its stream and in its group."""


@dataclass(frozen=True, slots=True)
class GroupRow:
    id: int
    name: str
    creation_time: int
    retention_days: int | None
    stored_bytes: int


@dataclass(frozen=True, slots=True)
class StreamRow:
    id: int
    name: str
    creation_time: int
    first_event: int | None
    last_event: int | None
    last_ingestion: int | None
    uploads: int


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    stream: str
    timestamp: int
    ingestion_time: int
    message: str

    @property
    def key(self) -> Key:
        return (self.timestamp, self.id)


_GROUP_COLUMNS = """
    g.id, g.name, g.creation_time, g.retention_days,
    (SELECT COALESCE(SUM(s.stored_bytes), 0) FROM log_streams s WHERE s.group_id = g.id)
"""
_STREAM_COLUMNS = "id, name, creation_time, first_event, last_event, last_ingestion, uploads"
_EVENT_COLUMNS = "e.id, s.name, e.timestamp, e.ingestion_time, e.message"


def _group(row: sqlite3.Row | tuple[object, ...]) -> GroupRow:
    return GroupRow(*row)


def _stream(row: sqlite3.Row | tuple[object, ...]) -> StreamRow:
    return StreamRow(*row)


def _event(row: sqlite3.Row | tuple[object, ...]) -> EventRow:
    return EventRow(*row)


# Groups ---------------------------------------------------------------------------------


def get_group(c: sqlite3.Connection, account: str, region: str, name: str) -> GroupRow | None:
    row = c.execute(
        f"SELECT {_GROUP_COLUMNS} FROM log_groups g"
        " WHERE g.account = ? AND g.region = ? AND g.name = ?",
        (account, region, name),
    ).fetchone()
    return None if row is None else _group(row)


def create_group(c: sqlite3.Connection, account: str, region: str, name: str, now: int) -> bool:
    """Create the group; False if it already exists."""
    cursor = c.execute(
        "INSERT OR IGNORE INTO log_groups (account, region, name, creation_time)"
        " VALUES (?, ?, ?, ?)",
        (account, region, name, now),
    )
    return cursor.rowcount == 1


def delete_group(c: sqlite3.Connection, group_id: int) -> None:
    """The group, its streams and (by cascade) their events."""
    c.execute("DELETE FROM log_groups WHERE id = ?", (group_id,))


def list_groups(
    c: sqlite3.Connection,
    account: str,
    region: str,
    prefix: str,
    contains: str,
    after: str | None,
    limit: int,
) -> list[GroupRow]:
    """Groups named ``prefix…`` and containing ``contains`` (case-sensitive), after
    ``after``, in ASCII (byte) order of name."""
    rows = c.execute(
        f"SELECT {_GROUP_COLUMNS} FROM log_groups g"
        " WHERE g.account = ? AND g.region = ? AND substr(g.name, 1, ?) = ?"
        " AND instr(g.name, ?) > 0 AND g.name > ? ORDER BY g.name LIMIT ?",
        (account, region, len(prefix), prefix, contains, after or "", limit),
    ).fetchall()
    return [_group(row) for row in rows]


def set_retention(c: sqlite3.Connection, group_id: int, days: int | None) -> None:
    c.execute("UPDATE log_groups SET retention_days = ? WHERE id = ?", (days, group_id))


def retained_groups(c: sqlite3.Connection) -> list[tuple[int, int]]:
    """``(group id, retention days)`` of every group whose events expire."""
    rows = c.execute(
        "SELECT id, retention_days FROM log_groups WHERE retention_days IS NOT NULL"
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


# Streams --------------------------------------------------------------------------------


def get_stream(c: sqlite3.Connection, group_id: int, name: str) -> StreamRow | None:
    row = c.execute(
        f"SELECT {_STREAM_COLUMNS} FROM log_streams WHERE group_id = ? AND name = ?",
        (group_id, name),
    ).fetchone()
    return None if row is None else _stream(row)


def create_stream(c: sqlite3.Connection, group_id: int, name: str, now: int) -> bool:
    """Create the stream; False if the group already has one of that name."""
    cursor = c.execute(
        "INSERT OR IGNORE INTO log_streams (group_id, name, creation_time) VALUES (?, ?, ?)",
        (group_id, name, now),
    )
    return cursor.rowcount == 1


def delete_stream(c: sqlite3.Connection, stream_id: int) -> None:
    c.execute("DELETE FROM log_streams WHERE id = ?", (stream_id,))


def ensure_streams(
    c: sqlite3.Connection,
    account: str,
    region: str,
    group: str,
    streams: Collection[str],
    now: int,
) -> tuple[int, dict[str, int]]:
    """The group's id and its ``streams``' ids by name, creating whichever is missing (as
    Lambda does): four statements however many streams there are."""
    create_group(c, account, region, group, now)
    (group_id,) = c.execute(
        "SELECT id FROM log_groups WHERE account = ? AND region = ? AND name = ?",
        (account, region, group),
    ).fetchone()
    names = json.dumps(list(streams))
    c.execute(
        "INSERT OR IGNORE INTO log_streams (group_id, name, creation_time)"
        " SELECT ?, value, ? FROM json_each(?)",
        (group_id, now, names),
    )
    rows = c.execute(
        "SELECT name, id FROM log_streams"
        " WHERE group_id = ? AND name IN (SELECT value FROM json_each(?))",
        (group_id, names),
    ).fetchall()
    return group_id, dict(rows)


def list_streams(
    c: sqlite3.Connection,
    group_id: int,
    prefix: str,
    by_last_event: bool,
    descending: bool,
    after: tuple[int, str] | None,
    limit: int,
) -> list[StreamRow]:
    """Streams in (last event time or 0, name) order when ``by_last_event``, else in name
    order; ``after`` is the previous page's last sort key (time is 0 in name order)."""
    order = "DESC" if descending else "ASC"
    params: list[object] = [group_id, len(prefix), prefix]
    where = "group_id = ? AND substr(name, 1, ?) = ?"
    keys = ["COALESCE(last_event, 0)", "name"] if by_last_event else ["name"]
    if after is not None:
        columns = ", ".join(keys)
        marks = ", ".join("?" * len(keys))
        where += f" AND ({columns}) {'<' if descending else '>'} ({marks})"
        params.extend(after if by_last_event else after[1:])
    rows = c.execute(
        f"SELECT {_STREAM_COLUMNS} FROM log_streams WHERE {where}"
        f" ORDER BY {', '.join(f'{key} {order}' for key in keys)} LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [_stream(row) for row in rows]


# Events ---------------------------------------------------------------------------------


#: The most rows one INSERT carries (four parameters each, and the ingestion time: within
#: SQLite's limit of 32,766 variables); a batch goes in as statements of 1024, 512, ... 1.
_INSERT_ROWS = 1024

EventIn = tuple[int, int, int, str]
"""``(group id, stream id, timestamp, message)``: an event to store."""


@functools.cache
def _insert_events(rows: int) -> str:
    marks = (f"(?{n + 1}, ?{n + 2}, ?{n + 3}, ?1, ?{n + 4})" for n in range(1, 4 * rows, 4))
    return (
        "INSERT INTO log_events (group_id, stream_id, timestamp, ingestion_time, message)"
        " VALUES " + ", ".join(marks)
    )


def append_events(c: sqlite3.Connection, events: Sequence[EventIn], ingestion_time: int) -> None:
    """Store ``events``, in order, and bring their streams' summaries up to date.

    A few statements whatever the batch: the sqlite3 module hands the GIL back and forth
    around every statement, and each hand-over costs the event loop's thread a wake-up.
    """
    done = 0
    while done < len(events):
        rows = _INSERT_ROWS
        while rows > len(events) - done:
            rows //= 2
        values: list[object] = [ingestion_time]
        for event in events[done : done + rows]:
            values += event
        c.execute(_insert_events(rows), values)
        done += rows
    summaries: dict[int, list[int]] = {}
    for _, stream_id, ts, message in events:
        summary = summaries.get(stream_id)
        size = len(message.encode())
        if summary is None:
            summaries[stream_id] = [stream_id, ts, ts, size]
        else:
            summary[1] = min(summary[1], ts)
            summary[2] = max(summary[2], ts)
            summary[3] += size
    if summaries:
        c.execute(
            "UPDATE log_streams SET"
            " first_event = MIN(COALESCE(first_event, v.first), v.first),"
            " last_event = MAX(COALESCE(last_event, v.last), v.last),"
            " last_ingestion = ?1, stored_bytes = stored_bytes + v.size, uploads = uploads + 1"
            " FROM (SELECT json_extract(value, '$[0]') AS id,"
            " json_extract(value, '$[1]') AS first, json_extract(value, '$[2]') AS last,"
            " json_extract(value, '$[3]') AS size FROM json_each(?2)) AS v"
            " WHERE log_streams.id = v.id",
            (ingestion_time, json.dumps(list(summaries.values()))),
        )


Lines = tuple[str, str, str, str, Sequence[tuple[int, str]]]
"""``(account, region, group, stream, [(timestamp, message), ...])``: lines of one stream."""


def append_batch(c: sqlite3.Connection, batch: Sequence[Lines], ingestion_time: int) -> None:
    """Store ``batch`` in order, creating groups and streams that do not exist yet (as
    Lambda does for its functions' logs)."""
    streams: dict[tuple[str, str, str], dict[str, None]] = {}
    for account, region, group, stream, _ in batch:
        streams.setdefault((account, region, group), {})[stream] = None
    ids: dict[tuple[str, str, str, str], tuple[int, int]] = {}
    for (account, region, group), names in streams.items():
        group_id, stream_ids = ensure_streams(c, account, region, group, names, ingestion_time)
        for name, stream_id in stream_ids.items():
            ids[(account, region, group, name)] = (group_id, stream_id)
    events: list[EventIn] = []
    for account, region, group, stream, lines in batch:
        group_id, stream_id = ids[(account, region, group, stream)]
        events += [(group_id, stream_id, ts, message) for ts, message in lines]
    append_events(c, events, ingestion_time)


def stream_events(
    c: sqlite3.Connection,
    stream_id: int,
    start: int | None,
    end: int | None,
    cursor: Key | None,
    forward: bool,
    limit: int,
) -> list[EventRow]:
    """Up to ``limit`` events of a stream in ``[start, end)``, strictly after ``cursor``
    going forward (from the head) or strictly before it going backward (from the tail);
    either way returned oldest first."""
    where, params = _window("e.stream_id = ?", [stream_id], start, end, inclusive_end=False)
    if cursor is not None:
        where += f" AND (e.timestamp, e.id) {'>' if forward else '<'} (?, ?)"
        params.extend(cursor)
    order = "ASC" if forward else "DESC"
    rows = c.execute(
        f"SELECT {_EVENT_COLUMNS} FROM log_events e JOIN log_streams s ON s.id = e.stream_id"
        f" WHERE {where} ORDER BY e.timestamp {order}, e.id {order} LIMIT ?",
        [*params, limit],
    ).fetchall()
    found = [_event(row) for row in rows]
    return found if forward else found[::-1]


def group_events(
    c: sqlite3.Connection,
    group_id: int,
    streams: Sequence[str] | None,
    stream_prefix: str | None,
    start: int | None,
    end: int | None,
    cursor: Key | None,
    forward: bool,
    limit: int,
) -> list[EventRow]:
    """Up to ``limit`` events of a group in ``[start, end]``, its streams interleaved, in
    key order (``forward``) or reverse key order, strictly beyond ``cursor``."""
    where, params = _window("e.group_id = ?", [group_id], start, end, inclusive_end=True)
    if streams is not None:
        marks = ", ".join("?" * len(streams))
        where += f" AND s.name IN ({marks})"
        params.extend(streams)
    if stream_prefix is not None:
        where += " AND substr(s.name, 1, ?) = ?"
        params.extend([len(stream_prefix), stream_prefix])
    if cursor is not None:
        where += f" AND (e.timestamp, e.id) {'>' if forward else '<'} (?, ?)"
        params.extend(cursor)
    order = "ASC" if forward else "DESC"
    rows = c.execute(
        f"SELECT {_EVENT_COLUMNS} FROM log_events e JOIN log_streams s ON s.id = e.stream_id"
        f" WHERE {where} ORDER BY e.timestamp {order}, e.id {order} LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [_event(row) for row in rows]


def _window(
    where: str, params: list[object], start: int | None, end: int | None, inclusive_end: bool
) -> tuple[str, list[object]]:
    if start is not None:
        where += " AND e.timestamp >= ?"
        params.append(start)
    if end is not None:
        where += f" AND e.timestamp {'<=' if inclusive_end else '<'} ?"
        params.append(end)
    return where, params


def expire_events(c: sqlite3.Connection, group_id: int, before: int, batch: int) -> int:
    """Delete up to ``batch`` of the group's events older than ``before``; how many went."""
    cursor = c.execute(
        "DELETE FROM log_events WHERE id IN (SELECT id FROM log_events"
        " WHERE group_id = ? AND timestamp < ? LIMIT ?)",
        (group_id, before, batch),
    )
    return cursor.rowcount


def recount_stored_bytes(c: sqlite3.Connection, group_id: int) -> None:
    """Recompute the group's streams' stored bytes from the events they still hold."""
    c.execute(
        "UPDATE log_streams SET stored_bytes = (SELECT COALESCE(SUM(length(CAST(message AS"
        " BLOB))), 0) FROM log_events WHERE stream_id = log_streams.id) WHERE group_id = ?",
        (group_id,),
    )
