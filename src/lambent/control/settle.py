"""Finishing creations and updates: ``Pending`` → ``Active``, ``InProgress`` → ``Successful``.

AWS answers CreateFunction and the Update* calls before the change has been applied, and
clients wait with the ``function_active_v2`` / ``function_updated_v2`` waiters. Lambent
does the same: the change is committed in the ``Pending``/``InProgress`` state and a task
settles it. Work left unsettled by a crash is settled again at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence

from lambent.domain.function import Config, failed, in_progress, new_revision_id, settled
from lambent.store import Database, functions

log = logging.getLogger(__name__)


Prepare = Callable[[str, Sequence[str]], Awaitable[object]]
"""Make a package and its layers ready to run (extract them), given their SHA-256s."""


class Settler:
    def __init__(self, db: Database, prepare: Prepare) -> None:
        self._db = db
        self._prepare = prepare
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, account: str, region: str, config: Config) -> None:
        """Settle the version ``config`` names soon, whatever changed in it meanwhile."""
        task = asyncio.get_running_loop().create_task(self._settle(account, region, config))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, account: str, region: str, config: Config) -> None:
        """Prepare the code (as Lambda optimises a package before the function is Active),
        then mark the version settled, or failed if its code cannot be prepared."""
        name, version = config["FunctionName"], config["Version"]
        failure: str | None = None
        try:
            code = await self._db.read(lambda c: functions.code(c, account, region, name, version))
            await self._prepare(code.package, code.layers)
        except LookupError:
            return  # deleted meanwhile
        except Exception as e:
            log.exception("could not prepare the code of %s", config.get("FunctionArn"))
            failure = f"Lambent could not unpack the deployment package: {e}"

        def work(c: sqlite3.Connection) -> None:
            current = functions.get_version(c, account, region, name, version)
            if current is None or not in_progress(current):
                return  # deleted, or already settled (settling twice changes nothing)
            done = settled(current) if failure is None else failed(current, failure)
            done["RevisionId"] = new_revision_id()
            functions.update_config(c, account, region, done)

        try:
            await self._db.write(work)
        except Exception:
            log.exception("could not settle %s", config.get("FunctionArn"))

    async def recover(self) -> None:
        """Schedule what a previous run left unsettled."""
        pending = await self._db.read(lambda c: list(functions.unsettled(c)))
        for account, region, config in pending:
            if in_progress(config):
                self.schedule(account, region, config)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
