"""The outbox in ``events.db``: deliveries an event's outcome owes, until they are made.

A row is written in the transaction that records the outcome, and deleted once its
target has taken it; a failed delivery is released with a later ``due_at``.
"""

from __future__ import annotations

import enum
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from lambent.store.events import Lane

_COLUMNS = "id, kind, target, account, region, function, body, extra, created_at, attempts"


class Kind(enum.StrEnum):
    #: An invocation record for an OnSuccess / OnFailure destination.
    DESTINATION = "destination"
    #: The event itself, for the function's dead-letter queue.
    DEAD_LETTER = "dead-letter"


@dataclass(frozen=True, slots=True)
class Delivery:
    kind: Kind
    target: str
    #: The function whose counters a failure of this delivery counts against.
    lane: Lane
    body: bytes
    #: Per kind: ``MessageAttributes`` for a dead letter; ``DetailType`` and ``Resources``
    #: for an EventBridge record.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    delivery: Delivery
    created_at: float
    attempts: int


def add(c: sqlite3.Connection, delivery: Delivery, now: float) -> int:
    cursor = c.execute(
        "INSERT INTO outbox (kind, target, account, region, function, body, extra, "
        "created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            delivery.kind.value,
            delivery.target,
            *delivery.lane,
            delivery.body,
            json.dumps(delivery.extra),
            now,
            now,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def claim(c: sqlite3.Connection, now: float, limit: int) -> list[Pending]:
    rows = c.execute(
        f"UPDATE outbox SET claimed = 1 WHERE id IN (SELECT id FROM outbox "
        f"WHERE claimed=0 AND due_at <= ? ORDER BY due_at, id LIMIT ?) RETURNING {_COLUMNS}",
        (now, limit),
    ).fetchall()
    found = [
        Pending(
            int(r[0]),
            Delivery(
                Kind(r[1]),
                str(r[2]),
                (str(r[3]), str(r[4]), str(r[5])),
                bytes(r[6]),
                json.loads(r[7]),
            ),
            float(r[8]),
            int(r[9]),
        )
        for r in rows
    ]
    return sorted(found, key=lambda pending: pending.id)


def next_due(c: sqlite3.Connection) -> float | None:
    row = c.execute("SELECT MIN(due_at) FROM outbox WHERE claimed=0").fetchone()
    return None if row[0] is None else float(row[0])


def release_claims(c: sqlite3.Connection) -> int:
    return c.execute("UPDATE outbox SET claimed = 0 WHERE claimed = 1").rowcount


def retry(c: sqlite3.Connection, delivery_id: int, due_at: float) -> None:
    c.execute(
        "UPDATE outbox SET claimed=0, due_at=?, attempts=attempts + 1 WHERE id=?",
        (due_at, delivery_id),
    )


def remove(c: sqlite3.Connection, delivery_id: int) -> None:
    c.execute("DELETE FROM outbox WHERE id=?", (delivery_id,))


def count(c: sqlite3.Connection) -> int:
    (found,) = c.execute("SELECT COUNT(*) FROM outbox").fetchone()
    return int(found)
