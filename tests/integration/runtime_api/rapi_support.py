"""Test support for the Runtime API listener: a blocking http.client driven from the loop,
and the official Python runtime interface client installed outside the platform's venv."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambent.runtime_api import FunctionMetadata, Invocation, Phase, RuntimeApi

REPO = Path(__file__).resolve().parents[3]
#: Where awslambdaric is installed for the tests (gitignored ``.cache``), never the venv.
RIC_DIR = REPO / ".cache" / "runtimes" / "python"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
META = FunctionMetadata("fn", "$LATEST", "handler.ok", "123456789012")


def install_awslambdaric() -> Path:
    """``pip install --target`` awslambdaric once; later runs reuse the directory."""
    if not (RIC_DIR / "awslambdaric" / "__init__.py").exists():
        RIC_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
                str(RIC_DIR),
                "awslambdaric",
            ],
            check=True,
        )
    return RIC_DIR


def phase(api: RuntimeApi) -> Phase:
    """Read through a call, so the type checker does not pin the phase it last saw."""
    return api.phase


def invocation(request_id: str, payload: bytes = b"{}", **fields: Any) -> Invocation:
    return Invocation(
        request_id=request_id,
        payload=payload,
        deadline_ms=fields.pop("deadline_ms", int(time.time() * 1000) + 30_000),
        invoked_function_arn=fields.pop("invoked_function_arn", ARN),
        **fields,
    )


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """One keep-alive ``http.client`` connection; each request runs in a worker thread so
    the listener, on the test's event loop, keeps serving."""

    def __init__(self, address: str) -> None:
        host, port = address.rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def _request(self, method: str, path: str, body: Any, headers: dict[str, str]) -> Reply:
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._request, method, path, body, headers or {})

    def sock(self) -> Any:
        return self.connection.sock

    def close(self) -> None:
        self.connection.close()


async def start_runtime(
    address: str, handler: str, task_root: Path, log: Path, **env: str
) -> asyncio.subprocess.Process:
    """``python -m awslambdaric HANDLER`` as Lambda starts it, stdout and stderr to ``log``."""
    ric = install_awslambdaric()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.update(
        AWS_LAMBDA_RUNTIME_API=address,
        _HANDLER=handler,
        LAMBDA_TASK_ROOT=str(task_root),
        PYTHONPATH=f"{ric}{os.pathsep}{task_root}",
        **env,
    )
    out = log.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "awslambdaric",
            handler,
            env=environment,
            cwd=task_root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        out.close()


def scenario(test: Any) -> Any:
    """Run an ``async def`` test on a fresh event loop, bounded in time (no plugin needed)."""
    import functools

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def bounded() -> None:
            async with asyncio.timeout(60):
                await test(*args, **kwargs)

        asyncio.run(bounded())

    return run


async def raw_exchange(address: str, data: bytes, replies: int = 1) -> bytes:
    """Write ``data`` on a fresh socket and read until ``replies`` complete responses came
    back (or the peer closed): for what ``http.client`` cannot send (trailers, pipelining,
    Expect, malformed requests)."""
    host, port = address.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    await writer.drain()
    received = b""
    try:
        while received.count(b"HTTP/1.1 ") - received.count(b"HTTP/1.1 100 ") < replies:
            chunk = await asyncio.wait_for(reader.read(65536), 10)
            if not chunk:
                break
            received += chunk
        # Let the last body arrive in full.
        while True:
            head, _, body = received.rpartition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if not length or len(body) >= length[-1]:
                break
            chunk = await asyncio.wait_for(reader.read(65536), 10)
            if not chunk:
                break
            received += chunk
    finally:
        writer.close()
    return received
