"""Queued asynchronous events in ``events.db`` (called on its database thread).

A row is *claimed* while a server is working on it. Claiming is a write, so two claims
can never take the same row; a retry releases its row with a later ``due_at``, a final
outcome deletes it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

#: Events are run, and limited, per function: (account, region, function name).
Lane = tuple[str, str, str]

_COLUMNS = (
    "id, request_id, account, region, function, qualifier, payload, client_context, "
    "accepted_at, attempts, retries, backoffs, last_version, last_error, last_response"
)


@dataclass(frozen=True, slots=True)
class NewEvent:
    request_id: str
    account: str
    region: str
    function: str
    #: As invoked: None for the unqualified function.
    qualifier: str | None
    payload: bytes
    client_context: str | None
    accepted_at: float

    @property
    def lane(self) -> Lane:
        return (self.account, self.region, self.function)


@dataclass(frozen=True, slots=True)
class Event:
    """A claimed event, as an attempt needs it."""

    id: int
    request_id: str
    account: str
    region: str
    function: str
    qualifier: str | None
    payload: bytes
    client_context: str | None
    accepted_at: float
    attempts: int = 0
    retries: int = 0
    backoffs: int = 0
    last_version: str | None = None
    last_error: str | None = None
    last_response: bytes | None = None

    @property
    def lane(self) -> Lane:
        return (self.account, self.region, self.function)


@dataclass(frozen=True, slots=True)
class Reschedule:
    """An event's next try, and what its attempts so far have left."""

    due_at: float
    attempts: int
    retries: int
    backoffs: int
    last_version: str | None
    last_error: str | None
    last_response: bytes | None


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=int(row[0]),
        request_id=str(row[1]),
        account=str(row[2]),
        region=str(row[3]),
        function=str(row[4]),
        qualifier=None if row[5] is None else str(row[5]),
        payload=bytes(row[6]),
        client_context=None if row[7] is None else str(row[7]),
        accepted_at=float(row[8]),
        attempts=int(row[9]),
        retries=int(row[10]),
        backoffs=int(row[11]),
        last_version=None if row[12] is None else str(row[12]),
        last_error=None if row[13] is None else str(row[13]),
        last_response=None if row[14] is None else bytes(row[14]),
    )


def insert(c: sqlite3.Connection, new: NewEvent, *, claimed: bool) -> Event:
    """Queue ``new``, due at once; ``claimed`` when the caller runs it straight away."""
    cursor = c.execute(
        "INSERT INTO events (request_id, account, region, function, qualifier, payload, "
        "client_context, accepted_at, due_at, claimed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.request_id,
            new.account,
            new.region,
            new.function,
            new.qualifier,
            new.payload,
            new.client_context,
            new.accepted_at,
            new.accepted_at,
            int(claimed),
        ),
    )
    assert cursor.lastrowid is not None
    return Event(
        cursor.lastrowid,
        new.request_id,
        new.account,
        new.region,
        new.function,
        new.qualifier,
        new.payload,
        new.client_context,
        new.accepted_at,
    )


def claim(c: sqlite3.Connection, lane: Lane, now: float, limit: int) -> list[Event]:
    """Claim up to ``limit`` of the lane's due events, oldest due first."""
    rows = c.execute(
        f"UPDATE events SET claimed = 1 WHERE id IN (SELECT id FROM events "
        f"WHERE account=? AND region=? AND function=? AND claimed=0 AND due_at <= ? "
        f"ORDER BY due_at, id LIMIT ?) RETURNING {_COLUMNS}",
        (*lane, now, limit),
    ).fetchall()
    return sorted((_event(row) for row in rows), key=lambda event: event.id)


def next_due(c: sqlite3.Connection, lane: Lane) -> float | None:
    """When the lane's earliest unclaimed event is due (None: it has none)."""
    row = c.execute(
        "SELECT MIN(due_at) FROM events WHERE account=? AND region=? AND function=? AND claimed=0",
        lane,
    ).fetchone()
    return None if row[0] is None else float(row[0])


def waiting(c: sqlite3.Connection) -> dict[Lane, float]:
    """Every lane with unclaimed events, and when its earliest is due."""
    rows = c.execute(
        "SELECT account, region, function, MIN(due_at) FROM events WHERE claimed=0 "
        "GROUP BY account, region, function"
    )
    return {(str(r[0]), str(r[1]), str(r[2])): float(r[3]) for r in rows}


def release_claims(c: sqlite3.Connection) -> int:
    """Start-up: what a previous server was running is queued again."""
    return c.execute("UPDATE events SET claimed = 0 WHERE claimed = 1").rowcount


def reschedule(c: sqlite3.Connection, event_id: int, step: Reschedule) -> None:
    c.execute(
        "UPDATE events SET claimed=0, due_at=?, attempts=?, retries=?, backoffs=?, "
        "last_version=?, last_error=?, last_response=? WHERE id=?",
        (
            step.due_at,
            step.attempts,
            step.retries,
            step.backoffs,
            step.last_version,
            step.last_error,
            step.last_response,
            event_id,
        ),
    )


def release(c: sqlite3.Connection, event_id: int, due_at: float) -> None:
    """Give a claimed event back untouched, to be tried again at ``due_at``."""
    c.execute("UPDATE events SET claimed=0, due_at=? WHERE id=?", (due_at, event_id))


def remove(c: sqlite3.Connection, event_id: int) -> None:
    c.execute("DELETE FROM events WHERE id=?", (event_id,))


def count(c: sqlite3.Connection) -> int:
    (found,) = c.execute("SELECT COUNT(*) FROM events").fetchone()
    return int(found)
