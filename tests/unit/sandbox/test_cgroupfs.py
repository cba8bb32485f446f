"""Reading the kernel's description of cgroup mounts and memberships."""

from __future__ import annotations

from pathlib import Path

from lambent.sandbox.cgroupfs import (
    CgroupMount,
    CgroupVersion,
    cgroup_dir,
    parse_mountinfo,
    parse_proc_cgroup,
    read_keyed,
    read_pids,
)

HYBRID_MOUNTINFO = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
"""

HYBRID_CGROUP = """\
9:name=systemd:/
8:pids:/
6:freezer:/
4:memory:/process_api/b5636ef4
2:cpuacct:/
1:cpu:/
0::/
"""


def test_v1_and_v2_mounts_are_recognised() -> None:
    mounts = parse_mountinfo(HYBRID_MOUNTINFO)
    by_point = {str(m.mountpoint): m for m in mounts}
    assert set(by_point) == {
        "/sys/fs/cgroup/cpu",
        "/sys/fs/cgroup/cpuacct",
        "/sys/fs/cgroup/memory",
        "/sys/fs/cgroup/freezer",
        "/sys/fs/cgroup/pids",
        "/sys/fs/cgroup/systemd",
        "/sys/fs/cgroup/unified",
    }
    assert by_point["/sys/fs/cgroup/memory"].controllers == {"memory"}
    assert by_point["/sys/fs/cgroup/systemd"].controllers == {"name=systemd"}
    assert by_point["/sys/fs/cgroup/unified"].version is CgroupVersion.V2


def test_comounted_controllers_optional_fields_and_escapes() -> None:
    line = (
        "50 31 0:40 /docker/abc /sys/fs/cgroup/cpu\\040acct rw shared:7 master:3 - cgroup "
        "cgroup rw,cpu,cpuacct\n"
    )
    (mount,) = parse_mountinfo(line)
    assert mount.mountpoint == Path("/sys/fs/cgroup/cpu acct")
    assert mount.root == "/docker/abc"
    assert mount.controllers == {"cpu", "cpuacct"}


def test_proc_cgroup_lines() -> None:
    lines = parse_proc_cgroup(HYBRID_CGROUP)
    memory = next(m for m in lines if "memory" in m.controllers)
    assert (memory.hierarchy_id, memory.path) == (4, "/process_api/b5636ef4")
    unified = next(m for m in lines if m.hierarchy_id == 0)
    assert (unified.controllers, unified.path) == (frozenset(), "/")


def test_paths_with_colons_survive() -> None:
    (line,) = parse_proc_cgroup("0::/system.slice/a:b.service\n")
    assert line.path == "/system.slice/a:b.service"


def test_cgroup_dir_under_the_mount() -> None:
    mount = CgroupMount(Path("/sys/fs/cgroup/memory"), "/", CgroupVersion.V1, frozenset())
    assert cgroup_dir(mount, "/process_api/x") == Path("/sys/fs/cgroup/memory/process_api/x")
    assert cgroup_dir(mount, "/") == Path("/sys/fs/cgroup/memory")


def test_cgroup_dir_of_a_mounted_subtree() -> None:
    # Docker without a cgroup namespace mounts only the container's subtree.
    mount = CgroupMount(Path("/sys/fs/cgroup/pids"), "/docker/abc", CgroupVersion.V1, frozenset())
    assert cgroup_dir(mount, "/docker/abc") == Path("/sys/fs/cgroup/pids")
    assert cgroup_dir(mount, "/docker/abc/sub") == Path("/sys/fs/cgroup/pids/sub")
    # A path outside what is mounted falls back to the top we can see.
    assert cgroup_dir(mount, "/other") == Path("/sys/fs/cgroup/pids")
    assert cgroup_dir(mount, "/docker/abcdef") == Path("/sys/fs/cgroup/pids")


def test_keyed_files_and_pid_lists(tmp_path: Path) -> None:
    events = tmp_path / "memory.events"
    events.write_text("low 0\nhigh 3\noom 1\noom_kill 2\n")
    assert read_keyed(events) == {"low": 0, "high": 3, "oom": 1, "oom_kill": 2}
    procs = tmp_path / "cgroup.procs"
    procs.write_text("12\n345\n")
    assert read_pids(procs) == [12, 345]
    assert read_pids(tmp_path / "gone" / "cgroup.procs") == []
