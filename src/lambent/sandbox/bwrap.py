"""bubblewrap: locating it and turning a :class:`SandboxSpec` into its command line.

Two ways to be an unprivileged user, chosen once per host:

* ``SETPRIV`` (the server runs as root): bwrap runs as root without a user namespace,
  builds the mounts (so it can bind directories that only root can traverse, such as an
  interpreter under ``/root/.pyenv``), and ``setpriv`` drops to the real host uid 993
  with no capabilities before anything of the function's runs. On the host the
  processes are uid 993: they cannot read root's 0600 files, and a service that trusts
  peers with uid 0 does not trust them.
* ``USERNS`` (the server is not root): bwrap runs as the server's user and maps uid 993
  inside a user namespace to it; the sandbox can do what that user can do, no more.
"""

from __future__ import annotations

import enum
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from lambent.sandbox.errors import IsolationUnavailableError
from lambent.sandbox.hostview import SANDBOX_GID, SANDBOX_UID, directories_for, host_view_args
from lambent.sandbox.limits import MIB
from lambent.sandbox.shell import ARGV0, LOAD_ENV, Shell
from lambent.sandbox.spec import OPT_DIR, TASK_DIR, SandboxSpec

#: ``--size`` (the /tmp cap) came with bubblewrap 0.7.0.
MIN_VERSION = (0, 7, 0)
#: ``--disable-userns`` (no nested user namespaces) came with 0.8.0.
_DISABLE_USERNS_VERSION = (0, 8, 0)
#: Directories that exist before the function's mounts are made (from the host view).
_BUILT = frozenset({"/etc", "/usr", "/tmp", "/proc", "/dev"})
#: Processes bwrap adds to a sandbox's cgroup: itself and the pid namespace's init.
HELPER_PROCESSES = 2
_SEARCH_PATH = "/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin"
#: Directories that are visible inside the sandbox (through the host view).
_VISIBLE_PREFIXES = ("/usr/", "/bin/", "/sbin/")


class UserStrategy(enum.Enum):
    SETPRIV = "setpriv"
    USERNS = "userns"


@dataclass(frozen=True, slots=True)
class BwrapSetup:
    """Everything about this host that a bwrap command line needs, found once."""

    bwrap: str
    version: tuple[int, ...]
    user: UserStrategy
    setpriv: str | None
    shell: Shell
    host_view: tuple[str, ...]

    @classmethod
    def locate(
        cls,
        path: str,
        version: tuple[int, ...],
        user: UserStrategy | None = None,
    ) -> BwrapSetup:
        """Check bwrap's version and find the wrappers and the host view;
        ``IsolationUnavailableError`` says what is missing. Nothing is run here:
        :func:`detect_isolation` finds ``path`` and ``version`` and probes the result."""
        if version < MIN_VERSION:
            raise IsolationUnavailableError(
                f"bubblewrap {_dotted(version)} is too old; {_dotted(MIN_VERSION)} or later "
                "is needed (for --size, the /tmp cap)"
            )
        setpriv = _visible_tool("setpriv")
        if user is None:
            user = UserStrategy.SETPRIV if os.geteuid() == 0 and setpriv else UserStrategy.USERNS
        if user is UserStrategy.SETPRIV:
            if os.geteuid() != 0:
                raise IsolationUnavailableError("the setpriv strategy needs a root server")
            if setpriv is None:
                raise IsolationUnavailableError("setpriv (util-linux) not found under /usr")
        try:
            shell = Shell.find()
        except FileNotFoundError as e:
            raise IsolationUnavailableError(str(e)) from e
        return cls(path, version, user, setpriv, shell, host_view_args())

    def describe(self) -> str:
        if self.user is UserStrategy.SETPRIV:
            who = f"host uid {SANDBOX_UID}, dropped by setpriv after bwrap's set-up as root"
        else:
            who = f"uid {SANDBOX_UID} in a user namespace mapped to uid {os.geteuid()}"
        return f"bubblewrap {_dotted(self.version)} ({self.bwrap}), function code runs as {who}"


@dataclass(frozen=True, slots=True)
class BwrapFds:
    """File descriptors handed to bwrap: the synthesized passwd/group contents, and the
    pipes that hold the sandbox until it has joined its cgroup."""

    passwd: int
    group: int
    info: int | None = None
    block: int | None = None


def bwrap_argv(setup: BwrapSetup, spec: SandboxSpec, fds: BwrapFds) -> list[str]:
    """The complete command line; bwrap itself gets an empty environment (see ``shell.py``)."""
    argv = [
        setup.bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
    ]
    if setup.user is UserStrategy.USERNS:
        argv += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]
        if setup.version >= _DISABLE_USERNS_VERSION:
            argv.append("--disable-userns")
    argv += setup.host_view
    argv += ["--perms", "0644", "--ro-bind-data", str(fds.passwd), "/etc/passwd"]
    argv += ["--perms", "0644", "--ro-bind-data", str(fds.group), "/etc/group"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--perms", "1777", "--size", str(spec.tmp_mib * MIB), "--tmpfs", "/tmp"]
    targets = [TASK_DIR, *(bind.target for bind in spec.binds)]
    argv += directories_for(targets, _BUILT)
    if spec.code_dir is not None:
        argv += ["--ro-bind", str(spec.code_dir), TASK_DIR]
    else:
        argv += ["--dir", TASK_DIR]
    if spec.opt_dir is not None:
        argv += ["--ro-bind", str(spec.opt_dir), OPT_DIR]
    else:
        argv += ["--dir", OPT_DIR]
    for bind in spec.binds:
        argv += ["--ro-bind", str(bind.source), bind.target]
    # Last: the root tmpfs holding the mount points becomes read-only too.
    argv += ["--remount-ro", "/", "--chdir", TASK_DIR]
    if fds.info is not None and fds.block is not None:
        argv += ["--info-fd", str(fds.info), "--block-fd", str(fds.block)]
    argv.append("--")
    if setup.user is UserStrategy.SETPRIV:
        assert setup.setpriv is not None
        argv += [
            setup.setpriv,
            f"--reuid={SANDBOX_UID}",
            f"--regid={SANDBOX_GID}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ]
    argv += [setup.shell.path, "-c", LOAD_ENV, ARGV0, *setup.shell.hop(spec.env), *spec.argv]
    return argv


def find_bwrap(name: str | None = None) -> str:
    """The bwrap executable, or ``IsolationUnavailableError`` with what to do about it."""
    path = name if name and os.sep in name else shutil.which(name or "bwrap", path=_SEARCH_PATH)
    path = path or shutil.which(name or "bwrap")
    if path is None or not os.access(path, os.X_OK):
        raise IsolationUnavailableError(
            f"bubblewrap not found ({name or 'bwrap'}); install it (Debian/Ubuntu: "
            "apt-get install bubblewrap) or use --isolation process"
        )
    return path


def parse_version(output: str) -> tuple[int, ...]:
    """``bubblewrap 0.8.0`` -> (0, 8, 0); () if unrecognised."""
    words = output.split()
    word = words[-1] if words else ""
    parts = word.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version)) or "(unknown version)"


def _visible_tool(name: str) -> str | None:
    """``name``'s path if it resolves to a place the sandbox can see."""
    found = shutil.which(name, path=_SEARCH_PATH)
    if found is None:
        return None
    real = os.path.realpath(found)
    return found if real.startswith(_VISIBLE_PREFIXES) and Path(real).is_file() else None
