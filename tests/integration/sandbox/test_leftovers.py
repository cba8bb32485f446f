"""No orphans: what a crashed server leaves is killed and removed by its successor."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from lambent.sandbox import Isolation, SandboxLauncher
from lambent.sandbox.cgroup_detect import detect_cgroups
from lambent.sandbox.owner import OwnerId
from tests.integration.sandbox.support import (
    PREFIX,
    needs_bwrap,
    scenario,
    spec,
    still_running,
)

pytestmark = [pytest.mark.root, needs_bwrap]


@pytest.fixture
def isolation(bwrap_isolation: Isolation) -> Isolation:
    if bwrap_isolation.cgroups is None:
        pytest.skip(f"no writable cgroups here: {bwrap_isolation.reason}")
    return bwrap_isolation


def sandbox_dirs(isolation: Isolation, owner: str) -> list[Path]:
    assert isolation.cgroups is not None
    return [p for loc in isolation.cgroups.locations for p in loc.glob(f"{owner}/*") if p.is_dir()]


@scenario
async def test_cgroups_of_a_dead_owner_are_emptied_and_removed(
    isolation: Isolation, code: Path
) -> None:
    # A predecessor: this very process under another start time, i.e. one that is gone.
    me = OwnerId.current()
    ghost = OwnerId(me.pid, me.start_ticks + 1)
    ghost_cgroups = detect_cgroups(PREFIX, owner=ghost).manager
    assert ghost_cgroups is not None
    ghost_launcher = SandboxLauncher(dataclasses.replace(isolation, cgroups=ghost_cgroups))
    orphan = await ghost_launcher.start(spec(code, "/bin/sh", "-c", "sleep 60 & echo up; wait"))
    assert await orphan.stdout.readline() == b"up\n"
    pids = orphan.pids()
    assert sandbox_dirs(isolation, ghost.dirname)

    live = await SandboxLauncher(isolation).start(spec(code, "/bin/sleep", "60"))
    try:
        report = await SandboxLauncher(isolation).cleanup_leftovers()

        assert report.cgroups_removed == 1 and report.processes_killed == len(pids)
        await orphan.wait()  # bwrap was our child: reap it
        # Killed all at once, the namespace's init outlives bwrap for a moment and is reaped
        # by the host's init: gone or a zombie, but not running.
        assert await still_running(pids) == []
        assert sandbox_dirs(isolation, ghost.dirname) == []
        assert isolation.cgroups is not None
        assert not any((loc / ghost.dirname).exists() for loc in isolation.cgroups.locations)
        # Our own live sandbox is untouched.
        assert live.state.value == "running" and live.pids()
    finally:
        await orphan.close()
        await live.close()


CRASHING_SERVER = """
import asyncio, json, sys
from pathlib import Path
from lambent.sandbox import *

async def main():
    isolation = await detect_isolation(IsolationRequest.BWRAP, cgroup_prefix=sys.argv[1])
    launcher = SandboxLauncher(isolation)
    sandbox = await launcher.start(SandboxSpec(
        name="victim", argv=("/bin/sh", "-c", "sleep 60 & echo up; wait"), env={},
        code_dir=Path(sys.argv[2]), memory_mib=64))
    await sandbox.stdout.readline()
    print(json.dumps({"owner": OwnerId.current().dirname, "pids": sandbox.pids()}), flush=True)
    await asyncio.sleep(60)

from lambent.sandbox.owner import OwnerId
asyncio.run(main())
"""


@scenario
async def test_a_crashed_server_leaves_no_process_and_its_successor_no_cgroup(
    isolation: Isolation, code: Path
) -> None:
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_SERVER, PREFIX, str(code),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert server.stdout is not None
    started = json.loads(await server.stdout.readline())
    server.send_signal(signal.SIGKILL)
    await server.wait()

    # --die-with-parent: the sandbox dies with the server that started it.
    assert await still_running(started["pids"]) == []
    assert sandbox_dirs(isolation, started["owner"])  # the crash left the cgroups

    report = await SandboxLauncher(isolation).cleanup_leftovers()
    assert report.cgroups_removed == 1 and report.processes_killed == 0
    assert sandbox_dirs(isolation, started["owner"]) == []
