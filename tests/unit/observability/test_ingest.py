"""PutLogEvents' batch rules: refused batches, rejected events, accepted events."""

from __future__ import annotations

import pytest

from lambent.observability import limits
from lambent.observability.errors import InvalidParameter
from lambent.observability.ingest import admit

NOW = 1_750_000_000_000
HOUR = 3600 * 1000
DAY = 24 * HOUR


def test_events_in_range_are_all_accepted() -> None:
    events = [(NOW - HOUR, "a"), (NOW, "b"), (NOW + HOUR, "c")]
    admission = admit(events, NOW, None)
    assert admission.accepted == events
    assert admission.rejected == {}


def test_too_old_and_too_new_events_are_rejected_and_reported() -> None:
    events = [
        (NOW - 15 * DAY, "old"),
        (NOW - 14 * DAY - 1, "old"),
        (NOW, "kept"),
        (NOW + 2 * HOUR + 1, "new"),
    ]
    admission = admit(events, NOW, None)
    assert admission.accepted == [(NOW, "kept")]
    assert admission.rejected == {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 3}


def test_events_older_than_the_retention_are_expired() -> None:
    events = [(NOW - 20 * DAY, "old"), (NOW - 2 * DAY, "expired"), (NOW - HOUR, "kept")]
    admission = admit(events, NOW, 1)
    assert admission.accepted == [(NOW - HOUR, "kept")]
    assert admission.rejected == {"tooOldLogEventEndIndex": 1, "expiredLogEventEndIndex": 2}


def test_a_batch_of_only_rejected_events_is_still_answered() -> None:
    admission = admit([(NOW + DAY, "x")], NOW, None)
    assert admission.accepted == []
    assert admission.rejected == {"tooNewLogEventStartIndex": 0}


def test_out_of_order_events_fail_the_batch() -> None:
    with pytest.raises(InvalidParameter) as caught:
        admit([(NOW, "b"), (NOW - 1, "a")], NOW, None)
    assert caught.value.message == (
        "Log events in a single PutLogEvents request must be in chronological order."
    )


def test_accepted_events_may_span_at_most_a_day() -> None:
    admit([(NOW - DAY, "a"), (NOW, "b")], NOW, None)
    with pytest.raises(InvalidParameter) as caught:
        admit([(NOW - DAY - 1, "a"), (NOW, "b")], NOW, None)
    assert "cannot span more than 24 hours" in caught.value.message
    # Rejected events do not count towards the span.
    admit([(NOW - 20 * DAY, "old"), (NOW - HOUR, "a"), (NOW, "b")], NOW, None)


def test_batch_and_event_sizes_count_utf8_bytes_plus_26() -> None:
    fits = limits.BATCH_BYTES - limits.EVENT_OVERHEAD
    admit([(NOW, "x" * fits)], NOW, None)
    with pytest.raises(InvalidParameter) as caught:
        admit([(NOW, "x" * (fits + 1))], NOW, None)
    assert caught.value.message == "Log event too large: 1048577 bytes exceeds limit of 1048576"
    half = "é" * (fits // 4)  # two bytes each
    with pytest.raises(InvalidParameter) as caught:
        admit([(NOW, half), (NOW, half), (NOW, "x" * 100)], NOW, None)
    assert caught.value.message.startswith("Upload too large: ")
    assert caught.value.message.endswith(" bytes exceeds limit of 1048576")
