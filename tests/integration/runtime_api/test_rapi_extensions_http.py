"""The Extensions API (2020-01-01) over a real socket, with the runtime's side alongside."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import pytest
from rapi_support import ARN, META, RawClient, Reply, invocation, phase, scenario

from lambent.runtime_api import (
    ExtensionFailed,
    InitDone,
    InitError,
    Phase,
    RuntimeApi,
    ShutdownReason,
    ShutdownReport,
    Success,
)

REGISTER = "/2020-01-01/extension/register"
EVENT = "/2020-01-01/extension/event/next"
INIT_ERROR = "/2020-01-01/extension/init/error"
EXIT_ERROR = "/2020-01-01/extension/exit/error"
RUNTIME_NEXT = "/2018-06-01/runtime/invocation/next"
BOTH = json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode()


class Ext:
    """One extension process's view: its own connection and identifier."""

    def __init__(self, address: str, name: str) -> None:
        self.client = RawClient(address)
        self.name = name
        self.identifier = ""

    async def register(self, body: bytes = BOTH, **headers: str) -> int:
        reply = await self.client.request(
            "POST", REGISTER, body, {"Lambda-Extension-Name": self.name, **headers}
        )
        if reply.status == 200:
            self.identifier = reply.headers["lambda-extension-identifier"]
        return reply.status

    def next(self) -> asyncio.Task[Reply]:
        return asyncio.create_task(
            self.client.request(
                "GET", EVENT, None, {"Lambda-Extension-Identifier": self.identifier}
            )
        )


@scenario
async def test_register_answers_function_metadata() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        reply = await client.request("POST", REGISTER, BOTH, {"Lambda-Extension-Name": "ext"})
        assert reply.status == 200
        assert uuid.UUID(reply.headers["lambda-extension-identifier"])
        assert reply.headers["content-type"] == "application/json"
        assert reply.body == (
            b'{"functionName":"fn","functionVersion":"$LATEST","handler":"handler.ok"}\n'
        )
        with_account = await client.request(
            "POST",
            REGISTER,
            b'{"events":["INVOKE"]}',
            {"Lambda-Extension-Name": "other", "Lambda-Extension-Accept-Feature": "accountId"},
        )
        assert list(with_account.json()) == [
            "accountId",
            "functionName",
            "functionVersion",
            "handler",
        ]
        assert with_account.json()["accountId"] == "123456789012"
        infos = {info.name: info for info in api.extensions()}
        assert infos["ext"].events == frozenset({"INVOKE", "SHUTDOWN"})
        assert infos["other"].state == "Registered"


@scenario
async def test_register_refusals() -> None:
    async with await RuntimeApi.start(META, external_extensions=["launched"]) as api:
        client = RawClient(api.address)

        async def register(name: str, body: bytes) -> tuple[int, Any]:
            reply = await client.request("POST", REGISTER, body, {"Lambda-Extension-Name": name})
            return reply.status, reply.json()

        assert await register("", BOTH) == (
            403,
            {"errorMessage": "Empty extension name", "errorType": "Extension.InvalidExtensionName"},
        )
        status, document = await register("x", b"{nope")
        assert status == 403
        assert document["errorType"] == "InvalidRequestFormat"
        assert await register("x", b'{"events":["INVOKE","BOGUS"]}') == (
            403,
            {
                "errorMessage": "BOGUS: ErrorInvalidEventType",
                "errorType": "Extension.InvalidEventType",
            },
        )
        assert await register("internal", BOTH) == (
            403,
            {
                "errorMessage": "SHUTDOWN: ShutdownEventNotSupportedForInternalExtension",
                "errorType": "Extension.InvalidEventType",
            },
        )
        assert (await register("launched", BOTH))[0] == 200
        assert await register("launched", BOTH) == (
            403,
            {
                "errorMessage": "State transition from Registered to Registered failed for "
                "extension launched. Error: State transition is not allowed",
                "errorType": "Extension.InvalidExtensionState",
            },
        )
        assert (await register("internal", b'{"events":["INVOKE"]}'))[0] == 200
        assert await register("internal", b'{"events":["INVOKE"]}') == (
            403,
            {
                "errorMessage": "Extension with this name already registered",
                "errorType": "Extension.InvalidExtensionState",
            },
        )
        for number in range(8):
            assert (await register(f"more{number}", b"{}"))[0] == 200
        assert await register("eleventh", b"{}") == (
            403,
            {
                "errorMessage": "Extension limit (10) reached",
                "errorType": "Extension.TooManyExtensions",
            },
        )
        status, document = await register("configured", b'{"configurationKeys":["a"]}')
        assert (status, document["errorMessage"]) == (
            403,
            "configurationKeys are deprecated; use environment variables instead",
        )


@scenario
async def test_identifier_checks() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        missing = await client.request("GET", EVENT)
        assert missing.status == 403
        assert missing.json() == {
            "errorMessage": "Missing Lambda-Extension-Identifier header",
            "errorType": "Extension.MissingExtensionIdentifier",
        }
        invalid = await client.request("GET", EVENT, None, {"Lambda-Extension-Identifier": "zzz"})
        assert invalid.json() == {
            "errorMessage": "Invalid Lambda-Extension-Identifier",
            "errorType": "Extension.InvalidExtensionIdentifier",
        }
        stranger = str(uuid.uuid4())
        unknown = await client.request(
            "GET", EVENT, None, {"Lambda-Extension-Identifier": stranger}
        )
        assert (unknown.status, unknown.json()) == (
            403,
            {
                "errorMessage": f"Unknown extension {stranger}",
                "errorType": "Extension.UnknownExtensionIdentifier",
            },
        )
        no_type = await client.request(
            "POST", INIT_ERROR, b"{}", {"Lambda-Extension-Identifier": stranger}
        )
        assert no_type.json() == {
            "errorMessage": "Lambda-Extension-Function-Error-Type not found",
            "errorType": "Extension.MissingHeader",
        }
        unknown_error = await client.request(
            "POST",
            EXIT_ERROR,
            b"{}",
            {"Lambda-Extension-Identifier": stranger, "Lambda-Extension-Function-Error-Type": "E"},
        )
        assert unknown_error.json() == {
            "errorMessage": "Unknown Lambda-Extension-Identifier",
            "errorType": "Extension.UnknownExtensionIdentifier",
        }
        assert (await client.request("POST", EVENT)).status == 405
        assert (await client.request("GET", "/2020-01-01/extension/other")).status == 404


@scenario
async def test_init_waits_for_runtime_and_every_extension() -> None:
    async with await RuntimeApi.start(META) as api:
        ext = Ext(api.address, "watcher")
        assert await ext.register() == 200
        runtime = RawClient(api.address)
        runtime_poll = asyncio.create_task(runtime.request("GET", RUNTIME_NEXT))
        ready = asyncio.create_task(api.wait_ready())
        await asyncio.sleep(0.1)
        assert not ready.done()
        assert phase(api) is Phase.INITIALIZING
        event_poll = ext.next()
        assert await ready == InitDone(("watcher",))
        assert phase(api) is Phase.IDLE

        late = Ext(api.address, "late")
        assert await late.register() == 403
        closed = await late.client.request(
            "POST", REGISTER, BOTH, {"Lambda-Extension-Name": "late2"}
        )
        assert closed.json() == {
            "errorMessage": "Extension registration closed already",
            "errorType": "Extension.RegistrationClosed",
        }

        deadline = int(time.time() * 1000) + 9000
        outcome = api.invoke(invocation("inv-1", deadline_ms=deadline, trace_id="Root=1-aa"))
        event = await event_poll
        assert event.status == 200
        assert uuid.UUID(event.headers["lambda-extension-event-identifier"])
        assert (
            event.body
            == json.dumps(
                {
                    "eventType": "INVOKE",
                    "deadlineMs": deadline,
                    "requestId": "inv-1",
                    "invokedFunctionArn": ARN,
                    "tracing": {"type": "X-Amzn-Trace-Id", "value": "Root=1-aa"},
                },
                separators=(",", ":"),
            ).encode()
        )
        await runtime_poll
        await runtime.request("POST", "/2018-06-01/runtime/invocation/inv-1/response", b"42")
        # The caller has the response while the extension still works on the event.
        assert await outcome == Success(b"42", None)
        runtime_poll = asyncio.create_task(runtime.request("GET", RUNTIME_NEXT))
        idle = asyncio.ensure_future(api.wait_idle())
        await asyncio.sleep(0.1)
        assert not idle.done()
        assert phase(api) is Phase.FINISHING
        second_poll = ext.next()
        await idle
        assert phase(api) is Phase.IDLE
        runtime_poll.cancel()
        second_poll.cancel()


@scenario
async def test_extension_calling_next_twice_is_refused() -> None:
    async with await RuntimeApi.start(META) as api:
        ext = Ext(api.address, "dup")
        await ext.register()
        first = ext.next()
        await asyncio.sleep(0.05)
        other = RawClient(api.address)
        again = await other.request(
            "GET", EVENT, None, {"Lambda-Extension-Identifier": ext.identifier}
        )
        assert again.status == 403
        assert again.json() == {
            "errorMessage": f"State transition from Ready to Ready failed for extension "
            f"{ext.identifier}. Error: State transition is not allowed",
            "errorType": "Extension.InvalidExtensionState",
        }
        first.cancel()


@scenario
async def test_shutdown_reaches_subscribers_and_waits_for_them() -> None:
    async with await RuntimeApi.start(META) as api:
        prompt, slow = Ext(api.address, "prompt"), Ext(api.address, "slow")
        invoke_only = Ext(api.address, "invoke-only")
        await prompt.register()
        await slow.register()
        await invoke_only.register(b'{"events":["INVOKE"]}')
        polls = [prompt.next(), slow.next(), invoke_only.next()]
        runtime = RawClient(api.address)
        runtime_poll = asyncio.create_task(runtime.request("GET", RUNTIME_NEXT))
        await api.wait_ready()

        deadline = int(time.time() * 1000) + 600
        report = asyncio.create_task(api.shutdown(ShutdownReason.SPINDOWN, deadline))
        shutdown = await polls[0]
        assert shutdown.json() == {
            "eventType": "SHUTDOWN",
            "deadlineMs": deadline,
            "shutdownReason": "spindown",
        }
        assert (await polls[1]).json()["shutdownReason"] == "spindown"
        assert phase(api) is Phase.SHUTTING_DOWN
        done = prompt.next()  # finished: prompt asks for more and gets nothing
        assert await report == ShutdownReport(completed=("prompt",), timed_out=("slow",))
        assert phase(api) is Phase.SHUT_DOWN
        assert not done.done()
        assert not polls[2].done()
        for task in (done, polls[2], runtime_poll):
            task.cancel()


@scenario
async def test_shutdown_after_timeout_waits_for_the_running_extension() -> None:
    async with await RuntimeApi.start(META) as api:
        ext = Ext(api.address, "busy")
        await ext.register()
        poll = ext.next()
        runtime = RawClient(api.address)
        runtime_poll = asyncio.create_task(runtime.request("GET", RUNTIME_NEXT))
        await api.wait_ready()
        outcome = asyncio.ensure_future(api.invoke(invocation("t")))
        assert json.loads((await poll).body)["eventType"] == "INVOKE"
        await runtime_poll
        api.abandon()  # the function timed out
        report = asyncio.create_task(
            api.shutdown(ShutdownReason.TIMEOUT, int(time.time() * 1000) + 5000)
        )
        shutdown = await ext.next()  # done with INVOKE: it is handed SHUTDOWN
        assert json.loads(shutdown.body)["shutdownReason"] == "timeout"
        finished = ext.next()
        assert await report == ShutdownReport(completed=("busy",), timed_out=())
        finished.cancel()
        with pytest.raises(Exception, match="abandoned"):
            await outcome


@scenario
async def test_extension_init_error_fails_init() -> None:
    async with await RuntimeApi.start(META) as api:
        ext = Ext(api.address, "broken")
        await ext.register()
        headers = {
            "Lambda-Extension-Identifier": ext.identifier,
            "Lambda-Extension-Function-Error-Type": "Extension.ConfigInvalid",
        }
        body = b'{"errorMessage":"bad config","errorType":"ConfigError"}'
        reply = await ext.client.request("POST", INIT_ERROR, body, headers)
        assert (reply.status, reply.body) == (202, b'{"status":"OK"}\n')
        assert await api.wait_ready() == InitError("Extension.ConfigInvalid", body, "broken")
        assert phase(api) is Phase.INIT_FAILED
        refused = await ext.client.request(
            "GET", EVENT, None, {"Lambda-Extension-Identifier": ext.identifier}
        )
        assert refused.status == 403
        assert refused.json()["errorMessage"].startswith("State transition from InitError to Ready")


@scenario
async def test_exit_error_during_an_invocation_fails_the_environment() -> None:
    async with await RuntimeApi.start(META) as api:
        ext = Ext(api.address, "crashy")
        await ext.register(b'{"events":["INVOKE"]}')
        poll = ext.next()
        runtime = RawClient(api.address)
        runtime_poll = asyncio.create_task(runtime.request("GET", RUNTIME_NEXT))
        await api.wait_ready()
        outcome = asyncio.ensure_future(api.invoke(invocation("x")))
        await poll
        await runtime_poll
        reply = await ext.client.request(
            "POST",
            EXIT_ERROR,
            b"{}",
            {
                "Lambda-Extension-Identifier": ext.identifier,
                "Lambda-Extension-Function-Error-Type": "Extension.Crashed",
            },
        )
        assert reply.status == 202
        await runtime.request("POST", "/2018-06-01/runtime/invocation/x/response", b"1")
        assert isinstance(await outcome, Success)
        with pytest.raises(ExtensionFailed) as failure:
            await api.wait_idle()
        assert (failure.value.extension, failure.value.error_type) == (
            "crashy",
            "Extension.Crashed",
        )
        (info,) = api.extensions()
        assert (info.state, info.error_type) == ("ExitError", "Extension.Crashed")


@scenario
async def test_declared_extensions_must_register_before_init_ends() -> None:
    async with await RuntimeApi.start(META, external_extensions=["a", "b"]) as api:
        runtime = RawClient(api.address)
        runtime_poll = asyncio.create_task(runtime.request("GET", RUNTIME_NEXT))
        first = Ext(api.address, "a")
        await first.register()
        poll_a = first.next()
        ready = asyncio.create_task(api.wait_ready())
        await asyncio.sleep(0.1)
        assert not ready.done()
        assert {info.name: info.state for info in api.extensions()} == {
            "a": "Ready",
            "b": "Started",
        }
        second = Ext(api.address, "b")
        await second.register()
        poll_b = second.next()
        assert await ready == InitDone(("a", "b"))
        for task in (runtime_poll, poll_a, poll_b):
            task.cancel()
