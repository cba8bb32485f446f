"""AWS's retries and event age: attempts counted as START lines in the function's log, at
``--retry-delay-scale 0.01`` (a minute's wait takes 0.6 s; 60 s of event age 0.6 s)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.e2e.asynchronous.support import (
    ECHO,
    FAILING,
    SLOW,
    counters,
    drain,
    event,
    queue,
    record_for,
    settled_starts,
    starts,
)
from tests.e2e.invoking import FUNCTION_ARN, deploy, has, log_messages, wait_until
from tests.helpers import LambentProcess


@pytest.mark.parametrize("retries", [0, 1, 2])
def test_function_errors_are_retried_exactly_maximum_retry_attempts_times(
    client: Any, logs: Any, recorder: str, retries: int
) -> None:
    name = deploy(client, {"app.py": FAILING})
    client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=retries,
        DestinationConfig={"OnFailure": {"Destination": FUNCTION_ARN + recorder}},
    )
    started = time.monotonic()
    request_id = event(client, name, {"n": retries})
    record = record_for(logs, recorder, request_id)
    elapsed = time.monotonic() - started
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == retries + 1
    assert record["responsePayload"]["errorMessage"] == f"boom {retries}"
    # Every attempt is the same invocation: one request id, one START line each.
    assert settled_starts(logs, name) == [request_id] * (retries + 1)
    # AWS waits one minute, then two: 0.6 s and 1.2 s at this scale.
    assert elapsed >= [0, 0.6, 1.8][retries]


def test_the_default_is_two_retries(client: Any, logs: Any) -> None:
    name = deploy(client, {"app.py": FAILING})
    request_id = event(client, name, {"n": 0})
    assert wait_until(lambda: len(starts(logs, name)) >= 3, timeout=20)
    assert settled_starts(logs, name, quiet=2.5) == [request_id] * 3


def test_an_aliass_own_config_applies_to_events_sent_to_it(client: Any, logs: Any) -> None:
    name = deploy(client, {"app.py": FAILING})
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    client.put_function_event_invoke_config(
        FunctionName=name, Qualifier="live", MaximumRetryAttempts=0
    )
    request_id = event(client, name, {"n": 1}, Qualifier="live")
    assert wait_until(lambda: len(starts(logs, name)) >= 1, timeout=20)
    assert settled_starts(logs, name, quiet=2.5) == [request_id]


# --- Event age ------------------------------------------------------------------------------


def test_an_event_too_old_for_its_next_retry_is_dropped(
    server: LambentProcess, client: Any, logs: Any, recorder: str
) -> None:
    name = deploy(client, {"app.py": FAILING})
    client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": FUNCTION_ARN + recorder}},
    )
    request_id = event(client, name, {"n": 7})
    lines = log_messages(logs, f"/aws/lambda/{name}", has("Lambent dropped asynchronous event"))
    (dropped,) = [line for line in lines if "dropped" in line]
    assert request_id in dropped and "EventAgeExceeded" in dropped
    # The first retry would start a minute (0.6 s here) after the first attempt: past 60 s.
    record = record_for(logs, recorder, request_id)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert settled_starts(logs, name) == [request_id]
    counted = counters(server, name)
    assert (counted.received, counted.dropped) == (1, 1)
    assert counted.age_count == 1


def test_throttled_events_age_out_without_a_response(client: Any, logs: Any, sqs: Any) -> None:
    url, arn = queue(sqs)
    name = deploy(client, {"app.py": SLOW}, Timeout=10)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    event(client, name, {"first": True})
    assert wait_until(lambda: len(starts(logs, name)) == 1, timeout=10)
    throttled = event(client, name, {"second": True})
    (message,) = drain(sqs, url, lambda found: len(found) >= 1, timeout=10)
    record = json.loads(message["Body"])
    assert record["requestContext"]["requestId"] == throttled
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] >= 2
    assert "responseContext" not in record and "responsePayload" not in record
    assert record["requestPayload"] == {"second": True}
    assert throttled not in starts(logs, name)


def test_reserved_concurrency_zero_sends_events_to_failure_destinations_at_once(
    client: Any, logs: Any, sqs: Any
) -> None:
    url, arn = queue(sqs)
    name = deploy(client, {"app.py": ECHO})
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": arn}}
    )
    request_id = event(client, name, {"n": 0})
    (message,) = drain(sqs, url, lambda found: len(found) >= 1, timeout=10)
    record = json.loads(message["Body"])
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert starts(logs, name) == []
