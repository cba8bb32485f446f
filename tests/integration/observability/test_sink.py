"""The LogSink against a real logs.db: batching, persistence, and a clean shutdown."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from lambent.domain.context import RequestContext
from lambent.observability import LogService, LogSink, lambda_log_group, lambda_log_stream
from lambent.server.app import platform
from lambent.server.settings import Settings
from lambent.store import Database, log_schema, logs
from lambent.store.log_writer import LogWriteError, LogWriter
from tests.helpers import free_port

NOW = 1_750_000_000.0
ACCOUNT, REGION = "000000000000", "us-east-1"


class CountingWriter(LogWriter):
    """A LogWriter that counts the batches it commits."""

    writes = 0

    async def commit(self, ingestion_time: int, batch: Sequence[logs.Lines]) -> None:
        self.writes += 1
        await super().commit(ingestion_time, batch)


def migrated(path: Path) -> Path:
    """``path`` as the server leaves it before the writer starts: schema in place."""
    Database(path, log_schema.MIGRATIONS).close()
    return path


def stored(path: Path) -> list[tuple[str, str, int, str]]:
    """(group, stream, timestamp, message) of every event in ``path``, in key order."""
    with sqlite3.connect(path) as c:
        rows = c.execute(
            "SELECT g.name, s.name, e.timestamp, e.message FROM log_events e"
            " JOIN log_streams s ON s.id = e.stream_id JOIN log_groups g ON g.id = s.group_id"
            " ORDER BY e.timestamp, e.id"
        ).fetchall()
    return [tuple(row) for row in rows]


def test_appends_within_an_interval_are_written_in_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    group = lambda_log_group("orders")
    first = lambda_log_stream("$LATEST", NOW)
    second = lambda_log_stream("$LATEST", NOW)

    async def scenario() -> tuple[int, int, int]:
        db = CountingWriter(migrated(path))
        sink = LogSink(db, lambda: NOW, interval=0.05)
        for i in range(20):
            sink.append(ACCOUNT, REGION, group, first if i % 2 else second, [(i, f"line {i}")])
        pending, writes_before = sink.pending, db.writes
        await asyncio.sleep(0.3)
        writes_after = db.writes
        await sink.close()
        await db.close()
        return pending, writes_before, writes_after

    pending, before, after = asyncio.run(scenario())
    assert (pending, before, after) == (20, 0, 1)
    rows = stored(path)
    assert [row[3] for row in rows] == [f"line {i}" for i in range(20)]
    assert {row[1] for row in rows} == {first, second}
    assert {row[0] for row in rows} == {"/aws/lambda/orders"}


def test_a_full_batch_is_written_at_once(tmp_path: Path) -> None:
    async def scenario() -> int:
        db = CountingWriter(migrated(tmp_path / "logs.db"))
        sink = LogSink(db, lambda: NOW, interval=60.0, batch_events=10)
        sink.append(ACCOUNT, REGION, "g", "s", [(i, "x") for i in range(10)])
        await asyncio.sleep(0.5)  # far less than the interval
        writes = db.writes
        await sink.close()
        await db.close()
        return writes

    assert asyncio.run(scenario()) == 1
    assert len(stored(tmp_path / "logs.db")) == 10


def test_close_commits_what_was_accepted_and_refuses_more(tmp_path: Path) -> None:
    async def scenario() -> None:
        writer = LogWriter(migrated(tmp_path / "logs.db"))
        sink = LogSink(writer, lambda: NOW, interval=60.0)
        sink.append(ACCOUNT, REGION, "g", "s", [(1, "accepted"), (2, "too")])
        await sink.close()
        sink.append(ACCOUNT, REGION, "g", "s", [(3, "after close")])
        await writer.close()

    asyncio.run(scenario())
    assert [row[3] for row in stored(tmp_path / "logs.db")] == ["accepted", "too"]


def test_lines_are_readable_through_the_api_once_flushed(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        db = Database(tmp_path / "logs.db", log_schema.MIGRATIONS)
        service = LogService(db, lambda: NOW)
        stream = lambda_log_stream("1", NOW)
        service.sink.append(ACCOUNT, REGION, "/aws/lambda/f", stream, [(5, "START"), (6, "END")])
        await service.sink.flush()
        ctx = RequestContext(ACCOUNT, REGION, "r", "http://x")
        page = await service.handlers()["FilterLogEvents"](ctx, {"logGroupName": "/aws/lambda/f"})
        described = await service.handlers()["DescribeLogStreams"](
            ctx, {"logGroupName": "/aws/lambda/f"}
        )
        await service.close()
        db.close()
        assert described["logStreams"][0]["logStreamName"] == stream
        assert described["logStreams"][0]["firstEventTimestamp"] == 5
        return [event["message"] for event in page["events"]]

    assert asyncio.run(scenario()) == ["START", "END"]


def test_the_platform_flushes_the_sink_on_a_clean_shutdown(tmp_path: Path) -> None:
    settings = Settings(port=free_port(), data_dir=tmp_path / "data")

    async def scenario() -> None:
        async with platform(settings) as running:
            running.logs.sink.append(ACCOUNT, REGION, "/aws/lambda/f", "s", [(1, "last words")])

    asyncio.run(scenario())
    assert stored(tmp_path / "data" / "logs.db") == [("/aws/lambda/f", "s", 1, "last words")]


def test_retention_deletes_expired_events_and_recounts_bytes(tmp_path: Path) -> None:
    day = 24 * 3600 * 1000
    now_ms = int(NOW * 1000)

    async def scenario() -> tuple[int, int]:
        db = Database(tmp_path / "logs.db", log_schema.MIGRATIONS)
        service = LogService(db, lambda: NOW)
        events = [(now_ms - 3 * day, "old"), (now_ms - 2 * day, "older"), (now_ms, "new")]
        service.sink.append(ACCOUNT, REGION, "g", "s", events)
        await service.sink.flush()
        ctx = RequestContext(ACCOUNT, REGION, "r", "http://x")
        handlers = service.handlers()
        await handlers["PutRetentionPolicy"](ctx, {"logGroupName": "g", "retentionInDays": 1})
        deleted = await service.sweep()
        groups = await handlers["DescribeLogGroups"](ctx, {})
        await service.close()
        db.close()
        return deleted, groups["logGroups"][0]["storedBytes"]

    assert asyncio.run(scenario()) == (2, len("new"))
    assert [row[3] for row in stored(tmp_path / "logs.db")] == ["new"]


class FailingOnceWriter(LogWriter):
    """A LogWriter whose first batch fails, as a full disk would."""

    failed = False

    async def commit(self, ingestion_time: int, batch: Sequence[logs.Lines]) -> None:
        if not self.failed:
            self.failed = True
            raise LogWriteError("OperationalError: database or disk is full")
        await super().commit(ingestion_time, batch)


def test_lines_of_a_failed_flush_are_kept_for_the_next(tmp_path: Path) -> None:
    async def scenario() -> int:
        writer = FailingOnceWriter(migrated(tmp_path / "logs.db"))
        sink = LogSink(writer, lambda: NOW, interval=60.0)
        sink.append(ACCOUNT, REGION, "g", "s", [(1, "kept through a failure")])
        await sink.flush()
        pending = sink.pending
        await sink.close()
        await writer.close()
        return pending

    assert asyncio.run(scenario()) == 1
    assert [row[3] for row in stored(tmp_path / "logs.db")] == ["kept through a failure"]


def test_a_large_batch_keeps_every_line_once_and_in_order(tmp_path: Path) -> None:
    """Rows go in as multi-row statements: 2,047 rows take every statement size."""
    path = tmp_path / "logs.db"
    group, stream = lambda_log_group("bulk"), lambda_log_stream("$LATEST", NOW)
    lines = [f"line {i}" for i in range(2 * 1024 - 2)]

    async def scenario() -> None:
        writer = LogWriter(migrated(path))
        sink = LogSink(writer, lambda: NOW, interval=10)
        sink.append(ACCOUNT, REGION, group, stream, [(7, line) for line in lines])
        sink.append(ACCOUNT, REGION, group, stream, [(7, "last")])
        await sink.close()
        await writer.close()

    asyncio.run(scenario())
    assert stored(path) == [(group, stream, 7, line) for line in [*lines, "last"]]


def test_one_flush_keeps_each_streams_summary(tmp_path: Path) -> None:
    """Several groups and streams in one flush: each stream's first and last event,
    stored bytes and upload count are its own."""
    path = tmp_path / "logs.db"
    orders, billing = lambda_log_group("orders"), lambda_log_group("billing")
    first, second = "2026/11/22/[$LATEST]a", "2026/11/22/[$LATEST]b"

    async def scenario() -> None:
        writer = LogWriter(migrated(path))
        sink = LogSink(writer, lambda: NOW, interval=10)
        sink.append(ACCOUNT, REGION, orders, first, [(30, "héllo"), (10, "a")])
        sink.append(ACCOUNT, REGION, billing, first, [(5, "bb")])
        sink.append(ACCOUNT, REGION, orders, second, [(20, "ccc")])
        sink.append(ACCOUNT, REGION, orders, first, [(40, "dddd")])
        await sink.flush()
        sink.append(ACCOUNT, REGION, orders, first, [(1, "e")])
        await sink.close()
        await writer.close()

    asyncio.run(scenario())
    with sqlite3.connect(path) as c:
        rows = c.execute(
            "SELECT g.name, s.name, s.first_event, s.last_event, s.stored_bytes, s.uploads"
            " FROM log_streams s JOIN log_groups g ON g.id = s.group_id ORDER BY g.name, s.name"
        ).fetchall()
    assert rows == [
        (billing, first, 5, 5, 2, 1),
        (orders, first, 1, 40, len("héllo".encode()) + 1 + 4 + 1, 2),
        (orders, second, 20, 20, 3, 1),
    ]
