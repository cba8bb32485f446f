"""Scaling and overload: simultaneous invocations run in as many environments; ten times
more than the limits allow are throttled at once while the admitted ones complete, with no
environment left behind and the server's memory bounded; an environment that dies between
invocations is replaced without its next caller seeing an error."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.invoking import REPORT, deploy, invoke, processes_with, tail, unique, wait_until
from tests.helpers import LambentProcess

SLOW = """
import time

def handler(event, context):
    time.sleep(event.get("s", 0))
    return context.log_stream_name
"""


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def _invoke_raw(port: int, name: str, payload: bytes) -> tuple[int, dict[str, Any], float]:
    """One Invoke over its own connection, timed: a burst of raw requests measures the
    server (thirty boto3 clients in threads would measure the GIL and request signing)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nHost: lambda\r\n"
            f"Content-Length: {len(payload)}\r\nContent-Type: application/json\r\n"
            f"Authorization: {_AUTHORIZATION}\r\n\r\n".encode()
            + payload
        )
        async with asyncio.timeout(20):  # nothing may wait forever
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                key, _, value = line.decode().partition(":")
                if key.lower() == "content-length":
                    length = int(value)
            body = json.loads(await reader.readexactly(length)) if length else {}
    finally:
        writer.close()
    return status, body, time.monotonic() - started


#: The server reads the account and region from the credential scope.
_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _burst(port: int, name: str, callers: int, seconds: float) -> list[tuple[str, float]]:
    """``callers`` invocations at once: each one's outcome ('ok' or the throttle's Reason)
    and how long it took."""

    async def all_at_once() -> list[tuple[int, dict[str, Any], float]]:
        payload = json.dumps({"s": seconds}).encode()
        return await asyncio.gather(*(_invoke_raw(port, name, payload) for _ in range(callers)))

    outcomes = []
    for status, body, took in asyncio.run(all_at_once()):
        if status == 200:
            outcomes.append(("ok", took))
            continue
        assert (status, body["message"], body["Type"]) == (429, "Rate Exceeded.", "User"), body
        outcomes.append((str(body["Reason"]), took))
    return outcomes


def test_parallel_slow_invocations_run_in_as_many_environments(lambda_client: Any) -> None:
    name = deploy(lambda_client, {"app.py": SLOW}, Timeout=10)
    callers = 6
    started = time.monotonic()
    with ThreadPoolExecutor(callers) as pool:
        streams = list(pool.map(lambda _: invoke(lambda_client, name, {"s": 1.5})[1], range(6)))
    elapsed = time.monotonic() - started
    assert len(set(streams)) == callers, streams
    assert elapsed < 2 * 1.5, f"the invocations ran one after another ({elapsed:.1f} s)"


def test_an_environment_that_dies_between_invocations_is_replaced(lambda_client: Any) -> None:
    """Killed from outside while idle (frozen by then: its death stays pending until it is
    thawed): the next invocation runs in a new environment, and its caller sees an answer,
    not the death."""
    marker = unique("marker")
    name = deploy(lambda_client, {"app.py": SLOW}, Environment={"Variables": {"MARKER": marker}})
    _, first = invoke(lambda_client, name, {})
    victims = processes_with(marker)
    assert victims
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    response, second = invoke(lambda_client, name, {}, LogType="Tail")
    assert "FunctionError" not in response, second
    assert second != first, "a new environment answered"
    report = next(m for line in tail(response).splitlines() if (m := REPORT.match(line)))
    assert report["init"] is not None, "a cold start, in the caller's invocation"
    assert wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in victims), 10)


@pytest.mark.slow
def test_ten_times_more_requests_than_the_limit(tmp_path: Path) -> None:
    """Account concurrency 3, 30 simultaneous 2-second invocations, three times over: the
    27 excess get 429 at once, the 3 admitted complete, environments go back to zero after
    the keep-alive, and the server's memory does not grow from burst to burst."""
    server = LambentProcess(
        tmp_path / "data", "--account-concurrency", "3", "--keep-alive", "2"
    ).start()
    limit, callers, seconds = 3, 30, 2.0
    try:
        assert server.process is not None
        client = server.client()
        marker = unique("marker")
        name = deploy(
            client,
            {"app.py": SLOW},
            Timeout=10,
            Environment={"Variables": {"MARKER": marker}},
        )
        rss: list[int] = []
        for _ in range(3):
            outcomes = _burst(server.port, name, callers, seconds)
            admitted = [took for outcome, took in outcomes if outcome == "ok"]
            throttled = [took for outcome, took in outcomes if outcome != "ok"]
            reasons = {outcome for outcome, _ in outcomes if outcome != "ok"}
            assert len(admitted) == limit, outcomes
            assert reasons == {"ConcurrentInvocationLimitExceeded"}
            assert len(throttled) == callers - limit
            assert max(throttled) < 0.5, "the excess must be refused at once, not queued"
            assert min(admitted) >= seconds
            assert len(_environments(marker)) <= limit, "no more environments than admitted"
            rss.append(_rss_kib(server.process.pid))
        assert rss[-1] - rss[0] < 30 * 1024, f"the server's memory grew: {rss} KiB"
        # After the keep-alive (2 s) the reaper (every second) leaves none.
        assert wait_until(lambda: not _environments(marker), timeout=8), _environments(marker)
        assert client.invoke(FunctionName=name)["StatusCode"] == 200, "and it still serves"
    finally:
        assert server.stop() == 0


def _environments(marker: str) -> list[int]:
    """The host processes of a function's environments (its runtimes carry ``marker``)."""
    return processes_with(marker)
