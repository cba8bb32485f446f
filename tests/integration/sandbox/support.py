"""Test support for real sandboxes: detection once per session, a unique cgroup prefix,
and helpers to run a spec to completion with a deadline."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from lambent.sandbox import (
    Bind,
    ExitStatus,
    Isolation,
    Sandbox,
    SandboxLauncher,
    SandboxSpec,
)

#: A prefix of our own, so that concurrent test runs (and servers) never meet.
PREFIX = f"lambent-test-{os.getpid()}"
#: The interpreter running the tests, bound at its own path inside sandboxes.
PYTHON_HOME = Path(sys.base_prefix)
PYTHON = str(PYTHON_HOME / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")
DEADLINE = 30.0

needs_bwrap = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("bwrap") is None,
    reason="needs root and bubblewrap (CI has both)",
)

T = TypeVar("T")


def scenario(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop with a deadline."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def bounded() -> None:
            async with asyncio.timeout(DEADLINE):
                await test(*args, **kwargs)

        asyncio.run(bounded())

    return run


@dataclass(frozen=True)
class Outcome:
    status: ExitStatus
    stdout: str
    stderr: str


async def finish(sandbox: Sandbox) -> Outcome:
    """Read both streams to the end, wait for the exit, close the sandbox."""
    try:
        out, err = await asyncio.gather(sandbox.stdout.read(), sandbox.stderr.read())
        status = await sandbox.wait()
    finally:
        await sandbox.close()
    return Outcome(status, out.decode(errors="replace"), err.decode(errors="replace"))


async def run_spec(isolation: Isolation, spec: SandboxSpec) -> Outcome:
    launcher = SandboxLauncher(isolation)
    try:
        return await finish(await launcher.start(spec))
    finally:
        await launcher.close()


def spec(code: Path, *argv: str, **fields: Any) -> SandboxSpec:
    """A spec with test defaults: 256 MiB, 16 MiB /tmp, a plain PATH, a unique name."""
    fields.setdefault("env", {"PATH": "/usr/bin:/bin"})
    fields.setdefault("memory_mib", 256)
    fields.setdefault("tmp_mib", 16)
    fields.setdefault("name", f"t{next(_names)}")
    return SandboxSpec(argv=argv, code_dir=code, **fields)


def python_spec(code: Path, source: str, **fields: Any) -> SandboxSpec:
    fields.setdefault("binds", (Bind.same_path(PYTHON_HOME),))
    return spec(code, PYTHON, "-c", source, **fields)


def process_gone(pid: int) -> bool:
    """No such process (a zombie still counts as present)."""
    return not Path(f"/proc/{pid}").exists()


def process_dead(pid: int) -> bool:
    """Gone, or a zombie waiting for its parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


async def still_running(pids: list[int], grace: float = 2.0) -> list[int]:
    """The pids neither gone nor zombies after ``grace`` seconds: a process leaves its
    cgroup as it starts to exit, a moment before it is a zombie."""
    deadline = asyncio.get_running_loop().time() + grace
    while True:
        running = [pid for pid in pids if not process_dead(pid)]
        if not running or asyncio.get_running_loop().time() > deadline:
            return running
        await asyncio.sleep(0.01)


def real_path(path: Path) -> str:
    return os.path.realpath(path)


def _counter() -> Any:
    n = 0
    while True:
        n += 1
        yield n


_names = _counter()
