"""Which server process owns a set of sandbox cgroups, and whether it is still alive.

Sandbox cgroups live in ``<prefix>/owner-<pid>-<start>/<name>``. A server that crashed
cannot clean up, so its successor removes every owner directory whose process is gone;
several live servers (or test runs) sharing a prefix leave each other alone. The start
time (clock ticks since boot, field 22 of ``/proc/<pid>/stat``) tells a reused pid from
the original process.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_DIRNAME = re.compile(r"owner-(\d+)-(\d+)")


@dataclass(frozen=True, slots=True)
class OwnerId:
    pid: int
    start_ticks: int

    @classmethod
    def current(cls, proc: Path = Path("/proc")) -> OwnerId:
        pid = os.getpid()
        start = process_start_ticks(pid, proc)
        if start is None:
            raise RuntimeError(f"cannot read {proc}/{pid}/stat")
        return cls(pid, start)

    @classmethod
    def parse(cls, dirname: str) -> OwnerId | None:
        """The owner named by a directory, or None if it is not an owner directory."""
        match = _DIRNAME.fullmatch(dirname)
        return cls(int(match[1]), int(match[2])) if match else None

    @property
    def dirname(self) -> str:
        return f"owner-{self.pid}-{self.start_ticks}"

    def is_alive(self, proc: Path = Path("/proc")) -> bool:
        return process_start_ticks(self.pid, proc) == self.start_ticks


def process_start_ticks(pid: int, proc: Path = Path("/proc")) -> int | None:
    """Field 22 of ``/proc/<pid>/stat``; None if there is no such process."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ")".
    fields = stat.rpartition(")")[2].split()
    return int(fields[19])


def subdirs(directory: Path) -> list[Path]:
    """The directories in ``directory``; none if it is gone."""
    try:
        return [entry for entry in directory.iterdir() if entry.is_dir()]
    except FileNotFoundError:
        return []


def dead_owner_dirs(base: Path, me: OwnerId, proc: Path = Path("/proc")) -> list[Path]:
    """The owner directories under ``base`` whose server process no longer runs."""
    dead = []
    for entry in subdirs(base):
        owner = OwnerId.parse(entry.name)
        if owner is not None and owner != me and not owner.is_alive(proc):
            dead.append(entry)
    return dead
