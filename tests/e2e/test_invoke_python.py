"""Invoke with the Python runtimes: real sandboxes, the official awslambdaric, boto3.

What AWS returns is taken from LocalStack's snapshots recorded against real AWS
(``tests/aws/services/lambda_/test_lambda.snapshot.json``, recorded 2025-11), from the
AWS docs ("Invoke", "Using the Lambda context object to retrieve Python function
information", "Defined runtime environment variables") and from awslambdaric itself.
"""

from __future__ import annotations

import base64
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.aws_cli import Cli, cli_v1, cli_v2
from tests.e2e.invoking import (
    FUNCTION_ARN,
    REPORT,
    STREAM,
    UUID,
    deploy,
    has,
    header,
    invoke,
    isolation_of,
    log_messages,
    processes_with,
    tail,
    unique,
    wait_ready,
    wait_until,
)
from tests.helpers import LambentProcess, make_zip

PYTHONS = ["python3.11", "python3.12", "python3.13"]

#: Reports everything a handler can see of its invocation and environment.
INTROSPECT = """
import os, sys, time

COUNT = 0


def handler(event, context):
    global COUNT
    COUNT += 1
    if isinstance(event, dict) and event.get("print"):
        print(event["print"])
    cc = context.client_context
    identity = context.identity
    try:
        import boto3
        sdk = {"version": boto3.__version__, "file": boto3.__file__}
    except ImportError as e:
        sdk = {"error": str(e)}
    return {
        "event": event,
        "count": COUNT,
        "python": "%d.%d" % sys.version_info[:2],
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "sdk": sdk,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
        },
        "client_context": None if cc is None else {
            "custom": cc.custom,
            "env": cc.env,
            "client": None if cc.client is None else {
                k: getattr(cc.client, k) for k in type(cc.client).__slots__
            },
        },
        "identity": None if identity is None else {
            "cognito_identity_id": identity.cognito_identity_id,
            "cognito_identity_pool_id": identity.cognito_identity_pool_id,
        },
    }
"""
INTROSPECT_ZIP = make_zip({"app.py": INTROSPECT})
TIMEOUT_S = 7
MEMORY_MB = 256


@pytest.fixture(scope="module")
def logs(server: LambentProcess) -> Any:
    return server.client("logs")


@pytest.fixture(scope="module")
def sandboxed(server: LambentProcess) -> bool:
    return isolation_of(server) == "bwrap"


@pytest.fixture(scope="module", params=PYTHONS)
def runtime_fn(request: pytest.FixtureRequest, lambda_client: Any) -> tuple[str, str]:
    """One introspecting function per Python runtime: (runtime, name)."""
    runtime: str = request.param
    name = deploy(
        lambda_client,
        INTROSPECT_ZIP,
        runtime=runtime,
        Timeout=TIMEOUT_S,
        MemorySize=MEMORY_MB,
        Environment={"Variables": {"MY_SETTING": "mine", "MY_EMPTY": ""}},
    )
    return runtime, name


def test_event_round_trips_unchanged(lambda_client: Any, runtime_fn: tuple[str, str]) -> None:
    runtime, name = runtime_fn
    event = {
        "text": "grüße ✓ \"quoted\" 'single'",
        "numbers": [0, -1, 1.5, 10**18],
        "nested": {"list": [{"a": None}, True, False], "empty": {}},
    }
    response, body = invoke(lambda_client, name, event)
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == event
    assert body["python"] == runtime.removeprefix("python")
    # Scalars and lists are events too.
    for scalar in ("just a string", 42, [1, "two"], None):
        assert invoke(lambda_client, name, json.dumps(scalar))[1]["event"] == scalar


def test_no_payload_is_an_empty_object(lambda_client: Any, runtime_fn: tuple[str, str]) -> None:
    """boto3 without Payload: AWS hands the function ``{}``."""
    assert invoke(lambda_client, runtime_fn[1])[1]["event"] == {}


def test_context_object_is_complete(lambda_client: Any, runtime_fn: tuple[str, str]) -> None:
    """Python context (AWS docs "Using the Lambda context object"); an unqualified call's
    ``invoked_function_arn`` has no qualifier and ``memory_limit_in_mb`` is a string, as
    in the snapshot ``test_invocation_with_qualifier``."""
    _, name = runtime_fn
    response, body = invoke(lambda_client, name, {})
    context = body["context"]
    assert UUID.match(context["aws_request_id"])
    # The Invoke call's request id is the invocation's.
    assert header(response, "x-amzn-RequestId") == context["aws_request_id"]
    assert context["function_name"] == name
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == FUNCTION_ARN + name
    assert context["memory_limit_in_mb"] == str(MEMORY_MB)
    assert context["log_group_name"] == f"/aws/lambda/{name}"
    assert STREAM.match(context["log_stream_name"]), context["log_stream_name"]
    assert context["log_stream_name"].split("/")[3].startswith("[$LATEST]")
    assert TIMEOUT_S * 1000 - 2000 < body["remaining_ms"] <= TIMEOUT_S * 1000
    assert body["client_context"] is None
    assert body["identity"] == {"cognito_identity_id": None, "cognito_identity_pool_id": None}


def test_client_context_reaches_the_handler(
    lambda_client: Any, runtime_fn: tuple[str, str]
) -> None:
    """``ClientContext`` is base64 JSON on the wire; awslambdaric exposes ``custom``,
    ``env`` and ``client`` (snapshot ``test_lambda_with_context`` shows the same object)."""
    sent = {
        "custom": {"foo": "bar", "n": 1},
        "env": {"fizz": "buzz"},
        "client": {
            "installation_id": "install-1",
            "app_title": "My App",
            "app_version_name": "1.0",
            "app_version_code": "100",
            "app_package_name": "com.example",
        },
    }
    encoded = base64.b64encode(json.dumps(sent).encode()).decode()
    _, body = invoke(lambda_client, runtime_fn[1], {}, ClientContext=encoded)
    assert body["client_context"] == sent


def test_environment_variables_aws_sets(
    lambda_client: Any, runtime_fn: tuple[str, str], sandboxed: bool
) -> None:
    """AWS docs "Defined runtime environment variables"; values as in the snapshot
    ``test_lambda_init_environment`` (recorded 2026-02)."""
    runtime, name = runtime_fn
    _, body = invoke(lambda_client, name, {})
    env, context = body["env"], body["context"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == str(MEMORY_MB)
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == context["log_stream_name"]
    assert re.fullmatch(r"[\w.-]+:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == f"AWS_Lambda_{runtime}"
    assert env["_HANDLER"] == "app.handler"
    assert env["TZ"] == ":UTC"
    assert env["LANG"] == "en_US.UTF-8"
    for credential in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert env[credential]
    path = env["PATH"].split(":")
    assert {"/usr/local/bin", "/bin"} <= set(path)
    assert "/usr/bin" in path or "/usr/bin/" in path
    task_root, runtime_dir = env["LAMBDA_TASK_ROOT"], env["LAMBDA_RUNTIME_DIR"]
    libraries = env["LD_LIBRARY_PATH"].split(":")
    assert {task_root, f"{task_root}/lib"} <= set(libraries)
    if sandboxed:
        assert (task_root, runtime_dir) == ("/var/task", "/var/runtime")
        assert path[-1] == "/opt/bin"
        assert libraries[-1] == "/opt/lib"
    # The function's own variables, empty ones included.
    assert env["MY_SETTING"] == "mine"
    assert env["MY_EMPTY"] == ""
    # Nothing of the server's own environment leaks in (pytest's variables, the venv).
    leaked = [k for k in env if k.startswith(("PYTEST", "LAMBENT")) or k == "VIRTUAL_ENV"]
    assert leaked == []


def test_boto3_is_the_runtime_included_sdk(lambda_client: Any, runtime_fn: tuple[str, str]) -> None:
    _, body = invoke(lambda_client, runtime_fn[1], {})
    sdk = body["sdk"]
    assert "error" not in sdk, sdk
    assert re.fullmatch(r"\d+\.\d+\.\d+", sdk["version"])
    # From the runtime directory, never from the platform's virtual environment.
    assert sdk["file"].startswith(body["env"]["LAMBDA_RUNTIME_DIR"] + "/")


def test_working_directory_is_the_task_root(
    lambda_client: Any, runtime_fn: tuple[str, str], sandboxed: bool
) -> None:
    _, body = invoke(lambda_client, runtime_fn[1], {})
    assert body["cwd"] == body["env"]["LAMBDA_TASK_ROOT"]
    if sandboxed:
        assert body["cwd"] == "/var/task"


def test_a_function_returning_none_answers_null(lambda_client: Any) -> None:
    """Snapshot ``test_invocation_type_no_return_payload``: the payload is ``null``."""
    name = deploy(lambda_client, {"app.py": "def handler(event, context):\n    return None\n"})
    response = lambda_client.invoke(FunctionName=name)
    assert response["Payload"].read() == b"null"


# -- warm reuse and retirement ---------------------------------------------------------------


COUNTER = """
import os
CODE = 1
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    return {
        "count": COUNT,
        "stream": context.log_stream_name,
        "mark": os.environ.get("MARK"),
        "code": CODE,
    }
"""


def test_a_warm_environment_is_reused(lambda_client: Any) -> None:
    """Module state survives between invocations of one environment (AWS's warm start)."""
    name = deploy(lambda_client, {"app.py": COUNTER})
    answers = [invoke(lambda_client, name)[1] for _ in range(4)]
    assert [a["count"] for a in answers] == [1, 2, 3, 4]
    assert len({a["stream"] for a in answers}) == 1


@pytest.mark.parametrize("change", ["configuration", "code"])
def test_an_update_starts_a_new_environment_and_retires_the_old(
    lambda_client: Any, change: str
) -> None:
    name = deploy(lambda_client, {"app.py": COUNTER})
    invoke(lambda_client, name)
    before = invoke(lambda_client, name)[1]
    assert before["count"] == 2
    old_stream = before["stream"]
    assert processes_with(old_stream), "the warm environment's runtime should be running"
    if change == "configuration":
        lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"MARK": "new"}}
        )
    else:
        new_code = make_zip({"app.py": COUNTER.replace("CODE = 1", "CODE = 2")})
        lambda_client.update_function_code(FunctionName=name, ZipFile=new_code)
    wait_ready(lambda_client, name)
    after = invoke(lambda_client, name)[1]
    assert after["count"] == 1, "a changed function must run in a fresh environment"
    assert after["stream"] != old_stream
    if change == "configuration":
        assert (after["mark"], after["code"]) == ("new", 1)
    else:
        assert (after["mark"], after["code"]) == (None, 2)
    # The old environment is retired: none of its processes remains.
    assert wait_until(lambda: not processes_with(old_stream), timeout=10), processes_with(
        old_stream
    )


# -- qualifiers, versions, aliases ------------------------------------------------------------

VERSIONED = """
import os

def handler(event, context):
    return {
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "mark": os.environ.get("MARK"),
    }
"""


@pytest.fixture(scope="module")
def versioned(lambda_client: Any) -> str:
    """Versions 1 (MARK=one) and 2 (MARK=two); aliases ``stable`` → 1 and ``canary`` → 1
    with half the traffic on 2."""
    name = deploy(lambda_client, {"app.py": VERSIONED}, Environment={"Variables": {"MARK": "one"}})
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"
    lambda_client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"MARK": "two"}}
    )
    wait_ready(lambda_client, name)
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "2"
    lambda_client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"MARK": "latest"}}
    )
    wait_ready(lambda_client, name)
    lambda_client.create_alias(FunctionName=name, Name="stable", FunctionVersion="1")
    lambda_client.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    return name


@pytest.mark.parametrize(
    ("qualifier", "version", "mark"),
    [("1", "1", "one"), ("2", "2", "two"), ("$LATEST", "$LATEST", "latest")],
)
def test_qualifier_selects_the_version(
    lambda_client: Any, versioned: str, qualifier: str, version: str, mark: str
) -> None:
    """Snapshot ``test_lambda_versions_with_code_changes``: ExecutedVersion, the context's
    version and ``invoked_function_arn`` qualified as called."""
    response, body = invoke(lambda_client, versioned, {}, Qualifier=qualifier)
    assert response["ExecutedVersion"] == version
    assert header(response, "X-Amz-Executed-Version") == version
    assert body == {
        "version": version,
        "arn": f"{FUNCTION_ARN}{versioned}:{qualifier}",
        "mark": mark,
    }


def test_an_alias_runs_its_version_and_keeps_its_name_in_the_arn(
    lambda_client: Any, versioned: str
) -> None:
    """Snapshot ``test_lambda_alias_moving``: ExecutedVersion is the alias's version, the
    ARN the alias's, by Qualifier or by a qualified FunctionName."""
    for kwargs in ({"Qualifier": "stable"}, {}):
        target = versioned if kwargs else f"{versioned}:stable"
        response, body = invoke(lambda_client, target, {}, **kwargs)
        assert response["ExecutedVersion"] == "1"
        assert body == {"version": "1", "arn": f"{FUNCTION_ARN}{versioned}:stable", "mark": "one"}


def test_a_weighted_alias_runs_both_versions(lambda_client: Any, versioned: str) -> None:
    """``canary`` sends each invocation to version 2 with probability 0.5: over 40 calls
    both versions run (all on one side: probability 2**-39)."""
    executed = []
    for _ in range(40):
        response, body = invoke(lambda_client, versioned, {}, Qualifier="canary")
        assert body["version"] == response["ExecutedVersion"]
        assert body["arn"] == f"{FUNCTION_ARN}{versioned}:canary"
        assert body["mark"] == {"1": "one", "2": "two"}[body["version"]]
        executed.append(response["ExecutedVersion"])
    assert set(executed) == {"1", "2"}
    assert 5 <= executed.count("2") <= 35


# -- logs --------------------------------------------------------------------------------------

PRINTER = """
def handler(event, context):
    for line in event.get("lines", []):
        print(line)
    return "ok"
"""


@pytest.fixture(scope="module")
def printer(lambda_client: Any) -> str:
    return deploy(lambda_client, {"app.py": PRINTER}, MemorySize=192)


def test_tail_returns_the_invocation_log(lambda_client: Any, printer: str) -> None:
    """``LogType: Tail``: base64 of the invocation's log (START, its output, END, REPORT), as
    in the snapshot ``test_invocation_with_qualifier``."""
    marker = unique("line")
    response, _ = invoke(lambda_client, printer, {"lines": [marker]}, LogType="Tail")
    request_id = header(response, "x-amzn-RequestId")
    assert header(response, "X-Amz-Log-Result") == response["LogResult"]
    lines = tail(response).splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert marker in lines
    assert lines[-2] == f"END RequestId: {request_id}"
    report = REPORT.match(lines[-1])
    assert report and report["id"] == request_id
    assert report["size"] == "192"


def test_without_tail_there_is_no_log_result(lambda_client: Any, printer: str) -> None:
    for kwargs in ({}, {"LogType": "None"}):
        response, _ = invoke(lambda_client, printer, {}, **kwargs)
        assert "LogResult" not in response
        assert header(response, "X-Amz-Log-Result") is None


def test_tail_keeps_only_the_last_4_kb(lambda_client: Any, printer: str) -> None:
    """AWS docs, Invoke ``LogType``: "the last 4 KB of the execution log"."""
    lines = [f"{i:05d} " + "x" * 90 for i in range(200)]  # ~19 KB
    response, _ = invoke(lambda_client, printer, {"lines": lines}, LogType="Tail")
    text = base64.b64decode(response["LogResult"])
    assert 3000 < len(text) <= 4096
    decoded = text.decode()
    assert decoded.splitlines()[-1].startswith("REPORT RequestId: ")
    assert lines[-1] in decoded
    assert lines[0] not in decoded


def test_report_lines_read_back_through_the_logs_api(lambda_client: Any, logs: Any) -> None:
    """REPORT format (snapshot ``test_invocation_type_event_error``): Init Duration only on
    the cold start, Billed Duration the duration rounded up, Max Memory Used > 0."""
    name = deploy(lambda_client, {"app.py": PRINTER}, MemorySize=160)
    ids = [header(invoke(lambda_client, name, {})[0], "x-amzn-RequestId") for _ in range(2)]
    messages = log_messages(
        logs, f"/aws/lambda/{name}", lambda m: sum(x.startswith("REPORT") for x in m) >= 2
    )
    reports = {}
    for message in messages:
        match = REPORT.match(message.rstrip("\n"))
        if match:
            reports[match["id"]] = match
    cold, warm = reports[ids[0]], reports[ids[1]]
    for report in (cold, warm):
        assert report["size"] == "160"
        assert int(report["used"]) > 0
        assert report["status"] is None
        assert int(report["billed"]) >= math.ceil(float(report["duration"]))
    assert int(warm["billed"]) == max(1, math.ceil(float(warm["duration"])))
    assert cold["init"] is not None and float(cold["init"]) > 0
    assert warm["init"] is None
    starts = [m for m in messages if m.startswith("START RequestId: ")]
    assert starts[:2] == [f"START RequestId: {i} Version: $LATEST" for i in ids]
    # AWS: ``INIT_START Runtime Version: python:3.10.v11\tRuntime Version ARN: <arn>``.
    arn = lambda_client.get_function_configuration(FunctionName=name)["RuntimeVersionConfig"]
    assert re.fullmatch(
        r"INIT_START Runtime Version: \S+\tRuntime Version ARN: "
        + re.escape(arn["RuntimeVersionArn"])
        + "\n?",
        messages[0],
    ), messages[0]


# -- invocation types --------------------------------------------------------------------------


def test_dry_run_answers_204_and_runs_nothing(lambda_client: Any, logs: Any, printer: str) -> None:
    """Snapshot ``test_invocation_type_dry_run``: 204 and an empty payload."""
    marker = unique("dry")
    response = lambda_client.invoke(
        FunctionName=printer,
        InvocationType="DryRun",
        Payload=json.dumps({"lines": [marker]}),
    )
    assert response["StatusCode"] == 204
    assert response["Payload"].read() == b""
    assert "ExecutedVersion" not in response
    # Something that does run afterwards is logged; the dry run never is.
    after = unique("after")
    invoke(lambda_client, printer, {"lines": [after]})
    messages = log_messages(logs, f"/aws/lambda/{printer}", has(after))
    assert not any(marker in m for m in messages)


def test_event_answers_202_and_runs(lambda_client: Any, logs: Any, printer: str) -> None:
    """Snapshot ``test_invocation_type_event``: 202, an empty payload; the function runs
    (its log appears) under the request id the call returned."""
    marker = unique("event")
    response = lambda_client.invoke(
        FunctionName=printer, InvocationType="Event", Payload=json.dumps({"lines": [marker]})
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert "FunctionError" not in response
    request_id = header(response, "x-amzn-RequestId")
    messages = log_messages(logs, f"/aws/lambda/{printer}", has(marker))
    assert f"START RequestId: {request_id} Version: $LATEST" in [m.rstrip() for m in messages]


# -- layers and the file system ----------------------------------------------------------------

LAYERED = """
import os
import shared
import only_first

def handler(event, context):
    return {
        "shared": shared.VALUE,
        "only_first": only_first.VALUE,
        "opt": sorted(os.listdir("/opt")),
        "opt_file": open("/opt/data.txt").read(),
    }
"""


def test_layers_are_merged_on_opt_later_layers_winning(lambda_client: Any, sandboxed: bool) -> None:
    """Layers are extracted to /opt in order; a ``python/`` directory is importable; a file
    in a later layer replaces the same file of an earlier one (AWS docs, "Layers")."""
    if not sandboxed:
        pytest.skip("without bubblewrap there is no /opt: layers are on the host")
    first = lambda_client.publish_layer_version(
        LayerName=unique("layer"),
        Content={
            "ZipFile": make_zip(
                {
                    "python/shared.py": "VALUE = 'first'\n",
                    "python/only_first.py": "VALUE = 'only in the first'\n",
                    "data.txt": "first",
                }
            )
        },
    )["LayerVersionArn"]
    second = lambda_client.publish_layer_version(
        LayerName=unique("layer"),
        Content={"ZipFile": make_zip({"python/shared.py": "VALUE = 'second'\n", "data.txt": "2"})},
    )["LayerVersionArn"]
    name = deploy(lambda_client, {"app.py": LAYERED}, Layers=[first, second])
    response, body = invoke(lambda_client, name, {})
    assert "FunctionError" not in response, body
    assert body == {
        "shared": "second",
        "only_first": "only in the first",
        "opt": ["data.txt", "python"],
        "opt_file": "2",
    }


TMP_WRITER = """
import os

def handler(event, context):
    path = "/tmp/" + event["file"]
    existed = os.path.exists(path)
    with open(path, "a") as f:
        f.write("x")
    with open(path) as f:
        content = f.read()
    return {"existed": existed, "content": content, "writable": os.access("/tmp", os.W_OK)}
"""


def test_tmp_is_writable_and_lasts_while_the_environment_is_warm(lambda_client: Any) -> None:
    name = deploy(lambda_client, {"app.py": TMP_WRITER})
    file = unique("f")
    first = invoke(lambda_client, name, {"file": file})[1]
    second = invoke(lambda_client, name, {"file": file})[1]
    assert first == {"existed": False, "content": "x", "writable": True}
    assert second == {"existed": True, "content": "xx", "writable": True}


# -- the AWS CLI -------------------------------------------------------------------------------


def _cli_binaries() -> list[Any]:
    found = []
    v2 = cli_v2()
    if v2 is not None:
        found.append(pytest.param((v2, 2), id="cli-v2"))
    v1 = cli_v1()
    if v1 is not None:
        found.append(pytest.param((v1, 1), id="cli-v1"))
    return found or [pytest.param(None, marks=pytest.mark.skip(reason="no AWS CLI installed"))]


@pytest.mark.parametrize("binary", _cli_binaries())
def test_aws_cli_invoke_writes_the_payload_to_a_file(
    server: LambentProcess, lambda_client: Any, printer: str, tmp_path: Path, binary: Any
) -> None:
    """``aws lambda invoke --payload ... out.json`` (CLI v2 needs
    ``--cli-binary-format raw-in-base64-out`` to send the payload as it is)."""
    command, major = binary
    cli = Cli(command, server.endpoint, tmp_path)
    out = tmp_path / "out.json"
    binary_format = ["--cli-binary-format", "raw-in-base64-out"] if major == 2 else []
    done = cli.run(
        "lambda",
        "invoke",
        "--function-name",
        printer,
        "--payload",
        json.dumps({"lines": ["from the cli"]}),
        *binary_format,
        "--log-type",
        "Tail",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["StatusCode"] == 200
    assert shown["ExecutedVersion"] == "$LATEST"
    assert "from the cli" in base64.b64decode(shown["LogResult"]).decode()
    assert json.loads(out.read_text()) == "ok"


def test_aws_cli_shows_a_function_error(
    server: LambentProcess, lambda_client: Any, tmp_path: Path
) -> None:
    name = deploy(lambda_client, {"app.py": "def handler(e, c):\n    raise KeyError('k')\n"})
    command = cli_v1() or cli_v2()
    if command is None:
        pytest.skip("no AWS CLI installed")
    cli = Cli(command, server.endpoint, tmp_path)
    out = tmp_path / "out.json"
    done = cli.run("lambda", "invoke", "--function-name", name, str(out))
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["FunctionError"] == "Unhandled"
    assert json.loads(out.read_text())["errorType"] == "KeyError"


# -- concurrency -----------------------------------------------------------------------------


def test_overlapping_invocations_get_their_own_environments(
    server: LambentProcess, lambda_client: Any
) -> None:
    """An environment serves one invocation at a time: two overlapping calls run in two
    environments (two log streams)."""
    code = "import time\ndef handler(e, c):\n    time.sleep(1)\n    return c.log_stream_name\n"
    name = deploy(lambda_client, {"app.py": code})
    clients = [server.client() for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        streams = list(pool.map(lambda c: invoke(c, name)[1], clients))
    assert len(set(streams)) == 2


# -- JSON log format -------------------------------------------------------------------------


def test_json_log_format_writes_platform_records(lambda_client: Any) -> None:
    """With ``LoggingConfig.LogFormat`` JSON, Lambda's own lines are JSON records
    (``platform.initStart``, ``platform.start``, ``platform.report``; no END line) and the
    function's logging is JSON too (AWS docs, "Configuring JSON and plain text log
    formats")."""
    code = (
        "import logging\n"
        "def handler(e, c):\n"
        "    logging.getLogger().info('hello json')\n"
        "    return 1\n"
    )
    name = deploy(lambda_client, {"app.py": code}, LoggingConfig={"LogFormat": "JSON"})
    response, _ = invoke(lambda_client, name, {}, LogType="Tail")
    records = [json.loads(line) for line in tail(response).splitlines() if line.startswith("{")]
    types = [r.get("type") for r in records]
    assert "platform.start" in types and "platform.report" in types, types
    assert not any(line.startswith("END RequestId") for line in tail(response).splitlines())
    report = next(r for r in records if r.get("type") == "platform.report")["record"]
    assert report["status"] == "success"
    assert report["metrics"]["memorySizeMB"] == 128
    assert "initDurationMs" in report["metrics"]
    app = next(r for r in records if r.get("message") == "hello json")
    assert app["level"] == "INFO"


def test_system_log_level_warn_leaves_platform_records_out(lambda_client: Any) -> None:
    name = deploy(
        lambda_client,
        {"app.py": "def handler(e, c):\n    return 1\n"},
        LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"},
    )
    response, _ = invoke(lambda_client, name, {}, LogType="Tail")
    assert "platform." not in tail(response)
