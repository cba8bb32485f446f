"""Provisioned concurrency carried out: the environments every stored configuration asks
for are kept initialised, and what they report is written back to it.

The control plane only records configurations (``lambent.control.provisioned``). This loop
reads them whenever the database changed (an alias moved to another version, a version or
a function was deleted, a configuration was put or deleted), tells each version's pool how
many provisioned environments to hold, and records each configuration's progress: Status
IN_PROGRESS → READY (or FAILED), the allocated and available counts. It runs from start-up
on, so configurations made before a restart are provisioned again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field

from lambent.domain import provisioned as rules
from lambent.domain.arn import LATEST
from lambent.environments import Environments, Target
from lambent.store import Database, functions, provisioned

log = logging.getLogger(__name__)

VersionKey = tuple[str, str, str, str]
#: How often the database is checked for changes when nothing else wakes the loop.
_POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class _Plan:
    configs: list[provisioned.Stored]
    #: Per configuration (by its key): how many environments of each version it holds.
    shares: dict[VersionKey, dict[VersionKey, int]]
    #: Per version: what to run, how many in all, and what identifies the configurations
    #: asking (a configuration put again retries a failed provisioning).
    versions: dict[VersionKey, tuple[Target, int, tuple[object, ...]]] = field(default_factory=dict)


def _load(c: sqlite3.Connection) -> _Plan:
    configs = provisioned.everything(c)
    plan = _Plan(configs, {})
    targets: dict[VersionKey, Target] = {}
    for config in configs:
        account, region, name = config.account, config.region, config.function
        if config.qualifier.isdigit():
            split = {config.qualifier: config.requested}
        else:
            alias = functions.get_alias(c, account, region, name, config.qualifier)
            if alias is None:
                continue
            weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            split = rules.shares(config.requested, str(alias["FunctionVersion"]), weights)
        shares = plan.shares.setdefault(config.key, {})
        for version, count in split.items():
            key = (account, region, name, version)
            if version == LATEST or count <= 0:
                continue
            if key not in targets:
                stored = functions.get_version(c, account, region, name, version)
                if stored is None:
                    continue
                code = functions.code(c, account, region, name, version)
                targets[key] = Target(account, region, stored, code.package, code.layers)
            shares[key] = count
            _, total, tokens = plan.versions.get(key, (targets[key], 0, ()))
            token = (config.key, config.last_modified)
            plan.versions[key] = (targets[key], total + count, (*tokens, token))
    return plan


class Provisioning:
    def __init__(self, db: Database, environments: Environments) -> None:
        self._db = db
        self._environments = environments
        self._generation = -1
        self._plan = _Plan([], {})
        self._applied: set[VersionKey] = set()
        #: What was last written per configuration (key, LastModified → its progress).
        self._reported: dict[tuple[VersionKey, float], rules.Progress] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        environments.watch_provisioning(self._changed.set)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._changed.clear()
            try:
                await self.step()
            except Exception:
                log.exception("provisioned concurrency: reconciling failed; trying again")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_POLL_S):
                    await self._changed.wait()

    async def step(self) -> None:
        """Bring the environments in line with the configurations, and record progress."""
        generation = self._db.generation
        if generation != self._generation:
            self._plan = await self._db.read(_load)
            self._generation = generation
            self._apply()
        progress = self._progress()
        updates = [
            (key[0], key[1], now.status.value, now.reason, now.allocated, now.available)
            for key, now in progress.items()
            if now != self._reported.get(key)
        ]
        if updates:
            await self._db.write(lambda c: provisioned.report(c, updates))
        self._reported = progress

    def _apply(self) -> None:
        wanted = self._plan.versions
        for target, count, tokens in wanted.values():
            self._environments.provision(target, count, tokens)
        for key in self._applied - wanted.keys():
            self._environments.unprovision(key)
        self._applied = set(wanted)

    def _progress(self) -> dict[tuple[VersionKey, float], rules.Progress]:
        """Each configuration's progress (by its key and LastModified): a version's
        environments count for its configurations in order."""
        remaining: dict[VersionKey, int] = {}
        failed: set[VersionKey] = set()
        for key in self._plan.versions:
            state = self._environments.provisioned_state(key)
            remaining[key] = state.allocated
            if state.failed:
                failed.add(key)
        progress: dict[tuple[VersionKey, float], rules.Progress] = {}
        for config in self._plan.configs:
            allocated = 0
            shares = self._plan.shares.get(config.key, {})
            for key, count in shares.items():
                taken = min(count, remaining.get(key, 0))
                remaining[key] = remaining.get(key, 0) - taken
                allocated += taken
            now = rules.progress(config.requested, allocated, any(k in failed for k in shares))
            ident = (config.key, config.last_modified)
            progress[ident] = now
            if ident not in self._reported:  # what the row says was last reported
                self._reported[ident] = rules.Progress(
                    rules.Status(config.status),
                    config.allocated,
                    config.available,
                    config.status_reason,
                )
        return progress
