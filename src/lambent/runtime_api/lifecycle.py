"""One environment's lifecycle: init, one invocation at a time, shutdown, seen from both sides.

The platform calls :meth:`Lifecycle.wait_ready`, :meth:`invoke`, :meth:`wait_idle`,
:meth:`abandon` and :meth:`shutdown`; the routes call the ``runtime_*`` and
``extension_*`` methods as requests arrive. Everything runs on the event loop's thread, so
no locks: each method sees and leaves a consistent state.

AWS's rules ("Lambda execution environment lifecycle", Extensions API): init ends when the
runtime and each registered extension have called ``next``; the caller gets the function's
response as soon as the runtime posts it; the environment takes the next invocation once
the runtime and each extension subscribed to ``INVOKE`` have called ``next`` again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection

from lambent.runtime_api import replies
from lambent.runtime_api.events import (
    event_reply,
    invoke_event,
    next_invocation,
    shutdown_event,
)
from lambent.runtime_api.extension_state import EventType, ExtensionCall, ExtensionState
from lambent.runtime_api.model import (
    Abandoned,
    ExtensionFailed,
    InitDone,
    InitError,
    InitOutcome,
    Invocation,
    NotReady,
    Outcome,
    ShutdownReason,
    ShutdownReport,
)
from lambent.runtime_api.phase import Phase, can_move, is_over
from lambent.runtime_api.registry import Extension, ExtensionRegistry, ShutdownStep
from lambent.runtime_api.runtime_state import RuntimeCall, RuntimeState, runtime_transition
from lambent.wire import Connection, Response


class Lifecycle:
    """The state one listener shares between the platform and the processes it serves."""

    def __init__(
        self,
        *,
        external_extensions: Collection[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.phase = Phase.INITIALIZING
        self.runtime = RuntimeState.STARTED
        self.registry = ExtensionRegistry(external_extensions)
        #: The id the runtime may post a result for: the last invocation handed over.
        #: It stays after the result so a second post is a 403, as in AWS.
        self.current_id = ""
        self._clock = clock
        self._runtime_waiter: Connection | None = None
        self._invocation: Invocation | None = None
        self._delivered = False
        self._outcome: asyncio.Future[Outcome] | None = None
        self._init: InitOutcome | None = None
        self._fatal: ExtensionFailed | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self._idle_waiters: list[asyncio.Future[None]] = []

    # -- the platform's side -------------------------------------------------------------

    async def wait_ready(self) -> InitOutcome:
        """Wait for init to end: :class:`InitDone`, or the :class:`InitError` reported."""
        while self._init is None:
            if is_over(self.phase):
                raise Abandoned(f"environment is {self.phase.value}")
            await self._wait()
        return self._init

    def invoke(self, invocation: Invocation) -> asyncio.Future[Outcome]:
        """Hand ``invocation`` to the runtime; the future is its outcome."""
        if self.phase is not Phase.IDLE:
            raise NotReady(f"cannot invoke: environment is {self.phase.value}")
        reply = next_invocation(invocation)  # validates before anything changes
        self._move(Phase.INVOKING)
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._outcome = outcome
        self._invocation = invocation
        self._delivered = False
        self.current_id = invocation.request_id
        self.registry.broadcast(EventType.INVOKE, lambda: invoke_event(invocation))
        waiter = self._runtime_waiter
        if waiter is not None and not waiter.closed:
            self._runtime_waiter = None
            self._delivered = True
            waiter.respond(reply)
        return outcome

    def wait_idle(self) -> asyncio.Future[None]:
        """A future done once the environment can take the next invocation.

        It fails with :class:`ExtensionFailed` when an extension reported ``exit/error``
        (the environment must be reset, as AWS does), :class:`Abandoned` when it went away.
        A future rather than a coroutine: it is awaited once per invocation, on the hot path.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not self._settle_idle(future):
            self._idle_waiters.append(future)
        return future

    def _settle_idle(self, future: asyncio.Future[None]) -> bool:
        """Complete ``future`` if whether the environment is idle is decided; False if not."""
        if future.done():
            return True
        if self._fatal is not None:
            future.set_exception(self._fatal)
        elif self.phase is Phase.IDLE:
            future.set_result(None)
        elif self.phase is Phase.INIT_FAILED:
            future.set_exception(NotReady("initialisation failed"))
        elif is_over(self.phase):
            future.set_exception(Abandoned(f"environment is {self.phase.value}"))
        else:
            return False
        return True

    def abandon(self) -> None:
        """Give up on the current invocation (a timeout): the environment serves no more.

        A result the runtime posts later is refused as AWS refuses it once the environment
        is reset: 400 ``InvalidRequestID``.
        """
        if is_over(self.phase):
            return
        self._move(Phase.ABANDONED)
        self._drop_invocation()
        self._wake()

    async def shutdown(self, reason: ShutdownReason, deadline_ms: int) -> ShutdownReport:
        """Send ``SHUTDOWN`` to the extensions subscribed to it and wait, at most until
        ``deadline_ms`` (epoch ms), for each to call ``next`` again or ``exit/error``."""
        if self.phase in (Phase.SHUTTING_DOWN, Phase.SHUT_DOWN, Phase.CLOSED):
            raise NotReady(f"environment is {self.phase.value}")
        self._move(Phase.SHUTTING_DOWN)
        self._drop_invocation()
        self._wake()
        document = shutdown_event(reason, deadline_ms)
        targets = [ext for ext in self.registry if ext.subscribed(EventType.SHUTDOWN)]
        for extension in targets:
            extension.shutdown = ShutdownStep.QUEUED
            if extension.state is ExtensionState.READY:
                self._give_shutdown(extension, document)
            else:
                extension.queued = document
        remaining = deadline_ms / 1000 - self._clock()
        try:
            async with asyncio.timeout(max(remaining, 0)):
                while not all(_shutdown_finished(ext) for ext in targets):
                    await self._wait()
        except TimeoutError:
            pass
        if can_move(self.phase, Phase.SHUT_DOWN):  # unless closed meanwhile
            self._move(Phase.SHUT_DOWN)
        return ShutdownReport(
            completed=tuple(ext.name for ext in targets if _shutdown_finished(ext)),
            timed_out=tuple(ext.name for ext in targets if not _shutdown_finished(ext)),
        )

    def close(self) -> None:
        if self.phase is Phase.CLOSED:
            return
        self._move(Phase.CLOSED)
        self._drop_invocation()
        if self._runtime_waiter is not None:
            self._runtime_waiter.close()
            self._runtime_waiter = None
        self.registry.close_waiters()
        self._wake()

    # -- the runtime's side -----------------------------------------------------------------

    def runtime_next(self, connection: Connection) -> Response | None:
        refusal = self._runtime_step(RuntimeCall.NEXT)
        if refusal is not None:
            return refusal
        invocation = self._invocation
        if invocation is not None and not self._delivered:
            # Submitted while the runtime was not waiting (its connection had dropped).
            self._delivered = True
            return next_invocation(invocation)
        stale = self._runtime_waiter
        if stale is not None and stale is not connection:
            stale.close()  # a runtime polls once; an older poll has been given up
        self._runtime_waiter = connection
        self._progress()
        return None

    def runtime_init_error(self, error: InitError) -> Response:
        refusal = self._runtime_step(RuntimeCall.INIT_ERROR)
        if refusal is not None:
            return refusal
        self._fail_init(error)
        return replies.ACCEPTED

    def runtime_result(self, request_id: str, call: RuntimeCall, outcome: Outcome) -> Response:
        """The runtime posted a response or an error for ``request_id``.

        As in AWS's router, the id is checked before the state transition.
        """
        if not request_id or request_id != self.current_id:
            return replies.INVALID_REQUEST_ID
        refusal = self._runtime_step(call)
        if refusal is not None:
            return refusal
        future = self._outcome
        self._outcome = None
        self._invocation = None
        if self.phase is Phase.INVOKING:
            self._move(Phase.FINISHING)
        if future is not None and not future.done():
            future.set_result(outcome)
        return replies.ACCEPTED

    def accepts_result_for(self, request_id: str) -> bool:
        return bool(request_id) and request_id == self.current_id

    @property
    def runtime_waiting(self) -> bool:
        """Whether the runtime has a ``next`` call open (alive, waiting for an event)."""
        waiter = self._runtime_waiter
        return waiter is not None and not waiter.closed

    def disconnected(self, connection: Connection) -> None:
        if self._runtime_waiter is connection:
            self._runtime_waiter = None
        self.registry.forget_connection(connection)

    # -- the extensions' side -----------------------------------------------------------------

    def registration_open(self) -> bool:
        return self.phase is Phase.INITIALIZING

    def extension_next(self, extension: Extension, connection: Connection) -> Response | None:
        if extension.state is ExtensionState.READY and extension.waiter is None:
            pass  # polling again after its connection dropped: still waiting, not a new call
        else:
            refusal = extension.step(ExtensionCall.NEXT)
            if refusal is not None:
                return refusal
        if extension.shutdown is ShutdownStep.DELIVERED:
            extension.shutdown = ShutdownStep.DONE  # done with SHUTDOWN; no event follows
            self._wake()
        if extension.queued is not None:
            document, extension.queued = extension.queued, None
            if extension.shutdown is ShutdownStep.QUEUED:
                extension.shutdown = ShutdownStep.DELIVERED
            extension.state = ExtensionState.RUNNING
            return event_reply(document)
        extension.waiter = connection
        self._progress()
        return None

    def extension_init_error(self, extension: Extension, error_type: str, body: bytes) -> Response:
        first = extension.state is not ExtensionState.INIT_ERROR
        refusal = extension.step(ExtensionCall.INIT_ERROR)
        if refusal is not None:
            return refusal
        if first:
            extension.error_type = error_type
            self._fail_init(InitError(error_type, body, extension.name))
        return replies.ACCEPTED

    def extension_exit_error(self, extension: Extension, error_type: str, body: bytes) -> Response:
        first = extension.state is not ExtensionState.EXIT_ERROR
        refusal = extension.step(ExtensionCall.EXIT_ERROR)
        if refusal is not None:
            return refusal
        if first:
            extension.error_type = error_type
            if extension.waiter is not None:
                extension.waiter.close()
                extension.waiter = None
            if self.phase is Phase.INITIALIZING:
                self._fail_init(InitError(error_type, body, extension.name))
            elif not is_over(self.phase):
                self._fatal = ExtensionFailed(extension.name, error_type)
            self._progress()
            self._wake()
        return replies.ACCEPTED

    # -- internals ----------------------------------------------------------------------------

    def _runtime_step(self, call: RuntimeCall) -> Response | None:
        target = runtime_transition(self.runtime, call)
        if target is None:
            return replies.runtime_transition_refused(self.runtime.value, call.value)
        self.runtime = target
        return None

    def _progress(self) -> None:
        """Move on once everyone who must call ``next`` has called it."""
        if self.runtime is not RuntimeState.READY or self._runtime_waiter is None:
            return
        if self.phase is Phase.INITIALIZING and self.registry.init_complete():
            self._move(Phase.IDLE)
            self._init = InitDone(self.registry.names())
            self._wake()
        elif self.phase is Phase.FINISHING and self.registry.ready_for(EventType.INVOKE):
            self._move(Phase.IDLE)
            self._wake()

    def _fail_init(self, error: InitError) -> None:
        if self._init is None:
            self._init = error
        if self.phase is Phase.INITIALIZING:
            self._move(Phase.INIT_FAILED)
        self._wake()

    def _give_shutdown(self, extension: Extension, document: bytes) -> None:
        waiter = extension.waiter
        if waiter is None or waiter.closed:
            extension.queued = document
            return
        extension.waiter = None
        extension.state = ExtensionState.RUNNING
        extension.shutdown = ShutdownStep.DELIVERED
        waiter.respond(event_reply(document))

    def _drop_invocation(self) -> None:
        future = self._outcome
        self._outcome = None
        self._invocation = None
        self.current_id = ""
        if future is not None and not future.done():
            future.set_exception(Abandoned("the invocation was abandoned"))

    def _move(self, target: Phase) -> None:
        if not can_move(self.phase, target):
            raise NotReady(f"environment cannot go from {self.phase.value} to {target.value}")
        self.phase = target

    async def _wait(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future
        finally:
            if future in self._waiters:
                self._waiters.remove(future)

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)
        if self._idle_waiters:
            self._idle_waiters = [f for f in self._idle_waiters if not self._settle_idle(f)]


def _shutdown_finished(extension: Extension) -> bool:
    return extension.shutdown is ShutdownStep.DONE or extension.state in (
        ExtensionState.EXIT_ERROR,
        ExtensionState.INIT_ERROR,
    )
