"""An environment's log stream: the runtime's output and Lambda's platform lines.

Every line of the runtime's stdout and stderr becomes one log event, as on Lambda. The
platform adds ``START``, ``END`` and the tab-separated ``REPORT`` line around each
invocation, and keeps the last 4 KB of an invocation's lines for ``LogType: Tail``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: ``X-Amz-Log-Result`` carries the last 4 KB of the invocation's log.
TAIL_BYTES = 4096
#: CloudWatch Logs' event size limit: longer lines are split.
_EVENT_MAX = 256 * 1024

Append = Callable[[str, str, str, str, Sequence[tuple[int, str]]], None]
"""``LogSink.append(account, region, group, stream, events)``."""


@dataclass(frozen=True, slots=True)
class Report:
    """The figures of a REPORT line."""

    request_id: str
    duration_ms: float
    memory_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    status: str | None = None
    #: With ``status`` "error": AWS adds ``Error Type: Runtime.ExitError`` (or the like).
    error_type: str | None = None

    def line(self) -> str:
        billed = max(1, math.ceil(self.duration_ms))
        parts = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {billed} ms",
            f"Memory Size: {self.memory_mb} MB",
            f"Max Memory Used: {self.max_memory_used_mb} MB",
        ]
        if self.init_duration_ms is not None:
            parts.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status is not None:
            parts.append(f"Status: {self.status}")
        if self.status == "error" and self.error_type is not None:
            parts.append(f"Error Type: {self.error_type}")
        return "\t".join(parts) + "\t"


class LogStream:
    """Writes one environment's lines to its stream, and collects invocation tails."""

    def __init__(self, append: Append, account: str, region: str, group: str, stream: str):
        self._append = append
        self._where = (account, region, group, stream)
        self._tail: deque[str] | None = None
        self._tail_size = 0

    def write(self, line: str) -> None:
        now = int(time.time() * 1000)
        self._append(*self._where, [(now, line)])
        if self._tail is not None:
            self._tail.append(line)
            self._tail_size += len(line.encode()) + 1
            while self._tail_size > TAIL_BYTES and len(self._tail) > 1:
                self._tail_size -= len(self._tail.popleft().encode()) + 1

    def begin_tail(self) -> None:
        self._tail = deque()
        self._tail_size = 0

    def end_tail(self) -> bytes:
        """The invocation's log, at most its last 4 KB."""
        text = "".join(f"{line}\n" for line in self._tail or ())
        self._tail = None
        return text.encode()[-TAIL_BYTES:]

    async def pump(self, reader: asyncio.StreamReader) -> None:
        """Copy a pipe to the stream line by line until it closes."""
        pending = b""
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                self._write_raw(raw)
            while len(pending) > _EVENT_MAX:
                self._write_raw(pending[:_EVENT_MAX])
                pending = pending[_EVENT_MAX:]
        if pending:
            self._write_raw(pending)

    def _write_raw(self, raw: bytes) -> None:
        self.write(raw.decode("utf-8", errors="replace").rstrip("\r"))
