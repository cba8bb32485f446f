"""The SQLite database: one file in WAL mode, reached through one dedicated thread.

Every write runs as one ``BEGIN IMMEDIATE`` transaction on that thread, so writes are
serialized (concurrent updates of one function cannot interleave) and a write the API
acknowledges has been committed (``synchronous=FULL``: fsync'd before COMMIT returns).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from lambent.store.schema import migrate

T = TypeVar("T")


class Database:
    def __init__(self, path: Path) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambent-db")
        self._connection = self._executor.submit(self._open, path).result()

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.row_factory = sqlite3.Row
        migrate(connection)
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
        return result

    def close(self) -> None:
        self._executor.submit(self._connection.close).result()
        self._executor.shutdown(wait=True)
