"""CPU weight proportional to memory, one vCPU at 1769 MiB, within the kernel's ranges."""

from __future__ import annotations

import pytest

from lambent.sandbox import MIB_PER_VCPU, CgroupLimits


@pytest.mark.parametrize(
    ("memory_mib", "shares", "weight"),
    [
        (MIB_PER_VCPU, 1024, 100),
        (128, 74, 7),
        (3538, 2048, 200),
        (10240, 5928, 579),
        (1, 2, 1),  # clamped to the kernel's minimums
    ],
)
def test_cpu_follows_memory(memory_mib: int, shares: int, weight: int) -> None:
    limits = CgroupLimits.for_sandbox(memory_mib, 1024)
    assert (limits.cpu_shares, limits.cpu_weight) == (shares, weight)


def test_units() -> None:
    limits = CgroupLimits.for_sandbox(128, 1026)
    assert (limits.memory_bytes, limits.max_pids) == (128 * 1024 * 1024, 1026)


def test_upper_clamps() -> None:
    limits = CgroupLimits.for_sandbox(10_000_000, 1)
    assert (limits.cpu_shares, limits.cpu_weight) == (262_144, 10_000)
