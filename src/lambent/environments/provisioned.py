"""One version's provisioned environments: initialised ahead of time, used before on-demand
ones, never reaped by the keep-alive, and replaced when one dies.

AWS: "Provisioned concurrency initializes a requested number of execution environments so
that they are prepared to respond immediately"; their runtime sees
``AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency``, and their invocations' REPORT
lines carry no ``Init Duration`` (the init happened before any invocation). When one fails
to initialise the configuration is FAILED and no more are started until it is put again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

from lambent.environments.environment import Environment
from lambent.environments.handoff import Handoff
from lambent.environments.outcome import Result
from lambent.runtime_api import ShutdownReason

log = logging.getLogger(__name__)

#: Starts one provisioned environment; a Result is the answer of an init that failed.
Start = Callable[[], Awaitable[Environment | Result]]

#: Environments of one version initialising at once: enough to provision quickly, few
#: enough that a large configuration does not starve the machine.
_PARALLEL_STARTS = 4


class Provisioned:
    def __init__(self, start: Start, on_change: Callable[[], None]) -> None:
        self._start = start
        self._on_change = on_change
        self.target = 0
        self._token: Hashable = None
        self.failed = False
        self._idle: list[Environment] = []
        self._busy: set[Environment] = set()
        self._starting: set[asyncio.Task[None]] = set()
        self._settling: set[asyncio.Task[None]] = set()
        self._handoff: Handoff[Environment] = Handoff(self._to_idle)
        self._closing: set[asyncio.Task[None]] = set()
        self._gate = asyncio.Semaphore(_PARALLEL_STARTS)
        self._closed = False

    @property
    def allocated(self) -> int:
        """Initialised environments (idle or serving an invocation)."""
        return len(self._idle) + len(self._busy)

    @property
    def size(self) -> int:
        """Every environment this set holds, starting ones included."""
        return self.allocated + len(self._starting)

    def provision(self, target: int, token: Hashable) -> None:
        """Hold ``target`` environments. A new ``token`` (the configuration was put again)
        clears a failure and tries again, as a Put on AWS does."""
        if token != self._token:
            self._token, self.failed = token, False
        self.target = target
        while self.allocated > target and self._idle:
            self._retire(self._idle.pop(0), ShutdownReason.SPINDOWN)
        self._fill()
        self._on_change()

    def take(self) -> Environment | None:
        """A free provisioned environment, if any (a dead one is dropped and replaced)."""
        while self._idle:
            environment = self._idle.pop()
            if environment.alive():
                self._busy.add(environment)
                return environment
            self._retire(environment, ShutdownReason.FAILURE)
            self._fill()
            self._on_change()
        return None

    async def acquire(self) -> Environment | None:
        """:meth:`take`, waiting a moment for one that has just answered."""
        return self.take() or await self._handoff.wait()

    def release(self, environment: Environment) -> None:
        """The invocation has answered: back to the free ones once the runtime asks for the
        next event, or replaced if it died."""
        self._handoff.expect()
        task = asyncio.get_running_loop().create_task(self._settle(environment))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    def discard(self, environment: Environment) -> None:
        """An invocation failed in a way that ended the environment: replace it."""
        self._busy.discard(environment)
        self._fill()
        self._on_change()

    async def _settle(self, environment: Environment) -> None:
        """Once the runtime asks for the next event: to the first invocation waiting for
        one, else back to the free ones (unless the target has shrunk meanwhile)."""
        alive = False
        try:
            alive = await environment.wait_idle()
        finally:
            # Still counted as allocated: it stays so if it is kept.
            keep = alive and not self._closed and self.allocated <= self.target
            if not self._handoff.settle(environment if keep else None):
                self._busy.discard(environment)
                if keep:
                    self._idle.append(environment)
        if alive and not keep:
            await environment.close()
        self._fill()
        self._on_change()

    def _to_idle(self, environment: Environment) -> None:
        self._busy.discard(environment)
        if self._closed or self.allocated >= self.target:
            self._retire(environment, ShutdownReason.SPINDOWN)
        else:
            self._idle.append(environment)

    def sweep(self) -> None:
        """Drop idle environments that died between invocations (killed from outside, say),
        and start their replacements."""
        dead = [e for e in self._idle if not e.alive()]
        if not dead:
            return
        self._idle = [e for e in self._idle if e not in dead]
        for environment in dead:
            self._retire(environment, ShutdownReason.FAILURE)
        self._fill()
        self._on_change()

    def _fill(self) -> None:
        while not self._closed and not self.failed and self.size < self.target:
            task = asyncio.get_running_loop().create_task(self._start_one())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def _start_one(self) -> None:
        async with self._gate:
            if self._closed or self.failed or self.allocated >= self.target:
                return
            try:
                started = await self._start()
            except Exception:
                log.exception("a provisioned environment failed to start")
                started = None
        if isinstance(started, Environment) and not self._closed and self.allocated < self.target:
            self._idle.append(started)
        elif isinstance(started, Environment):
            await started.close()
        else:
            self.failed = True
        self._on_change()

    def _retire(self, environment: Environment, reason: ShutdownReason) -> None:
        """Close ``environment`` in the background (a dead one's close may wait a moment)."""
        task = asyncio.get_running_loop().create_task(environment.close(reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def retire(self) -> None:
        """No more provisioned environments: idle ones close now, busy ones when their
        invocation has ended, starting ones as soon as they are up."""
        self._closed = True
        self.target = 0
        idle, self._idle = self._idle, []
        await asyncio.gather(*(e.close() for e in idle))
        self._on_change()

    async def close(self) -> None:
        """Shut everything down now, busy and starting environments included (server
        shutdown: the sandbox launcher ends what a cancelled start leaves behind)."""
        await self.retire()
        for task in (*self._starting, *self._settling):
            task.cancel()
        for task in (*self._starting, *self._settling):
            with contextlib.suppress(BaseException):
                await task
        busy, self._busy = list(self._busy), set()
        await asyncio.gather(*(e.close() for e in busy), *self._closing)
