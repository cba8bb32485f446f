"""Control-plane latency: GetFunction over one keep-alive connection, against a baseline."""

from __future__ import annotations

import http.client
import time
from typing import Any

from tests.helpers import HELLO_ZIP, ROLE, LambentProcess

from bench.stats import summary

WARMUP = 300
ROUNDS = 3000


def _timed(connection: http.client.HTTPConnection, path: str, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
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
    connection = http.client.HTTPConnection("127.0.0.1", server.port)
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
