"""Provisioned concurrency configs in the control plane's database (called on its thread)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_COLUMNS = (
    "account, region, function, qualifier, requested, last_modified, status, status_reason, "
    "allocated, available"
)


@dataclass(frozen=True, slots=True)
class Stored:
    account: str
    region: str
    function: str
    #: A version number or an alias name.
    qualifier: str
    requested: int
    last_modified: float
    #: ``IN_PROGRESS``, ``READY`` or ``FAILED``, as last reported.
    status: str
    status_reason: str | None
    allocated: int
    available: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.account, self.region, self.function, self.qualifier)


def _stored(row: Any) -> Stored:
    return Stored(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        int(row[4]),
        float(row[5]),
        str(row[6]),
        None if row[7] is None else str(row[7]),
        int(row[8]),
        int(row[9]),
    )


def get(
    c: sqlite3.Connection, account: str, region: str, function: str, qualifier: str
) -> Stored | None:
    row = c.execute(
        f"SELECT {_COLUMNS} FROM provisioned_concurrency "
        "WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, function, qualifier),
    ).fetchone()
    return None if row is None else _stored(row)


def put(c: sqlite3.Connection, config: Stored) -> None:
    c.execute(
        f"INSERT INTO provisioned_concurrency ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, function, qualifier) DO UPDATE SET "
        "requested=excluded.requested, last_modified=excluded.last_modified, "
        "status=excluded.status, status_reason=excluded.status_reason, "
        "allocated=excluded.allocated, available=excluded.available",
        (
            config.account,
            config.region,
            config.function,
            config.qualifier,
            config.requested,
            config.last_modified,
            config.status,
            config.status_reason,
            config.allocated,
            config.available,
        ),
    )


def delete(c: sqlite3.Connection, account: str, region: str, function: str, qualifier: str) -> bool:
    deleted = c.execute(
        "DELETE FROM provisioned_concurrency "
        "WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, function, qualifier),
    )
    return deleted.rowcount > 0


def listing(c: sqlite3.Connection, account: str, region: str, function: str) -> list[Stored]:
    """A function's configs: versions by number, then aliases by name."""
    rows = c.execute(
        f"SELECT {_COLUMNS} FROM provisioned_concurrency "
        "WHERE account=? AND region=? AND function=? "
        "ORDER BY qualifier GLOB '[0-9]*' = 0, CAST(qualifier AS INTEGER), qualifier",
        (account, region, function),
    )
    return [_stored(r) for r in rows]


def everything(c: sqlite3.Connection) -> list[Stored]:
    """Every config of every account and region (what the environments must hold)."""
    rows = c.execute(
        f"SELECT {_COLUMNS} FROM provisioned_concurrency "
        "ORDER BY account, region, function, qualifier"
    )
    return [_stored(r) for r in rows]


def function_total(
    c: sqlite3.Connection, account: str, region: str, function: str, excluding: str = ""
) -> int:
    """What a function's versions and aliases hold (but the ``excluding`` qualifier's)."""
    (total,) = c.execute(
        "SELECT COALESCE(SUM(requested), 0) FROM provisioned_concurrency "
        "WHERE account=? AND region=? AND function=? AND qualifier != ?",
        (account, region, function, excluding),
    ).fetchone()
    return int(total)


def report(
    c: sqlite3.Connection,
    updates: Iterable[tuple[tuple[str, str, str, str], float, str, str | None, int, int]],
) -> None:
    """Record what the environments report: ``(key, last_modified, status, reason,
    allocated, available)`` each; a config put again since (another ``last_modified``)
    keeps what its Put wrote."""
    c.executemany(
        "UPDATE provisioned_concurrency SET status=?, status_reason=?, allocated=?, "
        "available=? WHERE account=? AND region=? AND function=? AND qualifier=? "
        "AND last_modified=?",
        [
            (status, reason, allocated, available, *key, last_modified)
            for key, last_modified, status, reason, allocated, available in updates
        ],
    )
