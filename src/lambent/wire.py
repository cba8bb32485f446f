"""HTTP/1.1 on one connection: httptools parsing, keep-alive, chunked bodies, deferred replies.

Both of Lambent's listeners speak it: the front door (the AWS APIs on one port) and each
environment's Runtime API. A handler either returns a :class:`Response` at once or
returns ``None`` and later calls :meth:`Connection.respond`: the Runtime API's
``GET /runtime/invocation/next`` is answered only when the platform hands over an
invocation, and the front door answers once an operation has run. Requests that arrive
behind a pending one (pipelining) wait their turn, so replies leave in request order as
HTTP/1.1 requires. Each reply is one write: a client (or a runtime) is woken once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from http import HTTPStatus
from typing import NamedTuple, Protocol, cast

import httptools

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Connection: close\r\nContent-Length: 12\r\n\r\nBad Request\n"
)
# Below this a reply is sent as one buffer; above, head and body go separately so a
# multi-megabyte event is not copied just to prepend a few hundred bytes of headers.
_JOIN_LIMIT = 64 * 1024
# The runtime is the function's own code: bound what one connection may make us hold.
# Headers get room for awslambdaric's X-Ray error cause header (up to 1 MiB).
_MAX_HEAD_BYTES = 2 * 1024 * 1024
_MAX_QUEUED = 8
_STATUS_LINES = {
    status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode("ascii")
    for status in HTTPStatus
}


class Request(NamedTuple):
    """One parsed request. Header and trailer names are lower case.

    ``body_size`` counts every body byte received; it exceeds ``len(body)`` when the body
    went past the limit the handler set, in which case ``body`` holds only that much.
    """

    method: str
    #: Percent-encoded, as received, without the query.
    path: str
    headers: dict[str, str]
    body: bytes
    body_size: int
    trailers: dict[str, str]
    #: What followed ``?`` in the request target, as received.
    query: str = ""
    #: What the handler's :meth:`Handler.expect` returned with the body limit.
    route: object = None


class Response(NamedTuple):
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


class Handler(Protocol):
    """What a listener plugs into each connection."""

    def expect(
        self, method: str, path: str, query: str, headers: dict[str, str]
    ) -> tuple[int, object]:
        """Decided once the head is in: how many body bytes to keep (the rest is counted
        and dropped), and whatever the handler wants back as :attr:`Request.route`."""
        ...

    def handle(self, request: Request, connection: Connection) -> Response | None:
        """Answer now, or return ``None`` and call ``connection.respond`` later."""
        ...

    def disconnected(self, connection: Connection) -> None:
        """The peer went away; forget any reply owed to this connection."""
        ...


def encode_response(response: Response, *, keep_alive: bool) -> list[bytes]:
    """The bytes of ``response`` on the wire, as one or two buffers."""
    if keep_alive:
        known = _CONSTANTS.get(id(response))
        if known is not None and known[0] is response:
            return [known[1]]
    status = _STATUS_LINES.get(response.status) or f"HTTP/1.1 {response.status} \r\n".encode()
    # Values are UTF-8 on the wire (a client context may hold any text); "replace" keeps a
    # malformed string from failing a reply half-way through an invocation.
    fields = "".join([f"{name}: {value}\r\n" for name, value in response.headers])
    body = response.body
    head = b"%s%s%sContent-Length: %d\r\n\r\n" % (
        status,
        fields.encode("utf-8", "replace"),
        b"" if keep_alive else b"Connection: close\r\n",
        len(body),
    )
    if len(body) <= _JOIN_LIMIT:
        return [head + body]
    return [head, body]


def constant(response: Response) -> Response:
    """``response``, encoded once for all the times it is sent (replies that never change,
    such as the Runtime API's 202)."""
    (encoded,) = encode_response(response, keep_alive=True)
    _CONSTANTS[id(response)] = (response, encoded)
    return response


#: Replies registered by :func:`constant`, by identity (they live as long as the module).
_CONSTANTS: dict[int, tuple[Response, bytes]] = {}
#: Header names as received -> their lower-case text: a connection sees the same few
#: names again and again. Bounded: names past the limit are decoded each time.
_NAMES: dict[bytes, str] = {}
_NAMES_MAX = 512


class Connection(asyncio.Protocol):
    """One client connection: parses requests and writes the replies in order."""

    __slots__ = (
        "_body",
        "_body_size",
        "_busy",
        "_handler",
        "_head_bytes",
        "_headers",
        "_headers_done",
        "_keep_alive",
        "_limit",
        "_parser",
        "_path",
        "_paused",
        "_query",
        "_queue",
        "_route",
        "_trailers",
        "_transport",
        "_url",
        "closed",
    )

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._queue: deque[tuple[Request, bool]] = deque()
        self._busy: Request | None = None
        self._keep_alive = True
        self._paused = False
        self.closed = False
        self._route: object = None
        self._reset_message()

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports quack like asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail()
        except httptools.HttpParserError:
            self._fail()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._queue.clear()
        self._handler.disconnected(self)

    # -- httptools callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._reset_message()

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value))
        key = _NAMES.get(name)
        if key is None:
            key = name.decode("latin-1").lower()
            if len(_NAMES) < _NAMES_MAX:
                _NAMES[name] = key
        # llhttp reports the trailers of a chunked body through the same callback.
        target = self._trailers if self._headers_done else self._headers
        target[key] = value.decode("utf-8", "replace")

    def on_headers_complete(self) -> None:
        self._headers_done = True
        method = self._parser.get_method().decode("ascii")
        self._path, _, self._query = self._url.decode("latin-1").partition("?")
        self._limit, self._route = self._handler.expect(
            method, self._path, self._query, self._headers
        )
        if self._headers.get("expect", "").lower() == "100-continue" and self._transport:
            self._transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        room = self._limit - self._body_size
        if room > 0:
            self._body.append(body if len(body) <= room else body[:room])
        self._body_size += len(body)

    def on_message_complete(self) -> None:
        request = Request(
            method=self._parser.get_method().decode("ascii"),
            path=self._path,
            headers=self._headers,
            body=b"".join(self._body),
            body_size=self._body_size,
            trailers=self._trailers,
            query=self._query,
            route=self._route,
        )
        self._queue.append((request, self._parser.should_keep_alive()))
        if self._busy is None:
            self._next()
        elif len(self._queue) >= _MAX_QUEUED and self._transport is not None:
            # Pipelined requests behind a pending reply: stop reading until they drain.
            self._paused = True
            self._transport.pause_reading()

    # -- replies ---------------------------------------------------------------------------

    def respond(self, response: Response) -> None:
        """Send the reply owed to the request being handled, then serve the next one."""
        if self._busy is None or self.closed:
            return
        self._write(response)
        self._next()

    def close(self) -> None:
        if self._transport is not None and not self.closed:
            self.closed = True
            self._transport.close()

    def _next(self) -> None:
        while self._queue and self._busy is None and not self.closed:
            request, self._keep_alive = self._queue.popleft()
            self._busy = request
            response = self._handler.handle(request, self)
            if response is not None:
                self._write(response)
        if self._paused and not self._queue and not self.closed and self._transport:
            self._paused = False
            self._transport.resume_reading()

    def _write(self, response: Response) -> None:
        self._busy = None
        transport = self._transport
        if transport is None:
            return
        # One writev for head and body: each separate write would wake the runtime once.
        transport.writelines(encode_response(response, keep_alive=self._keep_alive))
        if not self._keep_alive:
            self.closed = True
            transport.close()

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > _MAX_HEAD_BYTES:
            raise ValueError("request head too large")  # httptools turns it into a parse error

    def _reset_message(self) -> None:
        self._url = b""
        self._head_bytes = 0
        self._headers: dict[str, str] = {}
        self._trailers: dict[str, str] = {}
        self._headers_done = False
        self._body: list[bytes] = []
        self._body_size = 0
        self._limit = 0
        self._path = ""
        self._query = ""
        self._route = None

    def _fail(self) -> None:
        if self._transport is not None and not self.closed:
            self.closed = True
            self._transport.write(_BAD_REQUEST)
            self._transport.close()
