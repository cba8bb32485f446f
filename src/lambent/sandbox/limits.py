"""The cgroup limits a sandbox gets: memory, processes and a CPU weight that follows memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MIB: Final = 1024 * 1024
#: AWS: "at 1,769 MB, a function has the equivalent of one vCPU" (Lambda memory docs).
MIB_PER_VCPU: Final = 1769
#: cgroup v1 ``cpu.shares``: 1024 is one process's fair share; the kernel accepts 2..262144.
_SHARES_PER_VCPU: Final = 1024
_SHARES_RANGE: Final = (2, 262_144)
#: cgroup v2 ``cpu.weight``: 100 is the default; the kernel accepts 1..10000.
_WEIGHT_PER_VCPU: Final = 100
_WEIGHT_RANGE: Final = (1, 10_000)


@dataclass(frozen=True, slots=True)
class CgroupLimits:
    """Limits in the units the kernel files take."""

    memory_bytes: int
    max_pids: int
    #: v1 ``cpu.shares``.
    cpu_shares: int
    #: v2 ``cpu.weight``.
    cpu_weight: int

    @classmethod
    def for_sandbox(cls, memory_mib: int, max_processes: int) -> CgroupLimits:
        """CPU weight proportional to memory, one vCPU's worth at 1769 MiB, as in Lambda.

        A weight, not a quota: an idle host lets a small function use a whole core
        (Lambda would cap it); under contention the shares match Lambda's ratios.
        """
        vcpus = memory_mib / MIB_PER_VCPU
        return cls(
            memory_bytes=memory_mib * MIB,
            max_pids=max_processes,
            cpu_shares=_clamp(round(vcpus * _SHARES_PER_VCPU), _SHARES_RANGE),
            cpu_weight=_clamp(round(vcpus * _WEIGHT_PER_VCPU), _WEIGHT_RANGE),
        )


def _clamp(value: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    return max(low, min(high, value))
