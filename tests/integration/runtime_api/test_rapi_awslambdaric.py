"""The listener against the official Python runtime interface client, awslambdaric.

awslambdaric runs as Lambda runs it, ``python -m awslambdaric handler.fn``, from its own
directory (``.cache/runtimes/python``), never from the platform's virtual environment.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rapi_support import (
    ARN,
    META,
    install_awslambdaric,
    invocation,
    phase,
    scenario,
    start_runtime,
)

from lambent.runtime_api import (
    RESPONSE_SIZE_TOO_LARGE,
    FunctionError,
    InitDone,
    InitError,
    Phase,
    RuntimeApi,
    Success,
)

HANDLERS = """
import json

def context(event, context):
    return {
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(),
        "custom": context.client_context.custom if context.client_context else None,
        "identity": context.identity.cognito_identity_id,
        "event": event,
    }

def boom(event, context):
    raise ValueError("kaboom " + event["word"])

def huge(event, context):
    return "x" * (7 * 1024 * 1024)
"""


@pytest.fixture(scope="session")
def awslambdaric() -> Path:
    return install_awslambdaric()


@pytest.fixture
def task_root(tmp_path: Path, awslambdaric: Path) -> Iterator[Path]:
    (tmp_path / "handler.py").write_text(HANDLERS)
    yield tmp_path


class Environment:
    """A listener plus an awslambdaric process serving ``handler``."""

    def __init__(self, handler: str, task_root: Path) -> None:
        self.handler = handler
        self.task_root = task_root
        self.log = task_root / "runtime.log"

    async def __aenter__(self) -> Environment:
        self.api = await RuntimeApi.start(META)
        self.process = await start_runtime(self.api.address, self.handler, self.task_root, self.log)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await self.api.close()

    async def invoke_ready(self, request_id: str, payload: object, **fields: object) -> object:
        return await self.api.invoke(invocation(request_id, json.dumps(payload).encode(), **fields))


@scenario
async def test_success_and_the_context_the_client_derives(task_root: Path) -> None:
    async with Environment("handler.context", task_root) as env:
        assert await env.api.wait_ready() == InitDone(())
        for number in range(3):
            deadline = int(time.time() * 1000) + 4000
            outcome = await env.invoke_ready(
                f"req-{number}",
                {"n": number},
                deadline_ms=deadline,
                client_context=json.dumps(
                    {"custom": {"tenant": "t1", "who": "Zoë ✓"}, "env": {}, "client": {}},
                    ensure_ascii=False,
                ),
                cognito_identity=json.dumps(
                    {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "pool"}
                ),
                trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            )
            assert isinstance(outcome, Success)
            assert outcome.content_type == "application/json"
            result = json.loads(outcome.payload)
            assert result["request_id"] == f"req-{number}"
            assert result["arn"] == ARN
            assert 0 < result["remaining"] <= 4000
            assert result["custom"] == {"tenant": "t1", "who": "Zoë ✓"}
            assert result["identity"] == "us-east-1:abc"
            assert result["event"] == {"n": number}
            await env.api.wait_idle()


@scenario
async def test_a_raised_exception_is_a_function_error(task_root: Path) -> None:
    async with Environment("handler.boom", task_root) as env:
        await env.api.wait_ready()
        outcome = await env.invoke_ready("req-err", {"word": "here"})
        assert isinstance(outcome, FunctionError)
        # awslambdaric sends no Lambda-Runtime-Function-Error-Type header: the type comes
        # from the body's errorType.
        assert outcome.error_type == "ValueError"
        document = json.loads(outcome.payload)
        assert document["errorMessage"] == "kaboom here"
        assert document["errorType"] == "ValueError"
        assert document["requestId"] == "req-err"
        assert any('raise ValueError("kaboom "' in line for line in document["stackTrace"])
        await env.api.wait_idle()  # the runtime carries on after a function error
        assert isinstance(await env.invoke_ready("req-again", {"word": "again"}), FunctionError)


@scenario
async def test_missing_module_is_an_init_error(task_root: Path) -> None:
    async with Environment("nomodule.handler", task_root) as env:
        outcome = await env.api.wait_ready()
        assert isinstance(outcome, InitError)
        assert outcome.error_type == "Runtime.ImportModuleError"
        assert outcome.extension is None
        document = json.loads(outcome.payload)
        assert document["errorType"] == "Runtime.ImportModuleError"
        assert document["errorMessage"].startswith("Unable to import module 'nomodule'")
        assert phase(env.api) is Phase.INIT_FAILED
        assert await asyncio.wait_for(env.process.wait(), 10) == 1


@scenario
async def test_missing_handler_function_is_an_init_error(task_root: Path) -> None:
    async with Environment("handler.absent", task_root) as env:
        outcome = await env.api.wait_ready()
        assert isinstance(outcome, InitError)
        assert outcome.error_type == "Runtime.HandlerNotFound"


@scenario
async def test_oversized_response_is_reported_to_the_platform(task_root: Path) -> None:
    async with Environment("handler.huge", task_root) as env:
        await env.api.wait_ready()
        outcome = await env.invoke_ready("req-big", {})
        assert isinstance(outcome, FunctionError)
        assert outcome.error_type == RESPONSE_SIZE_TOO_LARGE
        assert (
            "exceeded maximum allowed payload size (6291556 bytes)"
            in (json.loads(outcome.payload)["errorMessage"])
        )
        # awslambdaric treats the 413 as fatal and exits, as it does on AWS.
        assert await asyncio.wait_for(env.process.wait(), 10) != 0
        assert "Http response code: 413" in env.log.read_text()


def test_warm_round_trip_benchmark(awslambdaric: Path, tmp_path: Path) -> None:
    """1000 warm invocations through awslambdaric; prints the figures (run with -s)."""
    import bench_warm_invoke

    bench_warm_invoke.prepare(awslambdaric, tmp_path)
    figures = asyncio.run(bench_warm_invoke.measure(1000, awslambdaric, tmp_path))
    print("\n" + bench_warm_invoke.report(figures, "asyncio"))
    assert figures["invocations"] == 1000
