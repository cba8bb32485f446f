"""The dispatcher on a real events database, with a stand-in for running functions: every
event runs exactly once, no lane runs more than its capacity at a time, retries come back
when due, and one lane's failures hold up no other lane."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

from lambent.domain.arn import FunctionRef
from lambent.domain.invocation_record import Response
from lambent.domain.retry import Failure, Policy
from lambent.invoke.asynchronous.attempt import Kind, Outcome
from lambent.invoke.asynchronous.dispatcher import Dispatcher
from lambent.invoke.asynchronous.queue import EventQueue
from lambent.store import Database, GroupCommit, event_schema
from lambent.store.events import Event

CAPACITY = 3


class FakeRunner:
    """Runs nothing: notes who ran when, and fails the lanes it is told to fail."""

    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.running: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.runs: Counter[str] = Counter()
        self.started: dict[str, float] = {}

    async def run(self, event: Event) -> Outcome:
        self.running[event.function] += 1
        self.most[event.function] = max(self.most[event.function], self.running[event.function])
        self.runs[event.request_id] += 1
        self.started.setdefault(event.request_id, time.monotonic())
        try:
            await asyncio.sleep(random.uniform(0, 0.005))
        finally:
            self.running[event.function] -= 1
        policy = Policy(retry_attempts=1, scale=0.001)
        if event.function in self.failing:
            return Outcome(
                Kind.FAILED,
                time.time(),
                policy,
                "$LATEST",
                attempted=True,
                failure=Failure.FUNCTION_ERROR,
                response=Response("$LATEST", b'{"errorMessage": "x"}', "E"),
            )
        return Outcome(Kind.SUCCEEDED, time.time(), policy, "$LATEST", attempted=True)


def _left(path: Path) -> int:
    with sqlite3.connect(path) as c:
        return int(c.execute("SELECT COUNT(*) FROM events").fetchone()[0])


async def _scenario(path: Path, runner: FakeRunner, lanes: list[str], per_lane: int) -> float:
    db = Database(path, event_schema.MIGRATIONS)
    commit = GroupCommit(db)
    dispatcher = Dispatcher(
        commit,
        runner,
        time.time,
        CAPACITY,
        lambda *args: None,
        lambda: None,  # type: ignore[arg-type]
    )
    queue = EventQueue(commit, dispatcher, time.time)
    try:
        await dispatcher.start()
        sends = [
            queue.accept(FunctionRef("a", "r", lane, None), f"{lane}-{n}", b"{}", None)
            for n in range(per_lane)
            for lane in lanes
        ]
        began = time.monotonic()
        await asyncio.gather(*sends)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not _left(path):
                break
            await asyncio.sleep(0.01)
        return began
    finally:
        await dispatcher.stop(1.0)
        db.close()


def test_every_event_runs_once_within_its_lanes_capacity(tmp_path: Path) -> None:
    runner = FakeRunner(failing=set())
    lanes = [f"f{n}" for n in range(5)]
    asyncio.run(_scenario(tmp_path / "events.db", runner, lanes, per_lane=100))
    assert _left(tmp_path / "events.db") == 0
    assert len(runner.runs) == 500
    assert set(runner.runs.values()) == {1}
    assert max(runner.most.values()) <= CAPACITY
    assert min(runner.most.values()) == CAPACITY  # each lane did run in parallel


def test_failures_retry_when_due_and_hold_up_no_other_lane(tmp_path: Path) -> None:
    runner = FakeRunner(failing={"bad"})
    began = asyncio.run(_scenario(tmp_path / "events.db", runner, ["bad", "good"], per_lane=30))
    assert _left(tmp_path / "events.db") == 0
    bad = [count for request_id, count in runner.runs.items() if request_id.startswith("bad")]
    assert bad == [2] * 30  # MaximumRetryAttempts 1: two attempts each
    good = [runner.started[f"good-{n}"] - began for n in range(30)]
    assert max(good) < 2.0
