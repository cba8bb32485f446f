"""What the Invoke end-to-end tests share: deploying functions, invoking them, reading
their logs back through the CloudWatch Logs API, and finding their processes on the host."""

from __future__ import annotations

import base64
import json
import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import ROLE, make_zip

ACCOUNT = "000000000000"
REGION = "us-east-1"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: ``2026/11/22/[$LATEST]4ffee007362442899585059e175a265c``, as AWS names streams.
STREAM = re.compile(r"^\d{4}/\d\d/\d\d/\[(\$LATEST|\d+)\][0-9a-f]{32}$")
#: AWS's REPORT line (LocalStack snapshot ``test_invocation_with_logs``, recorded on AWS):
#: ``REPORT RequestId: <id>\tDuration: <d> ms\tBilled Duration: <d> ms\tMemory Size: 128
#: MB\tMax Memory Used: <m> MB\t[Init Duration: <d> ms\t]``.
REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: (?P<duration>\d+\.\d\d) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<size>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t(?:Init Duration: (?P<init>\d+\.\d\d) ms\t)?"
    r"(?:Status: (?P<status>\w+)\t(?:Error Type: (?P<error_type>[\w.]+)\t)?)?$"
)


def unique(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def wait_ready(client: Any, name: str, qualifier: str | None = None, timeout: float = 30) -> None:
    """Until the version is Active and no update is in progress (polls faster than boto3's
    waiter, whose first retry comes after a whole second)."""
    extra = {"Qualifier": qualifier} if qualifier else {}
    deadline = time.monotonic() + timeout
    while True:
        config = client.get_function_configuration(FunctionName=name, **extra)
        if config["State"] == "Failed" or config.get("LastUpdateStatus") == "Failed":
            raise AssertionError(f"{name} failed: {config.get('StateReason')}")
        if config["State"] == "Active" and config.get("LastUpdateStatus") != "InProgress":
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} did not become Active: {config['State']}")
        time.sleep(0.05)


def deploy(
    client: Any,
    files: dict[str, str | bytes] | bytes,
    *,
    handler: str = "app.handler",
    runtime: str = "python3.12",
    name: str | None = None,
    wait: bool = True,
    **config: Any,
) -> str:
    """Create a function from ``files`` (or a ready zip) and wait until it is Active."""
    name = name or unique()
    package = files if isinstance(files, bytes) else make_zip(files)
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": package},
        **config,
    )
    if wait:
        wait_ready(client, name)
    return name


def invoke(client: Any, name: str, payload: Any = None, **kwargs: Any) -> tuple[Any, Any]:
    """Invoke; the response, and its payload decoded from JSON (None when empty)."""
    if payload is not None:
        kwargs["Payload"] = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    response = client.invoke(FunctionName=name, **kwargs)
    body = response["Payload"].read()
    return response, (json.loads(body) if body else None)


def tail(response: Any) -> str:
    """The decoded ``LogResult`` of an invocation with ``LogType: Tail``."""
    return base64.b64decode(response["LogResult"]).decode()


def header(response: Any, name: str) -> str | None:
    headers: dict[str, str] = response["ResponseMetadata"]["HTTPHeaders"]
    return headers.get(name.lower())


def log_messages(
    logs: Any,
    group: str,
    until: Callable[[list[str]], bool],
    *,
    stream: str | None = None,
    timeout: float = 15,
) -> list[str]:
    """The group's (or one stream's) messages, read with FilterLogEvents until ``until``
    holds: the log sink writes in batches, so a line may take a moment to be readable."""
    deadline = time.monotonic() + timeout
    while True:
        messages: list[str] = []
        kwargs: dict[str, Any] = {"logGroupName": group}
        if stream is not None:
            kwargs["logStreamNames"] = [stream]
        try:
            for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
                messages += [event["message"] for event in page["events"]]
        except logs.exceptions.ResourceNotFoundException:
            pass
        if until(messages):
            return messages
        if time.monotonic() > deadline:
            raise AssertionError(f"log of {group} never satisfied the condition: {messages}")
        time.sleep(0.1)


def has(text: str) -> Callable[[list[str]], bool]:
    return lambda messages: any(text in m for m in messages)


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line or environment contains ``marker`` (root sees all)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for part in ("cmdline", "environ"):
            try:
                if marker.encode() in (entry / part).read_bytes():
                    found.append(int(entry.name))
                    break
            except OSError:
                continue
    return found


def wait_until(condition: Callable[[], bool], timeout: float = 10, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def owner_cgroups(server_pid: int) -> list[Path]:
    """The cgroup directories a server made for its sandboxes (``.../lambent/owner-<pid>-*``,
    under every controller, however deep the controller's base is)."""
    root = Path("/sys/fs/cgroup")
    found: list[Path] = []
    for depth in range(4):
        pattern = "/".join(["*"] * depth + ["lambent", f"owner-{server_pid}-*"])
        found += [p for p in root.glob(pattern) if p.is_dir()]
    return found


def isolation_of(server: Any) -> str:
    """The isolation mode a server announced at start-up (``bwrap`` or ``process``)."""
    log = server.data_dir.parent / f"{server.data_dir.name}-server.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        match = re.search(r"isolation: (\w+)", log.read_text(errors="replace"))
        if match:
            return match[1]
        time.sleep(0.05)
    raise AssertionError(f"the server never announced its isolation mode ({log})")
