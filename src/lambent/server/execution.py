"""Wiring the execution layer: sandboxes, runtimes, code, environments and Invoke."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lambent.environments import CodeCache, Environments
from lambent.invoke import Admission, InvokeCache, InvokeDeps
from lambent.observability import LogService
from lambent.runtimes import RuntimeRegistry, node_installation, python_installations
from lambent.sandbox import IsolationRequest, SandboxLauncher, detect_isolation
from lambent.server.settings import Settings
from lambent.store import Database

log = logging.getLogger("lambent")


def function_credentials(settings: Settings, account: str) -> dict[str, str]:
    """What every function environment gets as AWS credentials: an access key naming its
    account, so calls back into Lambent act in the same account."""
    return {
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "lambent",
        "AWS_SESSION_TOKEN": "lambent",
        **settings.passthrough_env,
    }


@asynccontextmanager
async def execution(
    settings: Settings, db: Database, code: CodeCache, logs: LogService
) -> AsyncIterator[InvokeDeps]:
    isolation = await detect_isolation(IsolationRequest(settings.isolation))
    log.info("isolation: %s (%s)", isolation.mode.value, isolation.reason)
    launcher = SandboxLauncher(isolation)
    leftovers = await launcher.cleanup_leftovers()
    if leftovers.processes_killed or leftovers.cgroups_removed:
        log.info(
            "cleaned up after a previous run: %d processes killed, %d cgroups removed",
            leftovers.processes_killed,
            leftovers.cgroups_removed,
        )
    runtimes = RuntimeRegistry(
        settings.runtimes_dir,
        python_installations(),
        node_installation(),
        strict=settings.strict_runtimes,
    )
    environments = Environments(
        launcher=launcher,
        code=code,
        runtimes=runtimes,
        append_log=logs.sink.append,
        credentials=function_credentials(settings, settings.account_id),
        keep_alive_s=settings.keep_alive_s,
    )
    try:
        yield InvokeDeps(
            cache=InvokeCache(db),
            environments=environments,
            admission=Admission(),
            account_limit=settings.concurrent_executions,
        )
    finally:
        await environments.close()
        await launcher.close()
