"""Functions' resource-based policies in SQLite, one per qualifier (called on the db thread)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

Statement = dict[str, Any]


def get(
    c: sqlite3.Connection, account: str, region: str, function: str, qualifier: str
) -> tuple[list[Statement], str] | None:
    """The statements and revision id of the policy on a function (``qualifier`` "" when
    unqualified), or None when it has none."""
    row = c.execute(
        "SELECT policy, revision_id FROM function_policies "
        "WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, function, qualifier),
    ).fetchone()
    return None if row is None else (json.loads(row[0]), row[1])


def put(
    c: sqlite3.Connection,
    account: str,
    region: str,
    function: str,
    qualifier: str,
    statements: list[Statement],
    revision_id: str,
) -> None:
    """Store the statements; an empty list removes the policy."""
    if not statements:
        c.execute(
            "DELETE FROM function_policies "
            "WHERE account=? AND region=? AND function=? AND qualifier=?",
            (account, region, function, qualifier),
        )
        return
    c.execute(
        "INSERT OR REPLACE INTO function_policies "
        "(account, region, function, qualifier, policy, revision_id) VALUES (?, ?, ?, ?, ?, ?)",
        (account, region, function, qualifier, json.dumps(statements), revision_id),
    )
