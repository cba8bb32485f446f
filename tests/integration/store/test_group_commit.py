"""Group commit on a real SQLite file: shared transactions, isolated failures."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from lambent.store import Database, GroupCommit

SCHEMA = ["CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE);"]


def rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:
        return [r[0] for r in other.execute("SELECT v FROM t ORDER BY id")]


def test_concurrent_writes_share_transactions(tmp_path: Path) -> None:
    db = Database(tmp_path / "g.db", SCHEMA)
    commit = GroupCommit(db)

    async def main() -> list[int]:
        async def one(n: int) -> int:
            def work(c: sqlite3.Connection) -> int:
                cursor = c.execute("INSERT INTO t (v) VALUES (?)", (f"v{n}",))
                assert cursor.lastrowid is not None
                return cursor.lastrowid

            return await commit.write(work)

        return await asyncio.gather(*(one(n) for n in range(500)))

    try:
        ids = asyncio.run(main())
        assert len(set(ids)) == 500
        assert len(rows(tmp_path / "g.db")) == 500
        assert commit.writes == 500
        assert commit.transactions < 50, commit.transactions
    finally:
        db.close()


def test_a_failing_write_is_rolled_back_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "g.db", SCHEMA)
    commit = GroupCommit(db)

    def insert(value: str) -> Callable[[sqlite3.Connection], int | None]:
        return lambda c: c.execute("INSERT INTO t (v) VALUES (?)", (value,)).lastrowid

    def half_then_fail(c: sqlite3.Connection) -> None:
        c.execute("INSERT INTO t (v) VALUES ('half')")
        c.execute("INSERT INTO t (v) VALUES ('a')")  # UNIQUE: fails

    async def main() -> list[object]:
        return await asyncio.gather(
            commit.write(insert("a")),
            commit.write(half_then_fail),
            commit.write(insert("b")),
            return_exceptions=True,
        )

    try:
        first, failed, last = asyncio.run(main())
        assert isinstance(failed, sqlite3.IntegrityError)
        assert isinstance(first, int) and isinstance(last, int)
        assert rows(tmp_path / "g.db") == ["a", "b"]
    finally:
        db.close()


def test_results_come_after_the_commit(tmp_path: Path) -> None:
    db = Database(tmp_path / "g.db", SCHEMA)
    commit = GroupCommit(db)
    seen: list[list[str]] = []

    async def main() -> None:
        await commit.write(lambda c: c.execute("INSERT INTO t (v) VALUES ('x')"))
        seen.append(rows(tmp_path / "g.db"))  # another connection sees it already

    try:
        asyncio.run(main())
        assert seen == [["x"]]
    finally:
        db.close()


def test_a_failed_commit_fails_every_write_of_its_batch(tmp_path: Path) -> None:
    db = Database(tmp_path / "g.db", SCHEMA)
    commit = GroupCommit(db)

    async def main() -> None:
        db.close()  # the database thread is gone: the transaction cannot run
        with pytest.raises(RuntimeError):
            await commit.write(lambda c: c.execute("INSERT INTO t (v) VALUES ('x')"))

    asyncio.run(main())
