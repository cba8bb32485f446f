"""Layers and their versions in SQLite (called on the database thread)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

Config = dict[str, Any]


def next_version(c: sqlite3.Connection, account: str, region: str, name: str) -> int:
    """Reserve the layer's next version number; never reused, even after deletion."""
    c.execute(
        "INSERT INTO layers (account, region, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (account, region, name),
    )
    row = c.execute(
        "UPDATE layers SET last_version = last_version + 1 "
        "WHERE account=? AND region=? AND name=? RETURNING last_version",
        (account, region, name),
    ).fetchone()
    return int(row[0])


def put(
    c: sqlite3.Connection, account: str, region: str, name: str, config: Config, code: str
) -> None:
    c.execute(
        "INSERT INTO layer_versions (account, region, name, version, config, code_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (account, region, name, config["Version"], json.dumps(config), code),
    )


def get(
    c: sqlite3.Connection, account: str, region: str, name: str, version: int
) -> tuple[Config, str] | None:
    """A layer version's configuration and its code's SHA-256."""
    row = c.execute(
        "SELECT config, code_sha256 FROM layer_versions "
        "WHERE account=? AND region=? AND name=? AND version=?",
        (account, region, name, version),
    ).fetchone()
    return None if row is None else (json.loads(row[0]), row[1])


def versions(c: sqlite3.Connection, account: str, region: str, name: str | None) -> list[Config]:
    """Layer versions, newest first; of one layer, or of every layer when ``name`` is None."""
    query = "SELECT config FROM layer_versions WHERE account=? AND region=?"
    args: tuple[str, ...] = (account, region)
    if name is not None:
        query += " AND name=?"
        args = (*args, name)
    rows = c.execute(query + " ORDER BY name, version DESC", args)
    return [json.loads(r[0]) for r in rows]


def delete(c: sqlite3.Connection, account: str, region: str, name: str, version: int) -> str | None:
    """Delete a layer version; returns its code's SHA-256 if it existed."""
    row = c.execute(
        "DELETE FROM layer_versions WHERE account=? AND region=? AND name=? AND version=? "
        "RETURNING code_sha256",
        (account, region, name, version),
    ).fetchone()
    return None if row is None else str(row[0])


def policy(
    c: sqlite3.Connection, account: str, region: str, name: str, version: int
) -> tuple[list[Config], str] | None:
    """The statements of a layer version's policy and its revision id, if it has one."""
    row = c.execute(
        "SELECT policy, policy_revision_id FROM layer_versions "
        "WHERE account=? AND region=? AND name=? AND version=?",
        (account, region, name, version),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return json.loads(row[0]), row[1]


def set_policy(
    c: sqlite3.Connection,
    account: str,
    region: str,
    name: str,
    version: int,
    statements: list[Config],
    revision_id: str,
) -> None:
    c.execute(
        "UPDATE layer_versions SET policy=?, policy_revision_id=? "
        "WHERE account=? AND region=? AND name=? AND version=?",
        (
            json.dumps(statements) if statements else None,
            revision_id,
            account,
            region,
            name,
            version,
        ),
    )
