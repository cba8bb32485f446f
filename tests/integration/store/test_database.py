"""Database: refuses, saying why, an SQLite without what the stores need."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lambent.store import Database, log_schema


def test_an_sqlite_older_than_3_33_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    with pytest.raises(RuntimeError, match=r"needs SQLite 3\.33 or later"):
        Database(tmp_path / "logs.db", log_schema.MIGRATIONS)


def test_the_sqlite_here_has_what_the_stores_need(tmp_path: Path) -> None:
    db = Database(tmp_path / "logs.db", log_schema.MIGRATIONS)
    db.close()
