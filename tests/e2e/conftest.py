"""End-to-end fixtures: one real Lambent server for the session, driven with boto3."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import HELLO_ZIP, ROLE, LambentProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambentProcess]:
    process = LambentProcess(tmp_path_factory.mktemp("lambent") / "data").start()
    yield process
    assert process.stop() == 0, "the server must shut down cleanly on SIGTERM"


@pytest.fixture(scope="session")
def endpoint(server: LambentProcess) -> str:
    return server.endpoint


@pytest.fixture(scope="session")
def lambda_client(server: LambentProcess) -> Any:
    return server.client()


@pytest.fixture(scope="session")
def raw_client(server: LambentProcess) -> Any:
    """A client that skips boto3's own validation, as other SDKs and raw HTTP may."""
    return server.client(validate=False)


@pytest.fixture
def name() -> str:
    """A function name no other test uses."""
    return f"fn-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def function(lambda_client: Any, name: str) -> dict[str, Any]:
    """An Active Python function."""
    created: dict[str, Any] = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    return created


@pytest.fixture(scope="module")
def logs(server: LambentProcess) -> Any:
    """A CloudWatch Logs client on the same server."""
    return server.client("logs")


@pytest.fixture
def group(logs: Any) -> str:
    """A new log group no other test uses."""
    name = f"/test/{uuid.uuid4().hex[:12]}"
    logs.create_log_group(logGroupName=name)
    return name


@pytest.fixture
def stream(logs: Any, group: str) -> str:
    logs.create_log_stream(logGroupName=group, logStreamName="main")
    return "main"


@pytest.fixture
def tmp_data(tmp_path: Path) -> Path:
    return tmp_path / "data"
