"""Invoke: warm overhead (keep-alive, trivial handler) and cold start to first response.

Cold starts are measured one at a time (a function's first invocation, as they come on a
server: each takes a spare environment, replaced before the next) and ``_fresh`` (a
server with ``--spare-environments 0``: every one starts bwrap and a runtime); Python's
also ``_burst`` (20 back to back: beyond the spares they start afresh).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.helpers import ROLE, LambentProcess, make_zip

from bench import raw
from bench.load import Load, rate
from bench.stats import summary

WARM_ROUNDS = 2000
_REPORT = re.compile(r"REPORT RequestId: (?P<id>\S+)\tDuration: (?P<ms>[0-9.]+) ms")
COLD_ROUNDS = 20
#: Client processes, and keep-alive connections in each.
THROUGHPUT_CLIENTS = (2, 4)
#: Between cold starts measured one at a time: a spare is replaced in ~0.1 s.
COLD_PACE_S = 0.25
#: Sent before a throughput measurement: environments started, and Node's JIT warm.
THROUGHPUT_WARM_S = 3.0

PYTHON_HELLO = make_zip({"app.py": "def handler(event, context):\n    return 'hello'\n"})
NODE_HELLO = make_zip({"index.mjs": "export const handler = async (event) => 'hello';\n"})


def _invoke(connection: raw.Connection, name: str) -> tuple[float, str]:
    """Milliseconds to the answer, and the invocation's request id."""
    reply = connection.call("POST", f"/2015-03-31/functions/{name}/invocations", b"{}")
    if reply.status != 200 or "x-amz-function-error" in reply.headers:
        raise RuntimeError(f"{name}: HTTP {reply.status} {reply.body[:200]!r}")
    return reply.ms, reply.headers.get("x-amzn-requestid", "")


def _get(connection: raw.Connection, path: str) -> float:
    reply = connection.call("GET", path)
    if reply.status != 200:
        raise RuntimeError(f"{path}: HTTP {reply.status}")
    return reply.ms


def _create(client: Any, name: str, runtime: str, handler: str, code: bytes) -> None:
    client.create_function(
        FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Code={"ZipFile": code}
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def _durations(server: LambentProcess, name: str) -> dict[str, float]:
    """The ``Duration`` of every REPORT line of the function's log, by request id."""
    time.sleep(0.5)  # the log sink writes in batches
    logs = server.client("logs")
    durations: dict[str, float] = {}
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=f"/aws/lambda/{name}", filterPattern='"REPORT RequestId"'
    )
    for page in pages:
        for event in page["events"]:
            found = _REPORT.match(event["message"])
            if found:
                durations[found["id"]] = float(found["ms"])
    return durations


def warm(server: LambentProcess, runtime: str, handler: str, code: bytes) -> dict[str, Any]:
    """Invocations one after another on a raw keep-alive connection (``bench.raw``),
    interleaved with a bare HTTP round trip (the health check) as the baseline.
    ``platform_overhead`` is each invocation's latency less its REPORT ``Duration`` (the
    runtime's part, from the event handed over to the answer received): what Lambent adds
    around the runtime."""
    client = server.client()
    name = f"bench-warm-{runtime.replace('.', '-')}"
    _create(client, name, runtime, handler, code)
    connection = raw.Connection(server.port)
    for _ in range(200):
        _invoke(connection, name)
        _get(connection, "/_lambent/health")
    invoke: list[tuple[float, str]] = []
    baseline: list[float] = []
    for _ in range(10):
        invoke += [_invoke(connection, name) for _ in range(WARM_ROUNDS // 10)]
        baseline += [_get(connection, "/_lambent/health") for _ in range(WARM_ROUNDS // 10)]
    connection.close()
    invoked, base = summary([ms for ms, _ in invoke]), summary(baseline)
    invoked["overhead_p50_ms"] = round(invoked["p50_ms"] - base["p50_ms"], 4)
    durations = _durations(server, name)
    platform = summary([ms - durations[rid] for ms, rid in invoke if rid in durations])
    label = runtime.replace(".", "_")
    return {
        f"warm_invoke_{label}": invoked,
        f"platform_overhead_{label}": platform,
        f"baseline_http_roundtrip_{label}": base,
    }


def throughput(server: LambentProcess) -> dict[str, Any]:
    """Invocations a second with a trivial handler, ``THROUGHPUT_CLIENTS`` keep-alive
    connections invoking back to back; against DryRun under the same load (the API path
    without an environment). python3.12's runtime client polls for each event from a new
    thread (awslambdaric does so from 3.12 on); python3.11's does not; Node.js runs the
    runtime Lambent ships."""
    client = server.client()
    processes, connections = THROUGHPUT_CLIENTS
    results: dict[str, Any] = {}
    for runtime, handler, code in (
        ("python3.12", "app.handler", PYTHON_HELLO),
        ("python3.11", "app.handler", PYTHON_HELLO),
        ("nodejs20.x", "index.handler", NODE_HELLO),
    ):
        name = f"bench-throughput-{runtime.replace('.', '-')}"
        _create(client, name, runtime, handler, code)
        path = f"/2015-03-31/functions/{name}/invocations"
        results[f"throughput_{runtime.replace('.', '_')}"] = rate(
            server.port, Load(path, b"{}", 200, (), processes, connections, THROUGHPUT_WARM_S)
        )
    dry = (("X-Amz-Invocation-Type", "DryRun"),)
    baseline = rate(
        server.port, Load(path, b"{}", 204, dry, processes, connections, THROUGHPUT_WARM_S)
    )
    for stats in results.values():
        stats["ratio_vs_dryrun"] = round(stats["per_s"] / baseline["per_s"], 3)
    results["throughput_dryrun"] = baseline
    return results


def cold(
    server: LambentProcess,
    runtime: str,
    handler: str,
    code: bytes,
    tag: str,
    pace_s: float = 0.0,
) -> dict[str, float]:
    """The first invocation of each of ``COLD_ROUNDS`` new functions, ``pace_s`` apart."""
    client = server.client()
    names = [f"bench-cold-{tag}-{i}" for i in range(COLD_ROUNDS)]
    for name in names:
        _create(client, name, runtime, handler, code)
    connection = raw.Connection(server.port)
    samples = []
    for name in names:
        time.sleep(pace_s)
        samples.append(_invoke(connection, name)[0])
    connection.close()
    return summary(samples)


def cold_fresh(runtime: str, handler: str, code: bytes) -> dict[str, float]:
    """The same as ``cold`` on a server without spare environments."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LambentProcess(Path(tmp) / "data", "--spare-environments", "0").start()
        try:
            return cold(server, runtime, handler, code, "fresh", COLD_PACE_S)
        finally:
            server.stop()


def bare_python() -> dict[str, float]:
    """What starting an interpreter costs on this machine: the floor of a naive cold start."""
    samples = []
    for _ in range(COLD_ROUNDS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def run(server: LambentProcess) -> dict[str, Any]:
    python = ("python3.12", "app.handler", PYTHON_HELLO)
    node = ("nodejs20.x", "index.handler", NODE_HELLO)
    results = warm(server, *python)
    results.update(warm(server, "python3.11", "app.handler", PYTHON_HELLO))
    results.update(warm(server, *node))
    results.update(throughput(server))
    results["cold_start_python"] = cold(server, *python, "py", COLD_PACE_S)
    results["cold_start_python_fresh"] = cold_fresh(*python)
    results["cold_start_nodejs"] = cold(server, *node, "node", COLD_PACE_S)
    results["cold_start_nodejs_fresh"] = cold_fresh(*node)
    results["cold_start_python_burst"] = cold(server, *python, "py-burst")
    time.sleep(1)  # the spares the burst took are replaced: not while timing the baseline
    results["bare_python_start"] = bare_python()
    return results
