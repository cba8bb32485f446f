"""Which operation a method and path name, from the model's ``requestUri`` templates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.model import OperationModel

_LABEL = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")


@dataclass(frozen=True, slots=True)
class Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    #: Query parameters the template fixes (``/layers?find=LayerVersion``).
    fixed_query: tuple[tuple[str, str], ...]
    #: Literal characters in the template: the more, the more specific the route.
    specificity: int


@dataclass(frozen=True, slots=True)
class Match:
    operation: OperationModel
    labels: dict[str, str]


def _compile(operation: OperationModel) -> Route:
    http = operation.http
    template, _, query = http["requestUri"].partition("?")
    fixed: list[tuple[str, str]] = []
    for part in filter(None, query.split("&")):
        key, _, value = part.partition("=")
        fixed.append((key, value))
    regex = ""
    pos = 0
    literal = 0
    for label in _LABEL.finditer(template):
        chunk = template[pos : label.start()]
        regex += re.escape(chunk)
        literal += len(chunk)
        name, greedy = label.group(1), label.group(2)
        regex += f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"
        pos = label.end()
    tail = template[pos:]
    regex += re.escape(tail)
    literal += len(tail)
    return Route(
        operation=operation,
        method=http["method"],
        pattern=re.compile(f"^{regex}/?$"),
        fixed_query=tuple(fixed),
        specificity=literal + 1000 * len(fixed),
    )


class Router:
    """Matches requests to operations. Routes are bucketed by method and first path
    segment (the API version) so a request is tried against a handful of patterns."""

    def __init__(self, operations: list[OperationModel]) -> None:
        buckets: dict[tuple[str, str], list[Route]] = {}
        for operation in operations:
            route = _compile(operation)
            prefix = operation.http["requestUri"].split("/")[1].split("?")[0]
            buckets.setdefault((route.method, prefix), []).append(route)
        for routes in buckets.values():
            routes.sort(key=lambda r: r.specificity, reverse=True)
        self._buckets = buckets

    def match(self, method: str, raw_path: str, query: Mapping[str, list[str]]) -> Match | None:
        """``raw_path`` is still percent-encoded: labels are split on real slashes first
        and decoded after, so an encoded ARN (``%3A``, ``%2F``) stays one label."""
        segments = raw_path.split("/", 2)
        prefix = segments[1] if len(segments) > 1 else ""
        for route in self._buckets.get((method, prefix), ()):
            found = route.pattern.match(raw_path)
            if found is None:
                continue
            if any(value not in query.get(key, ()) for key, value in route.fixed_query):
                continue
            labels = {name: unquote(value) for name, value in found.groupdict().items()}
            return Match(route.operation, labels)
        return None
