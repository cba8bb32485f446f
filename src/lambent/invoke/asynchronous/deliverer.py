"""The deliverer: makes the deliveries the outbox holds, until each has been taken.

A record for a function destination becomes an event of that function (queued in the
transaction that takes it out of the outbox). Anything else goes to its AWS service. A
delivery that fails is counted (``DestinationDeliveryFailures`` or ``DeadLetterErrors``)
and tried again with AWS's backoff (1 s doubling to 5 minutes, scaled like every other
delay); after ``GIVE_UP_S`` of failures it is dropped, with a line in the function's
log, an error in the server's, and the count that every failure left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
import uuid

from lambent.domain.arn import FunctionRef
from lambent.domain.clock import Clock
from lambent.domain.event_invoke import function_of, service_of
from lambent.domain.retry import backoff_delay
from lambent.domain.rules import RuleViolation
from lambent.invoke.asynchronous.lanes import Lane
from lambent.invoke.asynchronous.outcome import AppendLog
from lambent.invoke.asynchronous.queue import EventQueue
from lambent.invoke.asynchronous.targets import DeliveryFailed, Targets
from lambent.invoke.cache import InvokeCache
from lambent.store import GroupCommit, async_metrics, outbox
from lambent.store.async_metrics import Counter
from lambent.store.outbox import Kind, Pending

log = logging.getLogger(__name__)

#: How long a delivery keeps being retried (AWS keeps events six hours).
GIVE_UP_S = 21600.0


class Deliverer:
    def __init__(
        self,
        commit: GroupCommit,
        targets: Targets,
        queue: EventQueue,
        cache: InvokeCache,
        clock: Clock,
        scale: float,
        append_log: AppendLog,
        concurrency: int = 16,
    ) -> None:
        self._commit = commit
        self._targets = targets
        self._queue = queue
        self._cache = cache
        self._clock = clock
        self._scale = scale
        self._append_log = append_log
        self._lane = Lane(("", "", ""), concurrency)
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        def work(c: sqlite3.Connection) -> float | None:
            outbox.release_claims(c)
            return outbox.next_due(c)

        due_at = await self._commit.write(work)
        if due_at is not None:
            self._lane.note(due_at)
        self._loop = asyncio.get_running_loop().create_task(self._run())

    def waiting(self) -> None:
        """Deliveries were added to the outbox, due now."""
        self._lane.note(self._clock())
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock()
            if self._lane.free and self._lane.due(now):
                await self._claim(now)
                continue
            wake = self._lane.next_due if self._lane.free else None
            timeout = None if wake is None else max(0.0, wake - self._clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _claim(self, now: float) -> None:
        slots = self._lane.free
        self._lane.claiming(slots)

        def work(c: sqlite3.Connection) -> tuple[list[Pending], float | None]:
            return outbox.claim(c, now, slots), outbox.next_due(c)

        try:
            claimed, next_due = await self._commit.write(work)
        except Exception:
            log.exception("claiming deliveries failed; trying again")
            self._lane.claimed(slots, 0, self._lane.next_due)
            await asyncio.sleep(1.0)
            return
        self._lane.claimed(slots, len(claimed), next_due)
        for pending in claimed:
            task = asyncio.get_running_loop().create_task(self._deliver(pending))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, pending: Pending) -> None:
        try:
            delivery = pending.delivery
            if delivery.kind is Kind.DESTINATION and service_of(delivery.target) == "lambda":
                await self._to_function(pending)
            else:
                await self._targets.send(delivery)
                await self._commit.write(lambda c: outbox.remove(c, pending.id))
        except Exception as e:
            await self._failed(pending, e)
        finally:
            self._lane.running -= 1
            self._wake.set()

    async def _to_function(self, pending: Pending) -> None:
        """A destination function is invoked asynchronously: the record is its event."""
        target = pending.delivery.target
        found = function_of(target)
        if found is None:
            raise DeliveryFailed(f"{target} is not a function ARN")
        account, region, name = found
        parts = target.split(":")
        ref = FunctionRef(account, region, name, parts[7] if len(parts) == 8 else None)
        try:
            await self._cache.get(ref)
        except RuleViolation as e:
            raise DeliveryFailed(f"{target}: {e}") from e
        await self._queue.enqueue(
            ref,
            str(uuid.uuid4()),
            pending.delivery.body,
            None,
            also=lambda c: outbox.remove(c, pending.id),
        )

    async def _failed(self, pending: Pending, error: Exception) -> None:
        delivery = pending.delivery
        counter = (
            Counter.DEAD_LETTER_ERRORS
            if delivery.kind is Kind.DEAD_LETTER
            else Counter.DESTINATION_DELIVERY_FAILURES
        )
        now = self._clock()
        give_up = now - pending.created_at > GIVE_UP_S * self._scale
        due_at = now + backoff_delay(pending.attempts) * self._scale
        log.warning("delivery %d to %s failed: %s", pending.id, delivery.target, error)

        def work(c: sqlite3.Connection) -> None:
            async_metrics.add(c, delivery.lane, now, counter)
            if give_up:
                outbox.remove(c, pending.id)
            else:
                outbox.retry(c, pending.id, due_at)

        try:
            await self._commit.write(work)
        except Exception:
            log.exception("delivery %d stays claimed until restart", pending.id)
            return
        if give_up:
            self._log_give_up(pending, error, now)
        else:
            self._lane.note(due_at)

    def _log_give_up(self, pending: Pending, error: Exception, now: float) -> None:
        delivery = pending.delivery
        account, region, function = delivery.lane
        line = (
            f"Lambent gave up delivering to {delivery.target} ({delivery.kind.value}) after "
            f"{pending.attempts + 1} attempts: {error}"
        )
        log.error("%s: %s", function, line)
        stream = time.strftime("%Y/%m/%d/", time.gmtime(now)) + "[$LATEST]lambent-async-events"
        self._append_log(
            account, region, f"/aws/lambda/{function}", stream, [(int(now * 1000), line)]
        )

    async def stop(self, grace_s: float) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        if self._deliveries:
            _, pending = await asyncio.wait(set(self._deliveries), timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
