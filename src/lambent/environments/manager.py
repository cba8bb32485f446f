"""All execution environments: a pool per function version, started from its stored
configuration, retired when the configuration changes, reaped when idle too long."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from lambent.domain.provisioned import INITIALIZATION_TYPE
from lambent.environments.code import CodeCache
from lambent.environments.environment import INIT_LIMIT_S, Environment, InitFailed
from lambent.environments.invocation import Request
from lambent.environments.launch import Identity, external_extensions, launch
from lambent.environments.layout import Layout
from lambent.environments.logs import Append, LogStream
from lambent.environments.outcome import INVALID_ENTRYPOINT, Result, platform_error
from lambent.environments.platform_log import PlatformLog, Report
from lambent.environments.pool import Admit, Pool
from lambent.environments.provisioned import Provisioned
from lambent.runtimes import Language, RuntimeChoice, RuntimeRegistry
from lambent.sandbox import Bind, IsolationMode, SandboxLauncher, SandboxSpec

_REAP_EVERY_S = 1.0
#: A function's processes and threads (Lambda allows 1024).
_MAX_PROCESSES = 1024


@dataclass(frozen=True, slots=True)
class Target:
    """A function version to invoke, as stored: its configuration and its code."""

    account: str
    region: str
    config: Mapping[str, Any]
    package: str
    layers: Sequence[str]

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.account, self.region, self.config["FunctionName"], self.config["Version"])

    @property
    def revision(self) -> tuple[str, str, tuple[str, ...]]:
        """What, if it changes, makes existing environments stale: every change of code
        or configuration gives the version a new RevisionId."""
        return (str(self.config.get("RevisionId")), self.package, tuple(self.layers))


@dataclass(frozen=True, slots=True)
class Census:
    """One function version's environments, as the keep-alive and provisioning left them."""

    #: On-demand environments waiting for an invocation.
    idle: int
    #: On-demand environments serving one.
    busy: int
    #: Provisioned environments initialised (idle or busy).
    provisioned: int
    #: Provisioned environments still initialising.
    provisioning: int


@dataclass(frozen=True, slots=True)
class ProvisionedState:
    """How far a version's provisioned environments have got."""

    #: Initialised and alive.
    allocated: int
    #: One failed to initialise: no more are started until provisioned anew.
    failed: bool


def _stream_name(version: str, environment_id: str) -> str:
    return time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{version}]{environment_id}"


class Environments:
    def __init__(
        self,
        launcher: SandboxLauncher,
        code: CodeCache,
        runtimes: RuntimeRegistry,
        append_log: Append,
        credentials: Mapping[str, str],
        keep_alive_s: float,
    ) -> None:
        self._launcher = launcher
        self._code = code
        self._runtimes = runtimes
        self._append = append_log
        self._credentials = dict(credentials)
        self._keep_alive_s = keep_alive_s
        self._pools: dict[
            tuple[str, str, str, str], tuple[tuple[str, str, tuple[str, ...]], Pool]
        ] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._watchers: list[Callable[[], None]] = []

    @property
    def isolated(self) -> bool:
        return self._launcher.isolation.mode is IsolationMode.BWRAP

    def choose_runtime(self, runtime: str) -> RuntimeChoice:
        """Raises ``RuntimeUnavailable`` naming what the host lacks."""
        return self._runtimes.choose(runtime)

    async def invoke(
        self, target: Target, request: Request, tail: bool, admit: Admit | None = None
    ) -> Result:
        """Run ``request``: in a provisioned environment of its version when one is free,
        else in an on-demand one, which ``admit`` (concurrency admission) must allow."""
        self._start_reaper()
        return await self._pool(target).run(request, tail, admit)

    def _start_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap_forever())

    def provision(self, target: Target, count: int, token: Hashable = None) -> None:
        """Hold ``count`` provisioned environments of ``target``'s version; ``token``
        changes when the configuration is put again (which retries a failed one)."""
        self._start_reaper()
        self._pool(target).provisioned.provision(count, token)

    def unprovision(self, key: tuple[str, str, str, str]) -> None:
        """No provisioned environments for this version any more."""
        current = self._pools.get(key)
        if current is not None:
            current[1].provisioned.provision(0, None)

    def provisioned_state(self, key: tuple[str, str, str, str]) -> ProvisionedState:
        current = self._pools.get(key)
        if current is None:
            return ProvisionedState(0, False)
        provisioned = current[1].provisioned
        return ProvisionedState(provisioned.allocated, provisioned.failed)

    def watch_provisioning(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever provisioned environments come, go or fail."""
        self._watchers.append(callback)

    def _provisioning_changed(self) -> None:
        for callback in self._watchers:
            callback()

    def _pool(self, target: Target) -> Pool:
        revision = target.revision
        current = self._pools.get(target.key)
        if current is not None and current[0] == revision:
            return current[1]
        if current is not None:  # code or configuration changed: the old ones retire
            asyncio.get_running_loop().create_task(current[1].retire())
        provisioned = Provisioned(
            lambda: self._start(target, None, False, provisioned=True),
            self._provisioning_changed,
        )
        pool = Pool(lambda request, tail: self._start(target, request, tail), provisioned)
        self._pools[target.key] = (revision, pool)
        return pool

    def counts(self) -> dict[tuple[str, str, str, str], Census]:
        """Every function version's environments now (retired ones still closing aside)."""
        return {
            key: Census(
                pool.idle,
                pool.busy,
                pool.provisioned.allocated,
                pool.provisioned.size - pool.provisioned.allocated,
            )
            for key, (_, pool) in self._pools.items()
            if not pool.retired
        }

    async def _start(
        self, target: Target, request: Request | None, tail: bool, provisioned: bool = False
    ) -> Environment | Result:
        """A new environment, or the answer of an init that failed (AWS retries an init
        that ran out of its 10 s once, within the function's timeout). A provisioned one
        (``request`` None) is initialised ahead of any invocation."""
        config = target.config
        timeout_s = int(config.get("Timeout", 3))
        choice = self._runtimes.choose(config["Runtime"])
        code = await self._code.package(target.package)
        opt = await self._code.layers(target.layers)
        extensions = await asyncio.to_thread(external_extensions, opt)
        limit = INIT_LIMIT_S
        request_id = request.request_id if request is not None else ""
        while True:
            environment_id = uuid.uuid4().hex
            identity = Identity(
                account=target.account,
                region=target.region,
                name=config["FunctionName"],
                version=config["Version"],
                memory_mb=int(config.get("MemorySize", 128)),
                handler=config.get("Handler", ""),
                log_group=(config.get("LoggingConfig") or {}).get(
                    "LogGroup", f"/aws/lambda/{config['FunctionName']}"
                ),
                log_stream=_stream_name(config["Version"], environment_id),
                initialization_type=INITIALIZATION_TYPE if provisioned else "on-demand",
            )
            log = LogStream(
                self._append,
                target.account,
                target.region,
                identity.log_group,
                identity.log_stream,
                PlatformLog(config.get("LoggingConfig")),
            )
            if choice.warning:
                log.write(choice.warning)
            runtime_arn = (config.get("RuntimeVersionConfig") or {}).get("RuntimeVersionArn", "")
            log.platform_line(
                log.platform.init_start(
                    choice.identifier, runtime_arn, identity.initialization_type
                )
            )
            if choice.language is Language.PROVIDED:
                unusable = _unusable_bootstrap(code, opt)
                if unusable is not None:
                    refused = _invalid_entrypoint(log, request_id, unusable)
                    return _init_failure_answer(log, identity, request, refused, tail)
            try:
                return await Environment.start(
                    self._launcher,
                    identity,
                    timeout_s,
                    partial(self._spec, identity, choice, config, code, opt, extensions),
                    log,
                    init_limit_s=limit,
                    extensions=extensions,
                    request_id=request_id,
                )
            except InitFailed as failed:
                if failed.timed_out and limit == INIT_LIMIT_S and timeout_s > INIT_LIMIT_S:
                    limit = float(timeout_s)  # the suppressed init, inside the invocation
                    continue
                return _init_failure_answer(log, identity, request, failed, tail)

    def _spec(
        self,
        identity: Identity,
        choice: RuntimeChoice,
        config: Mapping[str, Any],
        code: Path,
        opt: Path | None,
        extensions: Sequence[str],
        address: str,
    ) -> SandboxSpec:
        binds: list[Bind] = []
        if self.isolated:
            layout = Layout.sandboxed()
            if choice.runtime_dir is not None:
                binds.append(Bind(choice.runtime_dir, layout.runtime))
            if choice.installation is not None and not str(choice.installation.prefix).startswith(
                "/usr"
            ):
                binds.append(Bind.same_path(choice.installation.prefix))
        else:
            layout = Layout.host(code, opt, choice.runtime_dir)
        started = launch(
            identity,
            choice,
            layout,
            config,
            code=code,
            opt=opt,
            runtime_api=address,
            credentials=self._credentials,
            extensions=extensions,
        )
        return SandboxSpec(
            name=f"lambent-{identity.log_stream.rsplit(']', 1)[-1]}",
            argv=started.argv,
            env=started.env,
            code_dir=code,
            opt_dir=opt,
            memory_mib=identity.memory_mb,
            tmp_mib=int((config.get("EphemeralStorage") or {}).get("Size", 512)),
            max_processes=_MAX_PROCESSES,
            binds=tuple(binds),
        )

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(_REAP_EVERY_S)
            for key, (_, pool) in list(self._pools.items()):
                await pool.reap(self._keep_alive_s)
                if pool.retired and pool.size == 0:
                    self._pools.pop(key, None)

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        pools, self._pools = list(self._pools.values()), {}
        await asyncio.gather(*(pool.close() for _, pool in pools))


def _unusable_bootstrap(code: Path, opt: Path | None) -> str | None:
    """Why a custom runtime cannot start, in AWS's words (Runtime.InvalidEntrypoint); None
    if it can. AWS takes the first bootstrap that exists, executable or not."""
    for directory, shown in ((code, "/var/task"), (opt, "/opt")):
        if directory is not None and (directory / "bootstrap").is_file():
            if not os.access(directory / "bootstrap", os.X_OK):
                return f"fork/exec {shown}/bootstrap: permission denied"
            return None
    return "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"


def _invalid_entrypoint(log: LogStream, request_id: str, message: str) -> InitFailed:
    log.platform_line(log.platform.init_report(0.0, "error", INVALID_ENTRYPOINT, "on-demand"))
    payload = platform_error(INVALID_ENTRYPOINT, request_id, message)
    return InitFailed(Result(payload, INVALID_ENTRYPOINT), timed_out=False)


def _init_failure_answer(
    log: LogStream, identity: Identity, request: Request | None, failed: InitFailed, tail: bool
) -> Result:
    """The invocation that waited for a failed init answers with its error, logged as
    AWS logs it: START, END and a REPORT with the error type (none waited for a
    provisioned environment's init)."""
    if request is None:
        return failed.result
    if tail:
        log.begin_tail()
    log.platform_line(log.platform.start(request.request_id, identity.version))
    log.platform_line(log.platform.end(request.request_id))
    status = "timeout" if failed.timed_out else "error"
    result = failed.result
    report = Report(request.request_id, 0.0, identity.memory_mb, 0, None, status, result.error_type)
    log.platform_line(log.platform.report(report))
    return Result(
        result.payload, result.error_type, result.content_type, log.end_tail() if tail else b""
    )
