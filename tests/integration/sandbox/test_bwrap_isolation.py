"""What a function sees inside a bwrap sandbox: its environment, files, user and host view."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from lambent.sandbox import (
    SANDBOX_UID,
    Bind,
    Isolation,
    IsolationRequest,
    SandboxLauncher,
    SandboxStartError,
    UserStrategy,
    detect_isolation,
)
from tests.integration.sandbox.support import (
    PREFIX,
    PYTHON_HOME,
    needs_bwrap,
    python_spec,
    run_spec,
    scenario,
    spec,
)

pytestmark = [pytest.mark.root, needs_bwrap]


@scenario
async def test_environment_is_exactly_the_given_one(bwrap_isolation: Isolation, code: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_LAMBDA_FUNCTION_NAME": "fn",
        "QUOTED": 'it\'s "quoted" $HOME `x`',
        "MULTI": "line one\nline two",
        "EMPTY": "",
    }
    outcome = await run_spec(bwrap_isolation, spec(code, "/usr/bin/env", "-0", env=env))
    assert outcome.status.success, outcome.stderr
    seen = dict(item.split("=", 1) for item in outcome.stdout.split("\0") if item)
    assert seen == env


@scenario
async def test_a_given_pwd_is_kept(bwrap_isolation: Isolation, code: Path) -> None:
    env = {"PWD": "/var/task", "A": "1"}
    outcome = await run_spec(bwrap_isolation, spec(code, "/usr/bin/env", "-0", env=env))
    assert dict(i.split("=", 1) for i in outcome.stdout.split("\0") if i) == env


@scenario
async def test_working_directory_is_var_task_and_read_only(
    bwrap_isolation: Isolation, code: Path
) -> None:
    script = "pwd; cat handler.py; touch /var/task/new 2>&1; { echo > handler.py; } 2>&1"
    outcome = await run_spec(bwrap_isolation, spec(code, "/bin/sh", "-c", script))
    lines = outcome.stdout.splitlines()
    assert lines[0] == "/var/task"
    assert "def handler(event, context):" in lines[1]
    assert "Read-only file system" in lines[-2] and "Read-only file system" in lines[-1]
    assert not (code / "new").exists()


@scenario
async def test_tmp_is_private_writable_and_capped(bwrap_isolation: Isolation, code: Path) -> None:
    marker = Path("/tmp") / f"{PREFIX}-host-marker"
    marker.write_text("host")
    try:
        script = (
            f"test -e {marker} && echo host-tmp-visible; "
            "dd if=/dev/zero of=/tmp/small bs=1M count=2 2>/dev/null && echo small-ok; "
            "dd if=/dev/zero of=/tmp/big bs=1M count=8 2>&1 | grep -o 'No space left on device'"
        )
        sandbox = spec(code, "/bin/sh", "-c", script, tmp_mib=4)
        outcome = await run_spec(bwrap_isolation, sandbox)
    finally:
        marker.unlink()
    assert outcome.stdout.split() == ["small-ok", "No", "space", "left", "on", "device"]


@scenario
async def test_runs_as_an_unprivileged_user(bwrap_isolation: Isolation, code: Path) -> None:
    secret = code / "secret"
    secret.write_text("root only")
    secret.chmod(0o600)
    script = (
        "id -u; id -g; id -un; cat /var/task/secret 2>&1; test -e /etc/shadow || echo no-shadow;"
        " grep -E '^(CapEff|NoNewPrivs)' /proc/self/status"
    )
    outcome = await run_spec(bwrap_isolation, spec(code, "/bin/sh", "-c", script))
    lines = outcome.stdout.splitlines()
    assert lines[:3] == [str(SANDBOX_UID), "990", "sbx_user1051"]
    assert "Permission denied" in lines[3]
    assert lines[4] == "no-shadow"
    assert lines[5].split() == ["CapEff:", "0000000000000000"]
    assert lines[6].split() == ["NoNewPrivs:", "1"]


@scenario
async def test_processes_are_uid_993_on_the_host(bwrap_isolation: Isolation, code: Path) -> None:
    launcher = SandboxLauncher(bwrap_isolation)
    try:
        sandbox = await launcher.start(spec(code, "/bin/sh", "-c", "echo up; exec sleep 30"))
        assert await sandbox.stdout.readline() == b"up\n"
        # bwrap and its init stay root on the host; everything of the function is uid 993.
        owners = {pid: os.stat(f"/proc/{pid}").st_uid for pid in sandbox.pids()}
        assert owners[sandbox.pid] == 0
        assert sorted(owners.values()).count(SANDBOX_UID) == 1, owners
        await sandbox.close()
    finally:
        await launcher.close()


@scenario
async def test_host_is_mostly_invisible(
    bwrap_isolation: Isolation, code: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "other-function"
    outside.mkdir()
    (outside / "code.py").write_text("secret = 1\n")
    script = (
        f"for p in {outside} /work /home /root /var/lib /run /sys /etc/shadow /etc/gshadow;"
        ' do test -e "$p" && echo "visible $p"; done;'
        " ls /etc/ssl/private >/dev/null 2>&1 && echo visible /etc/ssl/private;"
        ' ls /; ls /proc | grep -c "^[0-9]"'
    )
    outcome = await run_spec(bwrap_isolation, spec(code, "/bin/sh", "-c", script))
    lines = outcome.stdout.split()
    assert not [line for line in lines if line == "visible"], outcome.stdout
    top = set(lines[:-1])
    assert top <= {
        "bin",
        "dev",
        "etc",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "opt",
        "proc",
        "sbin",
        "tmp",
        "usr",
        "var",
    }, top
    # A fresh /proc: only the sandbox's own processes (init, the shell, ls/grep).
    assert int(lines[-1]) <= 4


@scenario
async def test_python_runs_inside_with_its_installation_bound(
    bwrap_isolation: Isolation, code: Path
) -> None:
    source = "import os, sys, ssl; print(os.getuid(), sys.prefix, os.getcwd())"
    outcome = await run_spec(bwrap_isolation, python_spec(code, source))
    assert outcome.status.success, outcome.stderr
    assert outcome.stdout.split() == [str(SANDBOX_UID), str(PYTHON_HOME), "/var/task"]


@scenario
async def test_layers_at_opt_and_extra_binds(
    bwrap_isolation: Isolation, code: Path, tmp_path: Path
) -> None:
    layers, runtime = tmp_path / "layers", tmp_path / "runtime"
    for directory, name in ((layers, "layer.txt"), (runtime, "bootstrap")):
        directory.mkdir()
        directory.chmod(0o755)
        (directory / name).write_text(name)
    sandbox = spec(
        code,
        "/bin/sh",
        "-c",
        "cat /opt/layer.txt /var/runtime/bootstrap; echo; touch /opt/x 2>&1 | grep -c Read-only",
        opt_dir=layers,
        binds=(Bind(runtime, "/var/runtime"),),
    )
    outcome = await run_spec(bwrap_isolation, sandbox)
    assert outcome.stdout.split() == ["layer.txtbootstrap", "1"]


@scenario
async def test_exit_code_and_signal_are_told_apart(bwrap_isolation: Isolation, code: Path) -> None:
    exited = await run_spec(bwrap_isolation, spec(code, "/bin/sh", "-c", "exit 3"))
    assert (exited.status.code, exited.status.describe()) == (3, "exit status 3")
    signalled = await run_spec(bwrap_isolation, spec(code, "/bin/sh", "-c", "kill -TERM $$"))
    assert signalled.status.signal == signal.SIGTERM
    assert signalled.status.describe() == "signal: terminated"


@scenario
async def test_a_failed_start_says_why_and_leaves_nothing(
    bwrap_isolation: Isolation, code: Path
) -> None:
    launcher = SandboxLauncher(bwrap_isolation)
    try:
        with pytest.raises(SandboxStartError, match=r"code directory .*missing does not exist"):
            await launcher.start(spec(code / "missing", "/bin/true"))
        assert launcher.live == ()
        assert bwrap_isolation.cgroups is not None
        for location in bwrap_isolation.cgroups.locations:
            leftovers = [p for p in location.glob("owner-*/*") if p.is_dir()]
            assert not leftovers, "no cgroup may be left behind"
    finally:
        await launcher.close()


@scenario
async def test_user_namespace_strategy_also_works(code: Path) -> None:
    isolation = await detect_isolation(
        IsolationRequest.BWRAP, cgroup_prefix=PREFIX, user=UserStrategy.USERNS
    )
    try:
        assert "user namespace" in isolation.reason
        outcome = await run_spec(isolation, spec(code, "/bin/sh", "-c", "id -u; id -un; pwd"))
        assert outcome.stdout.split() == [str(SANDBOX_UID), "sbx_user1051", "/var/task"]
    finally:
        if isolation.cgroups is not None:
            await isolation.cgroups.close()
