"""The log store's schema (``logs.db``): log groups, their streams and their events."""

from __future__ import annotations

# Events carry their group as well as their stream so that FilterLogEvents reads one
# group's events in (timestamp, id) order from one index, interleaving its streams.
# AUTOINCREMENT: an event id is never reused, even after the newest events expire, so
# the eventIds and paging tokens derived from it stay stable.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE log_groups (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        creation_time INTEGER NOT NULL,
        retention_days INTEGER,
        UNIQUE (account, region, name)
    );
    CREATE TABLE log_streams (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES log_groups (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        creation_time INTEGER NOT NULL,
        first_event INTEGER,
        last_event INTEGER,
        last_ingestion INTEGER,
        stored_bytes INTEGER NOT NULL DEFAULT 0,
        uploads INTEGER NOT NULL DEFAULT 0,
        UNIQUE (group_id, name)
    );
    CREATE TABLE log_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id INTEGER NOT NULL,
        stream_id INTEGER NOT NULL REFERENCES log_streams (id) ON DELETE CASCADE,
        timestamp INTEGER NOT NULL,
        ingestion_time INTEGER NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX log_events_by_stream ON log_events (stream_id, timestamp, id);
    CREATE INDEX log_events_by_group ON log_events (group_id, timestamp, id);
    """,
]
