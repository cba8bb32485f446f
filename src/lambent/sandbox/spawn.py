"""Starting a sandbox's first process, inside its cgroup before any of the function's code.

bwrap mode closes the race between "process started" and "process in its cgroup" with
bwrap's own handshake: ``--info-fd`` reports the pid of the sandbox's init and
``--block-fd`` holds it, mounts done but nothing executed, until we have moved bwrap and
that init into the cgroup. Everything forked afterwards is born inside. This costs two
pipe round trips instead of another exec of a wrapper.

Sandboxes run in the ``SCHED_BATCH`` scheduling class. They get their fair share of the
CPU, but a runtime the server wakes (by handing it an event) does not preempt the
server's thread in the middle of its work: on a busy machine every invocation would
otherwise cost the event loop two or three involuntary context switches. The class is set
on the sandbox's first process before it runs anything (bwrap with cgroups: the same
handshake), so all it forks inherits it; in the other modes it is set right after the
start, and threads the program made before that keep the normal class.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from asyncio.subprocess import PIPE, Process
from typing import Final

from lambent.sandbox.bwrap import BwrapFds, BwrapSetup, bwrap_argv
from lambent.sandbox.cgroup import SandboxCgroup
from lambent.sandbox.errors import SandboxStartError
from lambent.sandbox.hostview import GROUP, PASSWD
from lambent.sandbox.shell import Shell, env_assignments, join_and_exec
from lambent.sandbox.spec import SandboxSpec

#: How long bwrap may take to set up the mounts before the start counts as failed.
START_TIMEOUT: Final = 10.0


async def spawn_bwrap(
    setup: BwrapSetup,
    spec: SandboxSpec,
    cgroup: SandboxCgroup | None,
) -> Process:
    """Start bwrap for ``spec``; with ``cgroup``, return only once the tree is inside it.

    Missing bind sources are reported as ``SandboxStartError`` before anything runs. A
    set-up failure that bwrap detects later (rare: the kernel refusing a mount) may come
    after this returns; it then shows as exit status 1 with bwrap's message on stderr.
    """
    _check_sources(spec)
    child_fds: list[int] = []  # ours to close once bwrap has its copies
    handshake: tuple[int, int] | None = None  # (info read end, block write end)
    try:
        # The environment travels on stdin, never through bwrap's or setpriv's environment.
        env_fd = _memfd("env", env_assignments(spec.env), child_fds)
        fds = BwrapFds(
            passwd=_memfd("passwd", PASSWD.encode(), child_fds),
            group=_memfd("group", GROUP.encode(), child_fds),
        )
        if cgroup is not None:
            info_r, info_w = os.pipe()
            block_r, block_w = os.pipe()
            handshake = (info_r, block_w)
            child_fds += [info_w, block_r]
            fds = BwrapFds(fds.passwd, fds.group, info=info_w, block=block_r)
        try:
            process = await asyncio.create_subprocess_exec(
                *bwrap_argv(setup, spec, fds),
                stdin=env_fd,
                stdout=PIPE,
                stderr=PIPE,
                env={},
                pass_fds=[*(fd for fd in child_fds if fd != env_fd), *spec.pass_fds],
                start_new_session=True,
            )
        except OSError as e:
            raise SandboxStartError(f"cannot run {setup.bwrap}: {e}") from e
        finally:
            _close(child_fds)
        if cgroup is not None and handshake is not None:
            await _join(process, cgroup, *handshake)
        else:
            _schedule_as_batch(process.pid)
        return process
    finally:
        _close(child_fds)
        _close(list(handshake or ()))


async def _join(process: Process, cgroup: SandboxCgroup, info_r: int, block_w: int) -> None:
    """Move bwrap and the sandbox's init into ``cgroup`` while init waits, then release it.

    Moving a process between cgroups makes the kernel wait for an RCU grace period (the
    write lock of ``cgroup_threadgroup_rwsem``): several milliseconds in which the
    writing thread is blocked. So the moves run in a worker thread, keeping the event
    loop free, and the first one starts at once, overlapping bwrap's mount set-up.
    """
    bwrap_moved = asyncio.ensure_future(asyncio.to_thread(cgroup.attach, process.pid))
    try:
        init_pid = await _read_child_pid(info_r)
        await bwrap_moved
        if init_pid is not None:
            await asyncio.to_thread(cgroup.attach, init_pid)
            _schedule_as_batch(init_pid)
            # The sandbox runs the command as soon as this byte arrives.
            os.write(block_w, b"x")
    except (ProcessLookupError, BrokenPipeError):
        init_pid = None  # bwrap gave up during its set-up (e.g. a mount failed): say why
    except BaseException:
        await _abort(process)
        raise
    finally:
        if not bwrap_moved.done():
            bwrap_moved.cancel()  # the thread finishes on its own; nobody waits for it
    if init_pid is None:
        await _abort(process)
        raise SandboxStartError(f"bwrap failed: {await _stderr(process)}")


async def spawn_process(
    shell: Shell,
    pdeathsig: tuple[str, ...],
    spec: SandboxSpec,
    cgroup: SandboxCgroup | None,
) -> Process:
    """Process mode: ``argv`` in ``code_dir`` with exactly ``env``, in a session of its own
    (so that the group can be killed), joining ``cgroup`` first when there is one."""
    _check_sources(spec)
    if spec.code_dir is None:
        raise SandboxStartError("process mode runs the program in its code directory: none given")
    argv = [*pdeathsig, *spec.argv]
    if cgroup is not None:
        argv = join_and_exec(shell, cgroup.procs_files, spec.env, argv)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=PIPE,
            stderr=PIPE,
            env=dict(spec.env),
            cwd=spec.code_dir,
            pass_fds=spec.pass_fds,
            start_new_session=True,
        )
    except OSError as e:
        raise SandboxStartError(f"cannot run {spec.argv[0]}: {e}") from e
    _schedule_as_batch(process.pid)
    return process


def _schedule_as_batch(pid: int) -> None:
    """``SCHED_BATCH`` for ``pid`` and whatever it starts from now on. Best effort: a
    process that is gone already, or a host that refuses, leaves the normal class."""
    with contextlib.suppress(OSError):
        os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))


async def _read_child_pid(fd: int) -> int | None:
    """The ``child-pid`` from bwrap's ``--info-fd`` JSON; None if bwrap closed it unwritten."""
    loop = asyncio.get_running_loop()
    os.set_blocking(fd, False)
    buffer = bytearray()
    found: asyncio.Future[int | None] = loop.create_future()

    def readable() -> None:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            return
        if found.done():
            return
        if not chunk:
            found.set_result(None)
            return
        buffer.extend(chunk)
        if b"}" in buffer:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                found.set_result(int(json.loads(buffer)["child-pid"]))

    loop.add_reader(fd, readable)
    try:
        async with asyncio.timeout(START_TIMEOUT):
            return await found
    except TimeoutError as e:
        raise SandboxStartError(
            f"bwrap did not set up the sandbox within {START_TIMEOUT:g} s"
        ) from e
    finally:
        loop.remove_reader(fd)


async def _abort(process: Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()


async def _stderr(process: Process) -> str:
    assert process.stderr is not None
    text = (await process.stderr.read()).decode(errors="replace").strip()
    return text or f"exit status {process.returncode}"


def _check_sources(spec: SandboxSpec) -> None:
    sources = []
    if spec.code_dir is not None:
        sources.append(("code directory", spec.code_dir))
    if spec.opt_dir is not None:
        sources.append(("layers directory", spec.opt_dir))
    sources += [(f"bind source for {bind.target}", bind.source) for bind in spec.binds]
    for what, path in sources:
        if not path.exists():
            raise SandboxStartError(f"{what} {path} does not exist")


def _memfd(name: str, data: bytes, owned: list[int]) -> int:
    """An anonymous in-memory file holding ``data``, positioned at its start; appended
    to ``owned`` (the caller closes it)."""
    fd = os.memfd_create(f"lambent-{name}", os.MFD_CLOEXEC)
    owned.append(fd)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _close(fds: list[int]) -> None:
    """Close and forget each fd: a number closed twice may by then belong to someone else."""
    while fds:
        with contextlib.suppress(OSError):
            os.close(fds.pop())
