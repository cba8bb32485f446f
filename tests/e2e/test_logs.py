"""The CloudWatch Logs API on Lambent's port, driven by boto3 (the CLI: test_logs_cli.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.logs_support import now_ms, put
from tests.helpers import LambentProcess, error_of

# Groups and streams -----------------------------------------------------------------------


def test_log_groups_are_created_described_and_deleted(logs: Any) -> None:
    name = f"/test/{uuid.uuid4().hex[:12]}"
    before = now_ms()
    logs.create_log_group(logGroupName=name)
    (described,) = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert described["logGroupName"] == name
    assert before <= described["creationTime"] <= now_ms()
    assert described["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*"
    assert described["logGroupArn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}"
    assert (described["storedBytes"], described["metricFilterCount"]) == (0, 0)
    assert "retentionInDays" not in described
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []


def test_group_errors_are_aws_words(logs: Any, group: str) -> None:
    with pytest.raises(ClientError) as caught:
        logs.create_log_group(logGroupName=group)
    assert error_of(caught) == (
        400,
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )
    with pytest.raises(ClientError) as caught:
        logs.delete_log_group(logGroupName=group + "-missing")
    assert error_of(caught) == (
        400,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    with pytest.raises(ClientError) as caught:
        logs.create_log_group(logGroupName="aws/mine")
    assert error_of(caught) == (
        400,
        "InvalidParameterException",
        "Log groups starting with AWS/ are reserved for AWS.",
    )


def test_stream_errors_are_aws_words(logs: Any, group: str, stream: str) -> None:
    with pytest.raises(ClientError) as caught:
        logs.create_log_stream(logGroupName=group + "-missing", logStreamName="s")
    assert error_of(caught)[1:] == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    with pytest.raises(ClientError) as caught:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    assert error_of(caught) == (
        400,
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
    )
    with pytest.raises(ClientError) as caught:
        logs.delete_log_stream(logGroupName=group, logStreamName="missing")
    assert error_of(caught)[1:] == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
    with pytest.raises(ClientError) as caught:
        logs.get_log_events(logGroupName=group, logStreamName="missing")
    assert error_of(caught)[2] == "The specified log stream does not exist."


def test_streams_are_described_with_their_event_times(logs: Any, group: str) -> None:
    start = now_ms() - 5000
    for i, name in enumerate(["b", "a", "c"]):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, ["x", "y"], start + 100 * i)
    listed = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in listed] == ["a", "b", "c"]
    a = listed[0]
    assert (a["firstEventTimestamp"], a["lastEventTimestamp"]) == (start + 100, start + 101)
    assert a["arn"] == (f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:log-stream:a")
    assert a["storedBytes"] == 0
    newest = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in newest["logStreams"]] == ["c", "a", "b"]
    paginator = logs.get_paginator("describe_log_streams")
    pages = list(paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 1}))
    assert [s["logStreamName"] for p in pages for s in p["logStreams"]] == ["a", "b", "c"]


def test_retention_policies_show_in_the_description(logs: Any, group: str) -> None:
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["retentionInDays"] == 7
    logs.delete_retention_policy(logGroupName=group)
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert "retentionInDays" not in described
    with pytest.raises(ClientError) as caught:
        logs.put_retention_policy(logGroupName=group, retentionInDays=2)
    status, code, message = error_of(caught)
    assert (status, code) == (400, "InvalidParameterException")
    assert message.startswith(
        "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy "
        "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60,"
    )


# Putting and reading events ----------------------------------------------------------------


def test_put_log_events_ignores_sequence_tokens_and_reports_rejections(
    logs: Any, group: str, stream: str
) -> None:
    now = now_ms()
    events = [
        {"timestamp": now - 15 * 24 * 3600 * 1000, "message": "too old"},
        {"timestamp": now, "message": "kept"},
        {"timestamp": now + 3 * 3600 * 1000, "message": "too new"},
    ]
    answer = logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=events, sequenceToken="bogus"
    )
    assert answer["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 1,
        "tooNewLogEventStartIndex": 2,
    }
    assert answer["nextSequenceToken"].isdigit()
    kept = logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
    assert [e["message"] for e in kept] == ["kept"]
    assert kept[0]["ingestionTime"] >= now


def test_put_log_events_refuses_what_aws_refuses(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    with pytest.raises(ClientError) as caught:
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}],
        )
    assert error_of(caught) == (
        400,
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
    )
    with pytest.raises(ClientError) as caught:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="missing",
            logEvents=[{"timestamp": now, "message": "a"}],
        )
    assert error_of(caught)[1:] == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )


def test_get_log_events_pages_both_ways_with_tokens(logs: Any, group: str, stream: str) -> None:
    messages = [f"line {i}" for i in range(9)]
    put(logs, group, stream, messages, now_ms() - 60_000)

    def page(**kwargs: Any) -> dict[str, Any]:
        got: dict[str, Any] = logs.get_log_events(
            logGroupName=group, logStreamName=stream, limit=4, **kwargs
        )
        return got

    tail = page()
    assert [e["message"] for e in tail["events"]] == messages[5:]
    middle = page(nextToken=tail["nextBackwardToken"])
    assert [e["message"] for e in middle["events"]] == messages[1:5]
    head = page(nextToken=middle["nextBackwardToken"])
    assert [e["message"] for e in head["events"]] == messages[:1]
    end = page(nextToken=head["nextBackwardToken"])
    assert end["events"] == [] and end["nextBackwardToken"] == head["nextBackwardToken"]

    first = page(startFromHead=True)
    assert [e["message"] for e in first["events"]] == messages[:4]
    second = page(startFromHead=True, nextToken=first["nextForwardToken"])
    assert [e["message"] for e in second["events"]] == messages[4:8]
    third = page(startFromHead=True, nextToken=second["nextForwardToken"])
    assert [e["message"] for e in third["events"]] == messages[8:]
    done = page(startFromHead=True, nextToken=third["nextForwardToken"])
    assert done["events"] == [] and done["nextForwardToken"] == third["nextForwardToken"]
    assert done["nextForwardToken"].startswith("f/") and done["nextForwardToken"].endswith("/s")


def test_filter_log_events_interleaves_filters_and_pages(logs: Any, group: str) -> None:
    start = now_ms() - 60_000
    for name in ("web", "worker"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    for i in range(6):
        name = "web" if i % 2 == 0 else "worker"
        level = "ERROR" if i % 3 == 0 else "INFO"
        event = {"timestamp": start + i, "message": json.dumps({"level": level, "n": i})}
        logs.put_log_events(logGroupName=group, logStreamName=name, logEvents=[event])

    everything = logs.filter_log_events(logGroupName=group, interleaved=True)
    assert [json.loads(e["message"])["n"] for e in everything["events"]] == list(range(6))
    assert everything["searchedLogStreams"] == []
    assert "nextToken" not in everything

    errors = logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" }')
    assert [json.loads(e["message"])["n"] for e in errors["events"]] == [0, 3]
    phrase = logs.filter_log_events(logGroupName=group, filterPattern='"INFO" -worker')
    assert len(phrase["events"]) == 4  # "worker" is a stream name, not in any message
    only_worker = logs.filter_log_events(logGroupName=group, logStreamNames=["worker"])
    assert {e["logStreamName"] for e in only_worker["events"]} == {"worker"}

    pages = list(
        logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, PaginationConfig={"PageSize": 4}
        )
    )
    paged = [e for p in pages for e in p["events"]]
    assert [e["eventId"] for e in paged] == [e["eventId"] for e in everything["events"]]
    again = logs.filter_log_events(logGroupName=group)["events"]
    assert [e["eventId"] for e in again] == [e["eventId"] for e in paged]  # stable ids

    with pytest.raises(ClientError) as caught:
        logs.filter_log_events(logGroupName=group, logStreamNames=["web"], logStreamNamePrefix="w")
    assert error_of(caught)[:2] == (400, "InvalidParameterException")
    with pytest.raises(ClientError) as caught:
        logs.filter_log_events(logGroupName=group, filterPattern="{ $.level = ")
    assert error_of(caught) == (
        400,
        "InvalidParameterException",
        "If a filter pattern starts with '{' it must end with '}'",
    )


def test_a_group_is_found_by_its_arn_too(logs: Any, group: str, stream: str) -> None:
    put(logs, group, stream, ["by arn"], now_ms())
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"  # logGroupArn
    found = logs.get_log_events(logGroupIdentifier=arn, logStreamName=stream)
    assert [e["message"] for e in found["events"]] == ["by arn"]


def test_model_violations_are_invalid_parameters(server: LambentProcess) -> None:
    raw = server.client("logs", validate=False)
    with pytest.raises(ClientError) as caught:
        raw.create_log_group(logGroupName="not valid!")
    assert error_of(caught)[:2] == (400, "InvalidParameterException")
