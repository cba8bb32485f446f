"""Event invoke configs in the control plane's database (called on its thread)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Stored:
    qualifier: str
    #: ``MaximumRetryAttempts``, ``MaximumEventAgeInSeconds``, ``DestinationConfig``.
    config: dict[str, Any]
    last_modified: float


def get(
    c: sqlite3.Connection, account: str, region: str, function: str, qualifier: str
) -> Stored | None:
    row = c.execute(
        "SELECT config, last_modified FROM event_invoke_configs "
        "WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, function, qualifier),
    ).fetchone()
    return None if row is None else Stored(qualifier, json.loads(row[0]), float(row[1]))


def put(
    c: sqlite3.Connection,
    account: str,
    region: str,
    function: str,
    qualifier: str,
    config: dict[str, Any],
    last_modified: float,
) -> None:
    c.execute(
        "INSERT INTO event_invoke_configs "
        "(account, region, function, qualifier, config, last_modified) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, function, qualifier) "
        "DO UPDATE SET config=excluded.config, last_modified=excluded.last_modified",
        (account, region, function, qualifier, json.dumps(config), last_modified),
    )


def delete(c: sqlite3.Connection, account: str, region: str, function: str, qualifier: str) -> bool:
    deleted = c.execute(
        "DELETE FROM event_invoke_configs "
        "WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, function, qualifier),
    )
    return deleted.rowcount > 0


def listing(c: sqlite3.Connection, account: str, region: str, function: str) -> list[Stored]:
    """A function's configs, ``$LATEST`` first, then versions by number, then aliases."""
    rows = c.execute(
        "SELECT qualifier, config, last_modified FROM event_invoke_configs "
        "WHERE account=? AND region=? AND function=? "
        "ORDER BY qualifier != '$LATEST', qualifier GLOB '[0-9]*' = 0, "
        "CAST(qualifier AS INTEGER), qualifier",
        (account, region, function),
    )
    return [Stored(str(r[0]), json.loads(r[1]), float(r[2])) for r in rows]
