"""The Node.js runtime Lambent ships (``lambent/runtimes/nodejs``), run as Lambda runs it,
against a real Runtime API listener; and, case by case, against AWS's official
``aws-lambda-ric`` (3.x, built from npm into the gitignored ``.cache``).

The bootstrap starts as ``node <runtime dir>/index.mjs`` with ``_HANDLER``,
``LAMBDA_TASK_ROOT`` and ``AWS_LAMBDA_RUNTIME_API`` in its environment; the official client
as ``node aws-lambda-ric/bin/index.mjs HANDLER`` in the task root.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import lambent
from lambent.runtime_api import (
    FunctionError,
    FunctionMetadata,
    InitDone,
    InitError,
    InitOutcome,
    Invocation,
    Outcome,
    RuntimeApi,
    Success,
)

REPO = Path(__file__).resolve().parents[3]
BOOTSTRAP = Path(lambent.__file__).parent / "runtimes" / "nodejs" / "index.mjs"
#: Where the official client is built for the comparison (gitignored, reused across runs).
RIC_VERSION = "3.3.0"
RIC_DIR = REPO / ".cache" / "runtimes" / "nodejs-ric"
RIC_BIN = RIC_DIR / "node_modules" / "aws-lambda-ric" / "bin" / "index.mjs"
RIC_NATIVE = RIC_DIR / "node_modules" / "aws-lambda-ric" / "dist" / "rapid-client.node"

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
META = FunctionMetadata("fn", "$LATEST", "index.echo", "123456789012")
FUNCTION_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "fn",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]abcdef",
}
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

# -- the function code the cases run ---------------------------------------------------

CJS = r"""
exports.echo = async (event) => event;

exports.context = async (event, context) => ({
  keys: Object.keys(context),
  awsRequestId: context.awsRequestId,
  invokedFunctionArn: context.invokedFunctionArn,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  memoryLimitInMB: context.memoryLimitInMB,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  remaining: context.getRemainingTimeInMillis(),
  clientContext: context.clientContext ?? null,
  identity: context.identity ?? null,
  waits: context.callbackWaitsForEmptyEventLoop,
  traceId: process.env._X_AMZN_TRACE_ID ?? null,
  cwd: process.cwd(),
});

exports.nested = { deep: { fn: async () => 'nested' } };
exports.notFunction = 42;

let timerFired = false;
exports.callbackWaits = (event, context, callback) => {
  timerFired = false;
  setTimeout(() => { timerFired = true; }, 150);
  callback(null, { waited: true });
};
exports.timerFired = async () => timerFired;
exports.callbackNoWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 1500);
  callback(null, 'no wait');
};
exports.callbackError = (event, context, callback) => callback(new RangeError('out of range'));
exports.callbackString = (event, context, callback) => callback('plain words');
exports.succeed = (event, context) => { context.succeed({ legacy: 'succeed' }); };
exports.fail = (event, context) => { context.fail(new Error('legacy fail')); };
exports.done = (event, context) => { context.done(null, 'legacy done'); };
exports.sync = () => 'ignored';
exports.undef = async () => undefined;

exports.throwsError = async (event) => { throw new TypeError('kaboom ' + event.word); };
exports.throwsSync = () => { throw new Error('thrown synchronously'); };
exports.throwsString = async () => { throw 'a string'; };
exports.throwsNumber = async () => { throw 42; };
class MyError extends Error {
  constructor(message) { super(message); this.name = 'MyError'; this.code = 'E_MINE'; }
}
exports.throwsCustom = async () => { throw new MyError('mine\nsecond line'); };
exports.circular = async () => { const a = {}; a.self = a; return a; };
exports.rejects = async () => {
  Promise.reject(new Error('nobody listens'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return 'too late';
};
exports.crashes = async () => {
  setTimeout(() => { throw new SyntaxError('crash in a timer'); }, 5);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return 'too late';
};

exports.logs = async () => {
  console.log('hello', { a: 1 }, [2]);
  console.info('multi\nline');
  console.warn('warn %d', 5);
  console.error(new Error('oops'));
  console.debug('debug');
  console.trace('trace');
  console.fatal('fatal');
  console.log({ structured: true });
  console.log();
  return 'logged';
};

exports.big = async (event) => 'x'.repeat(event.size);
"""

ESM = r"""
// Top-level await: init waits for it.
const config = await new Promise((resolve) => setTimeout(() => resolve({ loaded: 'esm' }), 20));
export const handler = async (event) => ({ ...config, event, kind: typeof require });
export const nested = { fn: async () => 'esm nested' };
"""

STREAMING = r"""
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  responseStream.write('hello ');
  await new Promise((resolve) => setTimeout(resolve, 10));
  responseStream.write('world');
  responseStream.end();
});
export const fails = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('partial');
  throw new TypeError('mid-stream');
});
export const http = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201 });
  stream.write('body');
  stream.end();
});
export const notAsync = awslambda.streamifyResponse((event, responseStream) => {
  responseStream.end('sync');
});
export const returns = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.end('returned');
  return 5;
});
"""

FILES: dict[str, str] = {
    "index.js": CJS,
    "esm.mjs": ESM,
    "stream.mjs": STREAMING,
    # .js is an ES module under a package.json that says so.
    "modpkg/package.json": '{"type": "module"}',
    "modpkg/app.js": "export const handler = async () => ({ kind: typeof require });\n",
    # Without one, .js is CommonJS; .cjs always is.
    "sub/dir/deep.cjs": "exports.handler = async () => ({ kind: typeof require });\n",
    # .js wins over .mjs (AWS's order: .js, .mjs, .cjs).
    "order.js": "exports.handler = async () => 'js';\n",
    "order.mjs": "export const handler = async () => 'mjs';\n",
    "onlycjs.cjs": "exports.handler = async () => 'cjs';\n",
    "syntax.js": "exports.handler = async () => {;\n",
    "initthrow.js": "throw new Error('failed at init');\n",
    "esmdep.mjs": "import x from 'no-such-package';\nexport const handler = async () => x;\n",
}


@pytest.fixture(scope="module")
def task_root() -> Iterator[Path]:
    # A directory of our own: pytest prunes old basetemp directories when other sessions
    # start, which a long run here must not notice.
    with tempfile.TemporaryDirectory(prefix="lambent-nodejs-") as directory:
        root = Path(directory)
        for name, text in FILES.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        yield root


# -- running a runtime against a listener ---------------------------------------------


def run_async(
    test: Callable[..., Coroutine[Any, Any, None]] | None = None, *, seconds: float = 100
) -> Any:
    """Run an ``async def`` test on a fresh event loop, bounded in time (``seconds``)."""

    def wrap(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> None:
            async def bounded() -> None:
                async with asyncio.timeout(seconds):
                    await test(*args, **kwargs)

            asyncio.run(bounded())

        return run

    return wrap if test is None else wrap(test)


def invocation(request_id: str, payload: Any = None, **fields: Any) -> Invocation:
    return Invocation(
        request_id=request_id,
        payload=json.dumps({} if payload is None else payload).encode(),
        deadline_ms=fields.pop("deadline_ms", int(time.time() * 1000) + 30_000),
        invoked_function_arn=fields.pop("invoked_function_arn", ARN),
        **fields,
    )


@dataclass
class Runtime:
    """How to start one Node.js runtime implementation for a handler."""

    name: str
    argv: Callable[[str], list[str]]


OURS = Runtime("ours", lambda handler: ["node", str(BOOTSTRAP)])
OFFICIAL = Runtime("official", lambda handler: ["node", str(RIC_BIN), handler])


@dataclass
class Environment:
    """A Runtime API listener and one runtime process serving ``handler``."""

    runtime: Runtime
    handler: str
    task_root: Path
    env: dict[str, str] = field(default_factory=dict)

    async def __aenter__(self) -> Environment:
        self.api = await RuntimeApi.start(META)
        self.stdout = self.task_root / f".{self.runtime.name}-{id(self)}.out"
        self.stderr = self.task_root / f".{self.runtime.name}-{id(self)}.err"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment.update(
            FUNCTION_ENV,
            AWS_LAMBDA_RUNTIME_API=self.api.address,
            _HANDLER=self.handler,
            LAMBDA_TASK_ROOT=str(self.task_root),
            **self.env,
        )
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(
                *self.runtime.argv(self.handler),
                env=environment,
                cwd=self.task_root,
                stdout=out,
                stderr=err,
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await self.api.close()

    async def ready(self) -> InitOutcome:
        """The end of init; fails at once, with what it printed, if the runtime died first."""
        ready = asyncio.ensure_future(self.api.wait_ready())
        exited = asyncio.ensure_future(self.process.wait())
        await asyncio.wait({ready, exited}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        if not ready.done():
            ready.cancel()
            raise AssertionError(f"no init outcome; stderr: {self.stderr_text()[-2000:]}")
        return ready.result()

    async def invoke(self, request_id: str, payload: Any = None, **fields: Any) -> Outcome:
        """One invocation; waits until the runtime asked for the next one, unless it died."""
        outcome = await asyncio.wait_for(
            self.api.invoke(invocation(request_id, payload, **fields)), 20
        )
        idle = asyncio.ensure_future(self.api.wait_idle())
        exited = asyncio.ensure_future(self.process.wait())
        await asyncio.wait({idle, exited}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        idle.cancel()
        exited.cancel()
        return outcome

    async def exit_code(self) -> int:
        return await asyncio.wait_for(self.process.wait(), 10)

    async def logs(self) -> list[str]:
        """Everything written to stdout, one record a line (after the process ended)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        # Bytes: text mode would turn the \r inside records into line ends.
        return self.stdout.read_bytes().decode().split("\n")[:-1]

    def stderr_text(self) -> str:
        return self.stderr.read_text()


def error_of(outcome: Outcome | InitOutcome) -> dict[str, Any]:
    assert isinstance(outcome, FunctionError | InitError), outcome
    document: dict[str, Any] = json.loads(outcome.payload)
    assert document["errorType"] == outcome.error_type
    return document


def result_of(outcome: Outcome) -> Any:
    assert isinstance(outcome, Success), outcome
    assert outcome.content_type == "application/json"
    return json.loads(outcome.payload)


# -- our bootstrap ---------------------------------------------------------------------


@run_async
async def test_commonjs_async_handler_and_warm_reuse(task_root: Path) -> None:
    async with Environment(OURS, "index.echo", task_root) as env:
        assert await env.ready() == InitDone(())
        for number in range(3):
            assert result_of(await env.invoke(f"r{number}", {"n": number})) == {"n": number}
        assert env.process.returncode is None


@run_async
async def test_the_context_object(task_root: Path) -> None:
    client_context = {"custom": {"tenant": "t1"}, "env": {"platform": "x"}, "client": {}}
    identity = {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "pool"}
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    async with Environment(OURS, "index.context", task_root) as env:
        await env.ready()
        context = result_of(
            await env.invoke(
                "req-ctx",
                deadline_ms=int(time.time() * 1000) + 4000,
                client_context=json.dumps(client_context),
                cognito_identity=json.dumps(identity),
                trace_id=trace,
            )
        )
        bare = result_of(await env.invoke("req-bare"))
    assert context["keys"] == [
        "callbackWaitsForEmptyEventLoop",
        "succeed",
        "fail",
        "done",
        "functionVersion",
        "functionName",
        "memoryLimitInMB",
        "logGroupName",
        "logStreamName",
        "clientContext",
        "identity",
        "invokedFunctionArn",
        "awsRequestId",
        "tenantId",
        "getRemainingTimeInMillis",
    ]
    assert context["awsRequestId"] == "req-ctx"
    assert context["invokedFunctionArn"] == ARN
    assert context["functionName"] == "fn"
    assert context["functionVersion"] == "$LATEST"
    assert context["memoryLimitInMB"] == "256"  # a string, as on AWS
    assert context["logGroupName"] == "/aws/lambda/fn"
    assert context["logStreamName"] == FUNCTION_ENV["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert 3000 < context["remaining"] <= 4000
    assert context["clientContext"] == client_context
    assert context["identity"] == identity
    assert context["waits"] is True
    assert context["traceId"] == trace
    assert context["cwd"] == str(task_root)
    # Without the headers: no client context or identity, and no trace id left behind.
    assert bare["clientContext"] is None
    assert bare["identity"] is None
    assert bare["traceId"] is None


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("index.nested.deep.fn", "nested"),
        ("esm.handler", {"loaded": "esm", "event": {"k": "v"}, "kind": "undefined"}),
        ("esm.nested.fn", "esm nested"),
        ("modpkg/app.handler", {"kind": "undefined"}),
        ("sub/dir/deep.handler", {"kind": "function"}),
        ("order.handler", "js"),
        ("onlycjs.handler", "cjs"),
        ("index.sync", None),
        ("index.undef", None),
        ("index.succeed", {"legacy": "succeed"}),
        ("index.done", "legacy done"),
        ("index.callbackNoWait", "no wait"),
    ],
)
@run_async
async def test_handlers_are_found_and_answer(task_root: Path, handler: str, expected: Any) -> None:
    async with Environment(OURS, handler, task_root) as env:
        assert await env.ready() == InitDone(())
        assert result_of(await env.invoke("req-1", {"k": "v"})) == expected


@run_async
async def test_callback_waits_for_the_empty_event_loop_unless_told_not_to(task_root: Path) -> None:
    async with Environment(OURS, "index.callbackWaits", task_root) as env:
        await env.ready()
        started = time.perf_counter()
        assert result_of(await env.invoke("req-wait")) == {"waited": True}
        # The response went only once the 150 ms timer had run.
        assert time.perf_counter() - started >= 0.14
    async with Environment(OURS, "index.callbackNoWait", task_root) as env:
        await env.ready()
        started = time.perf_counter()
        assert result_of(await env.invoke("req-nowait")) == "no wait"
        # callbackWaitsForEmptyEventLoop = false: the pending 1.5 s timer did not hold it.
        assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("handler", "error_type", "message", "first_trace_line"),
    [
        ("index.throwsError", "TypeError", "kaboom here", "TypeError: kaboom here"),
        ("index.throwsSync", "Error", "thrown synchronously", "Error: thrown synchronously"),
        ("index.throwsString", "string", "a string", None),
        ("index.throwsNumber", "number", "42", None),
        ("index.throwsCustom", "MyError", "mine\nsecond line", "MyError: mine"),
        ("index.callbackError", "RangeError", "out of range", "RangeError: out of range"),
        ("index.callbackString", "string", "plain words", None),
        ("index.fail", "Error", "legacy fail", "Error: legacy fail"),
        (
            "index.circular",
            "Error",
            "Unable to stringify response body",
            "Error: Unable to stringify response body",
        ),
    ],
)
@run_async
async def test_function_errors(
    task_root: Path, handler: str, error_type: str, message: str, first_trace_line: str | None
) -> None:
    async with Environment(OURS, handler, task_root) as env:
        await env.ready()
        outcome = await env.invoke("req-err", {"word": "here"})
        document = error_of(outcome)
        assert list(document) == ["errorType", "errorMessage", "trace"]
        assert document["errorType"] == error_type
        assert document["errorMessage"] == message
        if first_trace_line is None:
            assert document["trace"] == []
        else:
            assert document["trace"][0] == first_trace_line
        if first_trace_line and handler != "index.circular":  # that one is the runtime's
            assert any(str(task_root / "index.js") in line for line in document["trace"])
        # A function error does not end the environment.
        assert env.process.returncode is None
        assert error_of(await env.invoke("req-again", {"word": "again"}))["errorType"] == error_type
        logs = await env.logs()
    # Each error is logged, "Invoke Error" and the error as JSON, on one ERROR line.
    invoke_errors = [line for line in logs if "\tERROR\tInvoke Error \t{" in line]
    assert len(invoke_errors) == 2
    assert re.match(rf"^{TIMESTAMP}\treq-err\tERROR\tInvoke Error \t\{{", invoke_errors[0])
    logged = json.loads(invoke_errors[0].split("\t", 4)[4])
    assert logged["errorMessage"] == message


@pytest.mark.parametrize(
    ("handler", "error_type", "message", "code"),
    [
        (
            "index.rejects",
            "Runtime.UnhandledPromiseRejection",
            "Error: nobody listens",
            128,
        ),
        ("index.crashes", "SyntaxError", "crash in a timer", 129),
    ],
)
@run_async
async def test_a_crash_during_an_invocation_fails_it_and_ends_the_process(
    task_root: Path, handler: str, error_type: str, message: str, code: int
) -> None:
    async with Environment(OURS, handler, task_root) as env:
        await env.ready()
        document = error_of(await env.invoke("req-crash"))
        assert document["errorType"] == error_type
        assert document["errorMessage"] == message
        assert await env.exit_code() == code
        logs = await env.logs()
    label = "Unhandled Promise Rejection" if code == 128 else "Uncaught Exception"
    assert any(f"\treq-crash\tERROR\t{label} \t{{" in line for line in logs), logs


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        (
            "nosuchfile.handler",
            "Runtime.ImportModuleError",
            f"Error: Cannot find module 'nosuchfile'\nRequire stack:\n- {BOOTSTRAP}",
        ),
        ("index.absent", "Runtime.HandlerNotFound", "index.absent is undefined or not exported"),
        ("index.notFunction", "Runtime.HandlerNotFound", "index.notFunction is not a function"),
        ("index", "Runtime.MalformedHandlerName", "Bad handler"),
        (
            "../index.echo",
            "Runtime.MalformedHandlerName",
            "'../index.echo' is not a valid handler name. Use absolute paths when specifying "
            "root directories in handler names.",
        ),
        ("syntax.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected end of input"),
        ("initthrow.handler", "Error", "failed at init"),
        (
            "esmdep.handler",
            "Error",
            "Cannot find package 'no-such-package' imported from {root}/esmdep.mjs",
        ),
    ],
)
@run_async
async def test_init_errors(task_root: Path, handler: str, error_type: str, message: str) -> None:
    async with Environment(OURS, handler, task_root) as env:
        outcome = await env.ready()
        document = error_of(outcome)
        assert document["errorType"] == error_type
        assert document["errorMessage"] == message.format(root=task_root)
        assert document["trace"][0].startswith(error_type)
        # As AWS's runtime: reported, then the process exits (code 129, an uncaught exception).
        assert await env.exit_code() == 129
        logs = await env.logs()
    # Logged before any invocation: the request id reads "undefined".
    assert len(logs) == 1
    assert re.match(rf"^{TIMESTAMP}\tundefined\tERROR\tUncaught Exception \t\{{", logs[0])


@run_async
async def test_the_runtime_exits_when_the_runtime_api_goes_away(task_root: Path) -> None:
    async with Environment(OURS, "index.echo", task_root) as env:
        await env.ready()
        await env.invoke("req-1")
        await env.api.close()  # while the runtime waits for its next invocation
        assert await env.exit_code() == 129
        logs = await env.logs()
    assert "\treq-1\tINFO\tUnexpected Top Level Error: Error: " in logs[-1]


@run_async
async def test_text_log_lines(task_root: Path) -> None:
    async with Environment(OURS, "index.logs", task_root) as env:
        await env.ready()
        assert result_of(await env.invoke("req-log")) == "logged"
        logs = await env.logs()
    pattern = re.compile(rf"^({TIMESTAMP})\treq-log\t([A-Z]+)\t(.*)$")
    records = []
    for line in logs:
        match = pattern.match(line)
        assert match, line
        records.append((match[2], match[3]))
    assert records[0] == ("INFO", "hello { a: 1 } [ 2 ]")
    # A multi-line message stays one record: newlines become carriage returns.
    assert records[1] == ("INFO", "multi\rline")
    assert records[2] == ("WARN", "warn 5")
    assert records[3][0] == "ERROR"
    assert records[3][1].startswith("Error: oops\r    at ")
    assert records[4:] == [
        ("DEBUG", "debug"),
        ("TRACE", "trace"),
        ("FATAL", "fatal"),
        ("INFO", "{ structured: true }"),
        ("INFO", "undefined"),
    ]
    assert env.stderr_text() == ""


@run_async
async def test_json_log_lines_and_the_log_level(task_root: Path) -> None:
    settings = {"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN"}
    async with Environment(OURS, "index.logs", task_root, settings) as env:
        await env.ready()
        assert result_of(await env.invoke("req-json")) == "logged"
        logs = await env.logs()
    records = [json.loads(line) for line in logs]
    assert [record["level"] for record in records] == ["WARN", "ERROR", "FATAL"]
    for record in records:
        assert list(record)[:3] == ["timestamp", "level", "requestId"]
        assert re.fullmatch(TIMESTAMP, record["timestamp"])
        assert record["requestId"] == "req-json"
    assert records[0]["message"] == "warn 5"
    # A lone Error keeps its structure.
    error = records[1]["message"]
    assert error["errorType"] == "Error"
    assert error["errorMessage"] == "oops"
    assert error["stackTrace"][0] == "Error: oops"
    assert records[2]["message"] == "fatal"


@run_async
async def test_json_logs_keep_objects_and_show_every_level_by_default(task_root: Path) -> None:
    async with Environment(OURS, "index.logs", task_root, {"AWS_LAMBDA_LOG_FORMAT": "JSON"}) as env:
        await env.ready()
        await env.invoke("req-all")
        records = [json.loads(line) for line in await env.logs()]
    assert [record["level"] for record in records] == [
        "INFO",
        "INFO",
        "WARN",
        "ERROR",
        "DEBUG",
        "TRACE",
        "FATAL",
        "INFO",
        "INFO",
    ]
    assert records[0]["message"] == "hello { a: 1 } [ 2 ]"
    assert records[1]["message"] == "multi\nline"
    assert records[7]["message"] == {"structured": True}
    assert "message" not in records[8]  # console.log(): nothing to say


@run_async
async def test_a_large_response(task_root: Path) -> None:
    size = 5 * 1024 * 1024
    async with Environment(OURS, "index.big", task_root) as env:
        await env.ready()
        outcome = await env.invoke("req-big", {"size": size})
        assert isinstance(outcome, Success)
        assert len(outcome.payload) == size + 2
        assert outcome.payload == b'"' + b"x" * size + b'"'
        # And a large event, in: the handler echoes it.
    async with Environment(OURS, "index.echo", task_root) as env:
        await env.ready()
        event = {"data": "y" * (5 * 1024 * 1024)}
        assert result_of(await env.invoke("req-big-event", event)) == event


@run_async
async def test_response_streaming(task_root: Path) -> None:
    async with Environment(OURS, "stream.handler", task_root) as env:
        await env.ready()
        for number in range(2):
            assert await env.invoke(f"req-{number}") == Success(b"hello world", "text/plain", True)
    async with Environment(OURS, "stream.http", task_root) as env:
        await env.ready()
        outcome = await env.invoke("req-http")
        assert outcome == Success(
            b'{"statusCode":201}' + bytes(8) + b"body",
            "application/vnd.awslambda.http-integration-response",
            True,
        )
    async with Environment(OURS, "stream.fails", task_root) as env:
        await env.ready()
        # A failure part-way arrives in the trailers; the environment carries on.
        document = error_of(await env.invoke("req-fail"))
        assert document["errorType"] == "TypeError"
        assert document["errorMessage"] == "mid-stream"
        assert error_of(await env.invoke("req-fail-again"))["errorMessage"] == "mid-stream"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def warm_round_trips(runtime: Runtime, task_root: Path, count: int) -> list[float]:
    """Seconds from handing the runtime an invocation to its response, ``count`` times."""
    samples = []
    async with Environment(runtime, "index.echo", task_root) as env:
        assert await env.ready() == InitDone(())
        for number in range(50):  # warm up the JIT and the connection
            await env.api.invoke(invocation(f"warm-{number}", {"n": number}))
            await env.api.wait_idle()
        for number in range(count):
            started = time.perf_counter()
            outcome = await env.api.invoke(invocation(f"req-{number}", {"n": number}))
            samples.append(time.perf_counter() - started)
            assert isinstance(outcome, Success)
            await env.api.wait_idle()
    return samples


@pytest.mark.slow
@run_async
async def test_1000_warm_invocations(task_root: Path) -> None:
    samples = await warm_round_trips(OURS, task_root, 1000)
    median, p99 = statistics.median(samples), percentile(samples, 0.99)
    print(
        f"\nnodejs bootstrap, 1000 warm invocations: round trip median "
        f"{median * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us"
    )
    # Generous bounds: a sanity check that nothing per invocation starts processes or
    # connections, not a benchmark (bench/ measures).
    assert median < 0.005
    assert p99 < 0.05


# -- conformance with the official client ----------------------------------------------


def install_official_client() -> str | None:
    """Build aws-lambda-ric from npm into RIC_DIR (once); the reason it failed, if it did."""
    if RIC_NATIVE.exists() and RIC_BIN.exists():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed"
    missing = [
        tool
        for tool in ("cmake", "make", "g++", "autoreconf", "automake", "libtool")
        if not shutil.which(tool)
    ]
    if missing:
        return f"aws-lambda-ric builds aws-lambda-cpp and curl: missing {', '.join(missing)}"
    RIC_DIR.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    # node-gyp would download Node's headers; use the ones installed with node instead.
    if Path("/usr/include/node/node.h").exists():
        environment.setdefault("npm_config_nodedir", "/usr")
    result = subprocess.run(
        [
            "npm",
            "install",
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(RIC_DIR),
            f"aws-lambda-ric@{RIC_VERSION}",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=900,
        check=False,
    )
    if result.returncode != 0 or not RIC_NATIVE.exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        return "npm install aws-lambda-ric failed:\n" + "\n".join(tail)
    return None


@pytest.fixture(scope="session")
def official_client() -> Iterator[None]:
    reason = install_official_client()
    if reason is not None:
        pytest.skip(f"official aws-lambda-ric unavailable: {reason}")
    yield


@dataclass(frozen=True)
class Case:
    handler: str
    payloads: tuple[Any, ...] = ({},)
    env: tuple[tuple[str, str], ...] = ()


CASES = [
    Case("index.echo", ({"a": [1, 2]}, "text", None, 7)),
    Case("index.context"),
    Case("index.nested.deep.fn"),
    Case("esm.handler", ({"k": 1},)),
    Case("esm.nested.fn"),
    Case("modpkg/app.handler"),
    Case("sub/dir/deep.handler"),
    Case("order.handler"),
    Case("onlycjs.handler"),
    Case("index.callbackWaits", ({}, {})),
    Case("index.callbackNoWait"),
    Case("index.callbackError"),
    Case("index.callbackString"),
    Case("index.succeed"),
    Case("index.fail"),
    Case("index.done"),
    Case("index.sync"),
    Case("index.undef"),
    Case("index.throwsError", ({"word": "w"},)),
    Case("index.throwsSync"),
    Case("index.throwsString"),
    Case("index.throwsNumber"),
    Case("index.throwsCustom"),
    Case("index.circular"),
    Case("index.rejects"),
    Case("index.crashes"),
    Case("index.logs"),
    Case("index.logs", env=(("AWS_LAMBDA_LOG_FORMAT", "JSON"),)),
    Case("index.logs", env=(("AWS_LAMBDA_LOG_FORMAT", "JSON"), ("AWS_LAMBDA_LOG_LEVEL", "error"))),
    Case("index.throwsCustom", env=(("AWS_LAMBDA_LOG_FORMAT", "JSON"),)),
    Case("index.big", ({"size": 1024 * 1024},)),
    Case("stream.handler", ({}, {})),
    Case("stream.fails", ({}, {})),
    Case("stream.http"),
    Case("stream.notAsync", ({}, {})),
    Case("stream.returns"),
    Case("nosuchfile.handler"),
    Case("index.absent"),
    Case("index.notFunction"),
    Case("index"),
    Case("../index.echo"),
    Case("syntax.handler"),
    Case("initthrow.handler"),
    Case("esmdep.handler"),
    Case("esmdep.handler", env=(("AWS_LAMBDA_LOG_FORMAT", "JSON"),)),
]

_RUNTIME_FILES = re.compile(
    r"(?:file://)?(?:"
    + re.escape(str(BOOTSTRAP.parent))
    + "|"
    + re.escape(str(RIC_BIN.parents[1]))
    + r")/[\w./-]+"
)


def _without_frames(lines: list[str]) -> list[str]:
    """A stack without its frames (they name each runtime's own files)."""
    return [
        _RUNTIME_FILES.sub("<runtime>", line) for line in lines if not line.startswith("    at ")
    ]


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_frames(item)
            if key in ("stack", "stackTrace", "trace")
            else _normalise(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, str):
        return _RUNTIME_FILES.sub("<runtime>", value)
    return value


def _normalise_log(line: str) -> Any:
    """A log record with its timestamp checked and set aside, and stacks reduced."""
    if line.startswith("{"):
        record = json.loads(line)
        assert re.fullmatch(TIMESTAMP, record.pop("timestamp")), line
        return _normalise(record)
    stamp, request_id, level, message = line.split("\t", 3)
    assert re.fullmatch(TIMESTAMP, stamp), line
    text, tab, document = message.partition("\t{")
    if tab:
        return [request_id, level, text, _normalise(json.loads("{" + document))]
    # A logged Error's stack, one record with \r between its lines.
    return [request_id, level, "\r".join(_without_frames(message.split("\r")))]


async def observe(runtime: Runtime, case: Case, task_root: Path) -> dict[str, Any]:
    """Everything the platform sees of a runtime serving ``case``, normalised."""
    seen: dict[str, Any] = {}
    async with Environment(runtime, case.handler, task_root, dict(case.env)) as env:
        init = await env.ready()
        if isinstance(init, InitError):
            seen["init"] = _normalise(json.loads(init.payload))
        else:
            outcomes = []
            for number, payload in enumerate(case.payloads):
                outcome = await env.invoke(
                    f"req-{number}",
                    payload,
                    deadline_ms=int(time.time() * 1000) + 10_000,
                    client_context=json.dumps({"custom": {"k": "v"}}),
                    cognito_identity=json.dumps({"cognitoIdentityId": "id"}),
                    trace_id="Root=1-5759e988-bd862e3fe1be46a994272793",
                )
                if isinstance(outcome, Success) and outcome.streamed:
                    outcomes.append(("streamed", outcome.content_type, outcome.payload.hex()))
                elif isinstance(outcome, Success):
                    body = json.loads(outcome.payload)
                    if isinstance(body, dict) and "remaining" in body:
                        body["remaining"] = body["remaining"] > 9000
                    outcomes.append(("success", outcome.content_type, _normalise(body)))
                else:
                    assert isinstance(outcome, FunctionError)
                    outcomes.append(
                        ("error", outcome.error_type, _normalise(json.loads(outcome.payload)))
                    )
                if env.process.returncode is not None:
                    break
            seen["outcomes"] = outcomes
        await asyncio.sleep(0.3)  # the crash cases exit right after reporting
        seen["exit"] = env.process.returncode
        logs = await env.logs()
    # The official client's command-line entry announces itself first (AWS's own runtime,
    # /var/runtime/index.mjs, does not); that line is not part of the runtime's behaviour.
    if runtime is OFFICIAL and logs and logs[0].startswith("Executing '"):
        logs = logs[1:]
    seen["logs"] = [_normalise_log(line) for line in logs]
    return seen


@pytest.mark.slow
@pytest.mark.timeout(900)
@run_async(seconds=600)
async def test_conformance_with_the_official_client(official_client: None, task_root: Path) -> None:
    differences = []
    for case in CASES:
        ours = await observe(OURS, case, task_root)
        official = await observe(OFFICIAL, case, task_root)
        if ours != official:
            ours_text, official_text = json.dumps(ours)[:2000], json.dumps(official)[:2000]
            differences.append(f"{case}:\n  ours:     {ours_text}\n  official: {official_text}")
    assert not differences, "\n".join(differences)


@pytest.mark.slow
@pytest.mark.timeout(300)
@run_async(seconds=200)
async def test_warm_round_trip_compared_with_the_official_client(
    official_client: None, task_root: Path
) -> None:
    report = []
    for runtime in (OURS, OFFICIAL):
        samples = await warm_round_trips(runtime, task_root, 1000)
        report.append(
            f"{runtime.name}: median {statistics.median(samples) * 1e6:.0f} us, "
            f"p99 {percentile(samples, 0.99) * 1e6:.0f} us"
        )
    print("\nwarm round trip, 1000 invocations: " + "; ".join(report))
