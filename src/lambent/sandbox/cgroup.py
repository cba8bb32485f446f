"""The seam between sandboxes and cgroups: what a sandbox's cgroup and a cgroup manager do.

Two implementations stand behind it: ``cgroup_v1`` (one directory per controller
hierarchy) and ``cgroup_v2`` (one unified directory); ``cgroup_detect`` picks one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from lambent.sandbox.cgroupfs import CgroupVersion, kill_all, settle
from lambent.sandbox.errors import CgroupError
from lambent.sandbox.limits import CgroupLimits


@dataclass(frozen=True, slots=True)
class MemoryUsage:
    """Bytes charged to the sandbox's memory cgroup (page cache and /tmp's tmpfs included)."""

    current: int
    #: High-water mark since the cgroup was created; None where the kernel has no
    #: ``memory.peak`` (cgroup v2 before Linux 5.19).
    peak: int | None


@dataclass(frozen=True, slots=True)
class CleanupReport:
    """What :meth:`CgroupManager.cleanup_leftovers` found of crashed predecessors."""

    cgroups_removed: int = 0
    processes_killed: int = 0

    def __add__(self, other: CleanupReport) -> CleanupReport:
        return CleanupReport(
            self.cgroups_removed + other.cgroups_removed,
            self.processes_killed + other.processes_killed,
        )


class SandboxCgroup(Protocol):
    """The cgroup (one per hierarchy on v1) holding one sandbox's whole process tree."""

    @property
    def name(self) -> str: ...

    @property
    def procs_files(self) -> tuple[Path, ...]:
        """The ``cgroup.procs`` files a process writes its pid to, to join."""
        ...

    def attach(self, pid: int) -> None:
        """Move process ``pid`` in; the children it forks afterwards stay in."""

    def pids(self) -> list[int]:
        """The processes in the cgroup now."""
        ...

    def set_limits(self, limits: CgroupLimits) -> None:
        """Change the limits while the sandbox runs (a spare taken by a function);
        ``CgroupError`` if the kernel refuses (e.g. memory in use above the new limit)."""

    async def freeze(self, wait: bool = True) -> None:
        """Stop every process; with ``wait``, return once the kernel reports them all
        frozen (without, the kernel finishes on its own, and a thaw may come first)."""

    async def thaw(self) -> None: ...

    def memory(self) -> MemoryUsage: ...

    def peak_memory(self) -> int:
        """The most bytes used since the cgroup was created (where the kernel keeps no
        high-water mark, what is used now): cheap enough to read after every invocation."""
        ...

    def oom_kills(self) -> int:
        """How many processes the OOM killer has killed in this cgroup so far."""
        ...

    async def kill(self) -> int:
        """SIGKILL every process and wait until none is left; returns how many were killed."""
        ...

    async def remove(self) -> None:
        """Delete the directories; the cgroup must be empty (call :meth:`kill` first)."""


class CgroupManager(Protocol):
    """Where this server creates its sandboxes' cgroups."""

    @property
    def version(self) -> CgroupVersion: ...

    @property
    def description(self) -> str:
        """One line for the start-up announcement: version, controllers, location."""
        ...

    @property
    def locations(self) -> tuple[Path, ...]:
        """The ``<prefix>`` directories holding the owner directories (one per hierarchy)."""
        ...

    @property
    def owner_directories(self) -> tuple[Path, ...]:
        """This server's owner directories (one per hierarchy), where its sandboxes are."""
        ...

    def create(self, name: str, limits: CgroupLimits) -> SandboxCgroup:
        """A new, empty cgroup with ``limits`` applied; ``CgroupError`` if it exists."""
        ...

    async def cleanup_leftovers(self) -> CleanupReport:
        """Kill the processes in, and remove, cgroups of servers that are no longer running."""
        ...

    async def close(self) -> None:
        """Remove this server's owner directory, unless sandbox cgroups remain in it."""


async def drain(pids: Callable[[], list[int]], name: str) -> None:
    """Kill a cgroup's processes until none is left: children forked meanwhile too."""

    def empty() -> bool:
        remaining = pids()
        kill_all(remaining)
        return not remaining

    try:
        await settle(empty, f"emptying cgroup {name}")
    except TimeoutError as e:
        raise CgroupError(str(e)) from e
