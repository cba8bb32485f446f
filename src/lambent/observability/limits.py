"""The CloudWatch Logs quotas and fixed values Lambent enforces (API reference, quotas)."""

from __future__ import annotations

#: PutLogEvents: the batch (and each event) is at most 1 MiB, counting each event's
#: message in UTF-8 plus 26 bytes.
BATCH_BYTES = 1_048_576
EVENT_BYTES = 1_048_576
EVENT_OVERHEAD = 26
#: Events older than 14 days or more than 2 hours in the future are rejected; the
#: accepted ones may span at most 24 hours.
TOO_OLD_MS = 14 * 24 * 3600 * 1000
TOO_NEW_MS = 2 * 3600 * 1000
BATCH_SPAN_MS = 24 * 3600 * 1000
DAY_MS = 24 * 3600 * 1000

#: GetLogEvents and FilterLogEvents pages: at most 10,000 events and 1 MB.
EVENTS_PAGE = 10_000
PAGE_BYTES = 1_048_576
#: DescribeLogGroups and DescribeLogStreams pages.
DESCRIBE_PAGE = 50
#: How many events one FilterLogEvents call examines before answering with what it found
#: and a token to go on from (AWS too answers partial, even empty, pages).
FILTER_SCAN = 50_000

#: PutRetentionPolicy's retentionInDays: the model's documentation lists these values.
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip

#: FilterLogEvents with startFromHead=false needs a startTime on or after 2024-01-01.
DESCENDING_SINCE_MS = 1_704_067_200_000
