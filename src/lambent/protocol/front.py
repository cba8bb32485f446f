"""The front door: every API on the one port, served on HTTP/1.1 connections (``lambent.wire``).

Paths in ``raw_routes`` (prefixes) are served by their handlers; requests whose
``X-Amz-Target`` names a JSON-protocol service go to it; everything else is the Lambda
API. Each gets the body limit of whoever answers it: beyond it the body is counted, not
kept, and the answer is AWS's error for it (413 outside the models).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import cast
from urllib.parse import parse_qs

from lambent.protocol.http import HttpRequest, RawHandler
from lambent.protocol.jsonproto import JsonService
from lambent.protocol.restjson import RestJsonService
from lambent.protocol.serialize import HttpResponse, serialize_error
from lambent.wire import Connection, Request, Response

log = logging.getLogger(__name__)

#: PutLogEvents' limit (1 MiB of events) with room for the JSON around them.
_JSON_REQUEST_MAX = 2 * 1024 * 1024
#: Paths outside the models take no large bodies.
_RAW_REQUEST_MAX = 1024 * 1024
_FAILED = Response(500, b"Internal Server Error\n", (("Content-Type", "text/plain"),))


def _payload_too_large() -> HttpResponse:
    return HttpResponse(status=413)


@dataclass(frozen=True, slots=True)
class _Route:
    """Who answers a request, decided from its head (body still to come)."""

    #: The request without its body.
    head: HttpRequest
    #: Body bytes the one answering accepts.
    limit: int
    answer: Callable[[HttpRequest], Awaitable[HttpResponse]]
    #: The answer when the body is over ``limit``.
    too_large: Callable[[], HttpResponse] = _payload_too_large


class _Clock:
    """The ``Date`` header, formatted once a second."""

    def __init__(self) -> None:
        self._second = 0
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = email.utils.formatdate(second, usegmt=True)
        return self._text


class FrontDoor:
    """A :class:`lambent.wire.Handler`: each request runs as a task, answered when done."""

    def __init__(
        self,
        lambda_api: RestJsonService,
        raw_routes: Mapping[str, RawHandler],
        json_apis: Sequence[JsonService] = (),
    ) -> None:
        self._lambda = lambda_api
        self._raw = dict(raw_routes)
        self._json = tuple(json_apis)
        self._date = _Clock()
        self._connections: set[Connection] = set()
        #: Requests being answered: shutdown lets them finish.
        self._in_flight: set[asyncio.Task[None]] = set()

    def connection(self) -> Connection:
        """A new client connection (the listening socket's protocol factory)."""
        connection = Connection(self)
        self._connections.add(connection)
        return connection

    async def finish(self) -> None:
        """Let the requests being answered finish, then close every connection (the
        listener has stopped accepting new ones)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        for connection in tuple(self._connections):
            connection.close()

    # -- lambent.wire.Handler ------------------------------------------------------------

    def expect(
        self, method: str, path: str, query: str, headers: dict[str, str]
    ) -> tuple[int, object]:
        """Who answers the request, decided once from its head: the body limit is theirs."""
        route = self._route(HttpRequest(method, path, _query(query), headers, b"", ""))
        return route.limit, route

    def handle(self, request: Request, connection: Connection) -> None:
        task = asyncio.get_running_loop().create_task(self._serve(request, connection))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    def disconnected(self, connection: Connection) -> None:
        # An answer still owed to it is dropped by the connection itself.
        self._connections.discard(connection)

    # -- answering -----------------------------------------------------------------------

    def _route(self, head: HttpRequest) -> _Route:
        json_api = next((api for api in self._json if api.accepts(head)), None)
        if json_api is not None:
            return _Route(head, _JSON_REQUEST_MAX, json_api.handle)
        path = head.raw_path
        raw = next((h for prefix, h in self._raw.items() if path.startswith(prefix)), None)
        if raw is not None:
            return _Route(head, _RAW_REQUEST_MAX, raw)
        match = self._lambda.route(head)
        if match is None:
            return _Route(head, _RAW_REQUEST_MAX, partial(self._lambda.handle, match=None))
        operation = match.operation
        return _Route(
            head,
            self._lambda.body_limit(operation),
            partial(self._lambda.handle, match=match),
            lambda: serialize_error(self._lambda.model, self._lambda.too_large(operation)),
        )

    async def _serve(self, request: Request, connection: Connection) -> None:
        route = cast(_Route, request.route)
        head = route.head
        try:
            if request.body_size > route.limit:
                response = route.too_large()
            else:
                response = await route.answer(
                    HttpRequest(
                        head.method,
                        head.raw_path,
                        head.query,
                        head.headers,
                        request.body,
                        f"http://{head.headers.get('host', '')}",
                    )
                )
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            connection.respond(_FAILED)
            return
        connection.respond(
            Response(
                response.status,
                response.body,
                (
                    ("Date", self._date.now()),
                    ("Content-Type", response.content_type.decode("latin-1")),
                    *((k.decode("latin-1"), v.decode("utf-8")) for k, v in response.headers),
                ),
            )
        )


def _query(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=True) if query else {}
