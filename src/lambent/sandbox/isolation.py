"""Isolation modes: what was asked for, what this host provides, and why."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lambent.sandbox.bwrap import BwrapSetup
from lambent.sandbox.cgroup import CgroupManager
from lambent.sandbox.shell import Shell


class IsolationRequest(enum.Enum):
    """The ``--isolation`` setting."""

    #: The strongest mode this host supports, announced at start-up.
    AUTO = "auto"
    #: bubblewrap sandboxes, or a clear error.
    BWRAP = "bwrap"
    #: Plain child processes: not isolated.
    PROCESS = "process"


class IsolationMode(enum.Enum):
    """The mode in force."""

    BWRAP = "bwrap"
    PROCESS = "process"


@dataclass(frozen=True, slots=True)
class Isolation:
    """The outcome of :func:`detect_isolation`: everything needed to start sandboxes here."""

    mode: IsolationMode
    #: Human-readable: the mode, how it is achieved, and what is missing and why.
    reason: str
    bwrap: BwrapSetup | None
    #: None where cgroups are not writable: no memory limit, freezer or memory figures.
    cgroups: CgroupManager | None
    shell: Shell
    #: Process mode: a command prefix that SIGKILLs the program when the server dies.
    pdeathsig: tuple[str, ...] = ()

    @property
    def isolated(self) -> bool:
        return self.mode is IsolationMode.BWRAP
