"""LogWriter: batches committed by a child process, which is started again if it dies."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from lambent.store import Database, log_schema, logs
from lambent.store.log_writer import LogWriteError, LogWriter


def messages(path: Path) -> list[str]:
    with sqlite3.connect(path) as c:
        return [row[0] for row in c.execute("SELECT message FROM log_events ORDER BY id")]


def lines(message: str) -> list[logs.Lines]:
    return [("000000000000", "us-east-1", "g", "s", [(1, message)])]


@pytest.mark.parametrize("reaped", [False, True])
def test_a_writer_that_died_is_started_again(tmp_path: Path, reaped: bool) -> None:
    """Found dead before a batch: started again for it. Dying under a batch (killed, not
    yet reaped): that batch is reported as not committed, the next starts it again."""
    path = tmp_path / "logs.db"
    Database(path, log_schema.MIGRATIONS).close()

    async def scenario() -> None:
        writer = LogWriter(path)
        await writer.commit(1, lines("before"))
        process = writer._process
        assert process is not None
        process.kill()
        if reaped:
            await process.wait()
            await writer.commit(2, lines("committed"))
        else:
            with pytest.raises(LogWriteError, match="ended"):
                await writer.commit(2, lines("not committed"))
        await writer.commit(3, lines("after"))
        await writer.close()

    asyncio.run(scenario())
    expected = ["before", "committed", "after"] if reaped else ["before", "after"]
    assert messages(path) == expected


def test_a_batch_the_database_refuses_is_rolled_back_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    Database(path, log_schema.MIGRATIONS).close()
    # A message the schema refuses (NOT NULL), after one it accepts: neither stays.
    bad: list[Any] = [("000000000000", "us-east-1", "g", "s", [(1, "ok"), (2, None)])]

    async def scenario() -> None:
        writer = LogWriter(path)
        with pytest.raises(LogWriteError, match="IntegrityError"):
            await writer.commit(1, bad)
        await writer.commit(2, lines("next"))
        await writer.close()

    asyncio.run(scenario())
    assert messages(path) == ["next"]


def test_a_batch_cancelled_half_way_does_not_answer_for_the_next(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    Database(path, log_schema.MIGRATIONS).close()

    async def scenario() -> None:
        writer = LogWriter(path)
        await writer.commit(1, lines("first"))
        cancelled = asyncio.ensure_future(writer.commit(2, lines("cancelled")))
        await asyncio.sleep(0)  # sent, not answered yet
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        await writer.commit(3, lines("third"))
        # Committed when commit() returns, not merely sent (an answer out of step would
        # have returned on the cancelled batch's "+").
        assert messages(path)[-1] == "third"
        await writer.close()

    asyncio.run(scenario())
    assert messages(path)[0] == "first"
