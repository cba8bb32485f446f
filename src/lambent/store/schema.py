"""The database schema and its migrations, applied in order at start-up."""

from __future__ import annotations

import sqlite3

# Configurations are stored as the JSON AWS returns (FunctionConfiguration and friends):
# the service model, not our schema, decides their fields. Columns hold only what we
# look things up by.
_MIGRATIONS: list[str] = [
    """
    CREATE TABLE functions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE function_versions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        config TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        PRIMARY KEY (account, region, name, version),
        FOREIGN KEY (account, region, name)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TABLE aliases (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (account, region, function, name),
        FOREIGN KEY (account, region, function)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TABLE function_policies (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        policy TEXT NOT NULL,
        revision_id TEXT NOT NULL,
        PRIMARY KEY (account, region, function, qualifier),
        FOREIGN KEY (account, region, function)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TABLE layers (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE layer_versions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        config TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        policy TEXT,
        policy_revision_id TEXT,
        PRIMARY KEY (account, region, name, version),
        FOREIGN KEY (account, region, name)
            REFERENCES layers (account, region, name) ON DELETE CASCADE
    );
    """,
]


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema up to date; each migration commits with its version number."""
    (current,) = connection.execute("PRAGMA user_version").fetchone()
    for number, script in enumerate(_MIGRATIONS[current:], start=current + 1):
        connection.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
        )
