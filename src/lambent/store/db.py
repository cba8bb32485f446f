"""The SQLite database: one file in WAL mode, reached through one dedicated thread.

Each database file has its own thread and its own schema (its list of migrations), so
the control plane's writes and the log store's never wait for each other. Every write
runs as one ``BEGIN IMMEDIATE`` transaction on that thread, so writes are serialized
(concurrent updates of one function cannot interleave) and a write the API acknowledges
has been committed (``synchronous=FULL``: fsync'd before COMMIT returns).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def migrate(connection: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Bring the schema up to date; each migration commits with its version number."""
    (current,) = connection.execute("PRAGMA user_version").fetchone()
    for number, script in enumerate(migrations[current:], start=current + 1):
        connection.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
        )


class Database:
    """One SQLite file, migrated by ``migrations`` (scripts applied in order, once each)."""

    def __init__(self, path: Path, migrations: Sequence[str]) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"lambent-db-{path.stem}"
        )
        self._connection = self._executor.submit(self._open, path, migrations).result()
        self._generation = 0

    @staticmethod
    def _open(path: Path, migrations: Sequence[str]) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.row_factory = sqlite3.Row
        migrate(connection, migrations)
        return connection

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on the database thread (reads see the last committed state)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work, self._connection)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one transaction: all of it is committed, or none of it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._transaction, work)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = work(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        self._generation += 1
        return result

    @property
    def generation(self) -> int:
        """How many writes this database has committed. Every write goes through this
        object, so a value read from it is current until the generation changes: callers
        cache reads by it (the invoke path reads no row while nothing changed)."""
        return self._generation

    def close(self) -> None:
        self._executor.submit(self._connection.close).result()
        self._executor.shutdown(wait=True)
