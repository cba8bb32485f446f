"""What tests share: packages to deploy, a role ARN, and a real Lambent server process."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
REGION = "us-east-1"


def make_zip(files: dict[str, str | bytes], executable: Collection[str] = ()) -> bytes:
    """A zip of ``files``; the ``executable`` ones carry mode 0755, as ``zip`` records them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if name in executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


HELLO_ZIP = make_zip({"app.py": "def handler(event, context):\n    return event\n"})


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    """A refused call's HTTP status, AWS error code and message."""
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LambentProcess:
    """``lambent server`` as a user runs it, on a free port, with its own data directory."""

    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        """``env``: variables added to the server's environment (``AWS_ENDPOINT_URL_S3``)."""
        self.data_dir = data_dir
        self.extra = extra
        self.env = dict(env or {})
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LambentProcess:
        log = (self.data_dir.parent / f"{self.data_dir.name}-server.log").open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lambent",
                "server",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                *self.extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lambent server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_lambent/health", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("lambent server did not become healthy")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def client(self, service: str = "lambda", validate: bool = True, **kwargs: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=kwargs.pop("region_name", REGION),
            aws_access_key_id=kwargs.pop("aws_access_key_id", "test"),
            aws_secret_access_key="test",
            config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
            **kwargs,
        )


def moto_command() -> list[str]:
    found = Path(sys.executable).parent / "moto_server"
    if found.exists():
        return [str(found)]
    on_path = shutil.which("moto_server")
    if on_path is None:
        pytest.skip("moto_server (moto[server]) is not installed")
    return [on_path]


@contextmanager
def moto_server(log_dir: Path) -> Iterator[str]:
    """moto's server (SQS, SNS, EventBridge, S3, ...) on a free port: its endpoint."""
    port = free_port()
    log = (log_dir / "moto.log").open("wb")
    process = subprocess.Popen(
        [*moto_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
