"""What every Logs API operation works with, and the shape of an operation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lambent.domain.clock import Clock
from lambent.domain.context import RequestContext
from lambent.store import Database

Result = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class LogsDeps:
    #: ``logs.db``: the log store's own database (and thread).
    db: Database
    clock: Clock

    def now_ms(self) -> int:
        return int(self.clock() * 1000)


Operation = Callable[[LogsDeps, RequestContext, dict[str, Any]], Awaitable[Result]]
"""A Logs API operation: dependencies, who asks, the validated parameters."""
