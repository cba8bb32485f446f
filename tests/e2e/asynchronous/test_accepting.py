"""Accepting events: 202 once stored, then run; InvokeAsync; AWS's payload limit; and
lanes, which keep one function's backlog from holding up another's events."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.asynchronous.support import (
    ECHO,
    FAILING,
    SLOW,
    event,
    starts,
)
from tests.e2e.invoking import deploy, has, log_messages, wait_until
from tests.helpers import LambentProcess


def test_an_event_is_answered_202_and_runs(client: Any, logs: Any) -> None:
    name = deploy(client, {"app.py": ECHO})
    request_id = event(client, name, {"n": 1})
    lines = log_messages(logs, f"/aws/lambda/{name}", has("GOT {'n': 1}"))
    assert f"START RequestId: {request_id} Version: $LATEST" in lines


def test_invoke_async_is_answered_202_with_status(client: Any, logs: Any) -> None:
    name = deploy(client, {"app.py": ECHO})
    response = client.invoke_async(FunctionName=name, InvokeArgs=b'{"legacy": true}')
    assert response["Status"] == 202
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    log_messages(logs, f"/aws/lambda/{name}", has("GOT {'legacy': True}"))


def test_event_payloads_over_one_megabyte_are_refused(client: Any) -> None:
    name = deploy(client, {"app.py": ECHO})
    limit = 1_048_576
    at_limit = json.dumps("x" * (limit - 2)).encode()
    assert len(at_limit) == limit
    client.invoke(FunctionName=name, InvocationType="Event", Payload=at_limit)
    with pytest.raises(ClientError) as e:
        client.invoke(FunctionName=name, InvocationType="Event", Payload=at_limit[:-1] + b'x"')
    response = e.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert response["Error"]["Message"] == (
        "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"
    )
    # A synchronous invocation of the same payload is within its 6 MB.
    assert client.invoke(FunctionName=name, Payload=at_limit[:-1] + b'x"')["StatusCode"] == 200


def test_the_payload_limit_is_a_server_setting(tmp_path: Path) -> None:
    small = LambentProcess(tmp_path / "data", "--max-async-payload", "100").start()
    try:
        client = small.client()
        name = deploy(client, {"app.py": ECHO})
        client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps("x" * 98))
        with pytest.raises(ClientError) as e:
            client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps("x" * 99))
        assert e.value.response["Error"]["Message"] == (
            "101 byte payload is too large for the Event invocation type (limit 100 bytes)"
        )
    finally:
        assert small.stop() == 0


# --- Lanes ------------------------------------------------------------------------------------


def test_a_throttled_functions_backlog_does_not_hold_up_others(client: Any, logs: Any) -> None:
    slow = deploy(client, {"app.py": SLOW}, Timeout=10)
    client.put_function_concurrency(FunctionName=slow, ReservedConcurrentExecutions=1)
    failing = deploy(client, {"app.py": FAILING})
    for n in range(30):
        event(client, slow, {"n": n})
        event(client, failing, {"n": n})
    quick = deploy(client, {"app.py": ECHO})
    sent = time.monotonic()
    request_id = event(client, quick, {"n": "quick"})
    assert wait_until(lambda: request_id in starts(logs, quick), timeout=10, step=0.05)
    assert time.monotonic() - sent < 3.0
