"""Mounting a host directory into a running sandbox's mount namespace, read-only.

A spare sandbox is started before anyone knows which function it will serve, with empty
``/var/task`` and ``/opt``. When a function takes it, its code must appear there: the
host directory is cloned as a detached mount (``open_tree``), made read-only, nosuid,
nodev and private (``mount_setattr``), and attached inside the sandbox (``setns`` into
its mount namespace, ``move_mount``), exactly what ``bwrap --ro-bind`` would have made.
``/tmp``'s size is changed the same way (``fspick`` + ``fsconfig``). Cost: ~50 µs.

``setns`` into a mount namespace is refused to a thread that shares its filesystem
context (root, cwd) with others, which every thread of this server does. So one dedicated
thread gives its context up (``unshare(CLONE_FS)``) and does all of this, returning to
the server's namespace after each job: no helper process, no IPC. These system calls
came with Linux 5.2 (``mount_setattr``: 5.12) and need root (``CAP_SYS_ADMIN``);
:meth:`MountInjector.probe` says why they cannot be used here.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import tempfile
from collections.abc import Awaitable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from lambent.sandbox.errors import SandboxError

log = logging.getLogger(__name__)

# Syscall numbers from 424 on are the same on every architecture (the asm-generic table).
_SYS_OPEN_TREE: Final = 428
_SYS_MOVE_MOUNT: Final = 429
_SYS_FSCONFIG: Final = 431
_SYS_FSPICK: Final = 433
_SYS_MOUNT_SETATTR: Final = 442
_AT_FDCWD: Final = -100
_AT_EMPTY_PATH: Final = 0x1000
_AT_RECURSIVE: Final = 0x8000
_OPEN_TREE_CLONE: Final = 1
_MOVE_MOUNT_F_EMPTY_PATH: Final = 0x4
_MOUNT_ATTR_RDONLY: Final = 0x1
_MOUNT_ATTR_NOSUID: Final = 0x2
_MOUNT_ATTR_NODEV: Final = 0x4
_MS_PRIVATE: Final = 1 << 18
_FSPICK_CLOEXEC: Final = 0x1
_FSCONFIG_SET_STRING: Final = 1
_FSCONFIG_CMD_RECONFIGURE: Final = 7
_CLONE_FS: Final = 0x200
_CLONE_NEWNS: Final = 0x20000


class _MountAttr(ctypes.Structure):
    _fields_ = (
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    )


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def _detached_readonly(source: Path) -> int:
    """A private, read-only, nosuid, nodev clone of ``source`` (and its submounts, as
    ``bwrap --ro-bind`` takes them), attached nowhere yet."""
    fd = _check(
        _libc.syscall(
            _SYS_OPEN_TREE,
            _AT_FDCWD,
            os.fsencode(source),
            _OPEN_TREE_CLONE | os.O_CLOEXEC | _AT_RECURSIVE,
        ),
        f"open_tree {source}",
    )
    try:
        attr = _MountAttr(_MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID | _MOUNT_ATTR_NODEV, 0, 0, 0)
        # Private: mounts made later on the host under the code directory stay out.
        attr.propagation = _MS_PRIVATE
        _check(
            _libc.syscall(
                _SYS_MOUNT_SETATTR,
                fd,
                b"",
                _AT_EMPTY_PATH | _AT_RECURSIVE,
                ctypes.byref(attr),
                ctypes.sizeof(attr),
            ),
            f"mount_setattr {source}",
        )
    except BaseException:
        os.close(fd)
        raise
    return fd


def _attach(tree: int, target: str) -> None:
    _check(
        _libc.syscall(
            _SYS_MOVE_MOUNT, tree, b"", _AT_FDCWD, target.encode(), _MOVE_MOUNT_F_EMPTY_PATH
        ),
        f"move_mount to {target}",
    )


def _resize_tmpfs(target: str, size_bytes: int) -> None:
    """Change a tmpfs's size limit, leaving its mount flags and mode as they are."""
    fs = _check(_libc.syscall(_SYS_FSPICK, _AT_FDCWD, target.encode(), _FSPICK_CLOEXEC), "fspick")
    try:
        _check(
            _libc.syscall(
                _SYS_FSCONFIG, fs, _FSCONFIG_SET_STRING, b"size", str(size_bytes).encode(), 0
            ),
            f"fsconfig size of {target}",
        )
        _check(
            _libc.syscall(_SYS_FSCONFIG, fs, _FSCONFIG_CMD_RECONFIGURE, None, None, 0),
            f"reconfigure {target}",
        )
    finally:
        os.close(fs)


async def _as_sandbox_error(job: Awaitable[None]) -> None:
    try:
        await job
    except OSError as e:
        raise SandboxError(f"cannot mount into the sandbox: {e}") from e


def _setns(fd: int) -> None:
    _check(_libc.setns(fd, _CLONE_NEWNS), "setns")


class MountInjector:
    """Mounts into sandboxes' namespaces from one dedicated thread. Root only."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, "lambent-mountns", initializer=self._enter_thread)
        self._home = -1  # this thread's (the server's) mount namespace, opened in the thread
        #: Set when the thread could not get back to the server's namespace: no more jobs.
        self._broken: str | None = None

    def _enter_thread(self) -> None:
        # Only this thread's root and cwd will follow setns; the rest of the server's stay.
        _check(_libc.unshare(_CLONE_FS), "unshare(CLONE_FS)")
        self._home = os.open("/proc/thread-self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)

    async def probe(self) -> str | None:
        """None if injection works here; otherwise why not (for the start-up announcement).
        Nothing is mounted anywhere: a scratch clone is made and dropped."""
        if os.geteuid() != 0:
            return "the server is not root (mounting into a sandbox needs CAP_SYS_ADMIN)"
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._probe)
        except OSError as e:
            if e.errno == errno.ENOSYS:
                return f"the kernel lacks the new mount API (Linux 5.12 or later): {e}"
            return f"mounting into a sandbox does not work here: {e}"
        return None

    def _probe(self) -> None:
        # open_tree, move_mount, fspick and fsconfig came together (5.2); mount_setattr
        # (5.12) is the newest. Joining a namespace is tried on our own (a no-op).
        with tempfile.TemporaryDirectory(prefix="lambent-mountns-") as scratch:
            os.close(_detached_readonly(Path(scratch)))
        _setns(self._home)

    def inject(
        self,
        namespace: int,
        mounts: Sequence[tuple[Path, str]],
        tmp_bytes: int | None = None,
    ) -> Awaitable[None]:
        """In the mount namespace open at fd ``namespace``: each host directory read-only at
        its target, and ``/tmp`` resized to ``tmp_bytes`` when given. The work starts at
        once, in the injector's thread (the caller may do other things meanwhile); awaiting
        the result raises ``SandboxError`` saying what failed, and the sandbox may then be
        half set up and must be discarded."""
        if self._broken is not None:
            raise SandboxError(f"mount injection is disabled: {self._broken}")
        job = asyncio.get_running_loop().run_in_executor(
            self._executor, self._inject, namespace, tuple(mounts), tmp_bytes
        )
        return _as_sandbox_error(job)

    def _inject(
        self, namespace: int, mounts: tuple[tuple[Path, str], ...], tmp_bytes: int | None
    ) -> None:
        trees: list[tuple[int, str]] = []
        try:
            # Cloned on the host side, where the sources are visible.
            for source, target in mounts:
                trees.append((_detached_readonly(source), target))
            _setns(namespace)
            try:
                for tree, target in trees:
                    _attach(tree, target)
                if tmp_bytes is not None:
                    _resize_tmpfs("/tmp", tmp_bytes)
            finally:
                self._go_home()
        finally:
            for tree, _ in trees:
                os.close(tree)

    def _go_home(self) -> None:
        try:
            _setns(self._home)
        except OSError as e:
            # Paths this thread resolves would now be the sandbox's: never use it again.
            self._broken = f"could not return to the server's mount namespace: {e}"
            log.exception("mount injection: %s", self._broken)
            raise

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._home >= 0:
            with contextlib.suppress(OSError):
                os.close(self._home)
            self._home = -1
