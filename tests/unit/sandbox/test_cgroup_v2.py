"""cgroup v2 against a fake cgroupfs: finding a delegated place, limits, freezer, figures.

Only the pure parts run here (this CI host has cgroup v1); the fake kernel enforces v2's
"no internal processes" rule and controller delegation, which decide where groups go.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from lambent.sandbox import CgroupError, CgroupLimits, CgroupVersion, cgroup_v2
from lambent.sandbox.cgroupfs import CgroupMount
from lambent.sandbox.owner import OwnerId
from tests.unit.sandbox.fake_kernel import FakeKernel, v2_root

ME = os.getpid()
OWNER = OwnerId(ME, 99)
MIB = 1024 * 1024


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> FakeKernel:
    fake = FakeKernel("v2")
    monkeypatch.setattr(cgroup_v2, "make_dir", fake.make_dir)
    monkeypatch.setattr(cgroup_v2, "write_text", fake.write_text)
    monkeypatch.setattr(cgroup_v2, "discard_dir", fake.discard_dir)
    return fake


def mount(point: Path) -> CgroupMount:
    return CgroupMount(point, "/", CgroupVersion.V2, frozenset())


def test_on_a_host_as_root_the_top_of_the_hierarchy_is_used(
    kernel: FakeKernel, tmp_path: Path
) -> None:
    root = v2_root(tmp_path / "cg", procs="1\n2\n")
    kernel.real_root = root
    cgroups = cgroup_v2.V2Cgroups.locate(
        mount(root), "/user.slice/session-1.scope", "lambent", OWNER
    )
    assert cgroups.locations == (root / "lambent",)
    assert cgroups.controllers == ("memory", "pids", "cpu")
    assert (root / "lambent" / "cgroup.subtree_control").read_text() == "cpu memory pids"
    assert cgroups.description.startswith("cgroup v2 (memory, pids, cpu, freezer)")


def test_in_a_container_we_move_ourselves_out_of_the_namespace_root(
    kernel: FakeKernel, tmp_path: Path
) -> None:
    root = v2_root(tmp_path / "cg", procs=f"{ME}\n")
    kernel.real_root = None  # a cgroup namespace root is not exempt
    cgroups = cgroup_v2.V2Cgroups.locate(mount(root), "/", "lambent", OWNER)
    assert cgroups.locations == (root / "lambent",)
    assert (root / "lambent.server" / "cgroup.procs").read_text().split() == [str(ME)]
    assert (root / "cgroup.procs").read_text().split() == []


def test_a_delegated_service_cgroup_is_used_after_evacuating_it(
    kernel: FakeKernel, tmp_path: Path
) -> None:
    root = v2_root(tmp_path / "cg", procs="1\n")
    kernel.real_root = root
    kernel.read_only.add(root)  # not root: the top is not ours
    service = root / "system.slice" / "lambent.service"
    service.mkdir(parents=True)
    for name, content in {"cgroup.controllers": "cpu memory pids", "cgroup.procs": f"{ME}\n",
                          "cgroup.subtree_control": ""}.items():  # fmt: skip
        (service / name).write_text(content)
    cgroups = cgroup_v2.V2Cgroups.locate(
        mount(root), "/system.slice/lambent.service", "lambent", OWNER
    )
    assert cgroups.locations == (service / "lambent",)
    assert (service / "lambent.server" / "cgroup.procs").read_text().split() == [str(ME)]


def test_a_cgroup_shared_with_others_cannot_be_delegated(
    kernel: FakeKernel, tmp_path: Path
) -> None:
    root = v2_root(tmp_path / "cg", procs=f"1\n{ME}\n")
    kernel.real_root = None
    with pytest.raises(CgroupError) as failure:
        cgroup_v2.V2Cgroups.locate(mount(root), "/", "lambent", OWNER)
    message = str(failure.value)
    assert "hierarchy root" in message and "busy" in message.lower()
    assert "shared with 1 other process(es)" in message


def test_controllers_that_are_not_delegated_are_named(kernel: FakeKernel, tmp_path: Path) -> None:
    root = v2_root(tmp_path / "cg", controllers="cpu io")
    kernel.real_root = root
    with pytest.raises(CgroupError, match="controllers not delegated here: memory, pids"):
        cgroup_v2.V2Cgroups.locate(mount(root), "/", "lambent", OWNER)


def test_a_configured_parent_is_used_as_is(kernel: FakeKernel, tmp_path: Path) -> None:
    root = v2_root(tmp_path / "cg")
    kernel.real_root = root
    parent = root / "lambent.slice"
    kernel.make_dir(parent)
    (parent / "cgroup.controllers").write_text("memory pids")
    cgroups = cgroup_v2.V2Cgroups.locate(mount(root), "/", "sbx", OWNER, parent=parent)
    assert cgroups.locations == (parent / "sbx",)
    assert cgroups.controllers == ("memory", "pids")


def located(kernel: FakeKernel, tmp_path: Path) -> cgroup_v2.V2Cgroups:
    root = v2_root(tmp_path / "cg")
    kernel.real_root = root
    return cgroup_v2.V2Cgroups.locate(mount(root), "/", "lambent", OWNER)


def test_limits_of_a_new_sandbox(kernel: FakeKernel, tmp_path: Path) -> None:
    cgroups = located(kernel, tmp_path)
    kernel.writes.clear()
    cgroups.create("fn-1", CgroupLimits.for_sandbox(1769, 1026))
    base = tmp_path / "cg" / "lambent"
    written = [(p.relative_to(base).as_posix(), v) for p, v in kernel.writes]
    leaf = f"{OWNER.dirname}/fn-1"
    assert written == [
        (f"{OWNER.dirname}/cgroup.subtree_control", "+memory +pids"),
        (f"{OWNER.dirname}/cgroup.subtree_control", "+cpu"),
        (f"{leaf}/memory.max", str(1769 * MIB)),
        (f"{leaf}/memory.swap.max", "0"),
        (f"{leaf}/pids.max", "1026"),
        (f"{leaf}/cpu.weight", "100"),
    ]


def test_swap_max_only_where_the_kernel_has_it(kernel: FakeKernel, tmp_path: Path) -> None:
    cgroups = located(kernel, tmp_path)
    kernel.omit.add("memory.swap.max")
    cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))
    assert not [p for p, _ in kernel.writes if p.name == "memory.swap.max"]


def test_a_taken_name_is_refused(kernel: FakeKernel, tmp_path: Path) -> None:
    cgroups = located(kernel, tmp_path)
    cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))
    with pytest.raises(CgroupError, match="already exists"):
        cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))


def test_a_failed_limit_removes_the_new_group(kernel: FakeKernel, tmp_path: Path) -> None:
    cgroups = located(kernel, tmp_path)
    kernel.omit.add("pids.max")  # as if the pids controller were missing
    with pytest.raises(CgroupError, match="cannot set limits of cgroup fn-1"):
        cgroups.create("fn-1", CgroupLimits.for_sandbox(128, 10))
    assert not (tmp_path / "cg" / "lambent" / OWNER.dirname / "fn-1").exists()


def test_figures_freezer_and_membership(kernel: FakeKernel, tmp_path: Path) -> None:
    group = located(kernel, tmp_path).create("fn-1", CgroupLimits.for_sandbox(128, 10))
    leaf = tmp_path / "cg" / "lambent" / OWNER.dirname / "fn-1"
    (leaf / "memory.current").write_text("4096\n")
    (leaf / "memory.peak").write_text("8192\n")
    (leaf / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n")
    assert (group.memory().current, group.memory().peak, group.oom_kills()) == (4096, 8192, 1)
    assert group.peak_memory() == 8192
    (leaf / "memory.peak").unlink()  # before Linux 5.19
    assert group.memory().peak is None
    before_519 = located(kernel, tmp_path).create("fn-2", CgroupLimits.for_sandbox(128, 10))
    (leaf.parent / "fn-2" / "memory.peak").unlink(missing_ok=True)
    (leaf.parent / "fn-2" / "memory.current").write_text("2048\n")
    assert before_519.peak_memory() == 2048

    group.attach(4242)
    assert group.pids() == [4242] and group.procs_files == (leaf / "cgroup.procs",)

    (leaf / "cgroup.events").write_text("populated 1\nfrozen 1\n")  # the kernel's answer
    asyncio.run(group.freeze())
    assert (leaf / "cgroup.freeze").read_text() == "1"


def test_a_taken_spare_gets_new_limits(kernel: FakeKernel, tmp_path: Path) -> None:
    group = located(kernel, tmp_path).create("spare-1", CgroupLimits.for_sandbox(128, 1026))
    kernel.writes.clear()
    group.set_limits(CgroupLimits.for_sandbox(3538, 1026))
    leaf = tmp_path / "cg" / "lambent" / OWNER.dirname / "spare-1"
    assert [(p.relative_to(leaf).as_posix(), v) for p, v in kernel.writes] == [
        ("memory.max", str(3538 * MIB)),
        ("memory.swap.max", "0"),
        ("pids.max", "1026"),
        ("cpu.weight", "200"),
    ]
