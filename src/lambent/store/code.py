"""Which deployment packages rows still use, and dropping the ones none do."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from lambent.store.blobs import BlobStore


def in_use(c: sqlite3.Connection) -> set[str]:
    rows = c.execute(
        "SELECT code_sha256 FROM function_versions UNION SELECT code_sha256 FROM layer_versions "
        "UNION SELECT value FROM function_versions, json_each(function_versions.layer_code)"
    )
    return {r[0] for r in rows}


def _used(c: sqlite3.Connection, sha256_hex: str) -> bool:
    row = c.execute(
        "SELECT 1 FROM function_versions WHERE code_sha256=? "
        "UNION ALL SELECT 1 FROM layer_versions WHERE code_sha256=? "
        "UNION ALL SELECT 1 FROM function_versions, json_each(function_versions.layer_code) "
        "WHERE value=? LIMIT 1",
        (sha256_hex, sha256_hex, sha256_hex),
    ).fetchone()
    return row is not None


def release_code(c: sqlite3.Connection, blobs: BlobStore, shas: Iterable[str]) -> None:
    """Delete the blobs among ``shas`` that no row references any more.

    Runs on the database thread, so no write that is about to reference a blob can
    interleave with its deletion.
    """
    for sha in set(shas):
        if not _used(c, sha):
            blobs.path(sha).unlink(missing_ok=True)
