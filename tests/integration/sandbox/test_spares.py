"""Spare Python sandboxes, for real: taken by a function, a spare is what a fresh start
would have given it (same user, capabilities, mounts, environment, ``sys.path``, limits);
a spare serves one function, once; what a spare cannot become starts afresh."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from lambent.environments.launch import Identity, launch
from lambent.environments.layout import Layout
from lambent.environments.spare_template import Template
from lambent.environments.spare_template import template as template_of
from lambent.environments.spares import Spares
from lambent.runtime_api import FunctionMetadata, Invocation, RuntimeApi, Success
from lambent.runtimes import RuntimeRegistry, python_installations
from lambent.sandbox import (
    Isolation,
    IsolationRequest,
    MountInjector,
    Sandbox,
    SandboxError,
    SandboxLauncher,
    SandboxSpec,
    SpareState,
    detect_isolation,
)
from lambent.server.settings import default_runtimes_dir
from tests.integration.sandbox.support import PREFIX, needs_bwrap, scenario

pytestmark = [pytest.mark.root, needs_bwrap]

#: Everything a handler can see of its process and sandbox that a spare could get wrong.
REPORT = r"""
import json, os, pwd, sys

def _mounts():
    found = {}
    for line in open("/proc/self/mountinfo"):
        left, _, right = line.partition(" - ")
        fields = left.split()
        if fields[4] in ("/", "/var/task", "/opt", "/tmp", "/var/runtime"):
            found[fields[4]] = fields[5] + " " + right.split()[0]  # the top mount wins
    return found

def _status():
    keys = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")
    lines = dict(l.split(":", 1) for l in open("/proc/self/status"))
    return {k: lines[k].strip() for k in keys}

def _block(name):
    data = open("/proc/self/" + name, "rb").read().split(b"\0")
    return [s.decode() for s in data[: data.index(b"")] if s] if b"" in data else data

def handler(event, context):
    if event.get("allocate_mib"):
        hog = bytearray(event["allocate_mib"] * 1024 * 1024)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
        return {"allocated": len(hog)}
    import helper  # from /opt/python: the layer's module
    tmp = os.statvfs("/tmp")
    return {
        "ids": [os.getuid(), os.geteuid(), os.getgid(), os.getgroups()],
        "user": pwd.getpwuid(os.getuid()).pw_name,
        "status": _status(),
        "cwd": os.getcwd(),
        "path": sys.path,
        "argv": sys.argv,
        "orig_argv": getattr(sys, "orig_argv", None),
        "main": type(sys.modules["__main__"]).__name__,
        "env": dict(os.environ),
        "cmdline": _block("cmdline"),
        "environ": sorted(_block("environ")),
        "mounts": _mounts(),
        "tmp_bytes": tmp.f_blocks * tmp.f_frsize,
        "listings": {p: sorted(os.listdir(p)) for p in ("/", "/var", "/var/task", "/opt")},
        "helper": helper.WHERE,
        "hostname": os.uname().nodename,
    }
"""


@pytest.fixture(scope="module")
def bwrap_isolation() -> Iterator[Isolation]:
    """Detected anew: the session's may share its cgroup directory with process-mode
    tests' managers, which remove it when they close."""
    isolation = asyncio.run(detect_isolation(IsolationRequest.BWRAP, cgroup_prefix=PREFIX))
    yield isolation
    if isolation.cgroups is not None:
        asyncio.run(isolation.cgroups.close())


@pytest.fixture(scope="module")
def runtimes() -> RuntimeRegistry:
    registry = RuntimeRegistry(default_runtimes_dir(), python_installations(), None, False)
    if not registry.python_versions:
        pytest.skip("no Python interpreter has the runtime client (`lambent runtimes install`)")
    return registry


@pytest.fixture(scope="module")
def template(runtimes: RuntimeRegistry) -> Template:
    major, minor = runtimes.python_versions[-1]
    return template_of(runtimes, f"python{major}.{minor}")


@pytest.fixture
def code(tmp_path: Path) -> Path:
    directory = tmp_path / "code"
    directory.mkdir()
    (directory / "app.py").write_text(REPORT)
    return _readable(tmp_path, directory)


@pytest.fixture
def layers(tmp_path: Path) -> Path:
    directory = tmp_path / "opt"
    (directory / "python").mkdir(parents=True)
    (directory / "python" / "helper.py").write_text("WHERE = __file__\n")
    return _readable(tmp_path, directory)


def _readable(*paths: Path) -> Path:
    for path in paths:
        for entry in [path, *path.rglob("*")]:
            entry.chmod(0o755 if entry.is_dir() else 0o644)
    return paths[-1]


def function_spec(
    template: Template,
    runtimes: RuntimeRegistry,
    code: Path,
    address: str,
    variables: dict[str, str] | None = None,
    **fields: Any,
) -> SandboxSpec:
    """The spec the environment manager would build for a function on ``template``'s
    interpreter (``launch`` gives argv and environment; the mounts are the manager's)."""
    choice = runtimes.choose(template.label)
    identity = Identity(
        account="000000000000", region="us-east-1", name="fn", version="$LATEST",
        memory_mb=fields.get("memory_mib", 256), handler="app.handler",
        log_group="/aws/lambda/fn", log_stream="2026/11/22/[$LATEST]0123",
    )  # fmt: skip
    config = {"Environment": {"Variables": variables or {"MINE": "mine"}}}
    opt = fields.get("opt_dir")
    started = launch(
        identity, choice, Layout.sandboxed(), config, code=code, opt=opt,
        runtime_api=address, credentials={"AWS_ACCESS_KEY_ID": "000000000000"},
    )  # fmt: skip
    fields.setdefault("memory_mib", 256)
    return SandboxSpec(
        name=f"fn-{uuid.uuid4().hex[:12]}",
        argv=started.argv,
        env=started.env,
        code_dir=code,
        binds=template.binds,
        **fields,
    )


@asynccontextmanager
async def environment(
    start: Callable[[SandboxSpec], Any], spec_for: Callable[[str], SandboxSpec]
) -> AsyncIterator[tuple[Sandbox, RuntimeApi]]:
    api = await RuntimeApi.start(FunctionMetadata("fn", "$LATEST", "app.handler", "0" * 12))
    sandbox: Sandbox = await start(spec_for(api.address))
    try:
        ready = asyncio.ensure_future(api.wait_ready())
        exited = asyncio.ensure_future(sandbox.wait())
        done, _ = await asyncio.wait({ready, exited}, timeout=15, return_when="FIRST_COMPLETED")
        exited.cancel()
        if ready not in done:
            ready.cancel()
            errors = (await sandbox.stderr.read()).decode(errors="replace")
            raise AssertionError(f"the runtime did not get ready: {errors[-2000:]}")
        yield sandbox, api
    finally:
        await sandbox.close()
        await api.close()


async def call(api: RuntimeApi, event: dict[str, Any]) -> Any:
    outcome = await api.invoke(
        Invocation(
            request_id=str(uuid.uuid4()),
            payload=json.dumps(event).encode(),
            deadline_ms=int(time.time() * 1000) + 10_000,
            invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:fn",
        )
    )
    assert isinstance(outcome, Success), outcome
    return json.loads(outcome.payload)


@asynccontextmanager
async def spares_of(
    isolation: Isolation, template: Template, count: int = 1
) -> AsyncIterator[tuple[Spares, SandboxLauncher]]:
    launcher = SandboxLauncher(isolation)
    injector = MountInjector()
    assert await injector.probe() is None
    spares = Spares(launcher, [template], count, injector)
    spares.start()
    try:
        await ready(spares, template, count)
        yield spares, launcher
    finally:
        await spares.close()
        await launcher.close()


async def ready(spares: Spares, template: Template, count: int) -> None:
    while spares.ready_count()[template.label] < count:  # noqa: ASYNC110 (no event to wait on)
        await asyncio.sleep(0.01)


def normalised(report: dict[str, Any]) -> dict[str, Any]:
    """What may differ between two environments of one function: the listener's port."""
    report["env"].pop("AWS_LAMBDA_RUNTIME_API")
    listener = "AWS_LAMBDA_RUNTIME_API="
    report["environ"] = [e for e in report["environ"] if not e.startswith(listener)]
    return report


@scenario
async def test_a_taken_spare_is_what_a_fresh_start_would_be(
    bwrap_isolation: Isolation,
    runtimes: RuntimeRegistry,
    template: Template,
    code: Path,
    layers: Path,
) -> None:
    def spec_for(address: str) -> SandboxSpec:
        return function_spec(template, runtimes, code, address, opt_dir=layers, tmp_mib=64)

    async with spares_of(bwrap_isolation, template) as (spares, launcher):
        async with environment(launcher.start, spec_for) as (sandbox, api):
            assert sandbox.name.startswith("lambent-spare-")
            fast = normalised(await call(api, {}))
        async with environment(launcher.start_fresh, spec_for) as (sandbox, api):
            assert not sandbox.name.startswith("lambent-spare-")
            slow = normalised(await call(api, {}))
    assert spares.outcomes["spare"] == 1
    assert fast["env"].items() ^ slow["env"].items() == set()
    assert fast == slow
    # And what both are, so that this test cannot pass on two equally wrong views.
    assert fast["ids"] == [993, 993, 990, []]
    assert fast["status"]["CapEff"] == "0000000000000000"
    assert fast["cwd"] == "/var/task"
    assert fast["path"][:5] == ["/var/task", "/var/task", *fast["path"][2:4], "/var/runtime"]
    assert fast["env"]["MINE"] == "mine"
    assert fast["cmdline"][1:] == ["-m", "awslambdaric", "app.handler"]
    assert fast["mounts"]["/var/task"].startswith("ro,nosuid,nodev")
    assert fast["mounts"]["/opt"].startswith("ro,nosuid,nodev")
    assert fast["tmp_bytes"] == 64 * 1024 * 1024
    assert fast["listings"]["/var/task"] == ["app.py"]
    assert fast["helper"] == "/opt/python/helper.py"


@scenario
async def test_the_memory_limit_is_the_functions_not_the_spares(
    bwrap_isolation: Isolation, runtimes: RuntimeRegistry, template: Template, code: Path
) -> None:
    """Spares wait with 128 MiB; a 256 MiB function may use more than that, and no more
    than its own limit."""
    async with spares_of(bwrap_isolation, template) as (_, launcher):
        specs = lambda address: function_spec(template, runtimes, code, address)  # noqa: E731
        async with environment(launcher.start, specs) as (sandbox, api):
            assert sandbox.name.startswith("lambent-spare-")
            assert await call(api, {"allocate_mib": 180}) == {"allocated": 180 * 1024 * 1024}
            await api.wait_idle()
            invoked = asyncio.ensure_future(call(api, {"allocate_mib": 400}))
            await sandbox.wait()
            invoked.cancel()
            assert (sandbox.oom_kills() or 0) > 0


@scenario
async def test_a_spare_serves_one_function_once(
    bwrap_isolation: Isolation, runtimes: RuntimeRegistry, template: Template, code: Path
) -> None:
    async with spares_of(bwrap_isolation, template, count=2) as (spares, launcher):
        first = await launcher.start(function_spec(template, runtimes, code, "127.0.0.1:9"))
        second = await launcher.start(function_spec(template, runtimes, code, "127.0.0.1:9"))
        assert first.name.startswith("lambent-spare-") and second.name != first.name
        taken = [s for i in spares._runtimes.values() for s in i.ready]
        assert first.name not in {s.sandbox.name for s in taken}
        # Replacements are started in the background.
        await ready(spares, template, 2)
        spare = spares._runtimes[template.executable].ready[0]
        spec = function_spec(template, runtimes, code, "127.0.0.1:9")
        await spare.adopt(spec, b"{}", spares._injector)
        assert spare.state is SpareState.TAKEN
        with pytest.raises(SandboxError, match="not ready"):
            await spare.adopt(spec, b"{}", spares._injector)
        for sandbox in (first, second, spare.sandbox):
            await sandbox.close()


@scenario
async def test_what_a_spare_cannot_become_starts_afresh(
    bwrap_isolation: Isolation,
    runtimes: RuntimeRegistry,
    template: Template,
    code: Path,
    tmp_path: Path,
) -> None:
    shipped = tmp_path / "shipped"
    (shipped / "simplejson").mkdir(parents=True)
    (shipped / "app.py").write_text(REPORT)
    _readable(tmp_path, shipped)
    async with spares_of(bwrap_isolation, template) as (spares, launcher):
        cases = {
            "sets PYTHONPATH": function_spec(
                template, runtimes, code, "127.0.0.1:9", {"PYTHONPATH": "/var/task/lib"}
            ),
            "ships its own simplejson": function_spec(template, runtimes, shipped, "127.0.0.1:9"),
        }
        for why, spec in cases.items():
            sandbox = await launcher.start(spec)
            assert sandbox.name == spec.name, why
            await sandbox.close()
        reasons = [reason for reason in spares.outcomes if reason != "spare"]
        assert any("PYTHONPATH" in r for r in reasons), reasons
        assert any("its own simplejson" in r for r in reasons), reasons
        assert spares.ready_count()[template.label] == 1  # still there for the next one
        assert spares.outcomes["spare"] == 0


@scenario
async def test_a_spare_that_died_is_not_handed_out(
    bwrap_isolation: Isolation, runtimes: RuntimeRegistry, template: Template, code: Path
) -> None:
    async with spares_of(bwrap_isolation, template) as (spares, launcher):
        dead = spares._runtimes[template.executable].ready[0]
        for pid in dead.sandbox.pids():
            if pid != dead.sandbox.pid:
                os.kill(pid, 9)
        await dead.sandbox.wait()
        sandbox = await launcher.start(function_spec(template, runtimes, code, "127.0.0.1:9"))
        assert sandbox.name != dead.sandbox.name
        await sandbox.close()
        await ready(spares, template, 1)  # replaced


@scenario
async def test_closing_ends_the_waiting_spares(
    bwrap_isolation: Isolation, template: Template
) -> None:
    async with spares_of(bwrap_isolation, template, count=2) as (spares, launcher):
        assert len(launcher.live) == 2
        await spares.close()
        assert launcher.live == ()


@scenario
async def test_spares_that_cannot_start_are_reported_and_cold_starts_go_on(
    bwrap_isolation: Isolation, runtimes: RuntimeRegistry, template: Template, code: Path
) -> None:
    """An interpreter whose spares keep failing gets no more of them, and says why (the
    stub's own traceback); its functions start the slow way."""
    broken = dataclasses.replace(template, startup_env={"PYTHONPATH": "/nowhere"})
    launcher = SandboxLauncher(bwrap_isolation)
    injector = MountInjector()
    spares = Spares(launcher, [broken], 1, injector)
    spares.start()
    try:
        interpreter = spares._runtimes[broken.executable]
        while interpreter.disabled is None:  # noqa: ASYNC110 (no event to wait on)
            await asyncio.sleep(0.01)
        assert "No module named 'awslambdaric'" in interpreter.disabled
        spec = function_spec(template, runtimes, code, "127.0.0.1:9")
        sandbox = await launcher.start(spec)
        assert sandbox.name == spec.name
        assert any(reason.startswith("spares disabled") for reason in spares.outcomes)
    finally:
        await spares.close()
        await launcher.close()
