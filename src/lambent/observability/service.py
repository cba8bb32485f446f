"""The log service: the Logs API's handlers, the LogSink and the retention sweep, one
lifetime (``start``, then ``close`` at shutdown)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Mapping
from typing import Any

from lambent.domain.clock import Clock
from lambent.observability import groups, put_events, read_events, streams
from lambent.observability.deps import LogsDeps, Operation
from lambent.observability.retention import RetentionSweeper
from lambent.observability.sink import LogSink
from lambent.store import Database
from lambent.store.log_writer import LogWriter

_MODULES = (groups, streams, put_events, read_events)


def operations() -> dict[str, Operation]:
    """Every implemented Logs operation, by the service model's operation name."""
    found: dict[str, Operation] = {}
    for module in _MODULES:
        found.update(module.OPERATIONS)
    return found


class LogService:
    def __init__(self, db: Database, clock: Clock, *, retention_interval: float = 3600.0) -> None:
        """``db`` is the log store's own database (``logs.db``); the caller closes it."""
        self._writer = LogWriter(db.path)
        self.sink = LogSink(self._writer, clock)
        self._deps = LogsDeps(db, clock)
        self._sweeper = RetentionSweeper(db, clock, interval=retention_interval)
        self._sweeping: asyncio.Task[None] | None = None

    def handlers(self) -> Mapping[str, Any]:
        """The operations with their dependencies bound: ``handler(ctx, params)``."""
        return {name: functools.partial(op, self._deps) for name, op in operations().items()}

    def start(self) -> None:
        """Begin the periodic retention sweep (needs the running event loop)."""
        self._sweeping = asyncio.get_running_loop().create_task(self._sweeper.run())

    async def sweep(self) -> int:
        """Delete expired events now; how many."""
        return await self._sweeper.sweep()

    async def close(self) -> None:
        """Stop sweeping and commit every line the sink accepted."""
        if self._sweeping is not None:
            self._sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeping
        await self.sink.close()
        await self._writer.close()
