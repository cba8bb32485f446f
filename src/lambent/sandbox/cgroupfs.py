"""The kernel's cgroup filesystem: where the hierarchies are mounted and how to use their files.

Everything here is cheap, synchronous system calls on a pseudo-filesystem that never
blocks on I/O, so callers use it directly on the event loop: a thread hop would cost more
than the call. Parsers take text so they can be tested without a kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import errno
import os
import re
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

#: How long freezing, thawing or emptying a cgroup may take before it is an error.
SETTLE_TIMEOUT = 5.0
#: First poll interval, doubled up to ``_POLL_MAX``: most operations settle within 1 ms.
_POLL_FIRST = 0.0002
_POLL_MAX = 0.01
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


class CgroupVersion(enum.Enum):
    V1 = "v1"
    V2 = "v2"


@dataclass(frozen=True, slots=True)
class CgroupMount:
    """One mounted hierarchy (a line of ``/proc/self/mountinfo``)."""

    mountpoint: Path
    #: The cgroup path inside the hierarchy that is mounted at ``mountpoint``.
    root: str
    version: CgroupVersion
    #: v1: the controllers bound to the hierarchy (from the super options); v2: empty.
    controllers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Membership:
    """One line of ``/proc/self/cgroup``: our cgroup in one hierarchy."""

    hierarchy_id: int
    #: v1 controllers (``name=systemd`` for named hierarchies); empty for v2 (id 0).
    controllers: frozenset[str]
    path: str


def parse_mountinfo(text: str) -> list[CgroupMount]:
    """The cgroup and cgroup2 mounts listed in a ``mountinfo`` file (proc(5))."""
    mounts: list[CgroupMount] = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields = left.split()
        fstype, _source, super_options = [*right.split(), "", "", ""][:3]
        if len(fields) < 5 or fstype not in ("cgroup", "cgroup2"):
            continue
        root, mountpoint = _unescape(fields[3]), Path(_unescape(fields[4]))
        if fstype == "cgroup2":
            mounts.append(CgroupMount(mountpoint, root, CgroupVersion.V2, frozenset()))
        else:
            options = frozenset(super_options.split(",")) - {"rw", "ro"}
            mounts.append(CgroupMount(mountpoint, root, CgroupVersion.V1, options))
    return mounts


def parse_proc_cgroup(text: str) -> list[Membership]:
    """The lines of ``/proc/<pid>/cgroup``: ``id:controllers:path``."""
    memberships: list[Membership] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            continue
        controllers = frozenset(c for c in parts[1].split(",") if c)
        memberships.append(Membership(int(parts[0]), controllers, parts[2]))
    return memberships


def cgroup_dir(mount: CgroupMount, path: str) -> Path:
    """The directory of cgroup ``path`` (as ``/proc/self/cgroup`` names it) under ``mount``.

    A container may mount only a subtree (``root`` is then e.g. ``/docker/<id>``) or
    show paths relative to its cgroup namespace; a path outside the mounted subtree
    falls back to the mount's top, the closest place we can see.
    """
    root = mount.root.rstrip("/")
    inside = path == root or path.startswith(root + "/")
    relative = path[len(root) :].strip("/") if inside else ""
    return mount.mountpoint / relative if relative else mount.mountpoint


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as ``\\ooo`` octal."""
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m[1], 8)), field)


def read_text(path: Path) -> str:
    """A small pseudo-file, read with one system call per 64 KiB (no buffered wrapper)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(fd)


class NumberFile:
    """A pseudo-file holding one number, read again and again (a memory high-water mark
    after every invocation): opened once, each read one ``pread(2)`` from offset 0, which
    makes the kernel render it afresh. ``close`` when the cgroup goes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd = -1

    def read(self) -> int:
        if self._fd < 0:
            self._fd = os.open(self._path, os.O_RDONLY | os.O_CLOEXEC)
        return int(os.pread(self._fd, 64, 0).split()[0])

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def write_text(path: Path, value: str) -> None:
    """One ``write(2)``: cgroup files take a value per write and report errors from it."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def read_int(path: Path) -> int:
    return int(read_text(path).split()[0])


def read_keyed(path: Path) -> dict[str, int]:
    """Files of ``key value`` lines (``memory.events``, ``memory.oom_control``)."""
    values: dict[str, int] = {}
    for line in read_text(path).splitlines():
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            values[key] = int(value)
    return values


def read_pids(procs_file: Path) -> list[int]:
    """The processes in a cgroup (``cgroup.procs``); none if it is gone."""
    try:
        return [int(pid) for pid in read_text(procs_file).split()]
    except FileNotFoundError:
        return []


def kill_all(pids: Iterable[int]) -> int:
    """SIGKILL each process; returns how many were still there to kill."""
    killed = 0
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:
            pass
    return killed


def make_dir(path: Path) -> bool:
    """``mkdir``; False if it already existed."""
    try:
        path.mkdir()
    except FileExistsError:
        return False
    return True


async def remove_dir(path: Path) -> None:
    """``rmdir`` a cgroup, waiting out EBUSY: the kernel releases a cgroup whose last
    process just exited (or is still a zombie being reaped) a moment later."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    delay = _POLL_FIRST
    while not _rmdir(path, busy_ok=time.monotonic() < deadline):
        await asyncio.sleep(delay)
        delay = min(delay * 2, _POLL_MAX)


def discard_dir(path: Path) -> None:
    """Best-effort ``rmdir`` of a cgroup just created, when setting it up failed."""
    with contextlib.suppress(OSError):
        path.rmdir()


def _rmdir(path: Path, *, busy_ok: bool) -> bool:
    """True once ``path`` is gone; False if it is busy and that is still acceptable."""
    try:
        path.rmdir()
    except FileNotFoundError:
        return True
    except OSError as e:
        if e.errno == errno.EBUSY and busy_ok:
            return False
        raise
    return True


async def settle(done: Callable[[], bool], what: str) -> None:
    """Poll ``done`` with a growing interval until it holds; ``TimeoutError`` names ``what``."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    delay = _POLL_FIRST
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {SETTLE_TIMEOUT:g} s")
        await asyncio.sleep(delay)
        delay = min(delay * 2, _POLL_MAX)
