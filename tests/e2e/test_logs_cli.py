"""`aws logs ...` and `aws logs tail` (also `--follow`) against Lambent, as a user types them."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.aws_cli import Cli, cli_v1, cli_v2
from tests.e2e.logs_support import now_ms, put
from tests.helpers import LambentProcess


@pytest.fixture(scope="module")
def cli(server: LambentProcess, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    command = cli_v1()
    if command is None:
        pytest.skip("the AWS CLI (awscli) is not installed")
    return Cli(command, server.endpoint, tmp_path_factory.mktemp("aws-home"))


@pytest.fixture(scope="module")
def tail_cli(server: LambentProcess, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    command = cli_v2()
    if command is None:
        pytest.skip("`aws logs tail` needs the AWS CLI version 2 (Debian: apt-get install awscli)")
    return Cli(command, server.endpoint, tmp_path_factory.mktemp("aws2-home"))


def test_the_cli_filters_and_gets_events(cli: Cli, logs: Any, group: str, stream: str) -> None:
    put(logs, group, stream, ["START RequestId: 1", "ERROR boom", "END RequestId: 1"], now_ms())
    done = cli.run(
        "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR"
    )
    assert done.returncode == 0, done.stderr
    assert [e["message"] for e in json.loads(done.stdout)["events"]] == ["ERROR boom"]
    done = cli.run(
        "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
        "--start-from-head", "--limit", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    assert [e["message"] for e in page["events"]] == ["START RequestId: 1", "ERROR boom"]
    missing = cli.run("logs", "delete-log-group", "--log-group-name", group + "-missing")
    assert missing.returncode != 0
    assert "(ResourceNotFoundException)" in missing.stderr
    assert "The specified log group does not exist." in missing.stderr


def test_aws_logs_tail_prints_recent_events(
    tail_cli: Cli, logs: Any, group: str, stream: str
) -> None:
    now = now_ms()
    put(logs, group, stream, ["an hour ago"], now - 3_000_000)
    put(logs, group, stream, ["just now", "and now"], now - 1000)
    put(logs, group, stream, ["long ago"], now - 13 * 24 * 3600 * 1000)
    done = tail_cli.run("logs", "tail", group, "--since", "1h", "--format", "short")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["an hour ago", "just now", "and now"]
    assert all(time.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S") for line in lines)
    detailed = tail_cli.run("logs", "tail", group, "--since", "5m")
    assert detailed.returncode == 0, detailed.stderr
    assert [line.split(" ", 2)[1:] for line in detailed.stdout.splitlines()] == [
        [stream, "just now"],
        [stream, "and now"],
    ]


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def follower(tail_cli: Cli, group: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``aws logs tail GROUP --follow --format short`` running, its lines collected."""
    process = subprocess.Popen(
        tail_cli.argv("logs", "tail", group, "--follow", "--format", "short", "--color", "off"),
        env=tail_cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # how a user stops --follow
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=5)


def test_aws_logs_tail_follow_shows_new_events_once(
    follower: tuple[subprocess.Popen[str], list[str]], logs: Any, group: str, stream: str
) -> None:
    process, lines = follower
    put(logs, group, stream, ["before 1", "before 2"], now_ms() - 2000)

    def messages() -> list[str]:
        return [line.rstrip("\n").split(" ", 1)[1] for line in list(lines)]

    # The CLI polls FilterLogEvents every 5 seconds.
    assert wait_for(lambda: messages()[:2] == ["before 1", "before 2"], 15), (
        messages(),
        process.poll(),
    )
    put(logs, group, stream, ["after 1"], now_ms())
    logs.create_log_stream(logGroupName=group, logStreamName="second")
    put(logs, group, "second", ["after 2"], now_ms() + 1)
    assert wait_for(lambda: len(messages()) >= 4, 15), messages()
    time.sleep(5.5)  # one more poll: nothing may be printed twice
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)
    assert messages() == ["before 1", "before 2", "after 1", "after 2"]
