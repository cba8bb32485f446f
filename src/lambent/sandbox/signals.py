"""Whether processes are doomed by a signal they have not acted on yet.

The cgroup v1 freezer holds a fatal signal pending until the cgroup is thawed: a frozen
sandbox killed from outside looks alive (its first process has not exited) until it is
thawed for its next invocation, and then dies under it. The kernel shows pending signals
in ``/proc/<pid>/status`` (``SigPnd``: the thread's, ``ShdPnd``: the process's).
"""

from __future__ import annotations

import signal
from collections.abc import Iterable

_FATAL = (1 << (signal.SIGKILL - 1)) | (1 << (signal.SIGTERM - 1))


def fatal_signal_pending(pids: Iterable[int]) -> bool:
    """True when any of ``pids`` has SIGKILL or SIGTERM pending, or has died already (gone,
    or a zombie its frozen parent cannot reap: the cgroup v2 freezer lets a fatal signal
    through). A zombie a careless runtime never reaped reads the same: that environment is
    replaced too, which costs a cold start and nothing else."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", "rb") as status:
                text = status.read()
        except OSError:
            return True  # gone between listing and reading
        for line in text.splitlines():
            key, _, value = line.partition(b":")
            if key == b"State" and value.strip()[:1] in (b"Z", b"X"):
                return True
            if key in (b"SigPnd", b"ShdPnd") and int(value.strip(), 16) & _FATAL:
                return True
    return False
