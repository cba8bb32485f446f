"""External extensions: executables in /opt/extensions, started with the runtime, given
INVOKE and SHUTDOWN events through the Extensions API (2020-01-01)."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROLE, LambentProcess, make_zip

EXTENSION = r"""#!/usr/bin/python3
import json, os, sys, time, urllib.request
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
register = urllib.request.Request(
    f"http://{api}/2020-01-01/extension/register",
    data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(),
    headers={"Lambda-Extension-Name": "recorder"},
    method="POST",
)
with urllib.request.urlopen(register) as response:
    identifier = response.headers["Lambda-Extension-Identifier"]
print("[recorder] registered", flush=True)
while True:
    nxt = urllib.request.Request(
        f"http://{api}/2020-01-01/extension/event/next",
        headers={"Lambda-Extension-Identifier": identifier},
    )
    with urllib.request.urlopen(nxt) as response:
        event = json.loads(response.read())
    detail = event.get("requestId") or event.get("shutdownReason")
    time.sleep(0.3)  # work after the function's answer: the invocation's log waits for it
    print(f"[recorder] {event['eventType']} {detail}", flush=True)
    if event["eventType"] == "SHUTDOWN":
        sys.exit(0)
"""


def _extension_layer() -> bytes:
    return make_zip({"extensions/recorder": EXTENSION}, executable=["extensions/recorder"])


@pytest.fixture(scope="module")
def short_keep_alive(tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = LambentProcess(
        Path(tmp_path_factory.mktemp("ext")) / "data", "--keep-alive", "1"
    ).start()
    yield server
    server.stop()


def _messages(logs: Any, group: str) -> list[str]:
    return [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]


@pytest.mark.slow
def test_extension_gets_invoke_and_shutdown_events(short_keep_alive: LambentProcess) -> None:
    client, logs = short_keep_alive.client(), short_keep_alive.client("logs")
    layer = client.publish_layer_version(
        LayerName="recorder", Content={"ZipFile": _extension_layer()}
    )
    client.create_function(
        FunctionName="with-extension",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 'ok'\n"})},
        Layers=[layer["LayerVersionArn"]],
    )
    client.get_waiter("function_active_v2").wait(FunctionName="with-extension")
    answer = client.invoke(FunctionName="with-extension", LogType="Tail")
    assert answer["Payload"].read() == b'"ok"'
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert "[recorder] INVOKE " in tail, tail
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        messages = _messages(logs, "/aws/lambda/with-extension")
        if "[recorder] SHUTDOWN spindown" in messages:
            break
        time.sleep(0.5)
    assert messages.index("[recorder] registered") < next(
        i for i, m in enumerate(messages) if m.startswith("START RequestId:")
    )
    assert "[recorder] SHUTDOWN spindown" in messages
