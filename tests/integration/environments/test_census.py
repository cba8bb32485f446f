"""Environments.counts(): the typed census of a version's environments, through
provisioning, a burst of invocations, the keep-alive and the death of an idle one (real
runtime processes, process isolation)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from lambent.environments import Census, CodeCache, Environments, Request, Target
from lambent.runtimes import RuntimeRegistry, node_installation, python_installations
from lambent.sandbox import IsolationRequest, SandboxLauncher, detect_isolation
from lambent.server.settings import default_runtimes_dir
from lambent.store import BlobStore
from tests.helpers import make_zip

ACCOUNT, REGION = "000000000000", "us-east-1"
APP = (
    "import os, time\n"
    "def handler(event, context):\n"
    "    time.sleep(event.get('s', 0))\n"
    "    return {'init': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE'], 'pid': os.getpid()}\n"
)
KEEP_ALIVE_S = 0.5


@contextlib.asynccontextmanager
async def environments(tmp_path: Path) -> AsyncIterator[tuple[Environments, Target]]:
    runtimes = RuntimeRegistry(
        default_runtimes_dir(), python_installations(), node_installation(), strict=False
    )
    try:
        runtimes.choose("python3.12")
    except Exception as e:
        pytest.skip(f"no Python runtime installed: {e}")
    isolation = await detect_isolation(IsolationRequest.PROCESS)
    launcher = SandboxLauncher(isolation)
    package = BlobStore(tmp_path / "code").put(make_zip({"app.py": APP}))
    environments = Environments(
        launcher=launcher,
        code=CodeCache(tmp_path / "run", tmp_path / "code"),
        runtimes=runtimes,
        append_log=lambda *_: None,
        credentials={},
        keep_alive_s=KEEP_ALIVE_S,
    )
    config = {
        "FunctionName": "census",
        "Version": "1",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "RevisionId": "r1",
        "MemorySize": 128,
        "Timeout": 10,
    }
    try:
        yield environments, Target(ACCOUNT, REGION, config, package, ())
    finally:
        await environments.close()
        await launcher.close()


async def _until(condition: Callable[[], bool], within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def _request(seconds: float = 0) -> Request:
    return Request(
        request_id=os.urandom(8).hex(), payload=f'{{"s": {seconds}}}'.encode(), invoked_arn="arn"
    )


def test_census_through_provisioning_burst_and_keep_alive(tmp_path: Path) -> None:
    asyncio.run(_provisioning_burst_and_keep_alive(tmp_path))


async def _provisioning_burst_and_keep_alive(tmp_path: Path) -> None:
    async with environments(tmp_path) as (envs, target):

        def census() -> Census:
            return envs.counts().get(target.key, Census(0, 0, 0, 0))

        envs.provision(target, 2, "put-1")
        await _until(lambda: census() == Census(idle=0, busy=0, provisioned=2, provisioning=0))
        assert envs.provisioned_state(target.key).allocated == 2

        # Three at once: two provisioned environments, one on demand.
        results = await asyncio.gather(
            *(envs.invoke(target, _request(0.5), False) for _ in range(3))
        )
        kinds = sorted(json.loads(result.payload)["init"] for result in results)
        assert kinds == ["on-demand", "provisioned-concurrency", "provisioned-concurrency"]
        await _until(lambda: census() == Census(idle=1, busy=0, provisioned=2, provisioning=0))

        # The keep-alive takes the on-demand one; provisioned ones stay.
        await _until(lambda: census().idle == 0, within=KEEP_ALIVE_S + 3)
        assert census() == Census(idle=0, busy=0, provisioned=2, provisioning=0)

        envs.unprovision(target.key)
        await _until(lambda: census() == Census(0, 0, 0, 0))


def test_a_dead_idle_environment_is_dropped_and_replaced(tmp_path: Path) -> None:
    asyncio.run(_dead_idle_environment(tmp_path))


async def _dead_idle_environment(tmp_path: Path) -> None:
    async with environments(tmp_path) as (envs, target):
        first = await envs.invoke(target, _request(), False)
        pid = json.loads(first.payload)["pid"]
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        second = await envs.invoke(target, _request(), False)
        assert second.error_type is None, second.payload
        assert second.payload != first.payload
        assert envs.counts()[target.key].idle <= 1
