"""Accepting asynchronous events: an event is answered 202 only once it is on disk.

Each accepted event is one row in ``events.db`` (a database of its own, with its own
thread, so accepting never waits behind the control plane or the logs), written by group
commit: concurrent accepts share a transaction and its fsync. Its ``AsyncEventsReceived``
count is written with it. Records for a function destination are queued here too, in the
transaction that takes them out of the outbox.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

from lambent.domain.arn import FunctionRef
from lambent.domain.clock import Clock
from lambent.domain.invocation_record import payload_too_large
from lambent.domain.limits import ASYNC_PAYLOAD_MAX
from lambent.errors import RequestEntityTooLarge
from lambent.invoke.asynchronous.dispatcher import Dispatcher
from lambent.store import GroupCommit, async_metrics, events
from lambent.store.async_metrics import Counter
from lambent.store.events import Event, NewEvent


class EventQueue:
    def __init__(
        self,
        commit: GroupCommit,
        dispatcher: Dispatcher,
        clock: Clock,
        max_payload: int = ASYNC_PAYLOAD_MAX,
    ) -> None:
        self._commit = commit
        self._dispatcher = dispatcher
        self._clock = clock
        self._max_payload = max_payload

    def check_size(self, payload: bytes) -> None:
        """AWS refuses an Event payload over the limit before queueing it (413)."""
        if len(payload) > self._max_payload:
            raise RequestEntityTooLarge(payload_too_large(len(payload), self._max_payload))

    async def accept(
        self, ref: FunctionRef, request_id: str, payload: bytes, client_context: str | None
    ) -> None:
        """Queue an event for ``ref``; returns once it is durably stored."""
        self.check_size(payload)
        await self.enqueue(ref, request_id, payload, client_context)

    async def enqueue(
        self,
        ref: FunctionRef,
        request_id: str,
        payload: bytes,
        client_context: str | None,
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        """Queue an event, and run ``also`` in the same transaction."""
        new = NewEvent(
            request_id,
            ref.account,
            ref.region,
            ref.name,
            ref.qualifier,
            payload,
            client_context,
            self._clock(),
        )
        claimed = self._dispatcher.reserve(new.lane, new.accepted_at)

        def work(c: sqlite3.Connection) -> Event:
            event = events.insert(c, new, claimed=claimed)
            async_metrics.add(c, new.lane, new.accepted_at, Counter.RECEIVED)
            if also is not None:
                also(c)
            return event

        stored = self._commit.submit(work)
        # Handed on from the commit itself, not from this coroutine: once written, the
        # event reaches the dispatcher even if the caller (an HTTP request whose client
        # went away) is cancelled meanwhile.
        stored.add_done_callback(lambda done: self._stored(new, claimed, done))
        await asyncio.shield(stored)

    def _stored(self, new: NewEvent, claimed: bool, done: asyncio.Future[Event]) -> None:
        if done.cancelled() or done.exception() is not None:
            if claimed:
                self._dispatcher.unreserve(new.lane)
        elif claimed:
            self._dispatcher.run(done.result())
        else:
            self._dispatcher.queued(new.lane, new.accepted_at)
