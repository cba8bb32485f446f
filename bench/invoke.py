"""Invoke: warm overhead (keep-alive, trivial handler) and cold start to first response.

Python cold starts are measured three ways: one at a time (a function's first invocation,
as they come on a server: each takes a spare environment, replaced before the next),
``_burst`` (20 back to back: beyond the spares they start afresh), and ``_fresh`` (a
server with ``--spare-environments 0``: every one starts bwrap and an interpreter).
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.helpers import ROLE, LambentProcess, make_zip

from bench.load import Load, rate
from bench.stats import summary

WARM_ROUNDS = 2000
COLD_ROUNDS = 20
#: Client processes, and keep-alive connections in each.
THROUGHPUT_CLIENTS = (2, 4)
#: Between cold starts measured one at a time: a spare is replaced in ~0.1 s.
COLD_PACE_S = 0.25

PYTHON_HELLO = make_zip({"app.py": "def handler(event, context):\n    return 'hello'\n"})
NODE_HELLO = make_zip({"index.mjs": "export const handler = async (event) => 'hello';\n"})


def _invoke(connection: http.client.HTTPConnection, name: str) -> float:
    start = time.perf_counter()
    connection.request("POST", f"/2015-03-31/functions/{name}/invocations", body=b"{}")
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200 or response.getheader("X-Amz-Function-Error"):
        raise RuntimeError(f"{name}: HTTP {response.status} {body[:200]!r}")
    return elapsed


def _get(connection: http.client.HTTPConnection, path: str) -> float:
    start = time.perf_counter()
    connection.request("GET", path)
    connection.getresponse().read()
    return (time.perf_counter() - start) * 1000


def _create(client: Any, name: str, runtime: str, handler: str, code: bytes) -> None:
    client.create_function(
        FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Code={"ZipFile": code}
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def warm(server: LambentProcess) -> dict[str, Any]:
    client = server.client()
    _create(client, "bench-warm", "python3.12", "app.handler", PYTHON_HELLO)
    connection = http.client.HTTPConnection("127.0.0.1", server.port)
    for _ in range(200):
        _invoke(connection, "bench-warm")
        _get(connection, "/_lambent/health")
    invoke: list[float] = []
    baseline: list[float] = []
    for _ in range(10):
        invoke += [_invoke(connection, "bench-warm") for _ in range(WARM_ROUNDS // 10)]
        baseline += [_get(connection, "/_lambent/health") for _ in range(WARM_ROUNDS // 10)]
    connection.close()
    invoked, base = summary(invoke), summary(baseline)
    invoked["overhead_p50_ms"] = round(invoked["p50_ms"] - base["p50_ms"], 4)
    return {"warm_invoke_python": invoked, "baseline_http_roundtrip": base}


def throughput(server: LambentProcess) -> dict[str, Any]:
    """Invocations a second with a trivial handler, ``THROUGHPUT_CLIENTS`` keep-alive
    connections invoking back to back; against DryRun under the same load (the API path
    without an environment)."""
    client = server.client()
    _create(client, "bench-throughput", "python3.12", "app.handler", PYTHON_HELLO)
    path = "/2015-03-31/functions/bench-throughput/invocations"
    processes, connections = THROUGHPUT_CLIENTS
    invoked = rate(server.port, Load(path, b"{}", 200, (), processes, connections))
    dry = (("X-Amz-Invocation-Type", "DryRun"),)
    baseline = rate(server.port, Load(path, b"{}", 204, dry, processes, connections))
    invoked["ratio_vs_dryrun"] = round(invoked["per_s"] / baseline["per_s"], 3)
    return {"throughput_python": invoked, "throughput_dryrun": baseline}


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
    connection = http.client.HTTPConnection("127.0.0.1", server.port)
    samples = []
    for name in names:
        time.sleep(pace_s)
        samples.append(_invoke(connection, name))
    connection.close()
    return summary(samples)


def cold_python_fresh() -> dict[str, float]:
    """The same as ``cold_start_python`` on a server without spare environments."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LambentProcess(Path(tmp) / "data", "--spare-environments", "0").start()
        try:
            return cold(server, "python3.12", "app.handler", PYTHON_HELLO, "py", COLD_PACE_S)
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
    results = warm(server)
    results.update(throughput(server))
    python = ("python3.12", "app.handler", PYTHON_HELLO)
    results["cold_start_python"] = cold(server, *python, "py", COLD_PACE_S)
    results["cold_start_python_fresh"] = cold_python_fresh()
    results["cold_start_nodejs"] = cold(server, "nodejs20.x", "index.handler", NODE_HELLO, "node")
    results["cold_start_python_burst"] = cold(server, *python, "py-burst")
    time.sleep(1)  # the spares the burst took are replaced: not while timing the baseline
    results["bare_python_start"] = bare_python()
    return results
