"""Starting sandboxes under one :class:`Isolation`, and ending all of them."""

from __future__ import annotations

import asyncio

from lambent.sandbox.bwrap import HELPER_PROCESSES
from lambent.sandbox.cgroup import CleanupReport
from lambent.sandbox.errors import SandboxStartError
from lambent.sandbox.guardian import Guardian
from lambent.sandbox.isolation import Isolation, IsolationMode
from lambent.sandbox.limits import CgroupLimits
from lambent.sandbox.sandbox import Sandbox
from lambent.sandbox.spawn import spawn_bwrap, spawn_process
from lambent.sandbox.spec import SandboxSpec


class SandboxLauncher:
    """Starts sandboxes and keeps track of them until they are closed."""

    def __init__(self, isolation: Isolation) -> None:
        self.isolation = isolation
        self._live: dict[str, Sandbox] = {}
        cgroups = isolation.cgroups
        self._guardian = None if cgroups is None else Guardian(cgroups.owner_directories)

    @property
    def live(self) -> tuple[Sandbox, ...]:
        """Sandboxes started and not yet closed."""
        return tuple(self._live.values())

    async def start(self, spec: SandboxSpec) -> Sandbox:
        """Start ``spec``; returns once the program is starting inside its cgroup.

        Raises ``SandboxStartError`` (bwrap refused, name in use) or ``CgroupError``.
        The program itself may still fail afterwards: that shows as its exit status.
        """
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
        await asyncio.gather(*(sandbox.close() for sandbox in list(self._live.values())))
        if self.isolation.cgroups is not None:
            await self.isolation.cgroups.close()
        if self._guardian is not None:
            await asyncio.to_thread(self._guardian.close)
            self._guardian = None

    def _forget(self, sandbox: Sandbox) -> None:
        if self._live.get(sandbox.name) is sandbox:
            del self._live[sandbox.name]
