"""Process mode: a plain child process with the given environment, not isolated."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from lambent.sandbox import (
    Isolation,
    IsolationMode,
    IsolationRequest,
    SandboxLauncher,
    detect_isolation,
)
from tests.integration.sandbox.support import (
    PREFIX,
    finish,
    real_path,
    run_spec,
    scenario,
    spec,
    still_running,
)


def test_process_mode_is_announced_as_not_isolated(process_isolation: Isolation) -> None:
    assert process_isolation.mode is IsolationMode.PROCESS
    assert not process_isolation.isolated
    assert "NOT isolated" in process_isolation.reason


@scenario
async def test_environment_and_working_directory(process_isolation: Isolation, code: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "QUOTED": "it's $x", "MULTI": "a\nb"}
    outcome = await run_spec(process_isolation, spec(code, "/usr/bin/env", "-0", env=env))
    assert dict(i.split("=", 1) for i in outcome.stdout.split("\0") if i) == env
    where = await run_spec(process_isolation, spec(code, "/bin/pwd", "-P"))
    assert where.stdout.strip() == real_path(code)


@scenario
async def test_exit_status_tells_code_from_signal(process_isolation: Isolation, code: Path) -> None:
    exited = await run_spec(process_isolation, spec(code, "/bin/sh", "-c", "exit 7"))
    assert exited.status.describe() == "exit status 7"
    killed = await run_spec(process_isolation, spec(code, "/bin/sh", "-c", "kill -KILL $$"))
    assert killed.status.signal == signal.SIGKILL
    assert killed.status.describe() == "signal: killed"


@pytest.mark.root
@scenario
async def test_cgroups_apply_and_kill_takes_the_whole_tree(
    process_isolation: Isolation, code: Path
) -> None:
    if process_isolation.cgroups is None:
        pytest.skip(f"no writable cgroups: {process_isolation.reason}")
    launcher = SandboxLauncher(process_isolation)
    try:
        sandbox = await launcher.start(
            spec(code, "/bin/sh", "-c", "sleep 60 & sleep 60 & echo up; wait")
        )
        assert await sandbox.stdout.readline() == b"up\n"
        pids = sandbox.pids()
        assert len(pids) == 3 and sandbox.pid in pids
        memory = sandbox.memory()
        assert memory is not None and memory.current > 0
        await sandbox.freeze()
        await sandbox.thaw()
        await sandbox.close()
        assert (await sandbox.wait()).signal == signal.SIGKILL
        assert await still_running(pids) == []
    finally:
        await launcher.close()


@scenario
async def test_without_cgroups_kill_takes_the_process_group(code: Path) -> None:
    isolation = await detect_isolation(IsolationRequest.PROCESS, cgroup_prefix=PREFIX)
    if isolation.cgroups is not None:
        await isolation.cgroups.close()
    bare = Isolation(IsolationMode.PROCESS, "test", None, None, isolation.shell)
    launcher = SandboxLauncher(bare)
    sandbox = await launcher.start(spec(code, "/bin/sh", "-c", "sleep 60 & echo $!; wait"))
    child = int(await sandbox.stdout.readline())
    assert sandbox.memory() is None and sandbox.oom_kills() is None
    await launcher.close()
    assert (await finish(sandbox)).status.signal == signal.SIGKILL
    assert await still_running([child]) == []
