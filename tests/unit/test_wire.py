"""HTTP/1.1 on one connection, fed bytes by hand: no sockets."""

from __future__ import annotations

from lambent.wire import Connection, Request, Response, constant, encode_response


class Transport:
    def __init__(self) -> None:
        self.data = b""
        self.closed = False
        self.paused = False

    def write(self, data: bytes) -> None:
        self.data += data

    def writelines(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False


class Recorder:
    """A handler that records requests; ``defer`` paths are answered later."""

    def __init__(self, limit: int = 1 << 20, defer: tuple[str, ...] = ()) -> None:
        self.requests: list[Request] = []
        self.limit = limit
        self.defer = defer
        self.gone: list[Connection] = []

    def expect(
        self, method: str, path: str, query: str, headers: dict[str, str]
    ) -> tuple[int, object]:
        return self.limit, f"{method} {path}"

    def handle(self, request: Request, connection: Connection) -> Response | None:
        self.requests.append(request)
        if request.path in self.defer:
            return None
        return Response(200, request.path.encode(), (("X-Seen", str(len(self.requests))),))

    def disconnected(self, connection: Connection) -> None:
        self.gone.append(connection)


def connect(handler: Recorder) -> tuple[Connection, Transport]:
    connection = Connection(handler)
    transport = Transport()
    connection.connection_made(transport)  # type: ignore[arg-type]
    return connection, transport


def test_request_is_parsed_with_lower_case_headers_and_the_query_apart() -> None:
    handler = Recorder()
    connection, transport = connect(handler)
    connection.data_received(
        b"POST /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Thing: Value\r\nContent-Length: 3\r\n\r\nabc"
    )
    (request,) = handler.requests
    assert (request.method, request.path, request.body, request.body_size) == (
        "POST",
        "/a/b",
        b"abc",
        3,
    )
    assert request.query == "x=1"
    assert request.route == "POST /a/b"  # what expect() decided from the head
    assert request.headers["x-thing"] == "Value"
    assert transport.data == (b"HTTP/1.1 200 OK\r\nX-Seen: 1\r\nContent-Length: 4\r\n\r\n/a/b")
    assert not transport.closed


def test_request_split_across_reads() -> None:
    handler = Recorder()
    connection, _ = connect(handler)
    raw = b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"
    for index in range(len(raw)):
        connection.data_received(raw[index : index + 1])
    assert handler.requests[0].body == b"0123456789"


def test_chunked_body_and_trailers() -> None:
    handler = Recorder()
    connection, _ = connect(handler)
    connection.data_received(
        b"POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: A-Trailer\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\nA-Trailer: yes\r\n\r\n"
    )
    (request,) = handler.requests
    assert request.body == b"abcde"
    assert request.trailers == {"a-trailer": "yes"}
    assert "a-trailer" not in request.headers


def test_body_past_the_limit_is_counted_not_kept() -> None:
    handler = Recorder(limit=4)
    connection, _ = connect(handler)
    connection.data_received(b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789")
    (request,) = handler.requests
    assert (request.body, request.body_size) == (b"0123", 10)


def test_pipelined_requests_wait_for_a_deferred_reply() -> None:
    handler = Recorder(defer=("/wait",))
    connection, transport = connect(handler)
    connection.data_received(
        b"GET /wait HTTP/1.1\r\n\r\nGET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\n"
    )
    assert [r.path for r in handler.requests] == ["/wait"]
    assert transport.data == b""
    connection.respond(Response(202, b"late"))
    assert [r.path for r in handler.requests] == ["/wait", "/one", "/two"]
    replies = transport.data.split(b"HTTP/1.1 ")[1:]
    assert [reply.split(b"\r\n")[0] for reply in replies] == [b"202 Accepted", b"200 OK", b"200 OK"]
    assert transport.data.endswith(b"/two")
    connection.respond(Response(500))  # nothing is owed: ignored
    assert transport.data.endswith(b"/two")


def test_expect_continue() -> None:
    handler = Recorder()
    connection, transport = connect(handler)
    connection.data_received(
        b"POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
    )
    assert transport.data == b"HTTP/1.1 100 Continue\r\n\r\n"
    connection.data_received(b"ok")
    assert transport.data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")


def test_connection_close_and_http_1_0() -> None:
    for request in (
        b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /x HTTP/1.0\r\n\r\n",
    ):
        handler = Recorder()
        connection, transport = connect(handler)
        connection.data_received(request)
        assert b"Connection: close\r\n" in transport.data
        assert transport.closed and connection.closed


def test_garbage_is_a_bad_request() -> None:
    handler = Recorder()
    connection, transport = connect(handler)
    connection.data_received(b"\x00\x01 nonsense\r\n\r\n")
    assert transport.data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert transport.closed
    assert handler.requests == []


def test_lost_connection_is_reported_and_replies_are_dropped() -> None:
    handler = Recorder(defer=("/wait",))
    connection, transport = connect(handler)
    connection.data_received(b"GET /wait HTTP/1.1\r\n\r\n")
    connection.connection_lost(None)
    assert handler.gone == [connection]
    connection.respond(Response(200, b"too late"))
    assert transport.data == b""


def test_large_bodies_are_written_without_joining() -> None:
    big = b"x" * 100_000
    chunks = encode_response(Response(200, big), keep_alive=True)
    assert len(chunks) == 2 and chunks[1] is big
    assert chunks[0].endswith(b"Content-Length: 100000\r\n\r\n")
    (small,) = encode_response(Response(404, b"no"), keep_alive=False)
    assert small == b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno"


def test_oversized_head_is_refused() -> None:
    handler = Recorder()
    connection, transport = connect(handler)
    connection.data_received(b"GET /x HTTP/1.1\r\n")
    for _ in range(300):
        connection.data_received(b"X-Filler: " + b"a" * 8000 + b"\r\n")
    assert transport.data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert transport.closed and handler.requests == []


def test_a_megabyte_header_is_accepted() -> None:
    handler = Recorder()
    connection, _ = connect(handler)
    cause = b"c" * (1024 * 1024)
    connection.data_received(b"POST /e HTTP/1.1\r\nX-Cause: " + cause + b"\r\n\r\n")
    assert handler.requests[0].headers["x-cause"] == cause.decode()


def test_pipelining_behind_a_pending_reply_pauses_reading() -> None:
    handler = Recorder(defer=("/wait",))
    connection, transport = connect(handler)
    connection.data_received(b"GET /wait HTTP/1.1\r\n\r\n" + b"GET /q HTTP/1.1\r\n\r\n" * 8)
    assert transport.paused
    connection.respond(Response(200))
    assert not transport.paused
    assert len(handler.requests) == 9


def test_header_values_are_utf8_and_names_lower_case() -> None:
    (head,) = encode_response(
        Response(200, b"{}", (("X-Amz-Client-Context", "caf\u00e9"), ("A", "b"))), keep_alive=True
    )
    assert head == (
        b"HTTP/1.1 200 OK\r\nX-Amz-Client-Context: caf\xc3\xa9\r\nA: b\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )


def test_a_constant_reply_is_sent_as_a_fresh_one_would_be() -> None:
    fresh = Response(202, b'{"status":"OK"}', (("Content-Type", "application/json"),))
    reply = constant(Response(202, b'{"status":"OK"}', (("Content-Type", "application/json"),)))
    for keep_alive in (True, False):
        assert encode_response(reply, keep_alive=keep_alive) == encode_response(
            fresh, keep_alive=keep_alive
        )


def test_header_names_are_lower_cased_however_many_there_are() -> None:
    handler = Recorder()
    connection, _ = connect(handler)
    names = [f"X-Name-{i}" for i in range(1_000)]  # past the cache of known names
    head = "".join(f"{name}: {i}\r\n" for i, name in enumerate(names))
    for _ in range(2):
        connection.data_received(f"GET /x HTTP/1.1\r\nHOST: h\r\n{head}\r\n".encode())
    for request in handler.requests:
        assert request.headers["host"] == "h"
        assert [request.headers[name.lower()] for name in names] == [str(i) for i in range(1_000)]
