"""Control-plane latency: GetFunction over one raw keep-alive connection, against a baseline."""

from __future__ import annotations

from typing import Any

from tests.helpers import HELLO_ZIP, ROLE, LambentProcess

from bench import raw
from bench.stats import summary

WARMUP = 300
ROUNDS = 3000


def _timed(connection: raw.Connection, path: str, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        reply = connection.call("GET", path)
        if reply.status != 200:
            raise RuntimeError(f"{path}: HTTP {reply.status}")
        samples.append(reply.ms)
    return samples


def run(server: LambentProcess) -> dict[str, Any]:
    client = server.client()
    client.create_function(
        FunctionName="bench-get",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    client.get_waiter("function_active_v2").wait(FunctionName="bench-get")
    connection = raw.Connection(server.port)
    get_function = "/2015-03-31/functions/bench-get"
    health = "/_lambent/health"
    _timed(connection, get_function, WARMUP)
    _timed(connection, health, WARMUP)
    # Interleave the two so machine noise hits both alike.
    baseline: list[float] = []
    measured: list[float] = []
    for _ in range(10):
        baseline += _timed(connection, health, ROUNDS // 10)
        measured += _timed(connection, get_function, ROUNDS // 10)
    connection.close()
    result = {"get_function": summary(measured), "baseline_health": summary(baseline)}
    result["get_function"]["ratio_p50_vs_baseline"] = round(
        result["get_function"]["p50_ms"] / result["baseline_health"]["p50_ms"], 2
    )
    return result
