"""The ASGI application on the one port: reads requests (within size limits) and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from lambent.protocol.http import HttpRequest, RawHandler
from lambent.protocol.restjson import RestJsonService
from lambent.protocol.serialize import HttpResponse, serialize_error

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _TooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Send, response: HttpResponse) -> None:
    headers = [
        (b"content-type", response.content_type),
        (b"content-length", str(len(response.body)).encode()),
        *response.headers,
    ]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


class FrontDoor:
    """Every API on one port. Paths in ``raw_routes`` (exact prefixes) are served by their
    handlers; everything else is the Lambda API."""

    def __init__(self, lambda_api: RestJsonService, raw_routes: Mapping[str, RawHandler]) -> None:
        self._lambda = lambda_api
        self._raw = dict(raw_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        query = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host") or f"{scope['server'][0]}:{scope['server'][1]}"
        base_url = f"{scope.get('scheme', 'http')}://{host}"

        raw = next((h for prefix, h in self._raw.items() if path.startswith(prefix)), None)
        match = (
            None
            if raw is not None
            else self._lambda.route(
                HttpRequest(scope["method"], path, query, headers, b"", base_url)
            )
        )
        limit = self._lambda.body_limit(match.operation) if match is not None else 1 << 20
        try:
            body = await _read_body(receive, limit)
        except _TooLarge:
            error = self._lambda.too_large(match.operation) if match is not None else None
            if error is None:
                await _send(send, HttpResponse(status=413, body=b""))
            else:
                await _send(send, serialize_error(self._lambda.model, error))
            return
        request = HttpRequest(scope["method"], path, query, headers, body, base_url)
        if raw is not None:
            response = await raw(request)
        else:
            response = await self._lambda.handle(request, match)
        await _send(send, response)

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
