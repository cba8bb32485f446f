"""Node.js functions through the server: the bootstrap Lambent ships, in a real sandbox.

Its conformance with AWS's official aws-lambda-ric is tested case by case in
tests/integration/runtimes/test_nodejs_bootstrap.py; these tests check the platform runs
it: module systems, handler styles, the context, errors and the log line format.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest

from tests.e2e.invoking import deploy, invoke, tail

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def test_es_module_async_handler_and_context(lambda_client: Any) -> None:
    code = (
        "export const handler = async (event, context) => {\n"
        "  console.log('got', JSON.stringify(event));\n"
        "  return { event, name: context.functionName, memory: context.memoryLimitInMB,\n"
        "           left: context.getRemainingTimeInMillis(), id: context.awsRequestId,\n"
        "           cwd: process.cwd(), root: process.env.LAMBDA_TASK_ROOT };\n"
        "};\n"
    )
    name = deploy(lambda_client, {"index.mjs": code}, handler="index.handler", runtime="nodejs20.x")
    response, body = invoke(lambda_client, name, {"a": 1}, LogType="Tail")
    assert "FunctionError" not in response
    assert body["event"] == {"a": 1}
    assert body["name"] == name
    assert body["memory"] == "128"
    assert 0 < body["left"] <= 3000
    assert body["cwd"] == body["root"] == "/var/task"
    # AWS's Node.js log format: timestamp, request id, level, message.
    line = next(x for x in tail(response).splitlines() if x.endswith('got {"a":1}'))
    assert re.match(rf"^\d{{4}}-\d\d-\d\dT[\d:.]+Z\t{body['id']}\tINFO\tgot ", line)


def test_commonjs_callback_handler(lambda_client: Any) -> None:
    code = "exports.handler = (event, context, callback) => callback(null, {cjs: event.n * 2});\n"
    name = deploy(lambda_client, {"index.js": code}, handler="index.handler", runtime="nodejs20.x")
    assert invoke(lambda_client, name, {"n": 21})[1] == {"cjs": 42}


def test_thrown_error_is_a_function_error(lambda_client: Any) -> None:
    code = "exports.handler = async () => { throw new TypeError('bad input'); };\n"
    name = deploy(lambda_client, {"index.js": code}, handler="index.handler", runtime="nodejs20.x")
    response, body = invoke(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == "bad input"
    assert isinstance(body["trace"], list)


def test_missing_handler_is_an_init_error(lambda_client: Any) -> None:
    code = "exports.other = async () => 1;\n"
    name = deploy(lambda_client, {"index.js": code}, handler="index.handler", runtime="nodejs20.x")
    response, body = invoke(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "index.handler is undefined or not exported"


def test_missing_module_is_an_import_error(lambda_client: Any) -> None:
    name = deploy(
        lambda_client,
        {"other.js": "exports.x = 1;\n"},
        handler="index.handler",
        runtime="nodejs20.x",
    )
    response, body = invoke(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"].startswith("Error: Cannot find module 'index'")
