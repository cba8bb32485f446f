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
    """One environment's waits on its runtime, one at a time."""

    def __init__(self, exited: asyncio.Future[Any]) -> None:
        self._exited = exited
        self._watched: asyncio.Future[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        exited.add_done_callback(self._on_exit)

    async def wait(self, future: asyncio.Future[_T], deadline: float | None = None) -> _T:
        """``future``'s result; :class:`SandboxExited` if the sandbox ends first (or has
        ended), ``TimeoutError`` past ``deadline`` (a ``time.perf_counter()`` value)."""
        if self._exited.done() and not future.done():
            future.set_exception(SandboxExited())
        self._watched = future
        if deadline is not None:
            self._expire_at(future, deadline)
        try:
            return await future
        finally:
            self._watched = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _expire_at(self, future: asyncio.Future[Any], deadline: float) -> None:
        left = deadline - time.perf_counter()
        if left > 0:
            # The loop's timer may fire a hair early (uvloop counts cached milliseconds).
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(left + 0.0005, self._expire_at, future, deadline)
        elif not future.done():
            self._timer = None
            future.set_exception(TimeoutError())

    def _on_exit(self, _: asyncio.Future[Any]) -> None:
        watched = self._watched
        if watched is not None and not watched.done():
            watched.set_exception(SandboxExited())
