"""Resource control of real sandboxes: memory and OOM, processes, freezer, kill, figures."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from lambent.sandbox import (
    Isolation,
    Sandbox,
    SandboxLauncher,
    SandboxState,
    SandboxStateError,
)
from tests.integration.sandbox.support import (
    finish,
    needs_bwrap,
    process_gone,
    python_spec,
    scenario,
    spec,
)

pytestmark = [pytest.mark.root, needs_bwrap]


@pytest.fixture
def isolation(bwrap_isolation: Isolation) -> Isolation:
    if bwrap_isolation.cgroups is None:
        pytest.skip(f"no writable cgroups here: {bwrap_isolation.reason}")
    return bwrap_isolation


HOG = """
chunks = []
for n in range(64):                       # up to 512 MiB, far past the limit
    chunks.append(b"1" * (8 * 1024 * 1024))
    print(n, flush=True)
print("survived", flush=True)
"""


@scenario
async def test_memory_hog_is_oom_killed_and_reported(isolation: Isolation, code: Path) -> None:
    launcher = SandboxLauncher(isolation)
    try:
        sandbox = await launcher.start(python_spec(code, HOG, memory_mib=128))
        out = await sandbox.stdout.read()
        status = await sandbox.wait()
        memory = sandbox.memory()
        kills = sandbox.oom_kills()
        await sandbox.close()
    finally:
        await launcher.close()
    assert b"survived" not in out
    assert status.signal == signal.SIGKILL and status.describe() == "signal: killed"
    assert kills is not None and kills >= 1
    assert memory is not None and memory.peak is not None
    assert 100 * 2**20 < memory.peak <= 128 * 2**20


FORKER = """
import os, time
children, error = [], None
for _ in range(40):                       # bounded: never more than 40 attempts
    try:
        pid = os.fork()
    except OSError as e:
        error = e.strerror
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    children.append(pid)
print(len(children), error, flush=True)
for pid in children:
    os.kill(pid, 9)
"""


@scenario
async def test_process_limit_stops_a_fork_loop(isolation: Isolation, code: Path) -> None:
    launcher = SandboxLauncher(isolation)
    try:
        sandbox = await launcher.start(python_spec(code, FORKER, max_processes=8))
        outcome = await finish(sandbox)
    finally:
        await launcher.close()
    forked, _, error = outcome.stdout.strip().partition(" ")
    # 8 tasks for the function: python itself, so at most 7 children.
    assert int(forked) <= 7
    assert error == "Resource temporarily unavailable"


def state_of(sandbox: Sandbox) -> SandboxState:
    """Read afresh: mypy would otherwise keep the first narrowing of ``sandbox.state``."""
    return sandbox.state


COUNTER = "i=0; while :; do i=$((i + 1)); echo $i; sleep 0.01; done"


@scenario
async def test_freeze_stops_the_tree_and_thaw_resumes_it(isolation: Isolation, code: Path) -> None:
    launcher = SandboxLauncher(isolation)
    try:
        sandbox = await launcher.start(spec(code, "/bin/sh", "-c", COUNTER))
        for _ in range(3):
            await sandbox.stdout.readline()
        await sandbox.freeze()
        assert state_of(sandbox) is SandboxState.FROZEN
        # Drain what was written before the freeze; then nothing more may come.
        while True:
            try:
                async with asyncio.timeout(0.05):
                    await sandbox.stdout.readline()
            except TimeoutError:
                break
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await sandbox.stdout.readline()
        with pytest.raises(SandboxStateError):
            await sandbox.freeze()
        await sandbox.thaw()
        assert state_of(sandbox) is SandboxState.RUNNING
        async with asyncio.timeout(2):
            assert (await sandbox.stdout.readline()).strip().isdigit()
        await sandbox.close()
        assert state_of(sandbox) is SandboxState.CLOSED
    finally:
        await launcher.close()


@scenario
async def test_kill_leaves_no_process_behind(isolation: Isolation, code: Path) -> None:
    script = "sleep 60 & sleep 60 & (sleep 60 &) ; echo ready; wait"
    launcher = SandboxLauncher(isolation)
    try:
        sandbox = await launcher.start(spec(code, "/bin/sh", "-c", script))
        assert await sandbox.stdout.readline() == b"ready\n"
        pids = sandbox.pids()
        # bwrap, init, the shell and three sleeps.
        assert len(pids) == 6, pids
        await sandbox.freeze()  # a frozen tree dies just the same
        await sandbox.kill()
        assert (await sandbox.wait()).signal == signal.SIGKILL
        # Gone, not zombies: bwrap reaped the namespace's init and we reaped bwrap.
        assert [pid for pid in pids if not process_gone(pid)] == []
        await sandbox.close()
    finally:
        await launcher.close()


@scenario
async def test_memory_figures_are_reported(isolation: Isolation, code: Path) -> None:
    # Written, not just allocated: untouched zero pages would not be charged.
    source = "x = b'1' * (32 * 1024 * 1024); print('ok', flush=True); input()"
    launcher = SandboxLauncher(isolation)
    try:
        sandbox = await launcher.start(python_spec(code, source))
        assert await sandbox.stdout.readline() == b"ok\n"
        memory = sandbox.memory()
        assert memory is not None and memory.peak is not None
        # The high-water mark holds the 32 MiB; what is charged now can be lower (a CI
        # run saw 7 MiB current against a 39 MiB peak, the host having reclaimed pages).
        assert memory.peak >= 32 * 2**20
        assert 0 < memory.current <= memory.peak
        assert (sandbox.peak_memory() or 0) >= memory.peak
        assert sandbox.oom_kills() == 0
        await sandbox.close()
        assert sandbox.memory() is None
    finally:
        await launcher.close()


@scenario
async def test_names_are_unique_while_live(isolation: Isolation, code: Path) -> None:
    launcher = SandboxLauncher(isolation)
    try:
        first = await launcher.start(spec(code, "/bin/sleep", "30", name="same"))
        with pytest.raises(Exception, match="already running"):
            await launcher.start(spec(code, "/bin/sleep", "30", name="same"))
        await first.close()
        second = await launcher.start(spec(code, "/bin/true", name="same"))
        assert (await finish(second)).status.success
        assert launcher.live == ()
    finally:
        await launcher.close()
