"""A plain HTTP request as the front door sees it, and the seam handlers plug into."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from lambent.domain.context import RequestContext
from lambent.protocol.serialize import HttpResponse


class HttpRequest(NamedTuple):
    method: str
    #: Percent-encoded, as received.
    raw_path: str
    query: Mapping[str, list[str]]
    #: Lower-cased names.
    headers: Mapping[str, str]
    body: bytes
    #: ``scheme://host[:port]`` the client used to reach us.
    base_url: str


class OperationHandler(Protocol):
    """Runs one modelled operation: parsed, validated parameters in, result members out."""

    async def __call__(self, ctx: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]: ...


class RawHandler(Protocol):
    """Serves a path outside the service model (code downloads, health)."""

    async def __call__(self, request: HttpRequest) -> HttpResponse: ...
