"""Python and Node.js cold starts from spare environments behave exactly as fresh ones.

Two servers, one with ``--spare-environments`` (cold starts take a spare sandbox whose
runtime client is already imported) and one with 0 (every cold start starts bwrap and
a runtime): the same functions must answer the same, to the byte where nothing
per-environment is involved: context, environment variables, function errors, init
errors, timeouts, the memory limit, the log format, the JSON encoder's per-runtime
options. Each comparison also checks that the spare server did take a spare.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.invoking import deploy, header, invoke, tail
from tests.e2e.test_invoke_python import INTROSPECT
from tests.helpers import LambentProcess

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="spare environments need root"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed"),
]

SPARES = "spares"
FRESH = "fresh"
#: A cold start waits this long first, so that the spare server has replaced the spares
#: the previous ones took (~0.1 s each): each comparison is then spare against fresh.
_SETTLE_S = 0.3
#: What the spare server logs when a cold start found no spare ready.
_NO_SPARE = re.compile(r"cold start without a spare environment: no (python|nodejs)[\d.x]+ spare")

#: Tells whether it runs in a spare's sandbox (its cgroup is named after the spare).
WHERE = "\ndef _spare():\n    return 'lambent-spare-' in open('/proc/self/cgroup').read()\n"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LambentProcess]]:
    started: dict[str, LambentProcess] = {}
    try:
        for kind, count in ((SPARES, "2"), (FRESH, "0")):
            data = tmp_path_factory.mktemp(kind) / "data"
            started[kind] = LambentProcess(data, "--spare-environments", count).start()
        yield started
    finally:
        for server in started.values():
            assert server.stop() == 0


def server_log(server: LambentProcess) -> str:
    return (server.data_dir.parent / f"{server.data_dir.name}-server.log").read_text()


@dataclass(frozen=True)
class Answer:
    response: Any
    body: Any
    raw: bytes


def on_both(
    servers: dict[str, LambentProcess], files: dict[str, str], event: Any = None, **config: Any
) -> dict[str, Answer]:
    """Deploy ``files`` on both servers and invoke each once, cold."""
    answers = {}
    for kind, server in servers.items():
        client = server.client()
        name = deploy(client, files, **config)
        time.sleep(_SETTLE_S)
        payload = json.dumps({} if event is None else event)
        response = client.invoke(FunctionName=name, Payload=payload, LogType="Tail")
        raw = response["Payload"].read()
        answers[kind] = Answer(response, json.loads(raw) if raw else None, raw)
    assert not _NO_SPARE.search(server_log(servers[SPARES])), "a cold start found no spare"
    return answers


def test_both_servers_say_how_they_start_environments(
    servers: dict[str, LambentProcess],
) -> None:
    said = server_log(servers[SPARES])
    assert "cold starts: cold starts take one of 2 spare environments per runtime (python" in said
    assert re.search(r"cold starts: .*, nodejs\d+\.x\), started ahead", said)
    assert (
        "cold starts: every cold start starts a new sandbox and runtime "
        "(spare environments are off: --spare-environments 0)"
    ) in server_log(servers[FRESH])


@pytest.mark.parametrize("runtime", ["python3.11", "python3.12"])
def test_context_and_environment_are_the_same(
    servers: dict[str, LambentProcess], runtime: str
) -> None:
    files = {"app.py": INTROSPECT.replace("def handler(", WHERE + "\ndef handler(")}
    files["app.py"] = files["app.py"].replace(
        '"count": COUNT,', '"count": COUNT, "spare": _spare(),'
    )
    variables = {"MY_SETTING": "mine", "TZ_CHECK": "x"}
    results = on_both(
        servers,
        files,
        {"print": "hello"},
        runtime=runtime,
        MemorySize=256,
        Timeout=7,
        Environment={"Variables": variables},
    )
    bodies = {kind: answer.body for kind, answer in results.items()}
    assert (bodies[SPARES].pop("spare"), bodies[FRESH].pop("spare")) == (True, False)
    for body in bodies.values():
        # Per environment or per invocation, never the same twice.
        for key in ("AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "_X_AMZN_TRACE_ID"):
            body["env"].pop(key, None)
        for key in ("aws_request_id", "log_stream_name"):
            body["context"].pop(key)
        body["context"]["invoked_function_arn"] = body["context"]["invoked_function_arn"].replace(
            body["context"]["function_name"], "FN"
        )
        for key in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_LOG_GROUP_NAME"):
            body["env"][key] = body["env"][key].replace(body["context"]["function_name"], "FN")
        body["context"]["function_name"] = "FN"
        body["context"]["log_group_name"] = "/aws/lambda/FN"
        body["remaining_ms"] = body["remaining_ms"] // 1000
    assert bodies[SPARES] == bodies[FRESH]
    assert bodies[SPARES]["env"]["MY_SETTING"] == "mine"
    assert bodies[SPARES]["cwd"] == "/var/task"
    logs = {kind: tail(answer.response).splitlines() for kind, answer in results.items()}
    assert all("hello" in lines for lines in logs.values())


@pytest.mark.parametrize("runtime", ["python3.11", "python3.12"])
def test_the_json_encoder_follows_the_runtime(
    servers: dict[str, LambentProcess], runtime: str
) -> None:
    """awslambdaric picks its encoder's options from ``AWS_EXECUTION_ENV`` when it is
    imported (non-ASCII is escaped before python3.12): a spare must import it afresh."""
    code = "def handler(event, context):\n    return {'text': 'grüße ✓', 'nan': float('nan')}\n"
    results = on_both(servers, {"app.py": code}, runtime=runtime)
    assert results[SPARES].raw == results[FRESH].raw
    assert (b"\\u00fc" in results[SPARES].raw) is (runtime == "python3.11")


def test_json_log_format_is_the_functions(servers: dict[str, LambentProcess]) -> None:
    """The log format is read by awslambdaric's bootstrap as it is imported."""
    code = (
        "import logging\nlogging.getLogger().setLevel(logging.INFO)\n"
        "def handler(event, context):\n    logging.info('structured')\n    return 1\n"
    )
    results = on_both(
        servers,
        {"app.py": code},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"},
    )
    for answer in results.values():
        assert answer.body == 1
        line = next(x for x in tail(answer.response).splitlines() if "structured" in x)
        document = json.loads(line)
        assert (document["level"], document["message"]) == ("INFO", "structured")


@pytest.mark.parametrize(
    ("files", "handler"),
    [
        pytest.param({"app.py": "x = 1\n"}, "missing.handler", id="import-module-error"),
        pytest.param({"app.py": "x = 1\n"}, "app.nothere", id="handler-not-found"),
        pytest.param({"app.py": "def handler(e, c)\n    pass\n"}, "app.handler", id="syntax"),
        pytest.param({"app.py": "raise KeyError('at import')\n"}, "app.handler", id="raises"),
        pytest.param(
            {"app.py": "def handler(e, c):\n    raise ValueError('in handler')\n"},
            "app.handler",
            id="handler-raises",
        ),
    ],
)
def test_errors_are_the_same(
    servers: dict[str, LambentProcess], files: dict[str, str], handler: str
) -> None:
    results = on_both(servers, files, handler=handler)
    for answer in results.values():
        assert answer.response["FunctionError"] == "Unhandled"
        if answer.body.get("requestId"):
            request_id = header(answer.response, "x-amzn-RequestId")
            assert answer.body.pop("requestId") == request_id
    assert results[SPARES].body == results[FRESH].body


def test_timeouts_are_the_same(servers: dict[str, LambentProcess]) -> None:
    code = "import time\ndef handler(e, c):\n    time.sleep(5)\n"
    results = on_both(servers, {"app.py": code}, Timeout=1)
    for answer in results.values():
        request_id = header(answer.response, "x-amzn-RequestId")
        assert answer.body == {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
        }


def test_the_memory_limit_is_the_functions(servers: dict[str, LambentProcess]) -> None:
    """Spares wait with a small limit of their own: a taken one gets the function's."""
    code = (
        "def handler(event, context):\n"
        "    hog = bytearray(event['mb'] * 1024 * 1024)\n"
        "    for i in range(0, len(hog), 4096):\n        hog[i] = 1\n"
        "    return len(hog) // (1024 * 1024)\n"
    )
    results = on_both(servers, {"app.py": code}, {"mb": 200}, MemorySize=256, Timeout=30)
    assert {kind: answer.body for kind, answer in results.items()} == {SPARES: 200, FRESH: 200}
    results = on_both(servers, {"app.py": code}, {"mb": 300}, MemorySize=128, Timeout=30)
    for answer in results.values():
        assert answer.body["errorType"] == "Runtime.OutOfMemory"
        assert "signal: killed" in answer.body["errorMessage"]
        assert answer.response["FunctionError"] == "Unhandled"


def test_a_function_shipping_a_module_a_spare_imported_starts_afresh(
    servers: dict[str, LambentProcess],
) -> None:
    """Its own ``ctypes`` (which a spare's stub imports and the runtime client does not)
    must win, as it does without spares; the server says why it did without a spare."""
    files = {
        "app.py": WHERE + "import ctypes\ndef handler(e, c):\n    return [ctypes.MINE, _spare()]\n",
        "ctypes/__init__.py": "MINE = 'the function s own'\n",
    }
    results = on_both(servers, files)
    assert {kind: answer.body for kind, answer in results.items()} == {
        SPARES: ["the function s own", False],
        FRESH: ["the function s own", False],
    }
    assert "ships its own ctypes, which a spare has imported" in server_log(servers[SPARES])


def test_process_isolation_says_it_has_no_spares(tmp_path: Path) -> None:
    server = LambentProcess(tmp_path / "data", "--isolation", "process").start()
    try:
        assert (
            "cold starts: every cold start starts a new sandbox and runtime "
            "(no spare environments in process isolation mode)"
        ) in server_log(server)
        client = server.client()
        name = deploy(client, {"app.py": "def handler(e, c):\n    return 'plain'\n"})
        assert invoke(client, name)[1] == "plain"
    finally:
        assert server.stop() == 0


#: A Node.js function that reports what a runtime started for it can see.
NODE_INTROSPECT = """
const fs = require('fs');
const entries = (text) => text.split('\\0').filter(Boolean);
exports.handler = async (event, context) => {
  console.log('hello from node');
  return {
    spare: fs.readFileSync('/proc/self/cgroup', 'utf8').includes('lambent-spare-'),
    env: { ...process.env },
    environ: entries(fs.readFileSync('/proc/self/environ', 'utf8')).sort(),
    cmdline: entries(fs.readFileSync('/proc/self/cmdline', 'utf8')),
    argv: process.argv,
    execArgv: process.execArgv,
    cwd: process.cwd(),
    epoch: new Date(0).toString(),
    stackTraceLimit: Error.stackTraceLimit,
    paths: module.paths,
    context: {
      functionName: context.functionName,
      memoryLimitInMB: context.memoryLimitInMB,
      functionVersion: context.functionVersion,
      remaining: Math.floor(context.getRemainingTimeInMillis() / 1000),
    },
  };
};
"""
#: Per environment or per invocation: never the same on both servers.
_NODE_OWN = ("AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "_X_AMZN_TRACE_ID")


def _node_comparable(body: dict[str, Any]) -> dict[str, Any]:
    name = body["context"]["functionName"]
    for key in _NODE_OWN:
        body["env"].pop(key, None)
    body["env"] = {k: v.replace(name, "FN") for k, v in body["env"].items()}
    body["environ"] = [
        entry.replace(name, "FN") for entry in body["environ"] if not entry.startswith(_NODE_OWN)
    ]
    body["context"]["functionName"] = "FN"
    return body


def test_nodejs_context_and_environment_are_the_same(servers: dict[str, LambentProcess]) -> None:
    """The environment (``process.env`` and what ``/proc/<pid>/environ`` shows), the
    command line, the working directory, the time zone and module paths."""
    variables = {"MY_SETTING": "mine", "TZ": "America/New_York"}
    results = on_both(
        servers,
        {"index.js": NODE_INTROSPECT},
        handler="index.handler",
        runtime="nodejs20.x",
        MemorySize=256,
        Timeout=7,
        Environment={"Variables": variables},
    )
    bodies = {kind: _node_comparable(answer.body) for kind, answer in results.items()}
    assert (bodies[SPARES].pop("spare"), bodies[FRESH].pop("spare")) == (True, False)
    assert bodies[SPARES] == bodies[FRESH]
    assert bodies[SPARES]["env"]["MY_SETTING"] == "mine"
    assert "LAMBENT_SPARE_CHANNEL" not in bodies[SPARES]["env"]
    assert bodies[SPARES]["cwd"] == "/var/task"
    assert bodies[SPARES]["cmdline"][1:] == [
        "--expose-gc",
        "--max-http-header-size=81920",
        "/var/runtime/index.mjs",
    ]
    assert "GMT-0500" in bodies[SPARES]["epoch"]
    for answer in results.values():
        assert "hello from node" in tail(answer.response)


@pytest.mark.parametrize(
    ("files", "handler"),
    [
        pytest.param({"index.js": "x = 1;\n"}, "missing.handler", id="import-module-error"),
        pytest.param({"index.js": "x = 1;\n"}, "index.nothere", id="handler-not-found"),
        pytest.param({"index.mjs": "export const = 1;\n"}, "index.handler", id="syntax"),
        pytest.param(
            {"index.js": "throw new TypeError('at import');\n"}, "index.handler", id="raises"
        ),
        pytest.param(
            {"index.mjs": "export const handler = async () => { throw new RangeError('in'); };\n"},
            "index.handler",
            id="handler-raises",
        ),
    ],
)
def test_nodejs_errors_are_the_same(
    servers: dict[str, LambentProcess], files: dict[str, str], handler: str
) -> None:
    """Stack traces included: the runtime's own frames are the same file and line."""
    results = on_both(servers, files, handler=handler, runtime="nodejs20.x")
    for answer in results.values():
        assert answer.response["FunctionError"] == "Unhandled"
    assert results[SPARES].body == results[FRESH].body
    assert results[SPARES].body["errorType"] in {
        "Runtime.ImportModuleError",
        "Runtime.HandlerNotFound",
        "Runtime.UserCodeSyntaxError",
        "TypeError",
        "RangeError",
    }


def test_nodejs_memory_limit_is_the_functions(servers: dict[str, LambentProcess]) -> None:
    code = (
        "exports.handler = async (event) => {\n"
        "  const hog = Buffer.alloc(event.mb * 1024 * 1024, 1);\n"
        "  return hog.length / (1024 * 1024);\n};\n"
    )
    config = {"handler": "index.handler", "runtime": "nodejs20.x", "Timeout": 30}
    results = on_both(servers, {"index.js": code}, {"mb": 150}, MemorySize=256, **config)
    assert {kind: answer.body for kind, answer in results.items()} == {SPARES: 150, FRESH: 150}
    results = on_both(servers, {"index.js": code}, {"mb": 300}, MemorySize=128, **config)
    for answer in results.values():
        assert answer.body["errorType"] == "Runtime.OutOfMemory"
        assert answer.response["FunctionError"] == "Unhandled"


def test_nodejs_options_start_afresh(servers: dict[str, LambentProcess]) -> None:
    """``NODE_OPTIONS`` is read as Node starts: such a function cannot take a spare."""
    results = on_both(
        servers,
        {"index.js": NODE_INTROSPECT},
        handler="index.handler",
        runtime="nodejs20.x",
        Environment={"Variables": {"NODE_OPTIONS": "--stack-trace-limit=3"}},
    )
    for answer in results.values():
        assert (answer.body["spare"], answer.body["stackTraceLimit"]) == (False, 3)
    assert "the environment sets NODE_OPTIONS, which is read as the runtime starts" in (
        server_log(servers[SPARES])
    )
