"""Custom runtimes (``provided.al2023``, ``provided.al2``): a ``bootstrap`` executable that
speaks the Runtime API itself, from the function's package or from a layer's /opt.

The shell bootstrap is the one of AWS's tutorial ("Building a custom runtime for AWS
Lambda": bash and curl). The missing-bootstrap error is AWS's (``Runtime.InvalidEntrypoint``,
"Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]": AWS docs,
"Troubleshoot invocation issues in Lambda").
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from tests.e2e.invoking import deploy, has, header, invoke, isolation_of, log_messages, unique
from tests.helpers import LambentProcess, make_zip

#: AWS's tutorial bootstrap; its ``#!/bin/sh`` is bash on Amazon Linux, so bash it is.
SHELL_BOOTSTRAP = """#!/bin/bash
set -euo pipefail

# Initialization - load function handler
source $LAMBDA_TASK_ROOT/"$(echo $_HANDLER | cut -d. -f1).sh"

# Processing
while true
do
  HEADERS="$(mktemp)"
  # Get an event. The HTTP request will block until one is received
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")

  # Extract request ID by scraping response headers received above
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)

  # Run the handler function from the script
  RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA")

  # Send the response
  curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \\
    -d "$RESPONSE"
done
"""

SHELL_FUNCTION = """function handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2;
  RESPONSE="Echoing request: '$EVENT_DATA'"

  echo $RESPONSE
}
"""

PYTHON_BOOTSTRAP = """#!/usr/bin/python3
import json, os, sys, urllib.request

BASE = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
HANDLER = os.environ["_HANDLER"]


def post(path, body, headers=None):
    request = urllib.request.Request(
        BASE + path, data=json.dumps(body).encode(), headers=headers or {}, method="POST"
    )
    with urllib.request.urlopen(request) as response:
        response.read()


if HANDLER == "init.fail":
    error = {"errorMessage": "init failed on purpose", "errorType": "Custom.InitError"}
    post("/init/error", error, {"Lambda-Runtime-Function-Error-Type": "Custom.InitError"})
    sys.exit(1)

print("bootstrap started from", __file__, flush=True)
while True:
    with urllib.request.urlopen(BASE + "/invocation/next") as response:
        event = json.loads(response.read())
        headers = {k.lower(): v for k, v in response.headers.items()}
    request_id = headers["lambda-runtime-aws-request-id"]
    print("handling", request_id, flush=True)
    if isinstance(event, dict) and event.get("fail"):
        error = {"errorMessage": event["fail"], "errorType": "Custom.Failure", "stackTrace": []}
        post(
            "/invocation/%s/error" % request_id,
            error,
            {"Lambda-Runtime-Function-Error-Type": "Custom.Failure"},
        )
        continue
    post(
        "/invocation/%s/response" % request_id,
        {
            "event": event,
            "request_id": request_id,
            "deadline_ms": headers.get("lambda-runtime-deadline-ms"),
            "invoked_arn": headers.get("lambda-runtime-invoked-function-arn"),
            "handler": HANDLER,
            "bootstrap": os.path.realpath(__file__),
            "cwd": os.getcwd(),
            "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS_LAMBDA", "LAMBDA"))},
        },
    )
"""


def package(files: dict[str, str | bytes], executable: tuple[str, ...] = ("bootstrap",)) -> bytes:
    """A package whose ``bootstrap`` is executable, as ``zip`` records it."""
    return make_zip(files, executable)


def needs(tool: str) -> Any:
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")


@pytest.fixture(scope="module")
def logs(server: LambentProcess) -> Any:
    return server.client("logs")


@pytest.fixture(scope="module")
def sandboxed(server: LambentProcess) -> bool:
    return isolation_of(server) == "bwrap"


@needs("curl")
@needs("bash")
@pytest.mark.parametrize("runtime", ["provided.al2023", "provided.al2"])
def test_the_tutorial_shell_bootstrap_runs(lambda_client: Any, logs: Any, runtime: str) -> None:
    name = deploy(
        lambda_client,
        package({"bootstrap": SHELL_BOOTSTRAP, "function.sh": SHELL_FUNCTION}),
        handler="function.handler",
        runtime=runtime,
    )
    for text in ("hello", "again"):
        response = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"text": text}))
        assert response["StatusCode"] == 200
        assert "FunctionError" not in response
        assert response["ExecutedVersion"] == "$LATEST"
        assert response["Payload"].read() == f'Echoing request: \'{{"text": "{text}"}}\''.encode()
    # The handler's stderr is the function's log.
    log_messages(logs, f"/aws/lambda/{name}", has('{"text": "again"}'))


@needs("python3")
def test_a_bootstrap_in_the_package_gets_the_runtime_api(
    lambda_client: Any, logs: Any, sandboxed: bool
) -> None:
    name = deploy(
        lambda_client,
        package({"bootstrap": PYTHON_BOOTSTRAP}),
        handler="my.handler",
        runtime="provided.al2023",
        Timeout=9,
    )
    response, body = invoke(lambda_client, name, {"a": [1, 2]})
    request_id = header(response, "x-amzn-RequestId")
    assert "FunctionError" not in response, body
    assert body["event"] == {"a": [1, 2]}
    assert body["request_id"] == request_id
    assert body["invoked_arn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert body["deadline_ms"].isdigit()
    assert body["handler"] == "my.handler"
    assert body["env"]["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert body["cwd"] == body["env"]["LAMBDA_TASK_ROOT"]
    if sandboxed:
        assert body["bootstrap"] == "/var/task/bootstrap"
        assert body["cwd"] == "/var/task"
    log_messages(logs, f"/aws/lambda/{name}", has(f"handling {request_id}"))
    # Warm: the same bootstrap process takes the next event.
    assert invoke(lambda_client, name, {"b": 1})[1]["event"] == {"b": 1}
    messages = log_messages(logs, f"/aws/lambda/{name}", has("handling"))
    assert sum("bootstrap started from" in m for m in messages) == 1


@needs("python3")
def test_errors_posted_by_the_runtime_are_function_errors(lambda_client: Any) -> None:
    """``/invocation/{id}/error``: the caller gets the runtime's document as the payload,
    with ``X-Amz-Function-Error: Unhandled``; the runtime then goes on."""
    name = deploy(
        lambda_client,
        package({"bootstrap": PYTHON_BOOTSTRAP}),
        handler="my.handler",
        runtime="provided.al2023",
    )
    response, body = invoke(lambda_client, name, {"fail": "went wrong"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body == {"errorMessage": "went wrong", "errorType": "Custom.Failure", "stackTrace": []}
    assert invoke(lambda_client, name, {"ok": 1})[1]["event"] == {"ok": 1}


@needs("python3")
def test_an_init_error_posted_by_the_runtime_is_answered(lambda_client: Any) -> None:
    """``/init/error``: the invocation that waited answers with the runtime's document."""
    name = deploy(
        lambda_client,
        package({"bootstrap": PYTHON_BOOTSTRAP}),
        handler="init.fail",
        runtime="provided.al2023",
    )
    response, body = invoke(lambda_client, name, {})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body == {"errorMessage": "init failed on purpose", "errorType": "Custom.InitError"}


@needs("python3")
def test_a_layers_bootstrap_runs_from_opt(lambda_client: Any, sandboxed: bool) -> None:
    """AWS looks for /var/task/bootstrap, then /opt/bootstrap (a runtime shipped as a layer)."""
    layer = lambda_client.publish_layer_version(
        LayerName=unique("runtime"),
        Content={"ZipFile": package({"bootstrap": PYTHON_BOOTSTRAP})},
        CompatibleRuntimes=["provided.al2023"],
    )["LayerVersionArn"]
    name = deploy(
        lambda_client,
        package({"handler.txt": "data"}, executable=()),
        handler="my.handler",
        runtime="provided.al2023",
        Layers=[layer],
    )
    response, body = invoke(lambda_client, name, {"from": "layer"})
    assert "FunctionError" not in response, body
    assert body["event"] == {"from": "layer"}
    if sandboxed:
        assert body["bootstrap"] == "/opt/bootstrap"


@needs("python3")
@needs("bash")
def test_the_packages_bootstrap_wins_over_a_layers(lambda_client: Any, sandboxed: bool) -> None:
    layer = lambda_client.publish_layer_version(
        LayerName=unique("runtime"),
        Content={"ZipFile": package({"bootstrap": "#!/bin/bash\nexit 7\n"})},
    )["LayerVersionArn"]
    name = deploy(
        lambda_client,
        package({"bootstrap": PYTHON_BOOTSTRAP}),
        handler="my.handler",
        runtime="provided.al2023",
        Layers=[layer],
    )
    response, body = invoke(lambda_client, name, {})
    assert "FunctionError" not in response, body
    if sandboxed:
        assert body["bootstrap"] == "/var/task/bootstrap"


@pytest.mark.parametrize("runtime", ["provided.al2023", "provided.al2"])
def test_a_missing_bootstrap_is_an_invalid_entrypoint(lambda_client: Any, runtime: str) -> None:
    """AWS: ``{"errorType": "Runtime.InvalidEntrypoint", "errorMessage": "RequestId: <id>
    Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}`` (AWS
    troubleshooting docs; the same document pasted from AWS in public issues)."""
    name = deploy(
        lambda_client,
        package({"main.go": "package main\n"}, executable=()),
        handler="bootstrap",
        runtime=runtime,
    )
    for _ in range(2):
        response, body = invoke(lambda_client, name, {})
        request_id = header(response, "x-amzn-RequestId")
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        assert body == {
            "errorType": "Runtime.InvalidEntrypoint",
            "errorMessage": (
                f"RequestId: {request_id} Error: Couldn't find valid bootstrap(s): "
                "[/var/task/bootstrap /opt/bootstrap]"
            ),
        }


def test_a_bootstrap_that_is_not_executable_is_an_invalid_entrypoint(
    lambda_client: Any,
) -> None:
    """AWS (error pasted from the console in public issues): ``Runtime.InvalidEntrypoint``,
    "RequestId: <id> Error: fork/exec /var/task/bootstrap: permission denied"."""
    name = deploy(
        lambda_client,
        package({"bootstrap": "#!/bin/sh\nexit 0\n"}, executable=()),
        handler="x",
        runtime="provided.al2023",
    )
    response, body = invoke(lambda_client, name, {})
    request_id = header(response, "x-amzn-RequestId")
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Runtime.InvalidEntrypoint",
        "errorMessage": (
            f"RequestId: {request_id} Error: fork/exec /var/task/bootstrap: permission denied"
        ),
    }


@needs("bash")
def test_a_bootstrap_that_exits_is_an_exit_error(lambda_client: Any) -> None:
    """Snapshot ``test_lambda_runtime_wrapper_not_found``: a runtime process that ends during
    init is ``Runtime.ExitError``, "Runtime exited with error: exit status N"."""
    name = deploy(
        lambda_client,
        package({"bootstrap": "#!/bin/bash\necho starting >&2\nexit 127\n"}),
        handler="x",
        runtime="provided.al2023",
    )
    response, body = invoke(lambda_client, name, {})
    request_id = header(response, "x-amzn-RequestId")
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": (
            f"RequestId: {request_id} Error: Runtime exited with error: exit status 127"
        ),
    }
