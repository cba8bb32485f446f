"""One function version's environments: warm ones reused most-recently-used first."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from lambent.environments.environment import Environment, Request, State
from lambent.environments.outcome import Result

#: Starts an environment for this version; the bool says whether it is a cold start
#: that failed in init (then the Result is the answer and no environment exists).
Starter = Callable[[Request, bool], Awaitable[Environment | Result]]

#: How long an invocation waits for an environment that has answered but whose runtime
#: has not asked for the next event yet, before it starts another environment.
SETTLE_WAIT_S = 0.25


class Pool:
    def __init__(self, start: Starter) -> None:
        self._start = start
        self._idle: list[Environment] = []
        self._busy: set[Environment] = set()
        self._settling: set[asyncio.Task[None]] = set()
        self.retired = False

    @property
    def size(self) -> int:
        return len(self._idle) + len(self._busy)

    async def run(self, request: Request, tail: bool) -> Result:
        """Run ``request`` in a warm environment, or a new one when none is idle."""
        cold = False
        environment = self._take_idle() or await self._await_settling()
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
        task = asyncio.get_running_loop().create_task(self._settle(environment))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return result

    def _take_idle(self) -> Environment | None:
        while self._idle:
            environment = self._idle.pop()  # most recently used: warmest caches
            if environment.state is State.READY:
                return environment
        return None

    async def _await_settling(self) -> Environment | None:
        """An environment that has just answered asks for its next event a moment later:
        waiting for it beats a cold start, and sequential callers get the same warm
        environment, as on AWS (where the network round trip hides that moment)."""
        if not self._settling:
            return None
        await asyncio.wait(
            set(self._settling), timeout=SETTLE_WAIT_S, return_when=asyncio.FIRST_COMPLETED
        )
        return self._take_idle()

    async def _settle(self, environment: Environment) -> None:
        """Back to the idle list once the runtime asks for the next event."""
        alive = await environment.wait_idle()
        self._busy.discard(environment)
        if alive and not self.retired:
            self._idle.append(environment)
        elif alive:
            await environment.close()

    async def reap(self, keep_alive_s: float) -> None:
        """Close environments idle for longer than the keep-alive."""
        cutoff = time.monotonic() - keep_alive_s
        stale = [e for e in self._idle if e.last_used < cutoff]
        self._idle = [e for e in self._idle if e.last_used >= cutoff]
        await asyncio.gather(*(e.close() for e in stale))

    async def retire(self) -> None:
        """Idle environments close now, busy ones when their invocation has ended."""
        self.retired = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(e.close() for e in idle))

    async def close(self) -> None:
        """Shut everything down now, busy environments included (server shutdown)."""
        await self.retire()
        busy, self._busy = list(self._busy), set()
        await asyncio.gather(*(e.close() for e in busy))
        for task in list(self._settling):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
