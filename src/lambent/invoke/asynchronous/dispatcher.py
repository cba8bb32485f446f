"""The dispatcher: takes due events from the queue, lane by lane, and runs them.

It wakes when something may have become runnable (an event queued, an attempt ended, a
retry's time came), never by polling: the queue tells it what it wrote. An event that
arrives while its lane has a free slot and nothing older is due skips the queue's read
altogether: it is stored already claimed and runs as soon as its transaction commits.

Every claim is a write (``events.claimed``), so no event runs twice at once; on start-up
the claims of a server that died are released and those events run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable

from lambent.domain.clock import Clock
from lambent.invoke.asynchronous.attempt import Runner
from lambent.invoke.asynchronous.lanes import Lane, Lanes
from lambent.invoke.asynchronous.outcome import AppendLog, Recorder
from lambent.store import GroupCommit, events
from lambent.store.events import Event
from lambent.store.events import Lane as LaneKey

log = logging.getLogger(__name__)

#: How long an event whose outcome could not be written waits before it is tried again.
_RELEASE_DELAY_S = 5.0


class Dispatcher:
    def __init__(
        self,
        commit: GroupCommit,
        runner: Runner,
        clock: Clock,
        capacity: int,
        append_log: AppendLog,
        deliveries_waiting: Callable[[], None],
    ) -> None:
        self._commit = commit
        self._runner = runner
        self._clock = clock
        self._lanes = Lanes(capacity)
        self._recorder = Recorder(commit, clock, append_log, self.queued, deliveries_waiting)
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._attempts: set[asyncio.Task[None]] = set()
        self._stopping = False

    async def start(self) -> int:
        """Queue again what a previous server left claimed, and start; how many it left."""

        def work(c: sqlite3.Connection) -> tuple[int, dict[LaneKey, float]]:
            return events.release_claims(c), events.waiting(c)

        released, waiting = await self._commit.write(work)
        for key, due_at in waiting.items():
            self._lanes[key].note(due_at)
        self._loop = asyncio.get_running_loop().create_task(self._run())
        return released

    @property
    def running(self) -> int:
        return len(self._attempts)

    def reserve(self, key: LaneKey, now: float) -> bool:
        """Hold a slot for an event about to be queued, if it may run straight away: its
        lane has a free slot and no older event is due."""
        lane = self._lanes[key]
        if self._stopping or not lane.free or lane.due(now):
            return False
        lane.running += 1
        return True

    def unreserve(self, key: LaneKey) -> None:
        self._lanes[key].running -= 1
        self._wake.set()

    def run(self, event: Event) -> None:
        """Run ``event``, stored claimed in a slot :meth:`reserve` held."""
        if self._stopping:  # it stays claimed: the next start-up queues it again
            self._lanes[event.lane].running -= 1
            return
        task = asyncio.get_running_loop().create_task(self._attempt(event))
        self._attempts.add(task)
        task.add_done_callback(self._attempts.discard)

    def queued(self, key: LaneKey, due_at: float) -> None:
        """An event of lane ``key`` was written unclaimed, due at ``due_at``."""
        self._lanes[key].note(due_at)
        self._wake.set()

    async def _attempt(self, event: Event) -> None:
        try:
            outcome = await self._runner.run(event)
            await self._recorder.record(event, outcome)
        except Exception:
            log.exception("asynchronous event %s: attempt not recorded", event.request_id)
            await self._release(event)
        finally:
            self._lanes[event.lane].running -= 1
            self._wake.set()

    async def _release(self, event: Event) -> None:
        due_at = self._clock() + _RELEASE_DELAY_S
        try:
            await self._commit.write(lambda c: events.release(c, event.id, due_at))
        except Exception:
            log.exception("asynchronous event %s stays claimed until restart", event.request_id)
            return
        self._lanes[event.lane].note(due_at)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock()
            ready = self._lanes.ready(now)
            if ready:
                await self._claim(ready, now)
                continue
            wake = self._lanes.next_wake()
            timeout = None if wake is None else max(0.0, wake - self._clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _claim(self, ready: list[Lane], now: float) -> None:
        asks = [(lane, lane.free) for lane in ready]
        for lane, slots in asks:
            lane.claiming(slots)

        def work(c: sqlite3.Connection) -> list[tuple[list[Event], float | None]]:
            return [
                (events.claim(c, lane.key, now, slots), events.next_due(c, lane.key))
                for lane, slots in asks
            ]

        try:
            results = await self._commit.write(work)
        except Exception:
            log.exception("claiming asynchronous events failed; trying again")
            for lane, slots in asks:
                lane.claimed(slots, 0, lane.next_due)
            await asyncio.sleep(1.0)
            return
        for (lane, slots), (claimed, next_due) in zip(asks, results, strict=True):
            lane.claimed(slots, len(claimed), next_due)
            for event in claimed:
                self.run(event)

    async def stop(self, grace_s: float) -> None:
        """Stop taking events; let attempts under way finish for up to ``grace_s``, then
        cancel the rest (their events stay claimed: the next start-up runs them again)."""
        self._stopping = True
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        if self._attempts:
            _, pending = await asyncio.wait(set(self._attempts), timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
