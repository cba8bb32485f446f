"""Asynchronous invocation as one service: its queue, dispatcher and deliverer over one
database of its own (``events.db``), started and stopped together.

Stopping keeps the promise made with every 202: the dispatcher takes no more events,
attempts under way finish (or, past the grace period, are cancelled and run again after
the next start-up), and whatever is still queued stays on disk.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from lambent.domain.clock import Clock
from lambent.domain.limits import ASYNC_PAYLOAD_MAX
from lambent.environments import Environments
from lambent.invoke.asynchronous.attempt import Admit, Runner, admit_all
from lambent.invoke.asynchronous.configs import EventConfigs
from lambent.invoke.asynchronous.deliverer import Deliverer
from lambent.invoke.asynchronous.dispatcher import Dispatcher
from lambent.invoke.asynchronous.outcome import AppendLog
from lambent.invoke.asynchronous.queue import EventQueue
from lambent.invoke.asynchronous.targets import Targets
from lambent.invoke.cache import InvokeCache
from lambent.store import Database, GroupCommit, async_metrics, event_schema, events, outbox
from lambent.store.async_metrics import AsyncCounters
from lambent.store.events import Lane

log = logging.getLogger(__name__)

#: A function's asynchronous events run at most this many at a time (besides its
#: concurrency limits), so one busy function cannot take every process on the host.
DEFAULT_CONCURRENCY = 10


class AsyncInvocation:
    def __init__(
        self,
        path: Path,
        control_db: Database,
        cache: InvokeCache,
        environments: Environments,
        append_log: AppendLog,
        clock: Clock,
        *,
        admit: Admit = admit_all,
        scale: float = 1.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_payload: int = ASYNC_PAYLOAD_MAX,
    ) -> None:
        self._db = Database(path, event_schema.MIGRATIONS)
        self._commit = GroupCommit(self._db)
        runner = Runner(cache, EventConfigs(control_db), environments, admit, clock, scale)
        self.dispatcher = Dispatcher(
            self._commit, runner, clock, concurrency, append_log, self._deliveries_waiting
        )
        self.queue = EventQueue(self._commit, self.dispatcher, clock, max_payload)
        self.deliverer = Deliverer(
            self._commit, Targets(), self.queue, cache, clock, scale, append_log
        )

    def _deliveries_waiting(self) -> None:
        self.deliverer.waiting()

    async def start(self) -> None:
        released = await self.dispatcher.start()
        await self.deliverer.start()
        waiting = await self._db.read(lambda c: (events.count(c), outbox.count(c)))
        if released or any(waiting):
            log.info(
                "asynchronous events: %d queued (%d were running when the last server "
                "stopped), %d deliveries pending",
                waiting[0],
                released,
                waiting[1],
            )

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop taking events and deliveries; what runs gets ``grace_s`` to finish."""
        await self.dispatcher.stop(grace_s)
        await self.deliverer.stop(grace_s)
        await self._commit.flush()

    def close(self) -> None:
        self._db.close()

    async def counters(
        self, lane: Lane, start: float | None = None, end: float | None = None
    ) -> AsyncCounters:
        """A function's asynchronous-invocation metrics (account, region, name)."""

        def work(c: sqlite3.Connection) -> AsyncCounters:
            return async_metrics.read(c, lane, start, end)

        return await self._db.read(work)
