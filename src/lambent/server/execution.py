"""Wiring the execution layer: sandboxes, runtimes, code, environments and Invoke."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lambent.domain.clock import system_clock
from lambent.environments import CodeCache, Environments, Spares
from lambent.invoke import (
    Admission,
    AsyncInvocation,
    InvokeCache,
    InvokeDeps,
    Provisioning,
    admission_gate,
)
from lambent.observability import LogService
from lambent.runtimes import RuntimeRegistry, node_installation, python_installations
from lambent.sandbox import IsolationRequest, SandboxLauncher, detect_isolation
from lambent.server.settings import Settings
from lambent.store import Database

log = logging.getLogger("lambent")

#: On shutdown, asynchronous attempts under way get this long to finish; the rest run
#: again after the next start-up.
_ASYNC_GRACE_S = 5.0


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
    spares, cold_starts = await Spares.create(launcher, runtimes, settings.spare_environments)
    log.info("cold starts: %s", cold_starts)
    environments = Environments(
        launcher=launcher,
        code=code,
        runtimes=runtimes,
        append_log=logs.sink.append,
        credentials=function_credentials(settings, settings.account_id),
        keep_alive_s=settings.keep_alive_s,
    )
    cache = InvokeCache(db)
    admission = Admission()
    asynchronous = AsyncInvocation(
        settings.events_path,
        db,
        cache,
        environments,
        logs.sink.append,
        system_clock,
        admit=admission_gate(admission, settings.concurrent_executions),
        scale=settings.retry_delay_scale,
        concurrency=settings.async_concurrency,
        max_payload=settings.max_async_payload,
    )
    # Provisioned concurrency: configurations made before a restart are provisioned again.
    provisioning = Provisioning(db, environments)
    provisioning.start()
    try:
        await asynchronous.start()
        yield InvokeDeps(
            cache=cache,
            environments=environments,
            admission=admission,
            account_limit=settings.concurrent_executions,
            events=asynchronous.queue,
        )
    finally:
        # Events first: attempts under way get their grace while environments still run.
        await asynchronous.stop(_ASYNC_GRACE_S)
        asynchronous.close()
        await provisioning.stop()
        await environments.close()
        if spares is not None:
            await spares.close()
        await launcher.close()
