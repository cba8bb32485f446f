"""A raw keep-alive HTTP/1.1 client for requests timed one at a time.

Each request is built before the clock starts and goes out in one write; the clock stops
when the last byte of the reply is in. A library client (``http.client``, urllib3) costs
more of the client's own time, and sends a request's head and body in two writes: the
server cannot answer before the second arrives, so the client's time between them would
be counted against the server, for a POST with a body but not for the GET baseline.
"""

from __future__ import annotations

import socket
import time
from typing import NamedTuple


def request(
    method: str, path: str, port: int, body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()
) -> bytes:
    """The bytes of one request, head and body together."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        *(("Content-Type: application/json", f"Content-Length: {len(body)}") if body else ()),
        *(f"{name}: {value}" for name, value in headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Reply(NamedTuple):
    status: int
    #: Names in lower case.
    headers: dict[str, str]
    body: bytes
    #: From the request's first byte sent to the reply's last byte received.
    ms: float


class Connection:
    """One keep-alive connection; replies must carry ``Content-Length`` (Lambent's do)."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._socket = socket.create_connection(("127.0.0.1", port))
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def call(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Reply:
        data = request(method, path, self._port, body, headers)
        start = time.perf_counter()
        self._socket.sendall(data)
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            self._buffer += self._receive()
        head, rest = self._buffer[:end].decode("latin-1"), self._buffer[end + 4 :]
        status_line, *fields = head.split("\r\n")
        received: dict[str, str] = {}
        for field in fields:
            name, _, value = field.partition(":")
            received[name.strip().lower()] = value.strip()
        length = int(received.get("content-length", "0"))
        while len(rest) < length:
            rest += self._receive()
        self._buffer = rest[length:]
        ms = (time.perf_counter() - start) * 1000
        return Reply(int(status_line.split(" ", 2)[1]), received, rest[:length], ms)

    def close(self) -> None:
        self._socket.close()

    def _receive(self) -> bytes:
        data = self._socket.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data
