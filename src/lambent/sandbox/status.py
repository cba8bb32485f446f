"""How a sandbox's first process ended: an exit code or a signal."""

from __future__ import annotations

import signal as _signal
from dataclasses import dataclass

#: Go's names for signals (``syscall.Signal.String`` on linux/amd64), because AWS's
#: ``Runtime exited with error: signal: killed`` is Go's ``ProcessState.String()``.
_GO_SIGNAL_NAMES: dict[int, str] = {
    1: "hangup",
    2: "interrupt",
    3: "quit",
    4: "illegal instruction",
    5: "trace/breakpoint trap",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    10: "user defined signal 1",
    11: "segmentation fault",
    12: "user defined signal 2",
    13: "broken pipe",
    14: "alarm clock",
    15: "terminated",
    16: "stack fault",
    17: "child exited",
    18: "continued",
    19: "stopped (signal)",
    20: "stopped",
    21: "stopped (tty input)",
    22: "stopped (tty output)",
    23: "urgent I/O condition",
    24: "CPU time limit exceeded",
    25: "file size limit exceeded",
    26: "virtual timer expired",
    27: "profiling timer expired",
    28: "window changed",
    29: "I/O possible",
    30: "power failure",
    31: "bad system call",
}

#: Shells and bwrap report death by signal N as exit status 128 + N.
_SHELL_SIGNAL_BASE = 128
_MAX_SIGNAL = 64


@dataclass(frozen=True, slots=True)
class ExitStatus:
    """Exactly one of ``code`` (normal exit) and ``signal`` (killed by a signal) is set."""

    code: int | None = None
    signal: int | None = None

    def __post_init__(self) -> None:
        if (self.code is None) == (self.signal is None):
            raise ValueError("an exit status has either a code or a signal")

    @classmethod
    def from_returncode(cls, returncode: int) -> ExitStatus:
        """From ``Popen.returncode``: negative means killed by that signal."""
        if returncode < 0:
            return cls(signal=-returncode)
        return cls(code=returncode)

    @classmethod
    def from_bwrap(cls, returncode: int) -> ExitStatus:
        """From bwrap's exit status, which folds "killed by signal N" into 128 + N.

        bwrap (like a shell) cannot report a signal any other way, so 129..192 is read as a
        signal; a program that deliberately calls ``exit(137)`` is indistinguishable from
        one killed by SIGKILL. A negative return code means bwrap itself was signalled.
        """
        if _SHELL_SIGNAL_BASE < returncode <= _SHELL_SIGNAL_BASE + _MAX_SIGNAL:
            return cls(signal=returncode - _SHELL_SIGNAL_BASE)
        return cls.from_returncode(returncode)

    @property
    def success(self) -> bool:
        return self.code == 0

    @property
    def killed(self) -> bool:
        """Killed by SIGKILL: the OOM killer, a timeout or :meth:`Sandbox.kill`."""
        return self.signal == _signal.SIGKILL

    def describe(self) -> str:
        """``exit status 1`` or ``signal: killed``: Go's wording, which AWS Lambda shows."""
        if self.signal is not None:
            return f"signal: {_GO_SIGNAL_NAMES.get(self.signal, f'signal {self.signal}')}"
        return f"exit status {self.code}"
