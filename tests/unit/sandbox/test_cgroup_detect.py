"""Picking v2 or v1 from what is mounted, against fake /proc and cgroupfs trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambent.sandbox import CgroupVersion, cgroup_v1, cgroup_v2
from lambent.sandbox.cgroup_detect import detect_cgroups
from lambent.sandbox.owner import OwnerId
from tests.unit.sandbox.fake_kernel import FakeKernel, v2_root

OWNER = OwnerId(1, 1)


def fake_proc(tmp_path: Path, mountinfo: str, cgroup: str) -> Path:
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "mountinfo").write_text(mountinfo)
    (proc / "self" / "cgroup").write_text(cgroup)
    return proc


def line(point: Path, fstype: str, options: str) -> str:
    return f"40 31 0:38 / {point} rw,relatime - {fstype} {fstype} {options}\n"


def test_unified_hierarchy_with_controllers_is_v2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel = FakeKernel("v2")
    for name in ("make_dir", "write_text", "discard_dir"):
        monkeypatch.setattr(cgroup_v2, name, getattr(kernel, name))
    root = v2_root(tmp_path / "cg")
    kernel.real_root = root
    proc = fake_proc(tmp_path, line(root, "cgroup2", "rw"), "0::/user.slice\n")
    found = detect_cgroups("lambent", proc=proc, owner=OWNER)
    assert found.manager is not None and found.manager.version is CgroupVersion.V2
    assert found.reason == found.manager.description


def test_hybrid_with_an_empty_unified_hierarchy_is_v1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel = FakeKernel("v1")
    for name in ("make_dir", "write_text", "discard_dir"):
        monkeypatch.setattr(cgroup_v1, name, getattr(kernel, name))
    unified = v2_root(tmp_path / "unified", controllers="")
    mounts = line(unified, "cgroup2", "rw")
    cgroup = "0::/\n"
    for n, controller in enumerate(("memory", "pids", "freezer", "cpu"), start=1):
        point = tmp_path / controller
        point.mkdir()
        mounts += line(point, "cgroup", f"rw,{controller}")
        cgroup += f"{n}:{controller}:/\n"
    found = detect_cgroups("lambent", proc=fake_proc(tmp_path, mounts, cgroup), owner=OWNER)
    assert found.manager is not None and found.manager.version is CgroupVersion.V1


def test_nothing_mounted(tmp_path: Path) -> None:
    found = detect_cgroups("lambent", proc=fake_proc(tmp_path, "", ""), owner=OWNER)
    assert found.manager is None and found.reason == "no cgroup filesystem is mounted"


def test_v2_without_a_usable_place_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel = FakeKernel("v2")
    for name in ("make_dir", "write_text", "discard_dir"):
        monkeypatch.setattr(cgroup_v2, name, getattr(kernel, name))
    root = v2_root(tmp_path / "cg", procs="1\n")
    kernel.read_only.add(root)
    proc = fake_proc(tmp_path, line(root, "cgroup2", "rw"), "0::/\n")
    found = detect_cgroups("lambent", proc=proc, owner=OWNER)
    assert found.manager is None
    assert found.reason.startswith("cgroup v2: no usable cgroup v2 location")


def test_unreadable_proc(tmp_path: Path) -> None:
    found = detect_cgroups("lambent", proc=tmp_path / "none", owner=OWNER)
    assert found.manager is None and "cannot read" in found.reason


def test_prefix_must_be_a_plain_name() -> None:
    with pytest.raises(ValueError, match="name must match"):
        detect_cgroups("../etc")
