"""Retention: a periodic sweep deletes events older than their group's retention.

As in AWS, expiry is not immediate (AWS deletes "typically within 72 hours"): events
past retention go at the next sweep, by default hourly. Deletes run in bounded
transactions so that appends and reads are never held up for long.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3

from lambent.domain.clock import Clock
from lambent.observability import limits
from lambent.store import Database, logs

log = logging.getLogger(__name__)


class RetentionSweeper:
    def __init__(
        self, db: Database, clock: Clock, *, interval: float = 3600.0, batch: int = 10_000
    ) -> None:
        self._db = db
        self._clock = clock
        self._interval = interval
        self._batch = batch

    async def sweep(self) -> int:
        """Delete every expired event now; how many were deleted."""
        now = int(self._clock() * 1000)
        deleted = 0
        for group_id, days in await self._db.read(logs.retained_groups):
            expire = functools.partial(
                logs.expire_events,
                group_id=group_id,
                before=now - days * limits.DAY_MS,
                batch=self._batch,
            )
            removed = 0
            while (count := await self._db.write(expire)) > 0:
                removed += count
                if count < self._batch:
                    break
            if removed:
                await self._db.write(
                    functools.partial(logs.recount_stored_bytes, group_id=group_id)
                )
            deleted += removed
        return deleted

    async def run(self) -> None:
        """Sweep every ``interval`` seconds until cancelled."""
        while True:
            try:
                deleted = await self.sweep()
                if deleted:
                    log.info("retention: deleted %d expired log events", deleted)
            except (sqlite3.Error, OSError):
                log.exception("retention sweep failed")
            await asyncio.sleep(self._interval)
