"""The lifecycle shared by platform and runtime, driven without sockets."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import pytest

from lambent.runtime_api import replies
from lambent.runtime_api.extension_state import ExtensionState
from lambent.runtime_api.lifecycle import Lifecycle
from lambent.runtime_api.model import (
    Abandoned,
    ExtensionFailed,
    InitDone,
    InitError,
    Invocation,
    NotReady,
    ShutdownReason,
    ShutdownReport,
    Success,
)
from lambent.runtime_api.phase import Phase
from lambent.runtime_api.registry import Extension, ExtensionRegistry
from lambent.runtime_api.runtime_state import RuntimeCall
from lambent.wire import Connection, Response

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


class Peer:
    """Stands in for a connection with a pending long poll."""

    def __init__(self) -> None:
        self.replies: list[Response] = []
        self.closed = False

    def respond(self, response: Response) -> None:
        self.replies.append(response)

    def close(self) -> None:
        self.closed = True

    @property
    def conn(self) -> Connection:
        return cast(Connection, self)


def invocation(request_id: str) -> Invocation:
    return Invocation(request_id, b'{"n":1}', 2_000_000_000_000, ARN)


def phase(lifecycle: Lifecycle) -> Phase:
    """Read through a call, so the type checker does not pin the phase it last saw."""
    return lifecycle.phase


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def registered(lifecycle: Lifecycle, name: str, events: list[str]) -> Extension:
    extension = lifecycle.registry.register(name, events, open_=lifecycle.registration_open())
    assert isinstance(extension, Extension)
    return extension


def test_init_needs_the_runtime_and_every_extension() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        extension = registered(lifecycle, "ext", ["INVOKE"])
        runtime = Peer()
        assert lifecycle.runtime_next(runtime.conn) is None
        assert phase(lifecycle) is Phase.INITIALIZING
        ext_peer = Peer()
        assert lifecycle.extension_next(extension, ext_peer.conn) is None
        assert phase(lifecycle) is Phase.IDLE
        assert await lifecycle.wait_ready() == InitDone(("ext",))

    run(scenario())


def test_invocation_round_trip_and_the_request_id_rules() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        runtime = Peer()
        lifecycle.runtime_next(runtime.conn)
        task = asyncio.ensure_future(lifecycle.invoke(invocation("r1")))
        await asyncio.sleep(0)
        (event,) = runtime.replies
        assert dict(event.headers)["Lambda-Runtime-Aws-Request-Id"] == "r1"
        assert phase(lifecycle) is Phase.INVOKING
        wrong = lifecycle.runtime_result("r2", RuntimeCall.RESPONSE, Success(b"x"))
        assert wrong is replies.INVALID_REQUEST_ID
        ok = lifecycle.runtime_result("r1", RuntimeCall.RESPONSE, Success(b"x"))
        assert ok is replies.ACCEPTED
        assert await task == Success(b"x")
        assert phase(lifecycle) is Phase.FINISHING
        twice = lifecycle.runtime_result("r1", RuntimeCall.ERROR_RESPONSE, Success(b"y"))
        assert twice.status == 403
        idle = asyncio.ensure_future(lifecycle.wait_idle())
        await asyncio.sleep(0)
        assert not idle.done()
        lifecycle.runtime_next(runtime.conn)
        await idle
        assert phase(lifecycle) is Phase.IDLE

    run(scenario())


def test_invocation_is_queued_for_a_runtime_that_is_not_polling() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        runtime = Peer()
        lifecycle.runtime_next(runtime.conn)
        lifecycle.disconnected(runtime.conn)
        task = asyncio.ensure_future(lifecycle.invoke(invocation("q")))
        await asyncio.sleep(0)
        assert runtime.replies == []
        again = Peer()
        reply = lifecycle.runtime_next(again.conn)
        assert reply is not None and reply.body == b'{"n":1}'
        lifecycle.runtime_result("q", RuntimeCall.RESPONSE, Success(b"1"))
        assert await task == Success(b"1")

    run(scenario())


def test_a_second_poll_replaces_a_stale_one() -> None:
    lifecycle = Lifecycle()
    first, second = Peer(), Peer()
    lifecycle.runtime_next(first.conn)
    lifecycle.runtime_next(second.conn)
    assert first.closed and not second.closed


def test_invoke_only_when_idle() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        with pytest.raises(NotReady):
            await lifecycle.invoke(invocation("early"))
        lifecycle.runtime_next(Peer().conn)
        task = asyncio.ensure_future(lifecycle.invoke(invocation("a")))
        await asyncio.sleep(0)
        with pytest.raises(NotReady):
            await lifecycle.invoke(invocation("b"))
        lifecycle.abandon()
        with pytest.raises(Abandoned):
            await task
        assert lifecycle.current_id == ""
        late = lifecycle.runtime_result("a", RuntimeCall.RESPONSE, Success(b""))
        assert late is replies.INVALID_REQUEST_ID
        with pytest.raises(Abandoned):
            await lifecycle.wait_idle()

    run(scenario())


def test_runtime_init_error() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        waiting = asyncio.create_task(lifecycle.wait_ready())
        await asyncio.sleep(0)
        error = InitError("Runtime.ImportModuleError", b"{}")
        assert lifecycle.runtime_init_error(error) is replies.ACCEPTED
        assert await waiting == error
        assert phase(lifecycle) is Phase.INIT_FAILED
        refused = lifecycle.runtime_init_error(error)
        assert refused.status == 403
        with pytest.raises(NotReady):
            await lifecycle.wait_idle()

    run(scenario())


def test_extension_errors() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        broken = registered(lifecycle, "broken", [])
        assert lifecycle.extension_init_error(broken, "Extension.Bad", b"b") is replies.ACCEPTED
        assert lifecycle.extension_init_error(broken, "Extension.Again", b"") is replies.ACCEPTED
        assert await lifecycle.wait_ready() == InitError("Extension.Bad", b"b", "broken")
        assert broken.error_type == "Extension.Bad"

        lifecycle = Lifecycle()
        crashy = registered(lifecycle, "crashy", ["INVOKE"])
        lifecycle.extension_next(crashy, Peer().conn)
        lifecycle.runtime_next(Peer().conn)
        assert phase(lifecycle) is Phase.IDLE
        assert lifecycle.extension_exit_error(crashy, "Extension.Crash", b"") is replies.ACCEPTED
        with pytest.raises(ExtensionFailed):
            await lifecycle.wait_idle()

    run(scenario())


def test_shutdown_delivers_and_times_out_on_the_injected_clock() -> None:
    async def scenario() -> None:
        now = [1000.0]
        lifecycle = Lifecycle(clock=lambda: now[0])
        quick = registered(lifecycle, "quick", ["SHUTDOWN"])
        stuck = registered(lifecycle, "stuck", ["INVOKE", "SHUTDOWN"])
        quick_peer, stuck_peer = Peer(), Peer()
        lifecycle.extension_next(quick, quick_peer.conn)
        lifecycle.extension_next(stuck, stuck_peer.conn)
        lifecycle.runtime_next(Peer().conn)
        deadline_ms = 1_000_050  # 50 ms after the clock's now
        report = asyncio.create_task(lifecycle.shutdown(ShutdownReason.FAILURE, deadline_ms))
        await asyncio.sleep(0)
        (event,) = quick_peer.replies
        assert json.loads(event.body) == {
            "eventType": "SHUTDOWN",
            "deadlineMs": deadline_ms,
            "shutdownReason": "failure",
        }
        assert dict(event.headers)["Content-Type"] == "application/json"
        assert quick.state is ExtensionState.RUNNING
        assert lifecycle.extension_next(quick, quick_peer.conn) is None
        assert await report == ShutdownReport(completed=("quick",), timed_out=("stuck",))
        assert phase(lifecycle) is Phase.SHUT_DOWN
        with pytest.raises(NotReady):
            await lifecycle.shutdown(ShutdownReason.FAILURE, deadline_ms)

    run(scenario())


def test_close_wakes_everyone_and_closes_polls() -> None:
    async def scenario() -> None:
        lifecycle = Lifecycle()
        extension = registered(lifecycle, "e", [])
        ext_peer = Peer()
        lifecycle.extension_next(extension, ext_peer.conn)
        waiting = asyncio.create_task(lifecycle.wait_ready())
        await asyncio.sleep(0)
        lifecycle.close()
        with pytest.raises(Abandoned):
            await waiting
        assert ext_peer.closed
        lifecycle.close()  # idempotent
        assert phase(lifecycle) is Phase.CLOSED

    run(scenario())


def test_registry_rules() -> None:
    registry = ExtensionRegistry(["ext-a"])
    assert [info.state for info in registry.infos()] == ["Started"]
    assert registry.names() == ()
    assert not registry.init_complete()
    internal = registry.register("inner", ["INVOKE"], open_=True)
    assert isinstance(internal, Extension) and not internal.external
    shut = registry.register("inner2", ["SHUTDOWN"], open_=True)
    assert isinstance(shut, Response) and shut.status == 403
    external = registry.register("ext-a", ["SHUTDOWN"], open_=True)
    assert isinstance(external, Extension) and external.external
    assert registry.names() == ("ext-a", "inner")
    assert registry.register("late", [], open_=False) is replies.REGISTRATION_CLOSED
    assert registry.find(external.identifier) is external
    assert registry.find("nope") is None

    open_registry = ExtensionRegistry()
    for number in range(10):
        assert isinstance(open_registry.register(f"e{number}", [], open_=True), Extension)
    eleventh = open_registry.register("e10", [], open_=True)
    assert isinstance(eleventh, Response)
    assert json.loads(eleventh.body)["errorType"] == "Extension.TooManyExtensions"
