"""Environments that have answered, handed to the invocations waiting for one.

An environment that has just answered asks for its next event a moment later (its runtime
sends the response, reads the 202, and calls ``next``). An invocation that finds no idle
environment waits for such a one rather than start another: a cold start costs far more
than that moment, and sequential callers get the same warm environment, as on AWS (where
the network round trip hides the moment).

Waiters are served in arrival order, each by its own environment, and only as many wait
as there are environments settling: the others start one at once. Without that, every
waiter woke for the first environment to settle and all but one started a new one, so a
steady load kept twice the environments it needed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

#: How long an invocation waits for an environment that has answered but whose runtime
#: has not asked for the next event yet, before it starts another environment.
SETTLE_WAIT_S = 0.25


class Handoff(Generic[T]):
    """Counts the environments settling and queues the invocations waiting for them."""

    def __init__(self, unclaimed: Callable[[T], None]) -> None:
        #: Where an environment goes that was handed to a waiter which gave up meanwhile.
        self._unclaimed = unclaimed
        self._settling = 0
        #: ``(deadline, waiter)`` in arrival order, so deadlines too are in order.
        self._waiters: deque[tuple[float, asyncio.Future[T | None]]] = deque()
        #: One timer for all waiters: at the first one's deadline.
        self._timer: asyncio.TimerHandle | None = None

    @property
    def settling(self) -> int:
        return self._settling

    def expect(self) -> None:
        """An environment has answered: it will :meth:`settle` (alive or not) later."""
        self._settling += 1

    def settle(self, environment: T | None) -> bool:
        """An environment asked for its next event (``None``: it died, or is closing). True
        if a waiter took it; a waiter told ``None`` starts an environment of its own."""
        self._settling -= 1
        while self._waiters:
            _, waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(environment)
                return environment is not None
        return False

    async def wait(self, timeout_s: float = SETTLE_WAIT_S) -> T | None:
        """The next environment to settle, if one is settling that no earlier waiter will
        get; ``None`` at once otherwise, or after ``timeout_s``."""
        if self._settling <= len(self._waiters):
            return None
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[T | None] = loop.create_future()
        entry = (loop.time() + timeout_s, waiter)
        self._waiters.append(entry)
        if self._timer is None:
            self._timer = loop.call_at(entry[0], self._expire)
        try:
            return await waiter
        except BaseException:
            # Cancelled after an environment was handed over: it must not be lost.
            if waiter.done() and not waiter.cancelled() and (handed := waiter.result()):
                self._unclaimed(handed)
            if entry in self._waiters:
                self._waiters.remove(entry)
            raise

    def _expire(self) -> None:
        """Waiters past their deadline start environments of their own."""
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._waiters and (self._waiters[0][0] <= now or self._waiters[0][1].done()):
            _, waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        if self._waiters:
            self._timer = loop.call_at(self._waiters[0][0], self._expire)
