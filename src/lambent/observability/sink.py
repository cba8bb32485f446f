"""The LogSink: how the execution layer writes function logs, cheaply, in batches.

``append`` only buffers (no I/O, no awaiting) and arms a timer; the buffer is written in
one transaction ``interval`` seconds after the first line arrived, or at once when
``batch_events`` lines are waiting, whichever comes first. Groups and streams are created
on first use, as Lambda creates ``/aws/lambda/NAME`` and each environment's stream.
Lines are durable once a flush has committed them: ``close`` flushes, so a clean
shutdown loses nothing that was appended; a crash loses at most the last interval's.
The server commits through :class:`lambent.store.log_writer.LogWriter`, a process of its
own (that module says why).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from lambent.domain.clock import Clock
from lambent.store import logs

log = logging.getLogger(__name__)

#: A flush that fails (disk full, say) keeps its lines for the next try, up to this many.
_MAX_PENDING = 1_000_000
#: Seconds before a failed flush is tried again.
_RETRY_AFTER = 1.0


class Committer(Protocol):
    """Where batches go: :class:`lambent.store.log_writer.LogWriter`."""

    async def commit(self, ingestion_time: int, batch: Sequence[logs.Lines]) -> None:
        """Return once ``batch`` is committed; raise if it was not."""
        ...


class LogSink:
    """Buffered, batched appends to the log store. Use from the event loop's thread."""

    def __init__(
        self,
        committer: Committer,
        clock: Clock,
        *,
        interval: float = 0.05,
        batch_events: int = 1000,
    ) -> None:
        self._committer = committer
        self._clock = clock
        self._interval = interval
        self._batch_events = batch_events
        self._pending: list[logs.Lines] = []
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    def append(
        self,
        account: str,
        region: str,
        group: str,
        stream: str,
        events: Sequence[tuple[int, str]],
    ) -> None:
        """Queue ``(timestamp ms, message)`` lines for ``group``/``stream``; never blocks."""
        if not events:
            return
        if self._closed:
            log.warning("log sink closed: dropped %d lines for %s", len(events), group)
            return
        self._pending.append((account, region, group, stream, list(events)))
        self._count += len(events)
        if self._count >= self._batch_events:
            self._start_flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._start_flush)

    @property
    def pending(self) -> int:
        """Lines appended and not yet committed."""
        return self._count

    def _start_flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        """Commit every line appended before this call."""
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            batch, self._pending, self._count = self._pending, [], 0
            failed = False
            if batch:
                try:
                    await self._committer.commit(int(self._clock() * 1000), batch)
                except Exception:
                    log.exception("writing %d log batches failed; will retry", len(batch))
                    self._requeue(batch)
                    failed = True
            if self._pending and self._timer is None and not self._closed:
                # Lines that came during the write: at once if a batch is full.
                delay = 0.0 if self._count >= self._batch_events else self._interval
                delay = _RETRY_AFTER if failed else delay
                self._timer = asyncio.get_running_loop().call_later(delay, self._start_flush)

    def _requeue(self, batch: list[logs.Lines]) -> None:
        lines = sum(len(item[4]) for item in batch)
        if lines + self._count > _MAX_PENDING:
            log.error("log sink over %d pending lines: dropped %d", _MAX_PENDING, lines)
            return
        self._pending[:0] = batch
        self._count += lines

    async def close(self) -> None:
        """Stop accepting lines and commit the ones already accepted."""
        self._closed = True
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()
