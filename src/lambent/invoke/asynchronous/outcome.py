"""What an attempt's outcome writes, in one transaction: the event's next step (its retry,
or its removal) together with every delivery that outcome owes and the counters it
moves. A crash before the commit repeats the attempt; after it, nothing is lost.

:func:`settle` decides (a pure function, tested on its own); :class:`Recorder` writes
the decision and then tells the dispatcher, the deliverer and the function's log.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lambent.domain.arn import function_arn
from lambent.domain.clock import Clock
from lambent.domain.event_invoke import service_of
from lambent.domain.invocation_record import (
    Response,
    dead_letter_attributes,
    detail_type,
    error_message,
    invocation_record,
)
from lambent.domain.retry import Condition, Discard, Failure
from lambent.invoke.asynchronous.attempt import THROTTLED, Kind, Outcome
from lambent.store import GroupCommit, async_metrics, events, outbox
from lambent.store.async_metrics import Counter
from lambent.store.events import Event, Reschedule
from lambent.store.events import Lane as LaneKey
from lambent.store.outbox import Delivery

_DROP_STREAM = "lambent-async-events"

AppendLog = Callable[[str, str, str, str, Sequence[tuple[int, str]]], None]
"""``LogSink.append(account, region, group, stream, events)``."""


@dataclass(frozen=True, slots=True)
class Settlement:
    #: The event's next try; None when this outcome ends it.
    reschedule: Reschedule | None
    deliveries: tuple[Delivery, ...] = ()
    #: How the event ended, when it did.
    condition: Condition | None = None
    #: Why the event was dropped without the function succeeding (None: it was not).
    dropped: str | None = None
    #: The ``AsyncEventAge`` of the attempt, when one was made.
    age_ms: float | None = None
    attempts: int = 0


def _last(event: Event) -> Response | None:
    if event.last_response is None or event.last_version is None:
        return None
    return Response(event.last_version, event.last_response, event.last_error)


def _dead_letter_error(
    outcome: Outcome, response: Response | None, condition: Condition
) -> tuple[int, str]:
    """ErrorCode (HTTP status) and ErrorMessage of a dead-letter message."""
    if response is not None and response.error_type is not None:
        return response.status_code, error_message(response, condition.value)
    if outcome.failure is Failure.SYSTEM_ERROR:
        return 500, outcome.message or condition.value
    if outcome.failure is Failure.THROTTLE or outcome.kind is Kind.ZERO_CONCURRENCY:
        return 429, outcome.message or THROTTLED
    return 429, condition.value


def _final(
    event: Event,
    outcome: Outcome,
    condition: Condition,
    response: Response | None,
    attempts: int,
    now: float,
) -> tuple[Delivery, ...]:
    arn = function_arn(event.account, event.region, event.function, outcome.version)
    record = invocation_record(
        request_id=event.request_id,
        function_arn=arn,
        condition=condition,
        invoke_count=attempts,
        request_payload=event.payload,
        response=response,
        timestamp=now,
    )
    body = json.dumps(record, separators=(",", ":")).encode()
    routes = outcome.routes
    target = routes.on_success if condition is Condition.SUCCESS else routes.on_failure
    found: list[Delivery] = []
    if target is not None:
        extra: dict[str, object] = {}
        if service_of(target) == "events":
            extra = {"DetailType": detail_type(condition), "Resources": [arn, target]}
        elif service_of(target) == "s3":
            extra = {"Function": event.function, "Timestamp": now}
        found.append(Delivery(outbox.Kind.DESTINATION, target, event.lane, body, extra))
    if condition is not Condition.SUCCESS and routes.dead_letter is not None:
        code, message = _dead_letter_error(outcome, response, condition)
        attributes = dead_letter_attributes(event.request_id, code, message)
        found.append(
            Delivery(
                outbox.Kind.DEAD_LETTER,
                routes.dead_letter,
                event.lane,
                event.payload,
                {"MessageAttributes": attributes},
            )
        )
    return tuple(found)


def settle(event: Event, outcome: Outcome, now: float) -> Settlement:
    """The next step of ``event`` after ``outcome``, ending at ``now``."""
    attempts = event.attempts + int(outcome.attempted)
    age_ms = (outcome.started_at - event.accepted_at) * 1000 if outcome.attempted else None

    def ended(condition: Condition, response: Response | None) -> Settlement:
        dropped = None if condition is Condition.SUCCESS else condition.value
        deliveries = _final(event, outcome, condition, response, attempts, now)
        return Settlement(None, deliveries, condition, dropped, age_ms, attempts)

    if outcome.kind is Kind.SUCCEEDED:
        return ended(Condition.SUCCESS, outcome.response)
    if outcome.kind is Kind.GONE:
        return Settlement(None, dropped="the function no longer exists", attempts=attempts)
    if outcome.kind is Kind.EXPIRED:
        return ended(Condition.EVENT_AGE_EXCEEDED, _last(event))
    if outcome.kind is Kind.ZERO_CONCURRENCY:
        return ended(Condition.ZERO_RESERVED_CONCURRENCY, None)
    assert outcome.failure is not None
    step = outcome.policy.after(
        outcome.failure, event.accepted_at, now, event.retries, event.backoffs
    )
    if isinstance(step, Discard):
        return ended(step.condition, outcome.response or _last(event))
    if outcome.failure is Failure.FUNCTION_ERROR and outcome.response is not None:
        answer = outcome.response
        retry = Reschedule(
            step.due_at,
            attempts,
            event.retries + 1,
            0,
            answer.executed_version,
            answer.error_type,
            answer.payload,
        )
    else:
        retry = Reschedule(
            step.due_at,
            attempts,
            event.retries,
            event.backoffs + 1,
            event.last_version,
            event.last_error,
            event.last_response,
        )
    return Settlement(retry, age_ms=age_ms, attempts=attempts)


def apply(c: sqlite3.Connection, event: Event, settled: Settlement, now: float) -> None:
    """Write ``settled`` (on the events database, in the caller's transaction)."""
    if settled.reschedule is not None:
        events.reschedule(c, event.id, settled.reschedule)
    else:
        events.remove(c, event.id)
    for delivery in settled.deliveries:
        outbox.add(c, delivery, now)
    if settled.age_ms is not None:
        async_metrics.add_age(c, event.lane, now, settled.age_ms)
    if settled.dropped is not None:
        async_metrics.add(c, event.lane, now, Counter.DROPPED)


class Recorder:
    def __init__(
        self,
        commit: GroupCommit,
        clock: Clock,
        append_log: AppendLog,
        on_retry: Callable[[LaneKey, float], None],
        on_deliveries: Callable[[], None],
    ) -> None:
        self._commit = commit
        self._clock = clock
        self._append_log = append_log
        self._on_retry = on_retry
        self._on_deliveries = on_deliveries

    async def record(self, event: Event, outcome: Outcome) -> Settlement:
        now = self._clock()
        settled = settle(event, outcome, now)
        await self._commit.write(lambda c: apply(c, event, settled, now))
        if settled.reschedule is not None:
            self._on_retry(event.lane, settled.reschedule.due_at)
        if settled.deliveries:
            self._on_deliveries()
        if settled.dropped is not None:
            self._log_drop(event, outcome, settled, now)
        return settled

    def _log_drop(self, event: Event, outcome: Outcome, settled: Settlement, now: float) -> None:
        """A line in the function's own log group, so whoever reads its logs sees it."""
        age = now - event.accepted_at
        line = (
            f"Lambent dropped asynchronous event {event.request_id}: {settled.dropped} "
            f"(approximateInvokeCount {settled.attempts}, age {age:.3f} s, "
            f"MaximumEventAgeInSeconds {outcome.policy.max_age_s:g}, "
            f"MaximumRetryAttempts {outcome.policy.retry_attempts})"
        )
        stream = time.strftime("%Y/%m/%d/", time.gmtime(now)) + f"[{outcome.version}]{_DROP_STREAM}"
        group = outcome.log_group or f"/aws/lambda/{event.function}"
        self._append_log(event.account, event.region, group, stream, [(int(now * 1000), line)])
