"""A load generator: client processes, each with keep-alive connections on one event loop,
sending one request after another as fast as the server answers.

The client is deliberately lean (raw HTTP/1.1 on asyncio streams, uvloop, the request's
bytes built once) so that on a small machine it takes as little CPU as it can from the
server it measures. Requests are not pipelined: each connection waits for its answer, as
an SDK does.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from typing import Any

import uvloop

from bench import raw
from bench.stats import summary


@dataclass(frozen=True, slots=True)
class Load:
    """What each connection sends, and what it must get back."""

    path: str
    body: bytes
    expect: int
    headers: tuple[tuple[str, str], ...] = ()
    processes: int = 2
    connections: int = 4
    #: Sent but not counted, so that environments are up before the measurement.
    warm_s: float = 1.0
    seconds: float = 5.0

    def request(self, port: int) -> bytes:
        return raw.request("POST", self.path, port, self.body, self.headers)


async def _connection(port: int, load: Load, start: float, end: float) -> list[float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = load.request(port)
    expect = f" {load.expect} ".encode()
    samples: list[float] = []
    try:
        while (now := time.perf_counter()) < end:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, _, rest = head.partition(b"\r\n")
            if expect not in status_line:
                raise RuntimeError(f"{load.path}: {status_line!r}")
            length = 0
            for line in rest.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if now >= start:
                samples.append((time.perf_counter() - now) * 1000)
    finally:
        writer.close()
    return samples


async def _client(port: int, load: Load, begin: float) -> list[float]:
    start = begin + load.warm_s
    end = start + load.seconds
    per_connection = await asyncio.gather(
        *(_connection(port, load, start, end) for _ in range(load.connections))
    )
    return [ms for samples in per_connection for ms in samples]


def _process(port: int, load: Load, begin: float, out: Any) -> None:
    out.put(uvloop.run(_client(port, load, begin)))


def rate(port: int, load: Load) -> dict[str, Any]:
    """Requests per second over ``load.seconds``, and their latency."""
    queue: Any = multiprocessing.Queue()
    begin = time.perf_counter() + 0.2  # every process starts together
    processes = [
        multiprocessing.Process(target=_process, args=(port, load, begin, queue))
        for _ in range(load.processes)
    ]
    for process in processes:
        process.start()
    samples = [ms for _ in processes for ms in queue.get()]
    for process in processes:
        process.join()
    stats: dict[str, Any] = summary(samples)
    stats["per_s"] = round(len(samples) / load.seconds, 1)
    stats["clients"] = load.processes * load.connections
    return stats
