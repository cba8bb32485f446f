"""State on disk: SQLite for configurations, a content-addressed store for code."""

from lambent.store import (
    async_metrics,
    event_invoke,
    event_schema,
    events,
    functions,
    layers,
    lookup,
    outbox,
    policies,
    provisioned,
)
from lambent.store.blobs import BlobStore
from lambent.store.db import Database
from lambent.store.group_commit import GroupCommit

__all__ = [
    "BlobStore",
    "Database",
    "GroupCommit",
    "async_metrics",
    "event_invoke",
    "event_schema",
    "events",
    "functions",
    "layers",
    "lookup",
    "outbox",
    "policies",
    "provisioned",
]
