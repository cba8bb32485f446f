"""What each asynchronous outcome writes: the retry or the end, and what it owes."""

from __future__ import annotations

import json
from typing import Any

from lambent.domain.invocation_record import Response
from lambent.domain.retry import Condition, Failure, Policy
from lambent.invoke.asynchronous.attempt import Kind, Outcome, Routes
from lambent.invoke.asynchronous.outcome import settle
from lambent.store.events import Event
from lambent.store.outbox import Kind as DeliveryKind

T0 = 1_700_000_000.0
QUEUE = "arn:aws:sqs:us-east-1:123456789012:failures"
DLQ = "arn:aws:sqs:us-east-1:123456789012:dlq"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
ERROR = Response("$LATEST", b'{"errorMessage": "boom", "errorType": "ValueError"}', "ValueError")


def event(**changes: Any) -> Event:
    base: dict[str, Any] = {
        "id": 7,
        "request_id": "req-1",
        "account": "000000000000",
        "region": "us-east-1",
        "function": "f",
        "qualifier": None,
        "payload": b'{"n": 1}',
        "client_context": None,
        "accepted_at": T0,
    }
    return Event(**(base | changes))


def outcome(kind: Kind, **changes: Any) -> Outcome:
    base: dict[str, Any] = {
        "kind": kind,
        "started_at": T0 + 1,
        "policy": Policy(),
        "version": "$LATEST",
        "routes": Routes(on_success=BUS, on_failure=QUEUE, dead_letter=DLQ),
    }
    return Outcome(**(base | changes))


def record_of(body: bytes) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(body)
    return found


def test_success_reports_to_on_success_only() -> None:
    done = settle(
        event(),
        outcome(Kind.SUCCEEDED, attempted=True, response=Response("$LATEST", b'"ok"')),
        T0 + 2,
    )
    assert done.reschedule is None and done.condition is Condition.SUCCESS
    assert done.dropped is None
    assert done.age_ms == 1000
    (delivery,) = done.deliveries
    assert (delivery.kind, delivery.target) == (DeliveryKind.DESTINATION, BUS)
    assert delivery.extra["DetailType"] == "Lambda Function Invocation Result - Success"
    record = record_of(delivery.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestContext"]["functionArn"].endswith(":function:f:$LATEST")
    assert record["responsePayload"] == "ok"


def test_function_error_is_retried_with_its_answer_kept() -> None:
    done = settle(
        event(),
        outcome(Kind.FAILED, attempted=True, failure=Failure.FUNCTION_ERROR, response=ERROR),
        T0 + 2,
    )
    assert done.deliveries == ()
    assert done.reschedule is not None
    assert done.reschedule.due_at == T0 + 2 + 60
    assert (done.reschedule.attempts, done.reschedule.retries) == (1, 1)
    assert done.reschedule.last_response == ERROR.payload
    assert done.dropped is None


def test_retries_exhausted_goes_to_on_failure_and_the_dead_letter_queue() -> None:
    last = event(attempts=2, retries=2)
    done = settle(
        last,
        outcome(Kind.FAILED, attempted=True, failure=Failure.FUNCTION_ERROR, response=ERROR),
        T0 + 200,
    )
    assert done.reschedule is None
    assert done.condition is Condition.RETRIES_EXHAUSTED
    assert done.dropped == "RetriesExhausted"
    record, dead_letter = done.deliveries
    assert record.target == QUEUE
    body = record_of(record.body)
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["responseContext"]["functionError"] == "Unhandled"
    assert body["responsePayload"]["errorMessage"] == "boom"
    assert (dead_letter.kind, dead_letter.target) == (DeliveryKind.DEAD_LETTER, DLQ)
    assert dead_letter.body == b'{"n": 1}'
    attributes = dead_letter.extra["MessageAttributes"]
    assert attributes["RequestID"]["StringValue"] == "req-1"
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "boom"


def test_throttles_back_off_without_using_retries() -> None:
    done = settle(
        event(attempts=3, backoffs=3),
        outcome(Kind.FAILED, attempted=True, failure=Failure.THROTTLE, message="Rate Exceeded."),
        T0 + 10,
    )
    assert done.reschedule is not None
    assert done.reschedule.due_at == T0 + 10 + 8
    assert (done.reschedule.retries, done.reschedule.backoffs) == (0, 4)


def test_aged_out_event_reports_its_last_answer() -> None:
    aged = event(
        attempts=4,
        retries=1,
        last_version="$LATEST",
        last_error="ValueError",
        last_response=ERROR.payload,
    )
    done = settle(aged, outcome(Kind.EXPIRED), T0 + 30000)
    assert done.condition is Condition.EVENT_AGE_EXCEEDED
    assert done.age_ms is None
    body = record_of(done.deliveries[0].body)
    assert body["requestContext"]["approximateInvokeCount"] == 4
    assert body["responsePayload"]["errorMessage"] == "boom"


def test_throttled_until_too_old_has_no_response() -> None:
    done = settle(
        event(attempts=5, backoffs=5),
        outcome(
            Kind.FAILED,
            attempted=True,
            failure=Failure.THROTTLE,
            message="Rate Exceeded.",
            policy=Policy(max_age_s=60),
        ),
        T0 + 40,
    )
    assert done.condition is Condition.EVENT_AGE_EXCEEDED
    body = record_of(done.deliveries[0].body)
    assert "responseContext" not in body
    assert body["requestContext"]["approximateInvokeCount"] == 6
    attributes = done.deliveries[1].extra["MessageAttributes"]
    assert attributes["ErrorCode"]["StringValue"] == "429"
    assert attributes["ErrorMessage"]["StringValue"] == "Rate Exceeded."


def test_a_deleted_function_drops_its_events() -> None:
    done = settle(event(), outcome(Kind.GONE, routes=Routes()), T0 + 1)
    assert done.reschedule is None and done.deliveries == ()
    assert done.dropped is not None


def test_nothing_configured_nothing_delivered() -> None:
    done = settle(
        event(attempts=2, retries=2),
        outcome(
            Kind.FAILED,
            attempted=True,
            failure=Failure.FUNCTION_ERROR,
            response=ERROR,
            routes=Routes(),
        ),
        T0 + 200,
    )
    assert done.deliveries == ()
    assert done.dropped == "RetriesExhausted"
