"""What to run in a sandbox: command, environment, mounts and resource limits."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

#: Where the function's code appears, and the working directory, as in AWS Lambda.
TASK_DIR = "/var/task"
#: Where the merged layers appear.
OPT_DIR = "/opt"

#: The name becomes a cgroup directory name: keep it to characters that need no escaping.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
#: Names a POSIX shell can export: the environment is installed by one (see ``shell.py``).
#: AWS's own rule for function variables, ``[a-zA-Z]([a-zA-Z0-9_])+``, is stricter.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Mount points the sandbox builds itself: a bind on or under them would undo the isolation
#: or need a directory created in a read-only mount (bwrap would fail after starting).
_RESERVED_TARGETS = (
    "/proc", "/dev", "/sys", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
    "/libx32", TASK_DIR, OPT_DIR,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bind:
    """A host path made visible read-only at ``target`` inside the sandbox."""

    source: Path
    target: str

    def __post_init__(self) -> None:
        if not self.source.is_absolute():
            raise ValueError(f"bind source must be absolute: {self.source}")
        _check_target(self.target)
        if self.target in ("/", "/tmp") or any(
            self.target == reserved or self.target.startswith(reserved + "/")
            for reserved in _RESERVED_TARGETS
        ):
            raise ValueError(f"bind target {self.target} is in a place the sandbox manages")

    @classmethod
    def same_path(cls, path: Path | str) -> Bind:
        """Bind ``path`` at the same place, e.g. an interpreter installation whose
        binaries have their prefix compiled in (``/root/.pyenv/versions/3.11.7``)."""
        return cls(Path(path), str(path))


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """One sandbox: ``argv`` runs in ``/var/task`` with exactly ``env`` as its environment.

    ``name`` names the sandbox's cgroup and must be unique among the launcher's live
    sandboxes. Sizes are in MiB, as Lambda's ``MemorySize`` and ``EphemeralStorage``.
    ``max_processes`` counts the function's processes and threads (the pids controller
    counts threads); the sandbox's own helper processes are added on top.
    """

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    #: None: an empty ``/var/task`` (a spare's, until a function's code is mounted
    #: there); bwrap mode only.
    code_dir: Path | None
    memory_mib: int
    tmp_mib: int = 512
    max_processes: int = 1024
    opt_dir: Path | None = None
    binds: tuple[Bind, ...] = ()
    #: Descriptors the program inherits under the same numbers (a spare's channel to the
    #: server); the caller keeps ownership and closes its copies after the start.
    pass_fds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        check_name(self.name)
        if not self.argv or not self.argv[0]:
            raise ValueError("argv must name a program")
        if any("\0" in arg for arg in self.argv):
            raise ValueError("argv must not contain NUL")
        for key, value in self.env.items():
            if not _ENV_NAME.fullmatch(key):
                raise ValueError(f"environment variable name not exportable: {key!r}")
            if "\0" in value:
                raise ValueError(f"environment variable {key} contains NUL")
        for path in (self.code_dir, self.opt_dir):
            if path is not None and not path.is_absolute():
                raise ValueError(f"directory must be absolute: {path}")
        for amount, what in (
            (self.memory_mib, "memory_mib"),
            (self.tmp_mib, "tmp_mib"),
            (self.max_processes, "max_processes"),
        ):
            if amount < 1:
                raise ValueError(f"{what} must be positive, not {amount}")
        if any(fd < 3 for fd in self.pass_fds):
            raise ValueError("pass_fds are extra descriptors (3 and up): stdio is the sandbox's")
        # A private copy: the caller's dict may change after the spec is built.
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))
        object.__setattr__(self, "argv", tuple(self.argv))
        object.__setattr__(self, "binds", tuple(self.binds))
        object.__setattr__(self, "pass_fds", tuple(self.pass_fds))


def check_name(name: str) -> None:
    """Sandbox names (and the cgroup prefix) become directory names: no escaping needed."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"name must match {_NAME.pattern}: {name!r}")


def _check_target(target: str) -> None:
    if not target.startswith("/") or posixpath.normpath(target) != target:
        raise ValueError(f"sandbox path must be absolute and normalised: {target!r}")
