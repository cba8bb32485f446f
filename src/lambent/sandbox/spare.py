"""A spare sandbox: started before its function is known, taken by exactly one later.

Its program starts with an extra descriptor, the *channel* (one end of a socket pair),
and a start-up message on it; it prepares whatever can be prepared without knowing the
function, says it is ready, and waits. Taking it (:meth:`Spare.adopt`) makes the
function's code appear at ``/var/task`` and its layers at ``/opt`` (mounted into the
sandbox's namespace, see ``mountns``), resizes ``/tmp`` and sets the cgroup limits the
function's spec asks for. Meanwhile its program has its last message (what to become) to
prepare with; an empty frame tells it that all is in place, and the channel closes.
Everything a fresh sandbox for the spec would have is then there: the namespaces, the
user (uid 993), the host view and the cgroup were the same from the start.

Messages are frames: the body's length in ASCII digits, a newline, the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Final

from lambent.sandbox.bwrap import HELPER_PROCESSES
from lambent.sandbox.errors import SandboxError, SandboxStartError
from lambent.sandbox.limits import MIB, CgroupLimits
from lambent.sandbox.mountns import MountInjector
from lambent.sandbox.sandbox import Sandbox, SandboxState
from lambent.sandbox.spec import OPT_DIR, TASK_DIR, SandboxSpec

#: Frames larger than this are a broken program, not a message.
MAX_FRAME: Final = 1 << 20
#: How long taking a spare may take (mounts, limits, one message) before it is given up.
_ADOPT_TIMEOUT_S: Final = 5.0
#: How much of a failed spare's stderr goes into the error.
_LAST_WORDS: Final = 600

StartFresh = Callable[[SandboxSpec], Awaitable[Sandbox]]


class SpareState(enum.Enum):
    """``WARMING → READY → TAKEN``; any state may end in ``DISCARDED``."""

    WARMING = "warming"
    READY = "ready"
    TAKEN = "taken"
    DISCARDED = "discarded"


def frame(body: bytes) -> bytes:
    return b"%d\n" % len(body) + body


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One frame; ``SandboxError`` if the program closed the channel or sent garbage."""
    line = await reader.readline()
    if not line:
        raise SandboxError("the spare's program closed its channel")
    try:
        length = int(line)
    except ValueError:
        raise SandboxError(f"the spare's program sent a malformed frame: {line[:40]!r}") from None
    if not 0 <= length <= MAX_FRAME:
        raise SandboxError(f"the spare's program sent a frame of {length} bytes")
    try:
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError as e:
        raise SandboxError("the spare's program closed its channel mid-frame") from e


class Spare:
    """One spare sandbox. Made by :meth:`start`; ends as a function's sandbox or discarded."""

    def __init__(
        self,
        sandbox: Sandbox,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.sandbox = sandbox
        self._reader = reader
        self._writer = writer
        self._state = SpareState.WARMING
        self._namespace = -1  # the sandbox's mount namespace, opened once it is ready
        self._hangup: asyncio.Task[bytes] | None = None

    @classmethod
    async def start(
        cls,
        start_fresh: StartFresh,
        spec_for: Callable[[int], SandboxSpec],
        greeting: bytes,
    ) -> Spare:
        """Start the sandbox ``spec_for(channel_fd)`` describes (its program finds the
        channel at that descriptor number) and send it ``greeting`` as the first frame."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            spec = spec_for(theirs.fileno())
            if theirs.fileno() not in spec.pass_fds:
                raise ValueError("the spare's spec must pass its channel to the program")
            sandbox = await start_fresh(spec)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # the program has its copy now
        try:
            reader, writer = await asyncio.open_unix_connection(sock=ours, limit=MAX_FRAME)
            writer.write(frame(greeting))
            await writer.drain()
        except BaseException:
            ours.close()
            await sandbox.close()
            raise
        return cls(sandbox, reader, writer)

    @property
    def state(self) -> SpareState:
        return self._state

    @property
    def alive(self) -> bool:
        """READY, its program still waiting: it has not exited or hung up."""
        return (
            self._state is SpareState.READY
            and self.sandbox.state is SandboxState.RUNNING
            and self._hangup is not None
            and not self._hangup.done()
        )

    async def wait_ready(self, timeout_s: float) -> bytes:
        """The program's ready message. Raises ``SandboxError`` (the spare is discarded) if
        it exits, hangs up or takes longer than ``timeout_s``."""
        try:
            async with asyncio.timeout(timeout_s):
                message = await read_frame(self._reader)
            self._namespace = self._open_namespace()
        except SandboxError as e:
            # Its program's last words say why (a traceback, bwrap's complaint).
            said = await self._last_words()
            await self.discard()
            raise SandboxStartError(f"{e}{': ' if said else ''}{said}") from e
        except BaseException as e:
            await self.discard()
            if isinstance(e, TimeoutError):
                raise SandboxStartError(f"the spare was not ready within {timeout_s:g} s") from e
            raise
        self._state = SpareState.READY
        # Anything more from the program, or EOF, means it is no longer a usable spare.
        self._hangup = asyncio.ensure_future(self._reader.read(1))
        return message

    async def _last_words(self) -> str:
        with contextlib.suppress(TimeoutError, SandboxError):
            async with asyncio.timeout(1):
                await self.sandbox.wait()
                text = (await self.sandbox.stderr.read()).decode(errors="replace").strip()
                return text[-_LAST_WORDS:]
        return ""

    def on_lost(self, callback: Callable[[Spare], None]) -> None:
        """Call ``callback`` if the spare stops being usable while it waits (its program
        exited, was killed, or wrote to the channel): not when it is taken or discarded."""
        if self._hangup is None:
            raise SandboxError("the spare is not ready")

        def lost(future: asyncio.Future[bytes]) -> None:
            if not future.cancelled() and self._state is SpareState.READY:
                callback(self)

        self._hangup.add_done_callback(lost)

    def _open_namespace(self) -> int:
        """An fd for the sandbox's mount namespace, through one of its processes (bwrap
        itself stays in ours). Checked after opening: the process was still in the
        sandbox's cgroup, so the pid was not reused, and the namespace is not ours."""
        own = os.stat("/proc/self/ns/mnt").st_ino
        for pid in self.sandbox.pids():
            if pid == self.sandbox.pid:
                continue
            try:
                fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                continue
            if os.fstat(fd).st_ino != own and pid in self.sandbox.pids():
                return fd
            os.close(fd)
        raise SandboxError("cannot find the spare sandbox's mount namespace")

    async def adopt(self, spec: SandboxSpec, become: bytes, injector: MountInjector) -> Sandbox:
        """Make this spare the sandbox ``spec`` describes and send its program ``become``.

        Only ``spec``'s code, layers, /tmp size and limits are applied: the caller has
        checked that the rest (binds, user, how the program reads its environment) is
        what the spare was started with. On any failure the spare is discarded and
        ``SandboxError`` raised; a spare is taken at most once either way.
        """
        if not self.alive:
            raise SandboxError(f"the spare is {self._state.value}, not ready")
        self._state = SpareState.TAKEN
        try:
            async with asyncio.timeout(_ADOPT_TIMEOUT_S):
                await self._adopt(spec, become, injector)
        except (SandboxError, OSError, TimeoutError) as e:
            await self.discard()
            raise SandboxError(f"cannot take the spare sandbox {self.sandbox.name}: {e}") from e
        except BaseException:
            await self.discard()
            raise
        finally:
            self._close_namespace()
        return self.sandbox

    async def _adopt(self, spec: SandboxSpec, become: bytes, injector: MountInjector) -> None:
        if spec.code_dir is None:
            raise SandboxError("a spare is taken for a function's code: none given")
        if spec.memory_mib < self.sandbox.spec.memory_mib:
            # Below what it uses, a new limit would have the kernel reclaim, or kill it.
            usage = self.sandbox.memory()
            if usage is not None and usage.current >= spec.memory_mib * MIB:
                raise SandboxError(
                    f"the spare uses {usage.current // MIB} MiB, more than {spec.memory_mib} MiB"
                )
        mounts = [(spec.code_dir, TASK_DIR)]
        if spec.opt_dir is not None:
            mounts.append((spec.opt_dir, OPT_DIR))
        tmp = spec.tmp_mib * MIB if spec.tmp_mib != self.sandbox.spec.tmp_mib else None
        if self._hangup is not None:
            self._hangup.cancel()
        # What to become goes first: the program prepares what needs neither the code nor
        # the limits while the mounts are made (in the injector's thread) and the limits
        # set (here); the empty frame that follows lets it go on to the function's code.
        self._writer.write(frame(become))
        injected = injector.inject(self._namespace, mounts, tmp)
        try:
            self.sandbox.set_limits(
                CgroupLimits.for_sandbox(spec.memory_mib, spec.max_processes + HELPER_PROCESSES)
            )
        finally:
            await injected
        self._writer.write(frame(b""))
        await self._writer.drain()
        self._writer.close()  # one function per spare: nothing more can ever be sent

    async def discard(self) -> None:
        """End the spare: its sandbox is closed, whatever state it was in."""
        self._state = SpareState.DISCARDED
        self._close_namespace()
        if self._hangup is not None:
            self._hangup.cancel()
        self._writer.close()
        with contextlib.suppress(SandboxError):
            await self.sandbox.close()

    def _close_namespace(self) -> None:
        if self._namespace >= 0:
            os.close(self._namespace)
            self._namespace = -1
