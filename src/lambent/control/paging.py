"""Marker/MaxItems paging over a listing, as Lambda's List* operations page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from lambent.domain.rules import RuleViolation

T = TypeVar("T")
#: AWS returns at most 50 items a page.
PAGE_MAX = 50


def page(items: list[T], marker: str | None, max_items: int | None) -> tuple[list[T], str | None]:
    """One page of ``items`` and the marker of the next one. Markers are opaque offsets."""
    start = 0
    if marker:
        if not marker.isdigit() or int(marker) > len(items):
            raise RuleViolation(f"Invalid marker: {marker}")
        start = int(marker)
    size = min(max_items or PAGE_MAX, PAGE_MAX)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def paged(key: str, items: list[T], params: Mapping[str, Any]) -> dict[str, Any]:
    """A List* result: the page of ``items`` under ``key``, and ``NextMarker`` if more."""
    shown, marker = page(items, params.get("Marker"), params.get("MaxItems"))
    result: dict[str, Any] = {key: shown}
    if marker:
        result["NextMarker"] = marker
    return result
