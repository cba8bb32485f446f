"""The ASGI application on the one port: reads requests (within size limits) and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from lambent.protocol.http import HttpRequest, RawHandler
from lambent.protocol.jsonproto import JsonService
from lambent.protocol.restjson import RestJsonService
from lambent.protocol.serialize import HttpResponse, serialize_error

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


#: PutLogEvents' limit (1 MiB of events) with room for the JSON around them.
_JSON_REQUEST_MAX = 2 * 1024 * 1024
#: Paths outside the models take no large bodies.
_RAW_REQUEST_MAX = 1024 * 1024


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
    """Every API on one port. Paths in ``raw_routes`` (prefixes) are served by their
    handlers; requests whose ``X-Amz-Target`` names a JSON-protocol service go to it;
    everything else is the Lambda API."""

    def __init__(
        self,
        lambda_api: RestJsonService,
        raw_routes: Mapping[str, RawHandler],
        json_apis: Sequence[JsonService] = (),
    ) -> None:
        self._lambda = lambda_api
        self._raw = dict(raw_routes)
        self._json = tuple(json_apis)

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
        head = HttpRequest(scope["method"], path, query, headers, b"", base_url)
        await _send(send, await self._respond(head, receive))

    async def _respond(self, head: HttpRequest, receive: Receive) -> HttpResponse:
        """Find who answers ``head``, read the body within that one's limit, and answer."""
        target = next((api for api in self._json if api.accepts(head)), None)
        if target is not None:
            try:
                body = await _read_body(receive, _JSON_REQUEST_MAX)
            except _TooLarge:
                return HttpResponse(status=413)
            return await target.handle(replace(head, body=body))
        raw = next((h for prefix, h in self._raw.items() if head.raw_path.startswith(prefix)), None)
        if raw is not None:
            try:
                body = await _read_body(receive, _RAW_REQUEST_MAX)
            except _TooLarge:
                return HttpResponse(status=413)
            return await raw(replace(head, body=body))
        match = self._lambda.route(head)
        limit = self._lambda.body_limit(match.operation) if match is not None else _RAW_REQUEST_MAX
        try:
            body = await _read_body(receive, limit)
        except _TooLarge:
            if match is None:
                return HttpResponse(status=413)
            return serialize_error(self._lambda.model, self._lambda.too_large(match.operation))
        return await self._lambda.handle(replace(head, body=body), match)

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
