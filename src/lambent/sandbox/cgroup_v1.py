"""cgroup v1: a sandbox's cgroup is one directory in each controller's own hierarchy.

Layout, per hierarchy: ``<our cgroup>/<prefix>/owner-<pid>-<start>/<sandbox>``. v1 has no
"no internal processes" rule, so creating children under the cgroup we already run in
works wherever that directory is writable (as root, or delegated), and keeps the sandboxes
inside whatever limits our supervisor placed on us.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from lambent.sandbox.cgroup import CleanupReport, MemoryUsage, SandboxCgroup, drain
from lambent.sandbox.cgroupfs import (
    CgroupMount,
    CgroupVersion,
    Membership,
    NumberFile,
    cgroup_dir,
    discard_dir,
    kill_all,
    make_dir,
    read_int,
    read_keyed,
    read_pids,
    read_text,
    remove_dir,
    settle,
    write_text,
)
from lambent.sandbox.errors import CgroupError
from lambent.sandbox.limits import CgroupLimits
from lambent.sandbox.owner import OwnerId, dead_owner_dirs, subdirs

#: Memory limit and OOM accounting, a process limit, and the freezer hold a sandbox.
REQUIRED = ("memory", "pids", "freezer")
#: CPU shares are applied when the ``cpu`` hierarchy is there.
OPTIONAL = ("cpu",)


def limit_writes(limits: CgroupLimits, controllers: Sequence[str]) -> list[tuple[str, str, str]]:
    """``(controller, file, value)`` in the order they must be written.

    ``memory.memsw.limit_in_bytes`` (memory + swap, present when swap accounting is on)
    must follow ``memory.limit_in_bytes`` because the kernel keeps memsw >= memory; setting
    both equal means a sandbox cannot escape its limit into swap, as there is none on Lambda.
    """
    writes = [
        ("memory", "memory.limit_in_bytes", str(limits.memory_bytes)),
        ("memory", "memory.memsw.limit_in_bytes", str(limits.memory_bytes)),
        ("pids", "pids.max", str(limits.max_pids)),
    ]
    if "cpu" in controllers:
        writes.append(("cpu", "cpu.shares", str(limits.cpu_shares)))
    return writes


#: Files written only where the kernel offers them.
_OPTIONAL_FILES = frozenset({"memory.memsw.limit_in_bytes"})


class V1Cgroup(SandboxCgroup):
    """One sandbox's directories, keyed by controller (co-mounted controllers share one)."""

    def __init__(self, name: str, dirs: Mapping[str, Path]) -> None:
        self._name = name
        self._dirs = dict(dirs)
        self._unique = tuple(dict.fromkeys(self._dirs.values()))
        self._peak: NumberFile | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def procs_files(self) -> tuple[Path, ...]:
        return tuple(d / "cgroup.procs" for d in self._unique)

    def attach(self, pid: int) -> None:
        for procs in self.procs_files:
            write_text(procs, str(pid))

    def pids(self) -> list[int]:
        found: dict[int, None] = {}
        for procs in self.procs_files:
            found.update(dict.fromkeys(read_pids(procs)))
        return list(found)

    async def freeze(self, wait: bool = True) -> None:
        if not wait:
            write_text(self._dir("freezer") / "freezer.state", "FROZEN")
            return
        await self._set_freezer("FROZEN")

    async def thaw(self) -> None:
        await self._set_freezer("THAWED")

    async def _set_freezer(self, state: str) -> None:
        state_file = self._dir("freezer") / "freezer.state"
        write_text(state_file, state)

        def reached() -> bool:
            if read_text(state_file).strip() == state:
                return True
            # FREEZING means some task has not stopped yet; writing again retries it.
            write_text(state_file, state)
            return False

        try:
            await settle(reached, f"freezer.state {state} for {self._name}")
        except TimeoutError as e:
            raise CgroupError(str(e)) from e

    def memory(self) -> MemoryUsage:
        memory = self._dir("memory")
        return MemoryUsage(
            current=read_int(memory / "memory.usage_in_bytes"),
            peak=read_int(memory / "memory.max_usage_in_bytes"),
        )

    def peak_memory(self) -> int:
        if self._peak is None:
            self._peak = NumberFile(self._dir("memory") / "memory.max_usage_in_bytes")
        return self._peak.read()

    def oom_kills(self) -> int:
        memory = self._dir("memory")
        kills = read_keyed(memory / "memory.oom_control").get("oom_kill")
        if kills is not None:
            return kills
        # Before Linux 4.13 there is no counter: hitting the limit is the best sign we have.
        return 1 if read_int(memory / "memory.failcnt") > 0 else 0

    def set_limits(self, limits: CgroupLimits) -> None:
        """The kernel keeps ``memsw >= memory`` at every step: a raise writes the memsw limit
        first, a cut the memory limit first."""
        writes = limit_writes(limits, tuple(self._dirs))
        current = read_int(self._dir("memory") / "memory.limit_in_bytes")
        if limits.memory_bytes > current:
            writes[0], writes[1] = writes[1], writes[0]
        try:
            for controller, filename, value in writes:
                target = self._dirs[controller] / filename
                if filename in _OPTIONAL_FILES and not target.exists():
                    continue
                write_text(target, value)
        except OSError as e:
            raise CgroupError(f"cannot change the limits of cgroup {self._name}: {e}") from e

    async def kill(self) -> int:
        """Freeze, SIGKILL everyone, thaw: a frozen tree cannot fork new members meanwhile,
        and frozen tasks die as soon as they are thawed."""
        freezer = self._dirs.get("freezer")
        frozen = False
        if freezer is not None and freezer.exists():
            try:
                await self.freeze()
                frozen = True
            except (CgroupError, OSError):
                frozen = False  # kill anyway; the re-kill loop below catches new children
        killed = kill_all(self.pids())
        if frozen:
            await self.thaw()

        await drain(self.pids, self._name)
        return killed

    async def remove(self) -> None:
        if self._peak is not None:
            self._peak.close()
        try:
            for directory in self._unique:
                await remove_dir(directory)
        except OSError as e:
            raise CgroupError(f"cannot remove cgroup {self._name}: {e}") from e

    def _dir(self, controller: str) -> Path:
        try:
            return self._dirs[controller]
        except KeyError:
            raise CgroupError(f"no {controller} hierarchy for {self._name}") from None


class V1Cgroups:
    """The sandbox cgroups of one server under ``<prefix>`` in each v1 hierarchy."""

    def __init__(self, bases: Mapping[str, Path], owner: OwnerId, proc: Path = Path("/proc")):
        #: controller -> ``.../<prefix>`` in its hierarchy (co-mounted ones share a path).
        self._bases = dict(bases)
        self._owner = owner
        self._proc = proc
        self._owner_ready: set[Path] = set()

    @classmethod
    def locate(
        cls,
        mounts: Sequence[CgroupMount],
        memberships: Sequence[Membership],
        prefix: str,
        owner: OwnerId,
        proc: Path = Path("/proc"),
    ) -> V1Cgroups:
        """Create ``<prefix>`` under our own cgroup in each hierarchy we need.

        Raises ``CgroupError`` saying which controller is missing or not writable.
        """
        bases: dict[str, Path] = {}
        for controller in REQUIRED + OPTIONAL:
            mount = next(
                (
                    m
                    for m in mounts
                    if m.version is CgroupVersion.V1 and controller in m.controllers
                ),
                None,
            )
            member = next((m for m in memberships if controller in m.controllers), None)
            if mount is None or member is None:
                if controller in REQUIRED:
                    raise CgroupError(f"the cgroup v1 {controller} controller is not mounted")
                continue
            base = cgroup_dir(mount, member.path) / prefix
            try:
                _prepare(base)
            except OSError as e:
                if controller in REQUIRED:
                    raise CgroupError(f"cannot create {base}: {e.strerror}") from e
                continue
            bases[controller] = base
        return cls(bases, owner, proc)

    @property
    def version(self) -> CgroupVersion:
        return CgroupVersion.V1

    @property
    def controllers(self) -> tuple[str, ...]:
        return tuple(self._bases)

    @property
    def locations(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys(self._bases.values()))

    @property
    def owner_directories(self) -> tuple[Path, ...]:
        return tuple(base / self._owner.dirname for base in self.locations)

    @property
    def description(self) -> str:
        places = ", ".join(str(p) for p in dict.fromkeys(self._bases.values()))
        return f"cgroup v1 ({', '.join(self._bases)}) under {places}"

    def create(self, name: str, limits: CgroupLimits) -> V1Cgroup:
        dirs: dict[str, Path] = {}
        made: list[Path] = []
        try:
            for controller, base in self._bases.items():
                owner_dir = base / self._owner.dirname
                if owner_dir not in self._owner_ready:
                    _prepare(owner_dir)
                    self._owner_ready.add(owner_dir)
                leaf = owner_dir / name
                if leaf not in made:
                    if not make_dir(leaf):
                        raise CgroupError(f"cgroup {leaf} already exists")
                    made.append(leaf)
                    _inherit_cpuset(leaf)
                dirs[controller] = leaf
            for controller, filename, value in limit_writes(limits, tuple(self._bases)):
                target = dirs[controller] / filename
                if filename in _OPTIONAL_FILES and not target.exists():
                    continue
                write_text(target, value)
        except (OSError, CgroupError) as e:
            for leaf in made:
                discard_dir(leaf)
            if isinstance(e, CgroupError):
                raise
            raise CgroupError(f"cannot set up cgroup {name}: {e}") from e
        return V1Cgroup(name, dirs)

    async def cleanup_leftovers(self) -> CleanupReport:
        """Kill and remove the sandboxes of every owner directory whose server is gone.

        Each hierarchy is searched: a predecessor that ran in another memory cgroup is
        still found through the hierarchies where we both sit at the same place.
        """
        leftovers: dict[tuple[str, str], dict[str, Path]] = {}
        dead: list[Path] = []
        for controller, base in self._bases.items():
            for owner_dir in dead_owner_dirs(base, self._owner, self._proc):
                dead.append(owner_dir)
                for leaf in subdirs(owner_dir):
                    leftovers.setdefault((owner_dir.name, leaf.name), {})[controller] = leaf
        report = CleanupReport()
        for (_, name), dirs in leftovers.items():
            group = V1Cgroup(name, dirs)
            killed = await group.kill()
            await group.remove()
            report += CleanupReport(cgroups_removed=1, processes_killed=killed)
        for owner_dir in dict.fromkeys(dead):
            await remove_dir(owner_dir)
        return report

    async def close(self) -> None:
        for base in dict.fromkeys(self._bases.values()):
            owner_dir = base / self._owner.dirname
            # Sandboxes of another launcher sharing this manager keep it.
            if not subdirs(owner_dir):
                await remove_dir(owner_dir)
        self._owner_ready = {d for d in self._owner_ready if d.exists()}


def _prepare(directory: Path) -> None:
    """mkdir (if needed) a cgroup directory that will hold children."""
    if make_dir(directory):
        _inherit_cpuset(directory)


def _inherit_cpuset(directory: Path) -> None:
    """A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and nothing can join
    it; when cpuset is co-mounted with a controller we use, copy the parent's."""
    cpus = directory / "cpuset.cpus"
    if not cpus.exists() or read_text(cpus).strip():
        return
    for filename in ("cpuset.cpus", "cpuset.mems"):
        write_text(directory / filename, read_text(directory.parent / filename).strip())
