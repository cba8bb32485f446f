"""Asynchronous invocation: how many events a second the server accepts (each on disk
before its 202), and the latency from sending an event to its handler starting, under
steady load.

Baselines, measured the same way in the same run:

- ``dryrun_rate``: Invoke with ``InvocationType: DryRun`` under the same client load: the
  whole API path (routing, validation, function lookup) without the durable write, so
  ``accept_rate`` against it is the price of the queue.
- ``store_group_commit`` against ``store_commit_per_event``: the event store alone,
  in-process, 64 concurrent writers, with group commit and with one transaction (one
  fsync) per event as a naive queue would do.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.helpers import ROLE, LambentProcess, make_zip

from bench.load import Load, rate
from bench.stats import summary

CLIENT_PROCESSES = 4
CONNECTIONS_PER_PROCESS = 8
ACCEPT_SECONDS = 5.0
STEADY_RATE = 200  # events per second
STEADY_SECONDS = 10.0
WARM_SECONDS = 2.0
STORE_EVENTS = 5000
STORE_WRITERS = 64

SINK = make_zip({"app.py": "def handler(event, context):\n    return None\n"})
STAMP = make_zip(
    {
        "app.py": (
            "import time\n"
            "def handler(event, context):\n"
            '    print(f\'T {event["id"]} {time.time():.6f} {event["sent"]:.6f}\')\n'
        )
    }
)


def _path(name: str) -> str:
    return f"/2015-03-31/functions/{name}/invocations"


def _rate(server: LambentProcess, name: str, kind: str, status: int) -> dict[str, Any]:
    load = Load(
        _path(name),
        b'{"x": 1}',
        status,
        headers=(("X-Amz-Invocation-Type", kind),),
        processes=CLIENT_PROCESSES,
        connections=CONNECTIONS_PER_PROCESS,
        warm_s=0.5,
        seconds=ACCEPT_SECONDS,
    )
    stats = rate(server.port, load)
    stats["events_per_s"] = stats.pop("per_s")
    return stats


def _create(client: Any, name: str, code: bytes) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": code},
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def _steady(server: LambentProcess) -> dict[str, Any]:
    """Events at a steady rate; each handler prints when it started and when the event was
    sent (both wall clock, same host): the latency from send to handler start."""
    client = server.client()
    _create(client, "bench-async-latency", STAMP)
    connection = http.client.HTTPConnection("127.0.0.1", server.port)

    def send(count: int, first: int) -> None:
        interval = 1.0 / STEADY_RATE
        start = time.perf_counter()
        for n in range(count):
            pause = start + n * interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            body = json.dumps({"id": first + n, "sent": time.time()}).encode()
            connection.request(
                "POST",
                _path("bench-async-latency"),
                body=body,
                headers={"X-Amz-Invocation-Type": "Event"},
            )
            response = connection.getresponse()
            response.read()
            if response.status != 202:
                raise RuntimeError(f"HTTP {response.status}")

    # Warm-up at the same rate, not measured: the environments this load needs start.
    warm = int(STEADY_RATE * WARM_SECONDS)
    send(warm, -warm)
    time.sleep(1.0)
    count = int(STEADY_RATE * STEADY_SECONDS)
    send(count, 0)
    connection.close()
    logs = server.client("logs")
    deadline = time.monotonic() + 60
    latencies: dict[int, float] = {}
    while len(latencies) < count and time.monotonic() < deadline:
        latencies.clear()
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName="/aws/lambda/bench-async-latency"
        )
        try:
            for page in pages:
                for event in page["events"]:
                    parts = event["message"].split()
                    if len(parts) == 4 and parts[0] == "T" and int(parts[1]) >= 0:
                        latencies[int(parts[1])] = (float(parts[2]) - float(parts[3])) * 1000
        except logs.exceptions.ResourceNotFoundException:
            pass  # the log group appears with the first batch of lines
        time.sleep(0.5)
    if len(latencies) < count:
        raise RuntimeError(f"only {len(latencies)} of {count} events started")
    stats: dict[str, Any] = summary(list(latencies.values()))
    stats["events_per_s"] = STEADY_RATE
    return stats


def _store(group: bool) -> dict[str, Any]:
    """The event store alone: STORE_EVENTS inserts from STORE_WRITERS concurrent writers."""
    from lambent.store import Database, GroupCommit, event_schema, events
    from lambent.store.events import NewEvent

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "events.db", event_schema.MIGRATIONS)
        commit = GroupCommit(db)
        latencies: list[float] = []

        async def writer(first: int) -> None:
            for n in range(first, STORE_EVENTS, STORE_WRITERS):
                new = NewEvent(f"r{n}", "a", "r", "f", None, b'{"x": 1}', None, time.time())

                def work(c: sqlite3.Connection, new: NewEvent = new) -> None:
                    events.insert(c, new, claimed=False)

                began = time.perf_counter()
                await (commit.write(work) if group else db.write(work))
                latencies.append((time.perf_counter() - began) * 1000)

        async def main() -> float:
            began = time.perf_counter()
            await asyncio.gather(*(writer(first) for first in range(STORE_WRITERS)))
            return time.perf_counter() - began

        try:
            elapsed = asyncio.run(main())
        finally:
            db.close()
    stats: dict[str, Any] = summary(latencies)
    stats["events_per_s"] = round(STORE_EVENTS / elapsed, 1)
    if group:
        stats["transactions"] = commit.transactions
    return stats


def run(server: LambentProcess) -> dict[str, Any]:
    client = server.client()
    _create(client, "bench-async-sink", SINK)
    results: dict[str, Any] = {
        "dryrun_rate": _rate(server, "bench-async-sink", "DryRun", 204),
        "accept_rate": _rate(server, "bench-async-sink", "Event", 202),
    }
    results["accept_rate"]["ratio_vs_dryrun"] = round(
        results["accept_rate"]["events_per_s"] / results["dryrun_rate"]["events_per_s"], 3
    )
    # Let the sink's backlog drain before latency is measured.
    _drain(server)
    results["accept_to_handler_start"] = _steady(server)
    results["store_group_commit"] = _store(group=True)
    results["store_commit_per_event"] = _store(group=False)
    return results


def _drain(server: LambentProcess, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(server.data_dir / "events.db") as c:
            (left,) = c.execute("SELECT COUNT(*) FROM events").fetchone()
        if left == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("the accepted events did not drain")
