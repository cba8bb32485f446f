"""Waiting for what a runtime owes (its answer, its next poll), cut short by its sandbox's
end or by a deadline.

This is the hot path's wait, twice per invocation, so it is lean: instead of
``asyncio.wait`` over several futures (sets, a waiter future, callbacks added and
removed each time), the sandbox's end and the deadline complete the awaited future
itself, with the exception that says which came first.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, TypeVar

_T = TypeVar("_T")


class SandboxExited(Exception):
    """The sandbox ended while the environment waited for its runtime."""


class Watch:
    """One environment's waits on its runtime, one at a time.

    The deadline's timer outlives a wait: most invocations end long before their
    deadline, and arming and cancelling a timer for each cost more than the wait itself.
    When the timer fires it fails the wait under way if that one's deadline has passed,
    and otherwise goes back to sleep until it would.
    """

    def __init__(self, exited: asyncio.Future[Any]) -> None:
        self._exited = exited
        self._watched: asyncio.Future[Any] | None = None
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        #: When the timer fires (a ``time.perf_counter()`` value).
        self._alarm = 0.0
        exited.add_done_callback(self._on_exit)

    async def wait(self, future: asyncio.Future[_T], deadline: float | None = None) -> _T:
        """``future``'s result; :class:`SandboxExited` if the sandbox ends first (or has
        ended), ``TimeoutError`` past ``deadline`` (a ``time.perf_counter()`` value)."""
        if self._exited.done() and not future.done():
            future.set_exception(SandboxExited())
        self._watched = future
        self._deadline = deadline
        if deadline is not None and (self._timer is None or deadline < self._alarm):
            self._arm(deadline)
        try:
            return await future
        finally:
            self._watched = None
            self._deadline = None

    def _arm(self, deadline: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._alarm = deadline
        left = deadline - time.perf_counter()
        # The loop's timer may fire a hair early (uvloop counts cached milliseconds).
        self._timer = asyncio.get_running_loop().call_later(left + 0.0005, self._ring)

    def _ring(self) -> None:
        self._timer = None
        deadline, watched = self._deadline, self._watched
        if deadline is None or watched is None or watched.done():
            return
        if time.perf_counter() < deadline:
            self._arm(deadline)
        else:
            watched.set_exception(TimeoutError())

    def _on_exit(self, _: asyncio.Future[Any]) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        watched = self._watched
        if watched is not None and not watched.done():
            watched.set_exception(SandboxExited())
