"""One function version's environments: provisioned ones first, then warm on-demand ones
reused most-recently-used first, then a new one if admission allows."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext

from lambent.environments.environment import Environment
from lambent.environments.handoff import Handoff
from lambent.environments.invocation import Request
from lambent.environments.outcome import Result
from lambent.environments.provisioned import Provisioned
from lambent.runtime_api import ShutdownReason

#: Starts an environment for this version; the bool says whether it is a cold start
#: that failed in init (then the Result is the answer and no environment exists).
Starter = Callable[[Request, bool], Awaitable[Environment | Result]]

#: Concurrency admission for an on-demand invocation: holds one unit for the ``with``
#: block, or raises the throttle at once. Provisioned environments need none: they are
#: concurrency already allocated.
Admit = Callable[[], AbstractContextManager[None]]


class Pool:
    def __init__(self, start: Starter, provisioned: Provisioned) -> None:
        self._start = start
        self.provisioned = provisioned
        self._idle: list[Environment] = []
        self._busy: set[Environment] = set()
        self._settling: set[asyncio.Task[None]] = set()
        self._handoff: Handoff[Environment] = Handoff(self._to_idle)
        self._closing: set[asyncio.Task[None]] = set()
        self.retired = False

    @property
    def size(self) -> int:
        return len(self._idle) + len(self._busy) + self.provisioned.size

    @property
    def idle(self) -> int:
        """On-demand environments waiting for an invocation."""
        return len(self._idle)

    @property
    def busy(self) -> int:
        """On-demand environments serving an invocation."""
        return len(self._busy)

    async def run(self, request: Request, tail: bool, admit: Admit | None = None) -> Result:
        """Run ``request`` in a provisioned environment, else (if ``admit`` lets it) in a
        warm on-demand one, or a new one when none is idle."""
        provisioned = await self.provisioned.acquire()
        if provisioned is not None:
            return await self._run_provisioned(provisioned, request, tail)
        with admit() if admit is not None else nullcontext():
            return await self._run_on_demand(request, tail)

    async def _run_provisioned(
        self, environment: Environment, request: Request, tail: bool
    ) -> Result:
        try:
            result = await environment.invoke(request, tail=tail, cold=False)
        except BaseException:
            await environment.close()
            self.provisioned.discard(environment)
            raise
        self.provisioned.release(environment)
        return result

    async def _run_on_demand(self, request: Request, tail: bool) -> Result:
        cold = False
        environment = self._take_idle() or await self._handoff.wait()
        if environment is None:
            started = await self._start(request, tail)
            if isinstance(started, Result):
                return started
            environment, cold = started, True
        self._busy.add(environment)
        try:
            result = await environment.invoke(request, tail=tail, cold=cold)
        except BaseException:
            self._busy.discard(environment)
            await environment.close()
            raise
        self._handoff.expect()
        task = asyncio.get_running_loop().create_task(self._settle(environment))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return result

    def _take_idle(self) -> Environment | None:
        """The most recently used idle environment (warmest caches) that is still alive;
        one that died between invocations is dropped: the caller gets another, or a new one,
        and never sees that death."""
        while self._idle:
            environment = self._idle.pop()
            if environment.alive():
                return environment
            self._close_later(environment, ShutdownReason.FAILURE)
        return None

    def _close_later(self, environment: Environment, reason: ShutdownReason) -> None:
        task = asyncio.get_running_loop().create_task(environment.close(reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _settle(self, environment: Environment) -> None:
        """Once the runtime asks for the next event: to the first invocation waiting for
        one, else back to the idle list."""
        alive = False
        try:
            alive = await environment.wait_idle()
        finally:
            usable = alive and not self.retired
            if not self._handoff.settle(environment if usable else None):
                self._busy.discard(environment)
                if usable:
                    self._idle.append(environment)
        if alive and not usable:
            await environment.close()

    def _to_idle(self, environment: Environment) -> None:
        self._busy.discard(environment)
        if self.retired:
            self._close_later(environment, ShutdownReason.SPINDOWN)
        else:
            self._idle.append(environment)

    async def reap(self, keep_alive_s: float) -> None:
        """Close on-demand environments idle for longer than the keep-alive, and drop idle
        ones seen to have died (provisioned ones are never reaped: they are replaced). A
        frozen one's pending death is looked for only when it is taken."""
        cutoff = time.monotonic() - keep_alive_s
        dead = [e for e in self._idle if not e.alive(thorough=False)]
        for environment in dead:
            self._close_later(environment, ShutdownReason.FAILURE)
        stale = [e for e in self._idle if e.last_used < cutoff and e not in dead]
        self._idle = [e for e in self._idle if e.last_used >= cutoff and e not in dead]
        self.provisioned.sweep()
        await asyncio.gather(*(e.close() for e in stale))

    async def retire(self) -> None:
        """Idle environments close now, busy ones when their invocation has ended."""
        self.retired = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(e.close() for e in idle), self.provisioned.retire())

    async def close(self) -> None:
        """Shut everything down now, busy environments included (server shutdown)."""
        await self.retire()
        busy, self._busy = list(self._busy), set()
        await asyncio.gather(*(e.close() for e in busy), self.provisioned.close(), *self._closing)
        for task in list(self._settling):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
