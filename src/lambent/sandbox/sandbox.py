"""A running sandbox: its output streams, exit status, freezer, memory figures and end."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import signal
from asyncio.subprocess import Process
from collections.abc import Callable

from lambent.sandbox.cgroup import MemoryUsage, SandboxCgroup
from lambent.sandbox.cgroupfs import kill_all
from lambent.sandbox.errors import CgroupError, SandboxStateError
from lambent.sandbox.isolation import IsolationMode
from lambent.sandbox.limits import CgroupLimits
from lambent.sandbox.spec import SandboxSpec
from lambent.sandbox.status import ExitStatus

#: How long bwrap gets to notice its sandbox died before it is killed too.
_BWRAP_EXIT_GRACE = 1.0


class SandboxState(enum.Enum):
    """``RUNNING ⇄ FROZEN → EXITED → CLOSED``; any state may go straight to ``CLOSED``."""

    RUNNING = "running"
    FROZEN = "frozen"
    #: The first process has exited; its cgroup (and any stragglers) remain until close.
    EXITED = "exited"
    CLOSED = "closed"


class Sandbox:
    """One started sandbox. Made by :meth:`SandboxLauncher.start`; end it with :meth:`close`.

    ``stdout`` and ``stderr`` are the function's output; read them continuously (the
    caller turns them into log lines), or a full pipe will block the function.
    """

    def __init__(
        self,
        spec: SandboxSpec,
        mode: IsolationMode,
        process: Process,
        cgroup: SandboxCgroup | None,
        on_closed: Callable[[Sandbox], None] | None = None,
    ) -> None:
        assert process.stdout is not None and process.stderr is not None
        self.spec = spec
        self.mode = mode
        self._process = process
        self._cgroup = cgroup
        self._on_closed = on_closed
        self._frozen = False
        self._closed = False
        self.stdout: asyncio.StreamReader = process.stdout
        self.stderr: asyncio.StreamReader = process.stderr

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int:
        """The host pid of the first process (bwrap in bwrap mode)."""
        return self._process.pid

    @property
    def state(self) -> SandboxState:
        if self._closed:
            return SandboxState.CLOSED
        if self._process.returncode is not None:
            return SandboxState.EXITED
        return SandboxState.FROZEN if self._frozen else SandboxState.RUNNING

    @property
    def exit_status(self) -> ExitStatus | None:
        """None while the first process runs."""
        code = self._process.returncode
        return None if code is None else self._decode(code)

    @property
    def has_cgroup(self) -> bool:
        """Whether freezing, memory figures and OOM counts are available."""
        return self._cgroup is not None

    async def wait(self) -> ExitStatus:
        """Wait for the first process to end (a frozen sandbox waits until thawed)."""
        return self._decode(await self._process.wait())

    def _decode(self, returncode: int) -> ExitStatus:
        if self.mode is IsolationMode.BWRAP:
            return ExitStatus.from_bwrap(returncode)
        return ExitStatus.from_returncode(returncode)

    async def freeze(self, wait: bool = True) -> None:
        """Stop every process of the sandbox (cgroup freezer); with ``wait``, return once
        all are stopped."""
        cgroup = self._require_cgroup("freeze")
        if self.state is not SandboxState.RUNNING:
            raise SandboxStateError(f"cannot freeze a sandbox that is {self.state.value}")
        await cgroup.freeze(wait)
        self._frozen = True

    async def thaw(self) -> None:
        cgroup = self._require_cgroup("thaw")
        if self.state is SandboxState.CLOSED:
            raise SandboxStateError("cannot thaw a closed sandbox")
        await cgroup.thaw()
        self._frozen = False

    def set_limits(self, limits: CgroupLimits) -> None:
        """New cgroup limits for a running sandbox (a spare taken by a function)."""
        self._require_cgroup("change limits").set_limits(limits)

    def memory(self) -> MemoryUsage | None:
        """Current and peak bytes of the whole tree; None without a cgroup."""
        if self._cgroup is None or self._closed:
            return None
        return self._cgroup.memory()

    def peak_memory(self) -> int | None:
        """The most bytes the whole tree has used; None without a cgroup."""
        if self._cgroup is None or self._closed:
            return None
        return self._cgroup.peak_memory()

    def oom_kills(self) -> int | None:
        """Processes the OOM killer has killed in this sandbox; None without a cgroup."""
        if self._cgroup is None or self._closed:
            return None
        return self._cgroup.oom_kills()

    def pids(self) -> list[int]:
        """Host pids of every process in the sandbox (just the first without a cgroup)."""
        if self._cgroup is not None and not self._closed:
            return self._cgroup.pids()
        return [] if self._process.returncode is not None else [self.pid]

    async def kill(self) -> None:
        """SIGKILL the whole tree (frozen or not) and reap the first process."""
        if self._closed:
            return
        if self._cgroup is not None:
            if self.mode is IsolationMode.BWRAP and self._process.returncode is None:
                await self._kill_inside_first(self._cgroup)
            await self._cgroup.kill()
            self._frozen = False
        else:
            # The session leader's group: bwrap and its init, whose death (--die-with-parent)
            # takes the pid namespace down; in process mode, the program and its children.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
        await self._process.wait()

    async def close(self) -> None:
        """Kill whatever is left and remove the cgroup; safe to call more than once."""
        if self._closed:
            return
        await self.kill()
        if self._cgroup is not None:
            await self._cgroup.remove()
        self._closed = True
        if self._on_closed is not None:
            self._on_closed(self)

    async def _kill_inside_first(self, cgroup: SandboxCgroup) -> None:
        """Kill everything but bwrap itself and let bwrap exit on its own.

        Killing all at once orphans the pid namespace's init when bwrap dies first, and
        the host's init must then reap it; this way the kernel reaps the namespace as its
        init dies, bwrap reaps the init, and we reap bwrap: no zombie is left anywhere.
        """
        try:
            await cgroup.freeze()
            kill_all(pid for pid in cgroup.pids() if pid != self._process.pid)
            await cgroup.thaw()
            async with asyncio.timeout(_BWRAP_EXIT_GRACE):
                await self._process.wait()
        except (CgroupError, TimeoutError):
            pass  # the cgroup-wide kill that follows ends whatever is left

    def _require_cgroup(self, operation: str) -> SandboxCgroup:
        if self._cgroup is None:
            raise SandboxStateError(f"cannot {operation}: cgroups are not available here")
        return self._cgroup
