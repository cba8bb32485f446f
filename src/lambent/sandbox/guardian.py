"""The guardian: ends this server's sandboxes when the server dies, however it dies.

bwrap's ``--die-with-parent`` kills a sandbox with its server, but a task frozen by the
cgroup v1 freezer does not die until it is thawed (it waits in D state with the SIGKILL
pending), and a kill -9 gives the server no chance to thaw anything. So a small process
outside the server holds the read end of a pipe whose write end only the server has:
when the server is gone, for any reason, the pipe reads EOF and the guardian kills and
thaws everything under the server's cgroup directories, then exits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

# Runs in its own interpreter, with nothing imported from Lambent: it must work when the
# server is gone. Kill first (a frozen task keeps the SIGKILL), then thaw so it is taken.
_SCRIPT = r"""
import os, signal, sys
sys.stdin.buffer.read()
leaves = []
for owner in sys.argv[1:]:
    for directory, _, _ in os.walk(owner, topdown=False):
        leaves.append(directory)
for leaf in leaves:
    try:
        with open(os.path.join(leaf, "cgroup.procs")) as procs:
            pids = [int(line) for line in procs if line.strip()]
    except OSError:
        continue
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
for leaf in leaves:
    for name, value in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
        try:
            with open(os.path.join(leaf, name), "w") as control:
                control.write(value)
        except OSError:
            pass
"""


class Guardian:
    def __init__(self, directories: Sequence[Path]) -> None:
        read_end, self._write_end = os.pipe()  # not inheritable: sandboxes never hold it
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SCRIPT, *map(str, directories)],
                stdin=read_end,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a signal to the server's group must not reach it
            )
        finally:
            os.close(read_end)

    def close(self) -> None:
        """The server is closing cleanly: let the guardian go (it finds nothing to end)."""
        if self._write_end >= 0:
            os.close(self._write_end)
            self._write_end = -1
            self._process.wait(timeout=10)
