"""Sandbox start-up latency: run ``python tests/integration/sandbox/bench_sandbox_start.py``.

Prints the median and p90 (milliseconds, ``-n`` runs each) of:

* ``bwrap true``: bare ``bwrap --ro-bind /usr /usr ... /bin/true`` to exit, the floor;
* ``start``: :meth:`SandboxLauncher.start` returning (cgroup made, bwrap set up, tree
  inside the cgroup, released);
* ``first output``: from ``start`` to the program's first line on stdout;
* ``true to exit``: ``start`` of ``/bin/true`` until its exit status is known;
* ``close``: killing and removing an idle sandbox;

for bwrap with cgroups, bwrap without, and process mode. Self-contained: the standard
library and ``lambent.sandbox``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from lambent.sandbox import (
    Isolation,
    IsolationRequest,
    SandboxLauncher,
    SandboxSpec,
    detect_isolation,
)

BARE = [
    "bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink",
    "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev",
    "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "/bin/true",
]  # fmt: skip


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    print(f"  {name:<14} median {statistics.median(ordered):6.2f} ms   p90 {p90:6.2f} ms")


async def timed(runs: int, action: Callable[[int], Awaitable[None]]) -> list[float]:
    samples = []
    for n in range(runs + 2):  # two warm-up runs
        start = time.perf_counter()
        await action(n)
        if n >= 2:
            samples.append((time.perf_counter() - start) * 1000)
    return samples


async def bare_bwrap(_: int) -> None:
    process = await asyncio.create_subprocess_exec(*BARE, env={})
    await process.wait()


async def measure(label: str, isolation: Isolation, code: Path, runs: int) -> None:
    launcher = SandboxLauncher(isolation)

    def spec(n: int, *argv: str) -> SandboxSpec:
        return SandboxSpec(f"b{n}", argv, {"PATH": "/usr/bin:/bin"}, code, memory_mib=128)

    starts: list[float] = []
    first: list[float] = []
    closes: list[float] = []
    for n in range(runs + 2):
        t0 = time.perf_counter()
        sandbox = await launcher.start(spec(n, "/bin/sh", "-c", "echo up; exec sleep 60"))
        t1 = time.perf_counter()
        await sandbox.stdout.readline()
        t2 = time.perf_counter()
        await sandbox.close()
        t3 = time.perf_counter()
        if n >= 2:
            starts.append((t1 - t0) * 1000)
            first.append((t2 - t1) * 1000)
            closes.append((t3 - t2) * 1000)

    async def true_to_exit(n: int) -> None:
        sandbox = await launcher.start(spec(1000 + n, "/bin/true"))
        await sandbox.wait()
        await sandbox.close()

    to_exit = await timed(runs, true_to_exit)
    print(label)
    report("start", starts)
    report("first output", first)
    report("true to exit", to_exit)
    report("close", closes)
    await launcher.close()


async def main(runs: int) -> None:
    print(f"{os.uname().nodename}: {os.cpu_count()} CPUs, {runs} runs each")
    print("bare bwrap")
    report("bwrap true", await timed(runs, bare_bwrap))
    with tempfile.TemporaryDirectory() as code:
        os.chmod(code, 0o755)
        bwrap = await detect_isolation(IsolationRequest.BWRAP, cgroup_prefix="lambent-bench")
        print(bwrap.reason)
        await measure("bwrap + cgroups", bwrap, Path(code), runs)
        await measure(
            "bwrap, no cgroups", dataclasses.replace(bwrap, cgroups=None), Path(code), runs
        )
        process = await detect_isolation(IsolationRequest.PROCESS, cgroup_prefix="lambent-bench")
        await measure("process + cgroups", process, Path(code), runs)
        for isolation in (bwrap, process):
            if isolation.cgroups is not None:
                await isolation.cgroups.close()
                for location in isolation.cgroups.locations:
                    with contextlib.suppress(OSError):
                        location.rmdir()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="runs per figure")
    asyncio.run(main(parser.parse_args().n))
