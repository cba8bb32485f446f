"""Starting sandboxes under one :class:`Isolation`, and ending all of them."""

from __future__ import annotations

import asyncio
from typing import Protocol

from lambent.sandbox.bwrap import HELPER_PROCESSES
from lambent.sandbox.cgroup import CleanupReport
from lambent.sandbox.errors import SandboxStartError
from lambent.sandbox.guardian import Guardian
from lambent.sandbox.isolation import Isolation, IsolationMode
from lambent.sandbox.limits import CgroupLimits
from lambent.sandbox.sandbox import Sandbox
from lambent.sandbox.spawn import spawn_bwrap, spawn_process
from lambent.sandbox.spec import SandboxSpec


class SpareProvider(Protocol):
    """Hands out sandboxes started ahead of time (``lambent.environments.spares``)."""

    async def take(self, spec: SandboxSpec) -> Sandbox | None:
        """A running sandbox now set up as ``spec`` asks, or None: start one afresh."""
        ...


class SandboxLauncher:
    """Starts sandboxes and keeps track of them until they are closed."""

    def __init__(self, isolation: Isolation) -> None:
        self.isolation = isolation
        self._live: dict[str, Sandbox] = {}
        self._spares: SpareProvider | None = None
        cgroups = isolation.cgroups
        self._guardian = None if cgroups is None else Guardian(cgroups.owner_directories)

    @property
    def live(self) -> tuple[Sandbox, ...]:
        """Sandboxes started and not yet closed."""
        return tuple(self._live.values())

    def use_spares(self, spares: SpareProvider | None) -> None:
        """From now on :meth:`start` first asks ``spares`` for a sandbox started earlier."""
        self._spares = spares

    async def start(self, spec: SandboxSpec) -> Sandbox:
        """Start ``spec``; returns once the program is starting inside its cgroup.

        With spares (:meth:`use_spares`), a spare sandbox that already runs an equivalent
        program may be handed over instead, set up as ``spec`` asks.

        Raises ``SandboxStartError`` (bwrap refused, name in use) or ``CgroupError``.
        The program itself may still fail afterwards: that shows as its exit status.
        """
        if self._spares is not None:
            sandbox = await self._spares.take(spec)
            if sandbox is not None:
                return sandbox
        return await self.start_fresh(spec)

    async def start_fresh(self, spec: SandboxSpec) -> Sandbox:
        """:meth:`start` without spares: a new sandbox running ``spec.argv``."""
        if spec.name in self._live:
            raise SandboxStartError(f"a sandbox named {spec.name} is already running")
        isolation = self.isolation
        cgroup = None
        if isolation.cgroups is not None:
            helpers = HELPER_PROCESSES if isolation.mode is IsolationMode.BWRAP else 0
            limits = CgroupLimits.for_sandbox(spec.memory_mib, spec.max_processes + helpers)
            cgroup = isolation.cgroups.create(spec.name, limits)
        try:
            if isolation.bwrap is not None and isolation.mode is IsolationMode.BWRAP:
                process = await spawn_bwrap(isolation.bwrap, spec, cgroup)
            else:
                process = await spawn_process(isolation.shell, isolation.pdeathsig, spec, cgroup)
        except BaseException:
            if cgroup is not None:
                await cgroup.kill()
                await cgroup.remove()
            raise
        sandbox = Sandbox(spec, isolation.mode, process, cgroup, on_closed=self._forget)
        self._live[spec.name] = sandbox
        return sandbox

    async def cleanup_leftovers(self) -> CleanupReport:
        """Call at start-up: kill and remove what crashed predecessors left in cgroups.

        Without cgroups there is nothing to find; bwrap's ``--die-with-parent`` and the
        process-mode ``pdeathsig`` prefix are then what stops orphans.
        """
        if self.isolation.cgroups is None:
            return CleanupReport()
        return await self.isolation.cgroups.cleanup_leftovers()

    async def close(self) -> None:
        """Close every live sandbox, then this server's cgroup directory."""
        self._spares = None
        await asyncio.gather(*(sandbox.close() for sandbox in list(self._live.values())))
        if self.isolation.cgroups is not None:
            await self.isolation.cgroups.close()
        if self._guardian is not None:
            await asyncio.to_thread(self._guardian.close)
            self._guardian = None

    def _forget(self, sandbox: Sandbox) -> None:
        if self._live.get(sandbox.name) is sandbox:
            del self._live[sandbox.name]
