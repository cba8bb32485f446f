"""State on disk: SQLite for configurations, a content-addressed store for code."""

from lambent.store import functions, layers, lookup, policies
from lambent.store.blobs import BlobStore
from lambent.store.db import Database

__all__ = ["BlobStore", "Database", "functions", "layers", "lookup", "policies"]
