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

#: UPDATE ... FROM (the log store's batched summaries) came with SQLite 3.33.
MIN_SQLITE = (3, 33, 0)


def connect(path: Path) -> sqlite3.Connection:
    """A connection as every user of a database file needs it: WAL, ``synchronous=FULL``,
    foreign keys on, transactions begun explicitly; waits up to 5 s for another writer."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    _check_features(connection)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def transaction(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction: all of it is committed, or
    none of it (a COMMIT that fails is rolled back too)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result


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
        self.path = path
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"lambent-db-{path.stem}"
        )
        try:
            self._connection = self._executor.submit(self._open, path, migrations).result()
        except BaseException:
            self._executor.shutdown()
            raise
        self._generation = 0

    @staticmethod
    def _open(path: Path, migrations: Sequence[str]) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = connect(path)
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
        result = transaction(self._connection, work)
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


def _check_features(connection: sqlite3.Connection) -> None:
    """Refuse to start, saying why, on an SQLite without what the stores use."""
    version = sqlite3.sqlite_version
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise RuntimeError(f"Lambent needs SQLite 3.33 or later; Python's sqlite3 has {version}")
    try:
        connection.execute("SELECT json_array()")
    except sqlite3.OperationalError:
        raise RuntimeError(
            f"Lambent needs SQLite's JSON functions; this SQLite ({version}) lacks them"
        ) from None
