"""Asynchronous invocation's counters per function, as CloudWatch names them, kept per
minute in ``events.db``: written in the transactions that change what they count, read
through a small typed API (the metrics service reads them from here).

- ``AsyncEventsReceived``: events queued.
- ``AsyncEventAge``: time from queueing to each attempt (count, sum and maximum, in ms).
- ``AsyncEventsDropped``: events that ended without the function succeeding.
- ``DeadLetterErrors``, ``DestinationDeliveryFailures``: failed delivery attempts.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass

from lambent.store.events import Lane


class Counter(enum.StrEnum):
    RECEIVED = "received"
    DROPPED = "dropped"
    DEAD_LETTER_ERRORS = "dead_letter_errors"
    DESTINATION_DELIVERY_FAILURES = "destination_delivery_failures"


@dataclass(frozen=True, slots=True)
class AsyncCounters:
    """One function's asynchronous-invocation metrics over a span of minutes."""

    received: int = 0
    dropped: int = 0
    dead_letter_errors: int = 0
    destination_delivery_failures: int = 0
    #: ``AsyncEventAge`` samples (one per attempt), their sum and their maximum.
    age_count: int = 0
    age_sum_ms: float = 0.0
    age_max_ms: float = 0.0

    @property
    def age_average_ms(self) -> float | None:
        return self.age_sum_ms / self.age_count if self.age_count else None


def _minute(now: float) -> int:
    return int(now // 60)


def add(c: sqlite3.Connection, lane: Lane, now: float, counter: Counter, amount: int = 1) -> None:
    column = counter.value  # a member of the enum, never the caller's text
    c.execute(
        f"INSERT INTO async_counters (account, region, function, minute, {column}) "
        f"VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, function, minute) "
        f"DO UPDATE SET {column} = {column} + excluded.{column}",
        (*lane, _minute(now), amount),
    )


def add_age(c: sqlite3.Connection, lane: Lane, now: float, age_ms: float) -> None:
    c.execute(
        "INSERT INTO async_counters (account, region, function, minute, age_count, "
        "age_sum_ms, age_max_ms) VALUES (?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT (account, region, function, minute) DO UPDATE SET "
        "age_count = age_count + 1, age_sum_ms = age_sum_ms + excluded.age_sum_ms, "
        "age_max_ms = MAX(age_max_ms, excluded.age_max_ms)",
        (*lane, _minute(now), age_ms, age_ms),
    )


def read(
    c: sqlite3.Connection,
    lane: Lane,
    start: float | None = None,
    end: float | None = None,
) -> AsyncCounters:
    """A function's counters from ``start`` to ``end`` (epoch seconds; all time if None)."""
    row = c.execute(
        "SELECT COALESCE(SUM(received), 0), COALESCE(SUM(dropped), 0), "
        "COALESCE(SUM(dead_letter_errors), 0), COALESCE(SUM(destination_delivery_failures), 0), "
        "COALESCE(SUM(age_count), 0), COALESCE(SUM(age_sum_ms), 0), "
        "COALESCE(MAX(age_max_ms), 0) FROM async_counters "
        "WHERE account=? AND region=? AND function=? AND minute >= ? AND minute <= ?",
        (
            *lane,
            _minute(start) if start is not None else -1,
            _minute(end) if end is not None else 2**62,
        ),
    ).fetchone()
    return AsyncCounters(
        int(row[0]),
        int(row[1]),
        int(row[2]),
        int(row[3]),
        int(row[4]),
        float(row[5]),
        float(row[6]),
    )


def series(
    c: sqlite3.Connection, lane: Lane, start: float, end: float
) -> list[tuple[int, AsyncCounters]]:
    """Per minute (the minute's start, epoch seconds) from ``start`` to ``end``."""
    rows = c.execute(
        "SELECT minute, received, dropped, dead_letter_errors, destination_delivery_failures, "
        "age_count, age_sum_ms, age_max_ms FROM async_counters "
        "WHERE account=? AND region=? AND function=? AND minute >= ? AND minute <= ? "
        "ORDER BY minute",
        (*lane, _minute(start), _minute(end)),
    )
    return [
        (
            int(r[0]) * 60,
            AsyncCounters(
                int(r[1]),
                int(r[2]),
                int(r[3]),
                int(r[4]),
                int(r[5]),
                float(r[6]),
                float(r[7]),
            ),
        )
        for r in rows
    ]
