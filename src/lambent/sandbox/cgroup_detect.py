"""Choosing the cgroup implementation at run time: v2 where its controllers are, else v1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lambent.sandbox import cgroup_v1, cgroup_v2
from lambent.sandbox.cgroup import CgroupManager
from lambent.sandbox.cgroupfs import (
    CgroupVersion,
    parse_mountinfo,
    parse_proc_cgroup,
    read_text,
)
from lambent.sandbox.errors import CgroupError
from lambent.sandbox.owner import OwnerId
from lambent.sandbox.spec import check_name

DEFAULT_PREFIX = "lambent"


@dataclass(frozen=True, slots=True)
class CgroupDetection:
    """A manager, or None and why not; ``reason`` is meant for the start-up announcement."""

    manager: CgroupManager | None
    reason: str


def detect_cgroups(
    prefix: str = DEFAULT_PREFIX,
    *,
    parent: Path | None = None,
    proc: Path = Path("/proc"),
    owner: OwnerId | None = None,
) -> CgroupDetection:
    """Find where this process can create sandbox cgroups, creating ``<prefix>`` there.

    A unified (v2) hierarchy is used when the memory and pids controllers live in it;
    otherwise (v1, or "hybrid" with an empty cgroup2 beside the v1 hierarchies) the v1
    hierarchies are. ``parent`` (v2 only) names a delegated cgroup to use instead of
    searching. ``owner`` is for tests; it defaults to this process.
    """
    check_name(prefix)
    try:
        mounts = parse_mountinfo(read_text(proc / "self" / "mountinfo"))
        memberships = parse_proc_cgroup(read_text(proc / "self" / "cgroup"))
        me = owner or OwnerId.current(proc)
    except OSError as e:
        return CgroupDetection(None, f"cannot read this process's cgroups: {e}")
    unified = next((m for m in mounts if m.version is CgroupVersion.V2), None)
    if unified is not None and _has_v2_controllers(unified.mountpoint):
        own = next((m.path for m in memberships if m.hierarchy_id == 0), "/")
        try:
            v2 = cgroup_v2.V2Cgroups.locate(unified, own, prefix, me, parent=parent, proc=proc)
        except CgroupError as e:
            return CgroupDetection(None, f"cgroup v2: {e}")
        return CgroupDetection(v2, v2.description)
    if not any(m.version is CgroupVersion.V1 for m in mounts):
        return CgroupDetection(None, "no cgroup filesystem is mounted")
    try:
        v1 = cgroup_v1.V1Cgroups.locate(mounts, memberships, prefix, me, proc)
    except CgroupError as e:
        return CgroupDetection(None, f"cgroup v1: {e}")
    return CgroupDetection(v1, v1.description)


def _has_v2_controllers(mountpoint: Path) -> bool:
    try:
        offered = set(read_text(mountpoint / "cgroup.controllers").split())
    except OSError:
        return False
    return all(c in offered for c in cgroup_v2.REQUIRED)
