"""PutLogEvents' rules for a batch: what is refused outright, what is set aside, what is kept.

From the PutLogEvents reference: the batch is at most 1,048,576 bytes (messages in
UTF-8 plus 26 bytes each) and its events must be in chronological order, or the call
fails; events more than 2 hours in the future, older than 14 days, or older than the
group's retention are rejected while the others are stored, and are reported in
``rejectedLogEventsInfo`` (``tooOldLogEventEndIndex`` and ``expiredLogEventEndIndex`` are
exclusive end indexes, ``tooNewLogEventStartIndex`` an inclusive start index); the
events kept may span at most 24 hours.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from lambent.observability import limits
from lambent.observability.errors import InvalidParameter

Event = tuple[int, str]


@dataclass(frozen=True, slots=True)
class Admission:
    accepted: list[Event]
    rejected: dict[str, int] = field(default_factory=dict)


def admit(events: Sequence[Event], now_ms: int, retention_days: int | None) -> Admission:
    """The events of a batch to store, and the rejections to report; raises
    InvalidParameter for a batch AWS refuses whole."""
    sizes = [len(message.encode()) + limits.EVENT_OVERHEAD for _, message in events]
    for size in sizes:
        if size > limits.EVENT_BYTES:
            raise InvalidParameter(
                f"Log event too large: {size} bytes exceeds limit of {limits.EVENT_BYTES}"
            )
    total = sum(sizes)
    if total > limits.BATCH_BYTES:
        raise InvalidParameter(
            f"Upload too large: {total} bytes exceeds limit of {limits.BATCH_BYTES}"
        )
    if any(a[0] > b[0] for a, b in itertools.pairwise(events)):
        raise InvalidParameter(
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    too_old = now_ms - limits.TOO_OLD_MS
    expired = now_ms - retention_days * limits.DAY_MS if retention_days else too_old
    too_new = now_ms + limits.TOO_NEW_MS
    old_end = _count(events, lambda ts: ts < too_old)
    expired_end = max(old_end, _count(events, lambda ts: ts < expired))
    new_start = len(events) - _count(reversed(events), lambda ts: ts > too_new)
    new_start = max(new_start, expired_end)
    accepted = list(events[expired_end:new_start])
    if accepted and accepted[-1][0] - accepted[0][0] > limits.BATCH_SPAN_MS:
        raise InvalidParameter(
            "The batch of log events in a single PutLogEvents request cannot span more "
            "than 24 hours."
        )
    rejected: dict[str, int] = {}
    if new_start < len(events):
        rejected["tooNewLogEventStartIndex"] = new_start
    if old_end:
        rejected["tooOldLogEventEndIndex"] = old_end
    if expired_end > old_end:
        rejected["expiredLogEventEndIndex"] = expired_end
    return Admission(accepted, rejected)


def _count(events: Iterable[Event], test: Callable[[int], bool]) -> int:
    """How many leading events' timestamps pass ``test``."""
    count = 0
    for ts, _ in events:
        if not test(ts):
            break
        count += 1
    return count
