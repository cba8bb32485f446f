"""One environment's listener: the Runtime and Extensions APIs on 127.0.0.1, one port each env.

Every execution environment gets its own :class:`RuntimeApi` (its runtime finds it through
``AWS_LAMBDA_RUNTIME_API``), so it is a bare asyncio server with an httptools protocol:
no framework, no task per request; the warm path is one write to the runtime's pending
``next`` and one future resolved when its response arrives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection

from lambent.domain.limits import MIB, SYNC_RESPONSE_MAX
from lambent.runtime_api import replies
from lambent.runtime_api.extension_routes import ExtensionRoutes
from lambent.runtime_api.lifecycle import Lifecycle
from lambent.runtime_api.model import (
    ExtensionInfo,
    FunctionMetadata,
    InitOutcome,
    Invocation,
    Outcome,
    ShutdownReason,
    ShutdownReport,
)
from lambent.runtime_api.phase import Phase
from lambent.runtime_api.runtime_routes import RuntimeRoutes
from lambent.wire import Connection, Request, Response

#: AWS's limit on a streamed response (Lambda quotas: "20 MB for streamed responses").
STREAMED_RESPONSE_MAX = 20 * MIB

_RUNTIME = "/2018-06-01/"
_EXTENSION = "/2020-01-01/"


class _Router:
    """Sends each request to the Runtime or Extensions API routes (the wire's Handler)."""

    def __init__(self, runtime: RuntimeRoutes, extensions: ExtensionRoutes, lifecycle: Lifecycle):
        self._runtime = runtime
        self._extensions = extensions
        self._lifecycle = lifecycle
        self.connections: set[Connection] = set()

    def expect(
        self, method: str, path: str, query: str, headers: dict[str, str]
    ) -> tuple[int, object]:
        return self._runtime.body_limit(headers), None

    def handle(self, request: Request, connection: Connection) -> Response | None:
        path = request.path
        if path.startswith(_RUNTIME):
            return self._runtime.route(request, connection)
        if path.startswith(_EXTENSION):
            return self._extensions.route(request, connection)
        return replies.NOT_FOUND

    def disconnected(self, connection: Connection) -> None:
        self.connections.discard(connection)
        self._lifecycle.disconnected(connection)

    def connect(self) -> Connection:
        connection = Connection(self)
        self.connections.add(connection)
        return connection


class RuntimeApi:
    """The Runtime API and Extensions API of one execution environment.

    Start it with :meth:`start`, give the runtime :attr:`address` as
    ``AWS_LAMBDA_RUNTIME_API``, then: :meth:`wait_ready` for init, :meth:`invoke` for each
    invocation followed by :meth:`wait_idle` before the next one, :meth:`abandon` on a
    timeout, :meth:`shutdown` and :meth:`close` at the end.
    """

    def __init__(
        self,
        server: asyncio.Server,
        router: _Router,
        lifecycle: Lifecycle,
        host: str,
        port: int,
    ) -> None:
        self._server = server
        self._router = router
        self._lifecycle = lifecycle
        self.host = host
        self.port = port

    @classmethod
    async def start(
        cls,
        metadata: FunctionMetadata,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        external_extensions: Collection[str] | None = None,
        max_response_bytes: int = SYNC_RESPONSE_MAX,
        max_streamed_response_bytes: int = STREAMED_RESPONSE_MAX,
        clock: Callable[[], float] = time.time,
    ) -> RuntimeApi:
        """Listen on ``host:port`` (``0``: an ephemeral port).

        ``external_extensions`` names the extensions the platform launched itself; init
        then also waits for each of them to register. ``None`` treats every extension
        that registers as external. ``clock`` gives epoch seconds (for deadlines).
        """
        lifecycle = Lifecycle(external_extensions=external_extensions, clock=clock)
        router = _Router(
            RuntimeRoutes(
                lifecycle,
                max_response_bytes=max_response_bytes,
                max_streamed_bytes=max_streamed_response_bytes,
            ),
            ExtensionRoutes(lifecycle, metadata),
            lifecycle,
        )
        loop = asyncio.get_running_loop()
        server = await loop.create_server(router.connect, host, port, reuse_address=True)
        bound_port = server.sockets[0].getsockname()[1]
        return cls(server, router, lifecycle, host, bound_port)

    @property
    def address(self) -> str:
        """``host:port``, the value of ``AWS_LAMBDA_RUNTIME_API``."""
        return f"{self.host}:{self.port}"

    @property
    def phase(self) -> Phase:
        return self._lifecycle.phase

    @property
    def runtime_waiting(self) -> bool:
        """Whether the runtime is waiting in ``next`` on an open connection: a runtime
        that died between invocations has none."""
        return self._lifecycle.runtime_waiting

    async def wait_ready(self) -> InitOutcome:
        """Wait for the end of init: the runtime's first ``next`` (and each extension's),
        or the ``init/error`` the runtime or an extension reported."""
        return await self._lifecycle.wait_ready()

    def invoke(self, invocation: Invocation) -> asyncio.Future[Outcome]:
        """Run one invocation; the future is done when the runtime posts its result.

        Raises :class:`~lambent.runtime_api.model.NotReady` unless the environment is idle
        (one invocation at a time), :class:`~lambent.runtime_api.model.Abandoned` when
        :meth:`abandon`, :meth:`shutdown` or :meth:`close` intervene.
        """
        return self._lifecycle.invoke(invocation)

    def wait_idle(self) -> asyncio.Future[None]:
        """Done once the runtime and the ``INVOKE`` extensions have called ``next`` again."""
        return self._lifecycle.wait_idle()

    def abandon(self) -> None:
        """Give up on the environment's invocation (timeout, crash); it takes no more."""
        self._lifecycle.abandon()

    async def shutdown(self, reason: ShutdownReason, deadline_ms: int) -> ShutdownReport:
        """Send ``SHUTDOWN`` to the extensions subscribed to it and wait for them, at most
        until ``deadline_ms`` (epoch milliseconds)."""
        return await self._lifecycle.shutdown(reason, deadline_ms)

    def extensions(self) -> tuple[ExtensionInfo, ...]:
        """The extensions registered (and, if declared, those still expected)."""
        return self._lifecycle.registry.infos()

    async def close(self) -> None:
        """Stop listening and close every connection."""
        self._lifecycle.close()
        self._server.close()
        for connection in tuple(self._router.connections):
            connection.close()
        await self._server.wait_closed()

    async def __aenter__(self) -> RuntimeApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
