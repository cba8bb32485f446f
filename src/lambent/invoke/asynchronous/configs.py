"""Event invoke configs as attempts read them: cached until the control plane writes.

Every attempt needs its (function, version or alias) config; reading it from the
control plane's database each time would put a read on that database's thread for
every event. Entries stay valid while the database has committed no write since they
were loaded (``Database.generation``), as the invoke path's own cache does.
"""

from __future__ import annotations

import sqlite3

from lambent.store import Database, event_invoke
from lambent.store.event_invoke import Stored

Key = tuple[str, str, str, str]


class EventConfigs:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._generation = -1
        self._entries: dict[Key, Stored | None] = {}

    async def get(self, account: str, region: str, function: str, qualifier: str) -> Stored | None:
        key = (account, region, function, qualifier)
        generation = self._db.generation
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        if key in self._entries:
            return self._entries[key]

        def work(c: sqlite3.Connection) -> Stored | None:
            return event_invoke.get(c, *key)

        found = await self._db.read(work)
        if self._db.generation == generation:
            self._entries[key] = found
        return found
