"""What invoking a function needs from the database, cached until the database changes.

A warm invocation then reads no row: the entry is valid while the control plane's
database has committed no write since it was loaded (``Database.generation``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from lambent.domain.arn import FunctionRef
from lambent.invoke.routing import Candidates, load
from lambent.store import Database, functions, provisioned


@dataclass(frozen=True, slots=True)
class Loaded:
    candidates: Candidates
    #: The function's reserved concurrency, None when it has none.
    reserved: int | None
    #: What all functions of the account and region reserve (and provision, unreserved).
    reserved_total: int
    #: What the function's versions and aliases provision.
    provisioned: int = 0


def _load(c: sqlite3.Connection, ref: FunctionRef) -> Loaded:
    return Loaded(
        load(c, ref),
        functions.reserved_concurrency(c, ref.account, ref.region, ref.name),
        functions.reserved_total(c, ref.account, ref.region),
        provisioned.function_total(c, ref.account, ref.region, ref.name),
    )


class InvokeCache:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._generation = -1
        self._entries: dict[FunctionRef, Loaded] = {}

    async def get(self, ref: FunctionRef) -> Loaded:
        generation = self._db.generation
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        found = self._entries.get(ref)
        if found is None:
            found = await self._db.read(lambda c: _load(c, ref))
            # Kept only if nothing was written meanwhile (else the next call reloads).
            if self._db.generation == generation:
                self._entries[ref] = found
        return found
