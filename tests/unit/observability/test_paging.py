"""Paging through the Logs operations: tokens both ways, ends, limits, ordering.

The operations run against an in-memory SQLite database with a fixed clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambent.domain.context import RequestContext
from lambent.errors import LambentError
from lambent.observability import LogService
from lambent.store import Database, log_schema

NOW = 1_750_000_000_000
CTX = RequestContext("111122223333", "eu-west-1", "req", "http://localhost")


class Api:
    def __init__(self, service: LogService) -> None:
        self._handlers = service.handlers()

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        result = asyncio.run(self._handlers[operation](CTX, params))
        return dict(result)

    def error(self, operation: str, **params: Any) -> tuple[str, str]:
        with pytest.raises(LambentError) as caught:
            self(operation, **params)
        return caught.value.code, caught.value.message


@pytest.fixture
def api() -> Iterator[Api]:
    db = Database(Path(":memory:"), log_schema.MIGRATIONS)
    yield Api(LogService(db, lambda: NOW / 1000))
    db.close()


def stream_of(api: Api, count: int, group: str = "g", stream: str = "s") -> list[str]:
    api("CreateLogGroup", logGroupName=group)
    api("CreateLogStream", logGroupName=group, logStreamName=stream)
    messages = [f"m{i}" for i in range(count)]
    # Pairs of events share a timestamp: their order is the order they were put in.
    events = [{"timestamp": NOW - 10_000 + i // 2, "message": m} for i, m in enumerate(messages)]
    api("PutLogEvents", logGroupName=group, logStreamName=stream, logEvents=events)
    return messages


def messages(page: dict[str, Any]) -> list[str]:
    return [event["message"] for event in page["events"]]


def test_get_log_events_reads_the_tail_by_default_oldest_first(api: Api) -> None:
    stream_of(api, 7)
    page = api("GetLogEvents", logGroupName="g", logStreamName="s", limit=3)
    assert messages(page) == ["m4", "m5", "m6"]


def test_get_log_events_pages_forward_to_the_end_and_returns_the_same_token(api: Api) -> None:
    expected = stream_of(api, 7)
    seen: list[str] = []
    page = api("GetLogEvents", logGroupName="g", logStreamName="s", limit=3, startFromHead=True)
    seen += messages(page)
    while True:
        token = page["nextForwardToken"]
        page = api(
            "GetLogEvents",
            logGroupName="g",
            logStreamName="s",
            limit=3,
            startFromHead=True,
            nextToken=token,
        )
        if page["nextForwardToken"] == token:
            assert page["events"] == []
            break
        seen += messages(page)
    assert seen == expected


def test_get_log_events_pages_backward_to_the_head(api: Api) -> None:
    expected = stream_of(api, 7)
    page = api("GetLogEvents", logGroupName="g", logStreamName="s", limit=3)
    seen = messages(page)
    while True:
        token = page["nextBackwardToken"]
        page = api("GetLogEvents", logGroupName="g", logStreamName="s", limit=3, nextToken=token)
        if page["nextBackwardToken"] == token:
            assert page["events"] == []
            break
        seen = messages(page) + seen
    assert seen == expected


def test_a_forward_token_from_the_tail_sees_events_put_later(api: Api) -> None:
    stream_of(api, 2)
    page = api("GetLogEvents", logGroupName="g", logStreamName="s")
    events = [{"timestamp": NOW, "message": "later"}]
    api("PutLogEvents", logGroupName="g", logStreamName="s", logEvents=events)
    after = api(
        "GetLogEvents", logGroupName="g", logStreamName="s", nextToken=page["nextForwardToken"]
    )
    assert messages(after) == ["later"]


def test_get_log_events_time_window_is_start_inclusive_end_exclusive(api: Api) -> None:
    stream_of(api, 6)  # timestamps NOW-10000 + 0,0,1,1,2,2
    page = api(
        "GetLogEvents",
        logGroupName="g",
        logStreamName="s",
        startTime=NOW - 9_999,
        endTime=NOW - 9_998,
        startFromHead=True,
    )
    assert messages(page) == ["m2", "m3"]


def test_an_empty_stream_still_answers_both_tokens(api: Api) -> None:
    api("CreateLogGroup", logGroupName="g")
    api("CreateLogStream", logGroupName="g", logStreamName="s")
    page = api("GetLogEvents", logGroupName="g", logStreamName="s")
    assert page["events"] == []
    assert page["nextForwardToken"].startswith("f/")
    assert page["nextBackwardToken"].startswith("b/")


def test_bad_tokens_are_invalid_parameters(api: Api) -> None:
    stream_of(api, 1)
    assert api.error("GetLogEvents", logGroupName="g", logStreamName="s", nextToken="zz") == (
        "InvalidParameterException",
        "The specified nextToken is invalid.",
    )
    assert api.error("FilterLogEvents", logGroupName="g", nextToken="zz")[0] == (
        "InvalidParameterException"
    )


def test_filter_log_events_interleaves_streams_and_pages_with_tokens(api: Api) -> None:
    api("CreateLogGroup", logGroupName="g")
    for stream in ("a", "b"):
        api("CreateLogStream", logGroupName="g", logStreamName=stream)
    for i in range(10):
        stream = "a" if i % 2 else "b"
        event = {"timestamp": NOW - 1000 + i, "message": f"e{i}"}
        api("PutLogEvents", logGroupName="g", logStreamName=stream, logEvents=[event])
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"logGroupName": "g", "limit": 4}
    while True:
        page = api("FilterLogEvents", **params)
        assert page["searchedLogStreams"] == []
        seen += page["events"]
        if "nextToken" not in page:
            break
        params["nextToken"] = page["nextToken"]
    assert [e["message"] for e in seen] == [f"e{i}" for i in range(10)]
    assert [e["logStreamName"] for e in seen] == ["b", "a"] * 5
    ids = [e["eventId"] for e in seen]
    assert ids == sorted(ids) and len(set(ids)) == 10


def test_filter_log_events_applies_streams_time_and_pattern(api: Api) -> None:
    stream_of(api, 4, stream="app-1")
    api("CreateLogStream", logGroupName="g", logStreamName="other")
    event = {"timestamp": NOW - 10_000, "message": "m1"}
    api("PutLogEvents", logGroupName="g", logStreamName="other", logEvents=[event])
    everywhere = api("FilterLogEvents", logGroupName="g", filterPattern="?m1 ?m3")
    assert messages(everywhere) == ["m1", "m1", "m3"]
    prefixed = api("FilterLogEvents", logGroupName="g", logStreamNamePrefix="app")
    assert messages(prefixed) == ["m0", "m1", "m2", "m3"]
    named = api("FilterLogEvents", logGroupName="g", logStreamNames=["other"])
    assert messages(named) == ["m1"]
    # endTime is inclusive here (unlike GetLogEvents').
    window = api("FilterLogEvents", logGroupName="g", startTime=NOW - 9_999, endTime=NOW - 9_999)
    assert messages(window) == ["m2", "m3"]


def test_filter_log_events_can_read_newest_first(api: Api) -> None:
    stream_of(api, 5)
    params: dict[str, Any] = {
        "logGroupName": "g",
        "startTime": NOW - 20_000,
        "startFromHead": False,
        "limit": 2,
    }
    first = api("FilterLogEvents", **params)
    assert messages(first) == ["m4", "m3"]
    second = api("FilterLogEvents", logGroupName="g", limit=2, nextToken=first["nextToken"])
    assert messages(second) == ["m2", "m1"]


def test_describe_log_groups_is_ascii_ordered_and_paged(api: Api) -> None:
    names = ["b", "A", "a/1", "a/2", "C"]
    for name in names:
        api("CreateLogGroup", logGroupName=name)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = api("DescribeLogGroups", **params)
        seen += [group["logGroupName"] for group in page["logGroups"]]
        if "nextToken" not in page:
            break
        params["nextToken"] = page["nextToken"]
    assert seen == sorted(names)
    prefixed = api("DescribeLogGroups", logGroupNamePrefix="a/")
    assert [g["logGroupName"] for g in prefixed["logGroups"]] == ["a/1", "a/2"]
    pattern = api("DescribeLogGroups", logGroupNamePattern="/")
    assert [g["logGroupName"] for g in pattern["logGroups"]] == ["a/1", "a/2"]
    assert set(pattern["logGroups"][0]) == {"logGroupName", "creationTime", "arn"}


def test_describe_log_streams_orders_by_name_or_last_event(api: Api) -> None:
    api("CreateLogGroup", logGroupName="g")
    for i, name in enumerate(["c", "a", "b"]):
        api("CreateLogStream", logGroupName="g", logStreamName=name)
        event = {"timestamp": NOW - 1000 * (3 - i), "message": "x"}  # c oldest, b newest
        api("PutLogEvents", logGroupName="g", logStreamName=name, logEvents=[event])

    def listing(**params: Any) -> list[str]:
        seen: list[str] = []
        while True:
            page = api("DescribeLogStreams", logGroupName="g", limit=1, **params)
            seen += [stream["logStreamName"] for stream in page["logStreams"]]
            if "nextToken" not in page:
                return seen
            params["nextToken"] = page["nextToken"]

    assert listing() == ["a", "b", "c"]
    assert listing(descending=True) == ["c", "b", "a"]
    assert listing(orderBy="LastEventTime") == ["c", "a", "b"]
    assert listing(orderBy="LastEventTime", descending=True) == ["b", "a", "c"]
    assert api.error("DescribeLogStreams", logGroupName="g", orderBy="LastEventTime",
                     logStreamNamePrefix="a") == (
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
    )  # fmt: skip
