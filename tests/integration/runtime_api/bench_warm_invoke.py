"""Warm-invoke round trip through the real awslambdaric: platform submit → runtime → result.

Run it directly (``python tests/integration/runtime_api/bench_warm_invoke.py -n 1000
[--loop uvloop]``) or through ``test_rapi_awslambdaric.py``. It prints the median and p99
of ``RuntimeApi.invoke`` (submit → outcome) and of the full cycle (``invoke`` then
``wait_idle``, i.e. until the runtime polls ``next`` again). Self-contained on purpose: the
standard library, ``lambent.runtime_api`` and awslambdaric in its own directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lambent.runtime_api import FunctionMetadata, InitDone, Invocation, RuntimeApi, Success

DEFAULT_RIC_DIR = Path(__file__).resolve().parents[3] / ".cache" / "runtimes" / "python"
HANDLER = "def echo(event, context):\n    return event\n"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def prepare(ric_dir: Path, task_root: Path) -> None:
    """Install awslambdaric into ``ric_dir`` if it is not there; write the handler."""
    if not (ric_dir / "awslambdaric").is_dir():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(ric_dir),
                "awslambdaric",
            ],
            check=True,
        )
    (task_root / "handler.py").write_text(HANDLER)


async def measure(count: int, ric_dir: Path, task_root: Path, warmup: int = 50) -> dict[str, float]:
    """Microsecond figures for ``count`` warm invocations after ``warmup`` ones
    (``prepare`` first)."""
    api = await RuntimeApi.start(FunctionMetadata("bench", "$LATEST", "handler.echo", "0" * 12))
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_LAMBDA_RUNTIME_API=api.address,
        _HANDLER="handler.echo",
        LAMBDA_TASK_ROOT=str(task_root),
        PYTHONPATH=f"{ric_dir}{os.pathsep}{task_root}",
    )
    runtime = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "awslambdaric",
        "handler.echo",
        env=env,
        cwd=task_root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(30):
            init = await api.wait_ready()
        if init != InitDone(()):
            raise RuntimeError(f"the runtime did not initialise: {init!r}")
        event = {"key": "value", "n": 1}
        payload = json.dumps(event).encode()
        arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
        invoke_us: list[float] = []
        cycle_us: list[float] = []
        for number in range(warmup + count):
            invocation = Invocation(
                f"bench-{number}", payload, int(time.time() * 1000) + 60_000, arn
            )
            start = time.perf_counter_ns()
            outcome = await api.invoke(invocation)
            answered = time.perf_counter_ns()
            await api.wait_idle()
            idle = time.perf_counter_ns()
            if not isinstance(outcome, Success) or json.loads(outcome.payload) != event:
                raise RuntimeError(f"unexpected outcome {outcome!r}")
            if number >= warmup:
                invoke_us.append((answered - start) / 1000)
                cycle_us.append((idle - start) / 1000)
    finally:
        if runtime.returncode is None:
            runtime.kill()
        await runtime.wait()
        await api.close()
    return {
        "invocations": count,
        "invoke_p50_us": statistics.median(invoke_us),
        "invoke_p99_us": percentile(invoke_us, 0.99),
        "cycle_p50_us": statistics.median(cycle_us),
        "cycle_p99_us": percentile(cycle_us, 0.99),
    }


def report(figures: dict[str, float], loop: str) -> str:
    return (
        f"warm invoke via awslambdaric ({loop} loop, {int(figures['invocations'])} invocations): "
        f"submit→result p50 {figures['invoke_p50_us']:.0f} µs, "
        f"p99 {figures['invoke_p99_us']:.0f} µs; "
        f"submit→idle p50 {figures['cycle_p50_us']:.0f} µs, p99 {figures['cycle_p99_us']:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--ric-dir", type=Path, default=DEFAULT_RIC_DIR)
    args = parser.parse_args()
    factory = None
    if args.loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with tempfile.TemporaryDirectory() as task_root, asyncio.Runner(loop_factory=factory) as runner:
        prepare(args.ric_dir, Path(task_root))
        figures = runner.run(measure(args.count, args.ric_dir, Path(task_root)))
    print(report(figures, args.loop))


if __name__ == "__main__":
    main()
