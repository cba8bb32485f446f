"""One SQS/SNS/EventBridge peer (moto's server) and one Lambent server pointed at it, for
every asynchronous-invocation test. The server runs with ``--retry-delay-scale 0.01``:
AWS's one- and two-minute retry waits take 0.6 and 1.2 seconds, and a
MaximumEventAgeInSeconds of 60 lasts 0.6 seconds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.asynchronous.support import RECORDER, peer_client, peer_env
from tests.e2e.invoking import deploy
from tests.helpers import LambentProcess, moto_server


@pytest.fixture(scope="package")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, peer: str) -> Iterator[LambentProcess]:
    process = LambentProcess(
        tmp_path_factory.mktemp("lambent-async") / "data",
        "--retry-delay-scale",
        "0.01",
        env=peer_env(peer),
    ).start()
    yield process
    assert process.stop() == 0


@pytest.fixture(scope="package")
def client(server: LambentProcess) -> Any:
    return server.client()


@pytest.fixture(scope="package")
def logs(server: LambentProcess) -> Any:
    return server.client("logs")


@pytest.fixture(scope="package")
def sqs(peer: str) -> Any:
    return peer_client(peer, "sqs")


@pytest.fixture(scope="package")
def recorder(client: Any) -> str:
    """A function that prints every event it gets: a destination to read records from."""
    return deploy(client, {"app.py": RECORDER})
