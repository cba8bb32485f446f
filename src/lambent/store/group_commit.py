"""Group commit: many concurrent writers share one transaction, and one fsync.

Writes submitted while a transaction is being committed wait for it and then go
together in the next one, so under load each commit carries as many writes as arrived
during the previous commit: a lone writer still commits at once, while many reach the
rate of whole batches per fsync. Each write runs inside a SAVEPOINT: one that raises is
rolled back alone, and only its caller sees the error. Every caller's result is
returned only after the transaction holding its write has committed.

Results come back in submission order, so a write observed by a later read was always
reported to its own caller first.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from lambent.store.db import Database

T = TypeVar("T")

Work = Callable[[sqlite3.Connection], Any]


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = 1000) -> None:
        self._db = db
        self._max_batch = max_batch
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.transactions = 0
        self.writes = 0

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in a shared transaction; its result once that has committed."""
        return await self.submit(work)

    def submit(self, work: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue ``work``; the future has its result once its transaction has committed.
        Cancelling the future does not withdraw the work: it may still be committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((work, future))
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._drain())
        return future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                outcomes = await self._db.write(functools.partial(_apply, batch=batch))
            except BaseException as e:  # the commit itself failed: nothing was written
                for _, future in batch:
                    if not future.done():
                        future.set_exception(e if isinstance(e, Exception) else RuntimeError(e))
                if not isinstance(e, Exception):
                    raise
                continue
            self.transactions += 1
            self.writes += len(batch)
            for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    async def flush(self) -> None:
        """Wait until every write submitted so far has been committed (or has failed)."""
        while self._runner is not None and not self._runner.done():
            await asyncio.shield(self._runner)


def _apply(c: sqlite3.Connection, batch: list[tuple[Work, asyncio.Future[Any]]]) -> list[Any]:
    outcomes: list[tuple[bool, Any]] = []
    for work, _ in batch:
        c.execute("SAVEPOINT one_write")
        try:
            value = work(c)
        except Exception as e:
            c.execute("ROLLBACK TO one_write")
            c.execute("RELEASE one_write")
            outcomes.append((False, e))
            continue
        c.execute("RELEASE one_write")
        outcomes.append((True, value))
    return outcomes
