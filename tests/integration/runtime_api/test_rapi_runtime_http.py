"""The Runtime API (2018-06-01) over a real socket, driven by http.client and raw bytes."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from rapi_support import ARN, META, RawClient, Reply, invocation, phase, raw_exchange, scenario

from lambent.domain.limits import SYNC_RESPONSE_MAX
from lambent.runtime_api import (
    RESPONSE_SIZE_TOO_LARGE,
    Abandoned,
    FunctionError,
    InitDone,
    InitError,
    NotReady,
    Phase,
    RuntimeApi,
    Success,
)

NEXT = "/2018-06-01/runtime/invocation/next"
INIT_ERROR = "/2018-06-01/runtime/init/error"
LIMIT = SYNC_RESPONSE_MAX


def response_path(request_id: str) -> str:
    return f"/2018-06-01/runtime/invocation/{request_id}/response"


def error_path(request_id: str) -> str:
    return f"/2018-06-01/runtime/invocation/{request_id}/error"


async def initialised(api: RuntimeApi, client: RawClient) -> asyncio.Task[Reply]:
    """The runtime's first ``next`` is pending and init is over."""
    poll = asyncio.create_task(client.request("GET", NEXT))
    assert await api.wait_ready() == InitDone(())
    return poll


@scenario
async def test_next_carries_the_invocation_and_response_completes_it() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        assert phase(api) is Phase.IDLE
        deadline = int(time.time() * 1000) + 5000
        outcome = api.invoke(
            invocation(
                "req-1",
                b'{"hello":"world"}',
                deadline_ms=deadline,
                trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                client_context='{"custom":{"k":"v"}}',
                cognito_identity='{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
                tenant_id="tenant-7",
            )
        )
        event = await poll
        assert event.status == 200
        assert event.body == b'{"hello":"world"}'
        assert event.headers["lambda-runtime-aws-request-id"] == "req-1"
        assert event.headers["lambda-runtime-deadline-ms"] == str(deadline)
        assert event.headers["lambda-runtime-invoked-function-arn"] == ARN
        assert event.headers["lambda-runtime-trace-id"].startswith("Root=1-5759e988")
        assert event.headers["lambda-runtime-client-context"] == '{"custom":{"k":"v"}}'
        assert json.loads(event.headers["lambda-runtime-cognito-identity"])["cognitoIdentityId"]
        assert event.headers["lambda-runtime-aws-tenant-id"] == "tenant-7"
        assert event.headers["content-type"] == "application/json"
        assert phase(api) is Phase.INVOKING

        accepted = await client.request(
            "POST", response_path("req-1"), b'{"ok":true}', {"Content-Type": "application/json"}
        )
        assert (accepted.status, accepted.body) == (202, b'{"status":"OK"}\n')
        assert accepted.headers["content-type"] == "application/json"
        assert await outcome == Success(b'{"ok":true}', "application/json")
        assert phase(api) is Phase.FINISHING

        poll = asyncio.create_task(client.request("GET", NEXT))
        await api.wait_idle()
        assert phase(api) is Phase.IDLE
        poll.cancel()


@scenario
async def test_optional_headers_are_left_out_when_absent() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("r")))
        event = await poll
        for absent in ("trace-id", "client-context", "cognito-identity", "aws-tenant-id"):
            assert f"lambda-runtime-{absent}" not in event.headers
        await client.request("POST", response_path("r"), b"null")
        await outcome


@scenario
async def test_results_are_refused_with_aws_errors() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        early = await client.request("POST", response_path("nobody"), b"{}")
        assert early.status == 400
        assert (
            early.body == b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n'
        )

        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("r1")))
        await poll
        wrong = await client.request("POST", error_path("r2"), b"{}")
        assert wrong.status == 400
        assert wrong.json() == {
            "errorMessage": "Invalid request ID",
            "errorType": "InvalidRequestID",
        }

        assert (await client.request("POST", response_path("r1"), b"1")).status == 202
        await outcome
        twice = await client.request("POST", response_path("r1"), b"2")
        assert twice.status == 403
        assert twice.json() == {
            "errorMessage": "State transition from RuntimeResponseSentState to "
            "InvocationResponse failed for runtime. Error: State transition is not allowed",
            "errorType": "InvalidStateTransition",
        }
        error_after = await client.request("POST", error_path("r1"), b"{}")
        assert error_after.status == 403
        assert "to InvocationErrorResponse failed" in error_after.json()["errorMessage"]
        late_init_error = await client.request("POST", INIT_ERROR, b"{}")
        assert late_init_error.status == 403
        assert late_init_error.json()["errorMessage"] == (
            "State transition from RuntimeResponseSentState to InitError failed for runtime. "
            "Error: State transition is not allowed"
        )


@scenario
async def test_function_error_type_comes_from_header_then_body() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        documents = [
            ({"Lambda-Runtime-Function-Error-Type": "Custom.Thing"}, b'{"errorType":"Other"}'),
            ({}, b'{"errorMessage":"m","errorType":"ValueError","stackTrace":[]}'),
            ({}, b"not json"),
        ]
        expected = ["Custom.Thing", "ValueError", "Unhandled"]
        for number, ((headers, body), error_type) in enumerate(
            zip(documents, expected, strict=True)
        ):
            outcome = asyncio.ensure_future(api.invoke(invocation(f"e{number}")))
            await poll
            reply = await client.request("POST", error_path(f"e{number}"), body, headers)
            assert (reply.status, reply.body) == (202, b'{"status":"OK"}\n')
            result = await outcome
            assert isinstance(result, FunctionError)
            assert (result.error_type, result.payload) == (error_type, body)
            poll = asyncio.create_task(client.request("GET", NEXT))
            await api.wait_idle()
        poll.cancel()


@scenario
async def test_init_error_is_reported_and_ends_the_runtime() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        body = b'{"errorMessage":"Unable to import module","errorType":"Runtime.ImportModuleError"}'
        reply = await client.request(
            "POST", INIT_ERROR, body, {"Lambda-Runtime-Function-Error-Type": "Runtime.Header"}
        )
        assert (reply.status, reply.body) == (202, b'{"status":"OK"}\n')
        assert await api.wait_ready() == InitError("Runtime.Header", body)
        assert phase(api) is Phase.INIT_FAILED
        again = await client.request("POST", INIT_ERROR, body)
        assert again.status == 403
        assert again.json()["errorMessage"].startswith(
            "State transition from InitError to InitError"
        )
        refused = await client.request("GET", NEXT)
        assert refused.status == 403
        assert refused.json() == {
            "errorMessage": "State transition from InitError to Ready failed for runtime. "
            "Error: State transition is not allowed",
            "errorType": "InvalidStateTransition",
        }
        with pytest.raises(NotReady):
            await api.invoke(invocation("x"))


@scenario
async def test_init_error_type_falls_back_to_the_body() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        await client.request("POST", INIT_ERROR, b'{"errorType":"Runtime.HandlerNotFound"}')
        outcome = await api.wait_ready()
        assert isinstance(outcome, InitError)
        assert outcome.error_type == "Runtime.HandlerNotFound"


@scenario
async def test_init_error_after_init_is_refused() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        other = RawClient(api.address)
        refused = await other.request("POST", INIT_ERROR, b"{}")
        assert refused.status == 403
        assert refused.json()["errorMessage"].startswith("State transition from Ready to InitError")
        poll.cancel()


@scenario
async def test_response_over_six_megabytes_is_413_and_too_large_for_the_caller() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("exact")))
        await poll
        exact = await client.request("POST", response_path("exact"), b"x" * LIMIT)
        assert exact.status == 202
        result = await outcome
        assert isinstance(result, Success)
        assert len(result.payload) == LIMIT

        poll = asyncio.create_task(client.request("GET", NEXT))
        await api.wait_idle()
        outcome = asyncio.ensure_future(api.invoke(invocation("big")))
        await poll
        big = await client.request("POST", response_path("big"), b"x" * (LIMIT + 1))
        assert big.status == 413
        assert big.json() == {
            "errorMessage": f"Exceeded maximum allowed payload size ({LIMIT} bytes).",
            "errorType": "RequestEntityTooLarge",
        }
        result = await outcome
        assert isinstance(result, FunctionError)
        assert result.error_type == RESPONSE_SIZE_TOO_LARGE
        assert json.loads(result.payload) == {
            "errorMessage": (
                f"Response payload size exceeded maximum allowed payload size ({LIMIT} bytes)."
            ),
            "errorType": "Function.ResponseSizeTooLarge",
        }
        # The connection stays usable after a 413: the body was read to its end.
        poll = asyncio.create_task(client.request("GET", NEXT))
        await api.wait_idle()
        poll.cancel()


@scenario
async def test_chunked_request_bodies_are_assembled() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("c")))
        await poll
        # An iterable body without a length: http.client sends it chunked.
        chunks = iter([b'{"part":', b'"one",', b'"two":2}'])
        reply = await client.request("POST", response_path("c"), chunks)
        assert reply.status == 202
        assert await outcome == Success(b'{"part":"one","two":2}', None)


@scenario
async def test_streamed_response_with_error_trailers() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("s1")))
        await poll
        head = (
            "POST /2018-06-01/runtime/invocation/{}/response HTTP/1.1\r\nHost: x\r\n"
            "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
            "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n"
            "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
            "\r\n"
        )
        data = head.format("s1").encode() + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        reply = await raw_exchange(api.address, data)
        assert reply.startswith(b"HTTP/1.1 202 Accepted\r\n")
        assert await outcome == Success(b"hello world", "text/plain", streamed=True)

        poll = asyncio.create_task(client.request("GET", NEXT))
        await api.wait_idle()
        outcome = asyncio.ensure_future(api.invoke(invocation("s2")))
        await poll
        failed = head.format("s2").encode() + (
            b"5\r\nhello\r\n0\r\nLambda-Runtime-Function-Error-Type: Runtime.StreamError\r\n"
            b"Lambda-Runtime-Function-Error-Body: eyJlcnJvck1lc3NhZ2UiOiJtaWQtc3RyZWFtIn0=\r\n\r\n"
        )
        assert (await raw_exchange(api.address, failed)).startswith(b"HTTP/1.1 202")
        assert await outcome == FunctionError(
            "Runtime.StreamError", b'{"errorMessage":"mid-stream"}'
        )


@scenario
async def test_unknown_response_mode_is_400_and_a_function_error() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("m")))
        await poll
        reply = await client.request(
            "POST", response_path("m"), b"x", {"Lambda-Runtime-Function-Response-Mode": "bogus"}
        )
        assert reply.status == 400
        assert reply.json() == {
            "errorMessage": "Invalid function response mode",
            "errorType": "InvalidFunctionResponseMode",
        }
        result = await outcome
        assert isinstance(result, FunctionError)
        assert result.error_type == "Runtime.InvalidResponseModeHeader"


@scenario
async def test_connection_is_kept_alive_across_invocations() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        sock = client.sock()
        for number in range(5):
            outcome = asyncio.ensure_future(api.invoke(invocation(f"k{number}")))
            await poll
            await client.request("POST", response_path(f"k{number}"), b"{}")
            await outcome
            poll = asyncio.create_task(client.request("GET", NEXT))
            await api.wait_idle()
            assert client.sock() is sock
        poll.cancel()


@scenario
async def test_unrouted_requests() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        missing = await client.request("GET", "/2018-06-01/runtime/nothing")
        assert (missing.status, missing.body) == (404, b"404 page not found\n")
        assert (await client.request("GET", "/")).status == 404
        assert (
            await client.request("GET", "/2018-06-01/runtime/invocation/a/b/response")
        ).status == 404
        assert (await client.request("POST", NEXT, b"")).status == 405
        assert (await client.request("GET", response_path("r"))).status == 405
        assert (await client.request("GET", INIT_ERROR)).status == 405


@scenario
async def test_pipelined_requests_are_answered_in_order() -> None:
    async with await RuntimeApi.start(META) as api:
        data = (
            b"POST /2018-06-01/runtime/invocation/zz/response HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 2\r\n\r\n{}"
            b"GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        reply = await raw_exchange(api.address, data, replies=2)
        first = reply.index(b"HTTP/1.1 400 Bad Request")
        second = reply.index(b"HTTP/1.1 404 Not Found")
        assert first < second


@scenario
async def test_expect_100_continue_and_connection_close() -> None:
    async with await RuntimeApi.start(META) as api:
        data = (
            b"POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Connection: close\r\nContent-Length: 2\r\n\r\n{}"
        )
        reply = await raw_exchange(api.address, data)
        assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\n")
        assert b"Connection: close\r\n" in reply


@scenario
async def test_malformed_request_is_400_and_closed() -> None:
    async with await RuntimeApi.start(META) as api:
        reply = await raw_exchange(api.address, b"NOT HTTP AT ALL\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n")
        assert b"Connection: close" in reply


@scenario
async def test_one_invocation_at_a_time() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        with pytest.raises(NotReady):
            await api.invoke(invocation("too-early"))
        poll = await initialised(api, client)
        first = asyncio.ensure_future(api.invoke(invocation("one")))
        await poll
        with pytest.raises(NotReady):
            await api.invoke(invocation("two"))
        await client.request("POST", response_path("one"), b"{}")
        await first
        with pytest.raises(NotReady):  # the runtime has not called next yet
            await api.invoke(invocation("three"))


@scenario
async def test_abandoned_invocation_refuses_late_results() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        outcome = asyncio.ensure_future(api.invoke(invocation("slow")))
        await poll
        api.abandon()
        with pytest.raises(Abandoned):
            await outcome
        assert phase(api) is Phase.ABANDONED
        late = await client.request("POST", response_path("slow"), b"{}")
        assert late.status == 400
        assert late.json()["errorType"] == "InvalidRequestID"
        with pytest.raises(NotReady):
            await api.invoke(invocation("next"))
        with pytest.raises(Abandoned):
            await api.wait_idle()


@scenario
async def test_invocation_waits_for_a_runtime_that_reconnects() -> None:
    async with await RuntimeApi.start(META) as api:
        client = RawClient(api.address)
        poll = await initialised(api, client)
        client.connection.sock.shutdown(socket.SHUT_RDWR)  # the runtime's poll goes away
        with pytest.raises(OSError):
            await poll
        await asyncio.sleep(0.05)
        outcome = asyncio.ensure_future(api.invoke(invocation("late-poll")))
        again = RawClient(api.address)
        event = await again.request("GET", NEXT)
        assert event.headers["lambda-runtime-aws-request-id"] == "late-poll"
        await again.request("POST", response_path("late-poll"), b"1")
        assert await outcome == Success(b"1", None)


@scenario
async def test_close_ends_pending_polls() -> None:
    api = await RuntimeApi.start(META)
    client = RawClient(api.address)
    poll = await initialised(api, client)
    await api.close()
    assert phase(api) is Phase.CLOSED
    with pytest.raises((OSError, ConnectionError)):
        await poll
    with pytest.raises(OSError):
        await RawClient(api.address).request("GET", NEXT)
