"""Detecting the strongest isolation this host provides, with a reason to announce."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from typing import Final

from lambent.sandbox.bwrap import BwrapSetup, UserStrategy, find_bwrap, parse_version
from lambent.sandbox.cgroup_detect import DEFAULT_PREFIX, CgroupDetection, detect_cgroups
from lambent.sandbox.errors import IsolationUnavailableError, SandboxError
from lambent.sandbox.isolation import Isolation, IsolationMode, IsolationRequest
from lambent.sandbox.shell import Shell
from lambent.sandbox.spawn import spawn_bwrap
from lambent.sandbox.spec import SandboxSpec

_PROBE_TIMEOUT: Final = 10.0
_NOT_ISOLATED: Final = (
    "NOT isolated: functions run as this server's user and see its whole filesystem"
)


async def detect_isolation(
    request: IsolationRequest = IsolationRequest.AUTO,
    *,
    cgroup_prefix: str = DEFAULT_PREFIX,
    cgroup_parent: Path | None = None,
    require_cgroups: bool = False,
    bwrap: str | None = None,
    user: UserStrategy | None = None,
) -> Isolation:
    """Decide how sandboxes run here. Call once at start-up and announce ``reason``.

    ``AUTO`` picks bwrap when it is installed and a probe sandbox actually runs, and
    process mode otherwise; cgroups are used in either mode when writable. ``BWRAP``
    raises ``IsolationUnavailableError`` instead of falling back, as does
    ``require_cgroups`` without cgroups. ``cgroup_prefix`` names our directory in the
    cgroup hierarchies (servers sharing it leave each other's sandboxes alone).
    """
    cgroups = detect_cgroups(cgroup_prefix, parent=cgroup_parent)
    if require_cgroups and cgroups.manager is None:
        raise IsolationUnavailableError(f"cgroups are required but unavailable: {cgroups.reason}")
    try:
        shell = Shell.find()
    except FileNotFoundError as e:
        raise IsolationUnavailableError(str(e)) from e
    why_not_bwrap = "not requested"
    if request is not IsolationRequest.PROCESS:
        try:
            setup = await probe_bwrap(bwrap, user)
        except IsolationUnavailableError as e:
            if request is IsolationRequest.BWRAP:
                raise
            why_not_bwrap = str(e)
        else:
            reason = f"isolation bwrap: {setup.describe()}; {_cgroup_reason(cgroups)}"
            return Isolation(IsolationMode.BWRAP, reason, setup, cgroups.manager, shell)
    if request is IsolationRequest.PROCESS:
        why = f"process mode requested ({_NOT_ISOLATED})"
    else:
        why = f"process mode ({_NOT_ISOLATED}) because bwrap is unavailable: {why_not_bwrap}"
    pdeathsig = await _pdeathsig_prefix(shell)
    reason = f"isolation {why}; {_cgroup_reason(cgroups)}"
    return Isolation(IsolationMode.PROCESS, reason, None, cgroups.manager, shell, pdeathsig)


async def probe_bwrap(bwrap: str | None = None, user: UserStrategy | None = None) -> BwrapSetup:
    """Locate bwrap and run one real (cgroup-less) sandbox with it; raises
    ``IsolationUnavailableError`` carrying bwrap's own complaint if that fails."""
    path = find_bwrap(bwrap)
    version_out, _, _ = await _run([path, "--version"])
    setup = BwrapSetup.locate(path, parse_version(version_out), user)
    with tempfile.TemporaryDirectory(prefix="lambent-probe-") as code:
        os.chmod(code, 0o755)  # the sandbox user must be able to enter /var/task
        spec = SandboxSpec(
            name="probe",
            argv=(setup.shell.path, "-c", "exit 0"),
            env={},
            code_dir=Path(code),
            memory_mib=128,
            tmp_mib=1,
        )
        try:
            process = await spawn_bwrap(setup, spec, cgroup=None)
            async with asyncio.timeout(_PROBE_TIMEOUT):
                _, stderr = await process.communicate()
        except (SandboxError, TimeoutError) as e:
            raise IsolationUnavailableError(f"bubblewrap does not work here: {e}") from e
    if process.returncode != 0:
        complaint = stderr.decode(errors="replace").strip() or f"exit {process.returncode}"
        raise IsolationUnavailableError(f"bubblewrap does not work here: {complaint}")
    return setup


async def _pdeathsig_prefix(shell: Shell) -> tuple[str, ...]:
    """``setpriv --pdeathsig KILL --`` (util-linux 2.33+) if it works here, else nothing."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    prefix = (setpriv, "--pdeathsig", "KILL", "--")
    _, _, code = await _run([*prefix, shell.path, "-c", "exit 0"])
    return prefix if code == 0 else ()


async def _run(argv: list[str]) -> tuple[str, str, int]:
    """Run a short probe command: (stdout, stderr, exit status), -1 if it could not run."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as e:
        return "", str(e), -1
    try:
        async with asyncio.timeout(_PROBE_TIMEOUT):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        return "", f"{argv[0]} did not finish within {_PROBE_TIMEOUT:g} s", -1
    code = process.returncode if process.returncode is not None else -1
    return out.decode(errors="replace"), err.decode(errors="replace"), code


def _cgroup_reason(cgroups: CgroupDetection) -> str:
    if cgroups.manager is not None:
        return cgroups.reason
    return f"cgroups unavailable ({cgroups.reason}): no memory limit, freezer or OOM figures"
