"""One execution environment: one sandbox, one runtime process, one function version.

It serves one invocation at a time and is reused while warm, as on AWS. Its lifecycle is
an explicit state machine::

    STARTING → READY ⇄ INVOKING → DEAD
        └──────────→ DEAD (init failed)        INVOKING → DEAD (timeout, crash)

Lambda's init phase is capped at 10 s; the caller decides what to do when it runs out
(AWS retries the init inside the first invocation, within the function's timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from lambent.domain.states import StateEnum
from lambent.environments.invocation import PendingReport, Request
from lambent.environments.launch import Identity
from lambent.environments.logs import LogStream
from lambent.environments.outcome import (
    EXIT_ERROR,
    JSON_TYPE,
    OUT_OF_MEMORY,
    SANDBOX_TIMEDOUT,
    Result,
    exited_message,
    platform_error,
    timed_out_message,
)
from lambent.environments.platform_log import Report, iso_now
from lambent.environments.watch import SandboxExited, Watch
from lambent.runtime_api import (
    Abandoned,
    FunctionError,
    FunctionMetadata,
    InitError,
    Invocation,
    RuntimeApi,
    RuntimeApiError,
    ShutdownReason,
)
from lambent.sandbox import (
    ExitStatus,
    Sandbox,
    SandboxError,
    SandboxLauncher,
    SandboxSpec,
    SandboxState,
    fatal_signal_pending,
)

log = logging.getLogger(__name__)

SpecFactory = Callable[[str], SandboxSpec]
"""The sandbox spec, given the address of the environment's Runtime API listener."""

#: Idle time after which an environment is frozen (see ``_freeze_later``).
FREEZE_AFTER_S = 0.02
#: AWS: "The Init phase is limited to 10 seconds."
INIT_LIMIT_S = 10.0
#: AWS gives extensions 2 s (500 ms for the runtime alone) to finish on SHUTDOWN.
_SHUTDOWN_GRACE_S = 2.0
_MIB = 1024 * 1024


class State(StateEnum):
    STARTING = "starting"
    READY = "ready"
    INVOKING = "invoking"
    DEAD = "dead"


_NEXT: dict[State, frozenset[State]] = {
    State.STARTING: frozenset({State.READY, State.DEAD}),
    State.READY: frozenset({State.INVOKING, State.DEAD}),
    State.INVOKING: frozenset({State.READY, State.DEAD}),
    State.DEAD: frozenset(),
}


class InitFailed(Exception):
    """Initialisation failed; ``result`` is what the invocation that waited answers."""

    def __init__(self, result: Result, timed_out: bool) -> None:
        super().__init__(result.error_type)
        self.result = result
        self.timed_out = timed_out


class Environment:
    def __init__(
        self,
        identity: Identity,
        timeout_s: int,
        sandbox: Sandbox,
        api: RuntimeApi,
        log: LogStream,
        pumps: list[asyncio.Task[None]],
    ) -> None:
        self.identity = identity
        self.timeout_s = timeout_s
        self._sandbox = sandbox
        self._api = api
        self.log = log
        self._pumps = pumps
        self._state = State.STARTING
        self.init_duration_ms: float | None = None
        self._pending_report: PendingReport | None = None
        self._freeze_timer: asyncio.TimerHandle | None = None
        self._freezing: asyncio.Task[None] | None = None
        self.last_used = time.monotonic()
        #: The sandbox's end, watched once for the environment's whole life.
        self._exited: asyncio.Future[ExitStatus] = asyncio.ensure_future(sandbox.wait())
        self._watch = Watch(self._exited)

    @property
    def state(self) -> State:
        return self._state

    def alive(self, thorough: bool = True) -> bool:
        """Whether a READY environment can take an invocation (one killed between two
        must not: its caller would see the death). A live runtime waits in ``next``; a
        frozen one's death may be pending (``thorough`` reads ``/proc`` for it)."""
        if self._state is not State.READY or self._sandbox.exit_status is not None:
            return False
        if not self._api.runtime_waiting:  # its connection closed: the runtime is gone
            return False
        if thorough and self._sandbox.state is SandboxState.FROZEN:
            return not fatal_signal_pending(self._sandbox.pids())
        return True

    def _enter(self, state: State) -> None:
        if state not in _NEXT[self._state]:
            raise RuntimeError(f"environment: {self._state.value} → {state.value}")
        self._state = state

    @classmethod
    async def start(
        cls,
        launcher: SandboxLauncher,
        identity: Identity,
        timeout_s: int,
        spec_for: SpecFactory,
        log: LogStream,
        init_limit_s: float = INIT_LIMIT_S,
        extensions: Sequence[str] = (),
        request_id: str = "",
    ) -> Environment:
        """Start the runtime (and ``extensions``, which init then waits for) and wait for
        its init phase; raises :class:`InitFailed` (whose error names ``request_id``, the
        invocation that waited for the init, as AWS's does)."""
        metadata = FunctionMetadata(
            identity.name, identity.version, identity.handler, identity.account
        )
        api = await RuntimeApi.start(metadata, external_extensions=tuple(extensions))
        try:
            sandbox = await launcher.start(spec_for(api.address))
        except BaseException:
            await api.close()
            raise
        pumps = [
            asyncio.create_task(log.pump(sandbox.stdout)),
            asyncio.create_task(log.pump(sandbox.stderr)),
        ]
        environment = cls(identity, timeout_s, sandbox, api, log, pumps)
        await environment._init(init_limit_s, request_id)
        return environment

    async def _init(self, limit_s: float, request_id: str) -> None:
        started = time.perf_counter()
        ready = asyncio.ensure_future(self._api.wait_ready())
        exited = self._exited
        either: set[asyncio.Future[Any]] = {ready, exited}
        done, _ = await asyncio.wait(either, timeout=limit_s, return_when="FIRST_COMPLETED")
        self.init_duration_ms = (time.perf_counter() - started) * 1000
        outcome = ready.result() if ready in done else None
        if outcome is not None and not isinstance(outcome, InitError):
            self._enter(State.READY)
            self._freeze_later()  # still until its first event (provisioned)
            return
        ready.cancel()
        if outcome is None and exited in done:
            status = exited.result()
            error_type = self._exit_error_type()
            result = Result(
                platform_error(error_type, request_id, exited_message(status)), error_type
            )
            status_text = "error"
        elif outcome is None:
            result = Result(
                platform_error(SANDBOX_TIMEDOUT, request_id, timed_out_message(math.ceil(limit_s))),
                SANDBOX_TIMEDOUT,
            )
            status_text = "timeout"
        else:
            result = Result(outcome.payload, outcome.error_type)
            status_text = "error"
        self.log.platform_line(
            self.log.platform.init_report(
                self.init_duration_ms,
                status_text,
                result.error_type,
                self.identity.initialization_type,
            )
        )
        await self.close(ShutdownReason.FAILURE)
        raise InitFailed(result, timed_out=status_text == "timeout")

    def _exit_error_type(self) -> str:
        return OUT_OF_MEMORY if (self._sandbox.oom_kills() or 0) > 0 else EXIT_ERROR

    async def invoke(self, request: Request, *, tail: bool, cold: bool) -> Result:
        """Run one invocation. The answer comes as soon as the runtime posts it; the
        environment takes the next one after :meth:`wait_idle` (timeouts and crashes
        leave it DEAD)."""
        self._enter(State.INVOKING)
        await self._thaw()
        self.last_used = time.monotonic()
        if tail:
            self.log.begin_tail()
        self.log.platform_line(self.log.platform.start(request.request_id, self.identity.version))
        started = time.perf_counter()
        deadline_ms = int(time.time() * 1000) + self.timeout_s * 1000
        invocation = Invocation(
            request_id=request.request_id,
            payload=request.payload,
            deadline_ms=deadline_ms,
            invoked_function_arn=request.invoked_arn,
            trace_id=request.trace_id,
            client_context=request.client_context,
            cognito_identity=request.cognito_identity,
        )
        try:
            outcome = await self._watch.wait(self._api.invoke(invocation), started + self.timeout_s)
        except (SandboxExited, TimeoutError, Abandoned):
            outcome = None
        duration_ms = (time.perf_counter() - started) * 1000
        status: str | None = None
        if outcome is not None:
            payload, content_type = outcome.payload, outcome.content_type
            error_type = outcome.error_type if isinstance(outcome, FunctionError) else None
        else:
            exited = self._exited
            if exited.done() and not exited.cancelled():
                error_type = self._exit_error_type()
                message = exited_message(exited.result())
                status = "error"
            else:
                error_type = SANDBOX_TIMEDOUT
                message = timed_out_message(self.timeout_s)
                status = "timeout"
                self.log.write(f"{iso_now()} {request.request_id} {message}")
            payload = platform_error(error_type, request.request_id, message)
            content_type = JSON_TYPE
        report = PendingReport(
            request.request_id,
            duration_ms,
            self.init_duration_ms if cold else None,
            status,
            error_type,
        )
        tail_bytes = b""
        if tail or status is not None:
            # The caller waits for these lines (the tail), or no wait_idle will follow.
            if tail and status is None:
                await self._extensions_done(self.timeout_s - duration_ms / 1000)
            await self._write_report(report)
            tail_bytes = self.log.end_tail() if tail else b""
        else:
            # Written after the answer has gone out, before the next event comes in.
            self._pending_report = report
        if status is not None:
            await self.close(
                ShutdownReason.TIMEOUT if status == "timeout" else ShutdownReason.FAILURE
            )
        return Result(payload, error_type, content_type, tail_bytes)

    async def _extensions_done(self, within_s: float) -> None:
        """Let the extensions that got ``INVOKE`` finish (call ``next``), at most
        ``within_s``: the invocation's log ends with their lines, as on Lambda."""
        if not any("INVOKE" in ext.events for ext in self._api.extensions()):
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(max(within_s, 0)):
                await self._api.wait_idle()

    async def _write_report(self, report: PendingReport) -> None:
        # The runtime wrote its lines before it answered: let the pipes catch up.
        for _ in range(3):
            await asyncio.sleep(0)
        self.log.platform_line(self.log.platform.end(report.request_id))
        figures = Report(
            report.request_id,
            report.duration_ms,
            self.identity.memory_mb,
            self._max_memory_mb(),
            report.init_duration_ms,
            report.status,
            report.error_type,
        )
        self.log.platform_line(self.log.platform.report(figures))

    async def wait_idle(self) -> bool:
        """Wait until the runtime asks for the next event; False if the environment died."""
        if self._state is not State.INVOKING:
            return False
        # A runtime killed after its answer never asks again: its exit ends the wait.
        try:
            await self._watch.wait(self._api.wait_idle())
            idle = True
        except (SandboxExited, RuntimeApiError):
            idle = False
        # END and REPORT close the invoke phase: after the extensions' own work.
        pending, self._pending_report = self._pending_report, None
        if pending is not None:
            await self._write_report(pending)
        if not idle:
            await self.close(ShutdownReason.FAILURE)
            return False
        self._enter(State.READY)
        self.last_used = time.monotonic()
        self._freeze_later()
        return True

    def _freeze_later(self) -> None:
        """Hold the environment still between invocations, as Lambda does: background
        threads and timers do not run until the next event thaws it. Freezing waits
        ``FREEZE_AFTER_S`` of idleness, so back-to-back invocations do not pay a freeze
        and a thaw each (background work may run that long past an answer). One timer at
        a time, left running across invocations: it looks again when it fires."""
        if self._sandbox.has_cgroup and self._freeze_timer is None:
            loop = asyncio.get_running_loop()
            self._freeze_timer = loop.call_later(FREEZE_AFTER_S, self._freeze_if_idle)

    def _freeze_if_idle(self) -> None:
        self._freeze_timer = None
        if self._state is not State.READY:
            return  # invoking: the end of the invocation arms the timer again
        idle_s = time.monotonic() - self.last_used
        if idle_s < FREEZE_AFTER_S:
            loop = asyncio.get_running_loop()
            self._freeze_timer = loop.call_later(FREEZE_AFTER_S - idle_s, self._freeze_if_idle)
            return
        self._freezing = asyncio.get_running_loop().create_task(self._freeze())

    async def _freeze(self) -> None:
        try:
            # Not waiting for the kernel: the next event may thaw it before it is done.
            await self._sandbox.freeze(wait=False)
        except SandboxError:
            log.warning("could not freeze %s; it stays running", self.identity.log_stream)

    async def _thaw(self) -> None:
        if self._freezing is not None:
            self._freezing.cancel()
            self._freezing = None
        if self._sandbox.state is SandboxState.FROZEN:
            await self._sandbox.thaw()

    def _max_memory_mb(self) -> int:
        used = self._sandbox.peak_memory()
        return 0 if used is None else max(1, math.ceil(used / _MIB))

    async def close(self, reason: ShutdownReason = ShutdownReason.SPINDOWN) -> None:
        """Shut down: SHUTDOWN to extensions (bounded), then kill the whole tree."""
        if self._state is State.DEAD:
            return
        pending, self._pending_report = self._pending_report, None
        if pending is not None:
            await self._write_report(pending)
        was_ready = self._state is State.READY
        self._state = State.DEAD
        if self._freeze_timer is not None:
            self._freeze_timer.cancel()
            self._freeze_timer = None
        with contextlib.suppress(SandboxError):
            await self._thaw()  # SHUTDOWN must reach the extensions
        if was_ready:
            deadline_ms = int((time.time() + _SHUTDOWN_GRACE_S) * 1000)
            with contextlib.suppress(Exception):
                async with asyncio.timeout(_SHUTDOWN_GRACE_S):
                    await self._api.shutdown(reason, deadline_ms)
        await self._sandbox.close()
        self._exited.cancel()  # done already, unless the sandbox could not be reaped
        await self._api.close()
        for pump in self._pumps:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await pump
