"""cgroup v2: a sandbox's cgroup is one directory of the unified hierarchy.

v2 only lets a cgroup hand controllers to its children (``cgroup.subtree_control``) when
it has no processes of its own (the root excepted), so the sandboxes cannot simply sit
under the cgroup we run in. :meth:`V2Cgroups.locate` tries, in order: a configured parent;
the top of the hierarchy we can see (root on a host: ``/sys/fs/cgroup/<prefix>``); and our
own cgroup after moving this process into a leaf ``<prefix>.server`` beside the sandboxes,
which works where we were given a delegated cgroup of our own (systemd ``Delegate=yes``,
a container's namespace root) and no one else lives in it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from lambent.sandbox.cgroup import CleanupReport, MemoryUsage, SandboxCgroup, drain
from lambent.sandbox.cgroupfs import (
    CgroupMount,
    CgroupVersion,
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

REQUIRED = ("memory", "pids")
OPTIONAL = ("cpu",)


def limit_writes(limits: CgroupLimits, controllers: frozenset[str]) -> list[tuple[str, str]]:
    """``(file, value)`` for a new sandbox cgroup.

    ``memory.swap.max`` 0 keeps a sandbox from escaping its limit into swap (Lambda has
    none); it is only written where the kernel has swap accounting (the file exists).
    """
    writes = [
        ("memory.max", str(limits.memory_bytes)),
        ("memory.swap.max", "0"),
        ("pids.max", str(limits.max_pids)),
    ]
    if "cpu" in controllers:
        writes.append(("cpu.weight", str(limits.cpu_weight)))
    return writes


_OPTIONAL_FILES = frozenset({"memory.swap.max"})
#: Changing a running cgroup's limits: each file is written where it exists.
_ALL_CONTROLLERS = frozenset(REQUIRED + OPTIONAL)


class V2Cgroup(SandboxCgroup):
    def __init__(self, name: str, path: Path) -> None:
        self._name = name
        self._path = path
        self._peak: NumberFile | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def procs_files(self) -> tuple[Path, ...]:
        return (self._path / "cgroup.procs",)

    def attach(self, pid: int) -> None:
        write_text(self._path / "cgroup.procs", str(pid))

    def pids(self) -> list[int]:
        return read_pids(self._path / "cgroup.procs")

    async def freeze(self, wait: bool = True) -> None:
        if not wait:
            write_text(self._path / "cgroup.freeze", "1")
            return
        await self._set_frozen(frozen=True)

    async def thaw(self) -> None:
        await self._set_frozen(frozen=False)

    async def _set_frozen(self, *, frozen: bool) -> None:
        want = int(frozen)
        write_text(self._path / "cgroup.freeze", str(want))
        try:
            await settle(lambda: self._events().get("frozen") == want, f"freeze={want}")
        except TimeoutError as e:
            raise CgroupError(f"{self._name}: {e}") from e

    def _events(self) -> dict[str, int]:
        return read_keyed(self._path / "cgroup.events")

    def memory(self) -> MemoryUsage:
        try:
            peak: int | None = read_int(self._path / "memory.peak")
        except FileNotFoundError:
            peak = None
        return MemoryUsage(current=read_int(self._path / "memory.current"), peak=peak)

    def peak_memory(self) -> int:
        if self._peak is None:
            # memory.peak came with Linux 5.19; before it, the current use is all there is.
            peak = self._path / "memory.peak"
            self._peak = NumberFile(peak if peak.exists() else self._path / "memory.current")
        return self._peak.read()

    def oom_kills(self) -> int:
        return read_keyed(self._path / "memory.events").get("oom_kill", 0)

    def set_limits(self, limits: CgroupLimits) -> None:
        try:
            for filename, value in limit_writes(limits, _ALL_CONTROLLERS):
                target = self._path / filename
                if filename in _OPTIONAL_FILES | {"cpu.weight"} and not target.exists():
                    continue  # no swap accounting, or the cpu controller is not enabled
                write_text(target, value)
        except OSError as e:
            raise CgroupError(f"cannot change the limits of cgroup {self._name}: {e}") from e

    async def kill(self) -> int:
        pids = self.pids()
        kill_file = self._path / "cgroup.kill"
        if kill_file.exists():
            # Linux 5.14+: the kernel kills the whole tree atomically, forks included.
            write_text(kill_file, "1")
            killed = len(pids)
        else:
            await self.freeze()
            killed = kill_all(self.pids())
            await self.thaw()

        await drain(self.pids, self._name)
        return killed

    async def remove(self) -> None:
        if self._peak is not None:
            self._peak.close()
        try:
            await remove_dir(self._path)
        except OSError as e:
            raise CgroupError(f"cannot remove cgroup {self._name}: {e}") from e


class V2Cgroups:
    """The sandbox cgroups of one server under ``<base>/owner-<pid>-<start>/``."""

    def __init__(
        self,
        base: Path,
        controllers: frozenset[str],
        owner: OwnerId,
        proc: Path = Path("/proc"),
    ) -> None:
        self._base = base
        self._controllers = controllers
        self._owner = owner
        self._proc = proc
        self._owner_ready = False

    @classmethod
    def locate(
        cls,
        mount: CgroupMount,
        own_path: str,
        prefix: str,
        owner: OwnerId,
        *,
        parent: Path | None = None,
        proc: Path = Path("/proc"),
    ) -> V2Cgroups:
        """Find a place whose children may use the memory and pids controllers.

        Raises ``CgroupError`` listing every place tried and why it failed.
        """
        own = cgroup_dir(mount, own_path)
        if parent is not None:
            candidates = [("configured parent", parent, False)]
        else:
            candidates = [
                ("hierarchy root", mount.mountpoint, False),
                ("own cgroup", own, True),
            ]
        failures = []
        for label, place, evacuate in candidates:
            try:
                if evacuate:
                    _evacuate(place, prefix, owner.pid)
                enable_controllers(place)
                base = place / prefix
                make_dir(base)
                enabled = enable_controllers(base)
            except (OSError, CgroupError) as e:
                reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                failures.append(f"{label} {place}: {reason}")
                continue
            return cls(base, enabled, owner, proc)
        raise CgroupError("no usable cgroup v2 location (" + "; ".join(failures) + ")")

    @property
    def version(self) -> CgroupVersion:
        return CgroupVersion.V2

    @property
    def controllers(self) -> tuple[str, ...]:
        return tuple(c for c in REQUIRED + OPTIONAL if c in self._controllers)

    @property
    def locations(self) -> tuple[Path, ...]:
        return (self._base,)

    @property
    def owner_directories(self) -> tuple[Path, ...]:
        return (self._base / self._owner.dirname,)

    @property
    def description(self) -> str:
        return f"cgroup v2 ({', '.join(self.controllers)}, freezer) under {self._base}"

    def create(self, name: str, limits: CgroupLimits) -> V2Cgroup:
        owner_dir = self._base / self._owner.dirname
        try:
            if not self._owner_ready:
                make_dir(owner_dir)
                enable_controllers(owner_dir)
                self._owner_ready = True
        except OSError as e:
            raise CgroupError(f"cannot set up {owner_dir}: {e}") from e
        leaf = owner_dir / name
        try:
            if not make_dir(leaf):
                raise CgroupError(f"cgroup {leaf} already exists")
        except OSError as e:
            raise CgroupError(f"cannot create cgroup {leaf}: {e}") from e
        try:
            for filename, value in limit_writes(limits, self._controllers):
                target = leaf / filename
                if filename in _OPTIONAL_FILES and not target.exists():
                    continue
                write_text(target, value)
        except OSError as e:
            discard_dir(leaf)
            raise CgroupError(f"cannot set limits of cgroup {name}: {e}") from e
        return V2Cgroup(name, leaf)

    async def cleanup_leftovers(self) -> CleanupReport:
        report = CleanupReport()
        for owner_dir in dead_owner_dirs(self._base, self._owner, self._proc):
            for leaf in subdirs(owner_dir):
                group = V2Cgroup(leaf.name, leaf)
                killed = await group.kill()
                await group.remove()
                report += CleanupReport(cgroups_removed=1, processes_killed=killed)
            await remove_dir(owner_dir)
        return report

    async def close(self) -> None:
        owner_dir = self._base / self._owner.dirname
        # Sandboxes of another launcher sharing this manager keep it.
        if not subdirs(owner_dir):
            await remove_dir(owner_dir)
            self._owner_ready = False


def enable_controllers(directory: Path) -> frozenset[str]:
    """Let ``directory``'s children use the required (and, if offered, optional) controllers.

    Returns the controllers now enabled for the children; ``CgroupError`` if a required
    one is not offered, ``OSError`` (EBUSY) if the directory has processes of its own.
    """
    offered = set(read_text(directory / "cgroup.controllers").split())
    missing = [c for c in REQUIRED if c not in offered]
    if missing:
        raise CgroupError(f"controllers not delegated here: {', '.join(missing)}")
    control = directory / "cgroup.subtree_control"
    enabled = set(read_text(control).split())
    wanted = [c for c in REQUIRED if c not in enabled]
    if wanted:
        write_text(control, " ".join(f"+{c}" for c in wanted))
    for controller in OPTIONAL:
        if controller in offered and controller not in enabled:
            # Best effort: e.g. cpu cannot be enabled while realtime tasks are present.
            with contextlib.suppress(OSError):
                write_text(control, f"+{controller}")
    return frozenset(read_text(control).split())


def _evacuate(own: Path, prefix: str, pid: int) -> None:
    """Move this process out of ``own`` into the leaf ``<prefix>.server`` so that ``own`` may
    enable controllers for its children; only if no other process lives in ``own``."""
    others = [p for p in read_pids(own / "cgroup.procs") if p != pid]
    if others:
        raise CgroupError(f"shared with {len(others)} other process(es); cannot delegate")
    if pid not in read_pids(own / "cgroup.procs"):
        return  # already moved (a second launcher in the same process)
    leaf = own / f"{prefix}.server"
    make_dir(leaf)
    write_text(leaf / "cgroup.procs", str(pid))
