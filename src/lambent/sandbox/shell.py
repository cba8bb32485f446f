"""The POSIX shell as the sandbox's last wrapper: it installs the environment, then execs.

Why a shell at all: in bwrap mode the processes before the function's (bwrap, and
setpriv which runs as root) must not see the function's environment, or a variable such
as ``LD_PRELOAD`` or ``LD_LIBRARY_PATH=/var/task/lib`` would load the function's code
into a privileged process. So they run with an empty environment; the variables arrive
on stdin as shell assignments, and the shell, already unprivileged, exports them and
execs the function's program. In process mode the shell joins the cgroups before exec.

dash passes exactly the exported variables to ``exec`` (after ``unset PWD``, which every
shell sets); bash re-adds ``SHLVL``, so with bash an ``env -u SHLVL`` hop follows.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: bwrap mode: read the assignments from stdin, give the program /dev/null instead, exec.
LOAD_ENV = '. /dev/stdin && exec </dev/null && exec "$@"'
#: The ``$0`` of the wrapper shells, so that their error messages say who failed.
ARGV0 = "lambent-sandbox"
#: Exit status of the process-mode wrapper when it cannot join a cgroup; the function's
#: program never starts then.
JOIN_FAILED = 125
_SEARCH = ("/usr/bin/dash", "/bin/dash", "/bin/sh", "/usr/bin/sh")
_ENV_TOOL = ("/usr/bin/env", "/bin/env")


@dataclass(frozen=True, slots=True)
class Shell:
    path: str
    #: Whether ``exec`` passes exactly the exported variables (dash does, bash does not).
    exact: bool
    env_tool: str

    @classmethod
    def find(cls) -> Shell:
        for candidate in _SEARCH:
            if os.access(candidate, os.X_OK):
                exact = Path(os.path.realpath(candidate)).name.startswith("dash")
                env_tool = next((t for t in _ENV_TOOL if os.access(t, os.X_OK)), None)
                env_tool = env_tool or shutil.which("env") or "env"
                return cls(candidate, exact, env_tool)
        raise FileNotFoundError("no POSIX shell found (looked for dash and /bin/sh)")

    def hop(self, env: Mapping[str, str]) -> tuple[str, ...]:
        """The command to insert before the program so the environment stays exact."""
        if self.exact or "SHLVL" in env:
            return ()
        return (self.env_tool, "-u", "SHLVL")


def env_assignments(env: Mapping[str, str]) -> bytes:
    """Shell text that leaves exactly ``env`` exported (names are validated by the spec)."""
    lines = [] if "PWD" in env else ["unset PWD"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    return ("\n".join(lines) + "\n").encode()


def join_and_exec(
    shell: Shell,
    procs_files: Sequence[Path],
    env: Mapping[str, str],
    argv: Sequence[str],
) -> list[str]:
    """Process mode: a shell that writes its pid to each ``cgroup.procs``, then execs
    ``argv`` with ``env`` (given to the shell itself: no privilege boundary here).

    Joining before exec means the program and everything it forks are inside the cgroup
    from their first instruction; no window where a fork escapes.
    """
    # A shell resets an imported PWD that is not its real directory: re-export the given one.
    pwd = f"PWD={shlex.quote(env['PWD'])}; export PWD" if "PWD" in env else "unset PWD"
    script = (
        'n=$1; shift; while [ "$n" -gt 0 ]; do '
        f'echo $$ >"$1" || exit {JOIN_FAILED}; shift; n=$((n - 1)); done; '
        f'{pwd}; exec "$@"'
    )
    files = [str(f) for f in procs_files]
    return [shell.path, "-c", script, ARGV0, str(len(files)), *files, *shell.hop(env), *argv]
