"""``AWS_LAMBDA_EXEC_WRAPPER``: a script the managed runtimes start through (AWS's
"Modifying the runtime environment": wrapper scripts), from the function's package or a
layer; and the command line AWS's Node.js bootstrap gives every function.

A wrapper that is missing or not executable fails the start as AWS's bootstrap does:
it says so on stdout and exits 127 or 126 ("Runtime exited with error: exit status
127" is LocalStack's snapshot ``test_lambda_runtime_wrapper_not_found``, recorded on AWS).
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.e2e.invoking import deploy, header, invoke, isolation_of, log_messages, unique
from tests.helpers import LambentProcess, make_zip

#: Marks the environment, and records what it was asked to run, then runs it.
WRAPPER = '#!/bin/sh\nexport WRAPPED_BY="$0"\nexport WRAPPED_ARGS="$*"\nexec "$@"\n'

PYTHON = """
import os
def handler(event, context):
    return {"by": os.environ.get("WRAPPED_BY"), "args": os.environ.get("WRAPPED_ARGS")}
"""

NODE = """
import http from 'node:http';
export const handler = async () => ({
  by: process.env.WRAPPED_BY ?? null,
  args: process.env.WRAPPED_ARGS ?? null,
  gc: typeof globalThis.gc,
  maxHeaderSize: http.maxHeaderSize,
});
"""

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


@pytest.fixture(scope="module")
def sandboxed(server: LambentProcess) -> None:
    """The wrapper's path is the sandbox's (/var/task, /opt): process isolation has none."""
    if isolation_of(server) != "bwrap":
        pytest.skip("process isolation has no /var/task or /opt")


def test_a_wrapper_in_the_package_starts_the_python_runtime(
    lambda_client: Any, sandboxed: None
) -> None:
    name = deploy(
        lambda_client,
        make_zip({"app.py": PYTHON, "wrapper.sh": WRAPPER}, executable=["wrapper.sh"]),
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"}},
    )
    response, body = invoke(lambda_client, name, {})
    assert "FunctionError" not in response
    assert body["by"] == "/var/task/wrapper.sh"
    # The runtime's own command line follows: the interpreter, its client, the handler.
    assert body["args"].split()[-3:] == ["-m", "awslambdaric", "app.handler"]


@needs_node
def test_a_wrapper_in_a_layer_starts_the_nodejs_runtime(
    lambda_client: Any, sandboxed: None
) -> None:
    layer = lambda_client.publish_layer_version(
        LayerName=unique("wrapper"),
        Content={"ZipFile": make_zip({"wrapper": WRAPPER}, ["wrapper"])},
    )["LayerVersionArn"]
    name = deploy(
        lambda_client,
        {"index.mjs": NODE},
        handler="index.handler",
        runtime="nodejs20.x",
        Layers=[layer],
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper"}},
    )
    body = invoke(lambda_client, name, {})[1]
    assert body["by"] == "/opt/wrapper"
    assert body["args"].endswith("/index.mjs")
    assert "--expose-gc" in body["args"].split()


@needs_node
def test_nodejs_functions_get_the_flags_of_aws_bootstrap(lambda_client: Any) -> None:
    """``global.gc`` exists and Node's HTTP header limit is 80 KiB, as AWS's bootstrap has
    them (``--expose-gc --max-http-header-size 81920``); no wrapper, no wrapper variables."""
    name = deploy(lambda_client, {"index.mjs": NODE}, handler="index.handler", runtime="nodejs20.x")
    body = invoke(lambda_client, name, {})[1]
    assert body == {"by": None, "args": None, "gc": "function", "maxHeaderSize": 81920}


@pytest.mark.parametrize(
    ("files", "executable", "status", "says"),
    [
        ({"app.py": PYTHON}, [], 127, "/var/task/wrapper.sh: does not exist"),
        (
            {"app.py": PYTHON, "wrapper.sh": WRAPPER},
            [],
            126,
            "/var/task/wrapper.sh: is not an executable",
        ),
    ],
)
def test_a_wrapper_that_cannot_run_fails_the_start(
    lambda_client: Any,
    logs: Any,
    sandboxed: None,
    files: dict[str, str],
    executable: list[str],
    status: int,
    says: str,
) -> None:
    name = deploy(
        lambda_client,
        make_zip(dict(files), executable),
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"}},
    )
    response, body = invoke(lambda_client, name, {})
    request_id = header(response, "x-amzn-RequestId")
    assert response["FunctionError"] == "Unhandled"
    reason = f"Runtime exited with error: exit status {status}"
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: {reason}",
    }
    log_messages(logs, f"/aws/lambda/{name}", lambda messages: says in messages)
