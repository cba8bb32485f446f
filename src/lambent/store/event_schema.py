"""The asynchronous event store's schema (``events.db``): queued events, the outbox of
deliveries their outcomes owe, and the per-function counters of both.

An event row exists from the moment its 202 is sent until its final outcome has been
recorded; whatever that outcome owes (a destination record, a dead-letter message) is in
the outbox from the same transaction on. ``claimed`` marks rows a running server is
working on; a server starting up releases them all (their work may be repeated, never
lost). Payloads are stored as received; columns hold what events are looked up by.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        -- As invoked: NULL for the unqualified function, else a version or an alias.
        qualifier TEXT,
        payload BLOB NOT NULL,
        client_context TEXT,
        accepted_at REAL NOT NULL,
        due_at REAL NOT NULL,
        claimed INTEGER NOT NULL DEFAULT 0,
        -- Attempts made (approximateInvokeCount), function-error retries made, and
        -- throttles or system errors since the function last ran.
        attempts INTEGER NOT NULL DEFAULT 0,
        retries INTEGER NOT NULL DEFAULT 0,
        backoffs INTEGER NOT NULL DEFAULT 0,
        -- The function's last answer, for the record of an event that ages out later.
        last_version TEXT,
        last_error TEXT,
        last_response BLOB
    );
    CREATE INDEX events_ready ON events (account, region, function, claimed, due_at, id);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        -- 'destination' (an invocation record) or 'dead-letter' (the event itself).
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        -- The function whose counters a failed delivery counts against.
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        body BLOB NOT NULL,
        -- Message attributes, EventBridge detail-type and resources: per kind, as JSON.
        extra TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL,
        due_at REAL NOT NULL,
        claimed INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_ready ON outbox (claimed, due_at, id);
    -- Per function and minute (epoch seconds // 60), as CloudWatch metrics are kept.
    CREATE TABLE async_counters (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        minute INTEGER NOT NULL,
        received INTEGER NOT NULL DEFAULT 0,
        dropped INTEGER NOT NULL DEFAULT 0,
        dead_letter_errors INTEGER NOT NULL DEFAULT 0,
        destination_delivery_failures INTEGER NOT NULL DEFAULT 0,
        age_count INTEGER NOT NULL DEFAULT 0,
        age_sum_ms REAL NOT NULL DEFAULT 0,
        age_max_ms REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (account, region, function, minute)
    ) WITHOUT ROWID;
    """,
]
