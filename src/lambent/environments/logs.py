"""An environment's log stream: the runtime's output and Lambda's platform lines.

Every line of the runtime's stdout and stderr becomes one log event, as on Lambda. The
platform adds ``START``, ``END`` and the tab-separated ``REPORT`` line around each
invocation, and keeps the last 4 KB of an invocation's lines for ``LogType: Tail``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence

from lambent.environments.platform_log import PlatformLog

#: ``X-Amz-Log-Result`` carries the last 4 KB of the invocation's log.
TAIL_BYTES = 4096
#: CloudWatch Logs' event size limit: longer lines are split.
_EVENT_MAX = 256 * 1024

Append = Callable[[str, str, str, str, Sequence[tuple[int, str]]], None]
"""``LogSink.append(account, region, group, stream, events)``."""


class LogStream:
    """Writes one environment's lines to its stream, and collects invocation tails."""

    def __init__(
        self,
        append: Append,
        account: str,
        region: str,
        group: str,
        stream: str,
        platform: PlatformLog | None = None,
    ):
        #: How the platform's own lines are written (text unless LogFormat is JSON).
        self.platform = platform or PlatformLog(None)
        self._append = append
        self._where = (account, region, group, stream)
        self._tail: deque[str] | None = None
        self._tail_size = 0

    def platform_line(self, line: str | None) -> None:
        """A platform line, if the logging configuration writes it."""
        if line is not None:
            self.write(line)

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
