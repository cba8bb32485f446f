"""cgroup v1 against a fake cgroupfs: where groups go, and the limits written into them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lambent.sandbox import CgroupError, CgroupLimits, CgroupVersion, cgroup_v1
from lambent.sandbox.cgroupfs import CgroupMount, Membership
from lambent.sandbox.owner import OwnerId
from tests.unit.sandbox.fake_kernel import FakeKernel

OWNER = OwnerId(4321, 99)
MIB = 1024 * 1024


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> FakeKernel:
    fake = FakeKernel("v1")
    monkeypatch.setattr(cgroup_v1, "make_dir", fake.make_dir)
    monkeypatch.setattr(cgroup_v1, "write_text", fake.write_text)
    monkeypatch.setattr(cgroup_v1, "discard_dir", fake.discard_dir)
    return fake


def hierarchies(root: Path, *groups: tuple[str, ...]) -> list[CgroupMount]:
    mounts = []
    for controllers in groups:
        point = root / ",".join(controllers)
        point.mkdir(parents=True)
        (point / "cgroup.procs").write_text("1\n")
        mounts.append(CgroupMount(point, "/", CgroupVersion.V1, frozenset(controllers)))
    return mounts


def memberships(paths: dict[str, str]) -> list[Membership]:
    return [
        Membership(i, frozenset(c.split(",")), path) for i, (c, path) in enumerate(paths.items())
    ]


def standard(tmp_path: Path) -> cgroup_v1.V1Cgroups:
    mounts = hierarchies(tmp_path, ("memory",), ("pids",), ("freezer",), ("cpu", "cpuacct"))
    (tmp_path / "memory" / "process_api" / "x").mkdir(parents=True)
    members = memberships(
        {"memory": "/process_api/x", "pids": "/", "freezer": "/", "cpu,cpuacct": "/"}
    )
    return cgroup_v1.V1Cgroups.locate(mounts, members, "lambent", OWNER)


def test_groups_live_under_our_own_cgroup_in_each_hierarchy(
    kernel: FakeKernel, tmp_path: Path
) -> None:
    cgroups = standard(tmp_path)
    assert cgroups.version is CgroupVersion.V1
    assert cgroups.controllers == ("memory", "pids", "freezer", "cpu")
    assert cgroups.locations == (
        tmp_path / "memory" / "process_api" / "x" / "lambent",
        tmp_path / "pids" / "lambent",
        tmp_path / "freezer" / "lambent",
        tmp_path / "cpu,cpuacct" / "lambent",
    )
    assert "cgroup v1 (memory, pids, freezer, cpu)" in cgroups.description


def test_limits_are_written_in_kernel_order(kernel: FakeKernel, tmp_path: Path) -> None:
    group = standard(tmp_path).create("fn-1", CgroupLimits.for_sandbox(128, 1026))
    written = [(p.relative_to(tmp_path).as_posix(), v) for p, v in kernel.writes]
    owner = f"lambent/{OWNER.dirname}/fn-1"
    assert written == [
        (f"memory/process_api/x/{owner}/memory.limit_in_bytes", str(128 * MIB)),
        (f"memory/process_api/x/{owner}/memory.memsw.limit_in_bytes", str(128 * MIB)),
        (f"pids/{owner}/pids.max", "1026"),
        (f"cpu,cpuacct/{owner}/cpu.shares", "74"),
    ]
    assert len(group.procs_files) == 4


def test_memsw_is_skipped_without_swap_accounting(kernel: FakeKernel, tmp_path: Path) -> None:
    kernel.omit.add("memory.memsw.limit_in_bytes")
    standard(tmp_path).create("fn-1", CgroupLimits.for_sandbox(128, 10))
    assert not [p for p, _ in kernel.writes if "memsw" in p.name]


def test_a_taken_name_is_refused_and_nothing_is_left(kernel: FakeKernel, tmp_path: Path) -> None:
    cgroups = standard(tmp_path)
    cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))
    (tmp_path / "pids" / "lambent" / OWNER.dirname / "fn-2").mkdir()
    with pytest.raises(CgroupError, match="already exists"):
        cgroups.create("fn-2", CgroupLimits.for_sandbox(128, 10))
    memory_owner = tmp_path / "memory" / "process_api" / "x" / "lambent" / OWNER.dirname
    assert not (memory_owner / "fn-2").exists()


def test_attach_joins_every_hierarchy(kernel: FakeKernel, tmp_path: Path) -> None:
    group = standard(tmp_path).create("fn-1", CgroupLimits.for_sandbox(128, 10))
    group.attach(777)
    assert [procs.read_text().split() for procs in group.procs_files] == [["777"]] * 4
    assert group.pids() == [777]


def test_memory_figures_and_oom_counter(kernel: FakeKernel, tmp_path: Path) -> None:
    group = standard(tmp_path).create("fn-1", CgroupLimits.for_sandbox(128, 10))
    leaf = tmp_path / "memory" / "process_api" / "x" / "lambent" / OWNER.dirname / "fn-1"
    (leaf / "memory.usage_in_bytes").write_text("1000\n")
    (leaf / "memory.max_usage_in_bytes").write_text("5000\n")
    (leaf / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    assert (group.memory().current, group.memory().peak, group.oom_kills()) == (1000, 5000, 2)
    assert group.peak_memory() == 5000
    (leaf / "memory.max_usage_in_bytes").write_text("6000\n")
    assert group.peak_memory() == 6000  # the file held open is read afresh
    # Before Linux 4.13 there is no oom_kill line: a limit hit is the sign.
    (leaf / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\n")
    (leaf / "memory.failcnt").write_text("3\n")
    assert group.oom_kills() == 1


def test_freezer_state_is_written_and_awaited(kernel: FakeKernel, tmp_path: Path) -> None:
    group = standard(tmp_path).create("fn-1", CgroupLimits.for_sandbox(128, 10))
    asyncio.run(group.freeze())
    state = tmp_path / "freezer" / "lambent" / OWNER.dirname / "fn-1" / "freezer.state"
    assert state.read_text() == "FROZEN"
    asyncio.run(group.thaw())
    assert state.read_text() == "THAWED"


def test_a_missing_required_controller_is_reported(kernel: FakeKernel, tmp_path: Path) -> None:
    mounts = hierarchies(tmp_path, ("memory",), ("pids",))
    members = memberships({"memory": "/", "pids": "/"})
    with pytest.raises(CgroupError, match="freezer controller is not mounted"):
        cgroup_v1.V1Cgroups.locate(mounts, members, "lambent", OWNER)


def test_an_unwritable_hierarchy_is_reported(kernel: FakeKernel, tmp_path: Path) -> None:
    mounts = hierarchies(tmp_path, ("memory",), ("pids",), ("freezer",))
    kernel.read_only.add(tmp_path / "pids")
    members = memberships({"memory": "/", "pids": "/", "freezer": "/"})
    with pytest.raises(CgroupError, match=r"cannot create .*pids/lambent"):
        cgroup_v1.V1Cgroups.locate(mounts, members, "lambent", OWNER)


def test_without_cpu_there_are_no_shares(kernel: FakeKernel, tmp_path: Path) -> None:
    mounts = hierarchies(tmp_path, ("memory",), ("pids",), ("freezer",))
    members = memberships({"memory": "/", "pids": "/", "freezer": "/"})
    cgroups = cgroup_v1.V1Cgroups.locate(mounts, members, "lambent", OWNER)
    cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))
    assert cgroups.controllers == ("memory", "pids", "freezer")
    assert not [p for p, _ in kernel.writes if p.name == "cpu.shares"]


def test_comounted_cpuset_gets_the_parents_cpus(
    kernel: FakeKernel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounts = hierarchies(tmp_path, ("memory", "cpuset"), ("pids",), ("freezer",))
    top = tmp_path / "memory,cpuset"
    (top / "cpuset.cpus").write_text("0-3\n")
    (top / "cpuset.mems").write_text("0\n")
    original = kernel.make_dir

    def with_cpuset(path: Path) -> bool:
        made = original(path)
        if made and path.is_relative_to(top):
            (path / "cpuset.cpus").write_text("")
            (path / "cpuset.mems").write_text("")
        return made

    monkeypatch.setattr(cgroup_v1, "make_dir", with_cpuset)
    members = memberships({"memory,cpuset": "/", "pids": "/", "freezer": "/"})
    cgroups = cgroup_v1.V1Cgroups.locate(mounts, members, "lambent", OWNER)
    cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))
    leaf = top / "lambent" / OWNER.dirname / "fn-1"
    assert (leaf / "cpuset.cpus").read_text() == "0-3"
    assert (leaf / "cpuset.mems").read_text() == "0"


def test_a_taken_spare_gets_new_limits_memsw_never_below_memory(
    kernel: FakeKernel, tmp_path: Path
) -> None:
    """The kernel refuses memsw < memory at any moment: raising writes memsw first,
    cutting writes memory first."""
    group = standard(tmp_path).create("spare-1", CgroupLimits.for_sandbox(128, 1026))
    kernel.writes.clear()
    group.set_limits(CgroupLimits.for_sandbox(1024, 1026))
    group.set_limits(CgroupLimits.for_sandbox(256, 1026))
    files = [(p.name, v) for p, v in kernel.writes if p.name.startswith("memory")]
    assert files == [
        ("memory.memsw.limit_in_bytes", str(1024 * MIB)),
        ("memory.limit_in_bytes", str(1024 * MIB)),
        ("memory.limit_in_bytes", str(256 * MIB)),
        ("memory.memsw.limit_in_bytes", str(256 * MIB)),
    ]
    shares = [v for p, v in kernel.writes if p.name == "cpu.shares"]
    assert shares == ["593", "148"]


def test_a_refused_limit_change_is_a_cgroup_error(kernel: FakeKernel, tmp_path: Path) -> None:
    group = standard(tmp_path).create("spare-1", CgroupLimits.for_sandbox(128, 10))
    kernel.read_only.add(tmp_path / "pids" / "lambent" / OWNER.dirname / "spare-1")
    with pytest.raises(CgroupError, match="cannot change the limits of cgroup spare-1"):
        group.set_limits(CgroupLimits.for_sandbox(256, 10))
