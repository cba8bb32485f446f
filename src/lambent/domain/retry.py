"""Asynchronous invocation's retry policy, as AWS documents it: pure functions of time.

AWS ("Asynchronous invocation", How Lambda handles asynchronous invocations):

- A function error (an error the code or its runtime returns, timeouts included) is
  retried up to ``MaximumRetryAttempts`` times (0-2, default 2): "one-minute wait between
  the first two attempts, and two minutes between the second and third attempts".
- Throttles (429) and system errors (500-series) return the event to the queue: "the
  retry interval increases exponentially from 1 second after the first attempt to a
  maximum of 5 minutes", for as long as the event is younger than
  ``MaximumEventAgeInSeconds`` (60-21600, default 6 hours).
- An event older than its maximum age is discarded (``EventAgeExceeded``). A retry that
  could only start after that age is not scheduled: the event is discarded at once, as
  AWS does (LocalStack's AWS-validated ``has_enough_time_for_retry`` looks ahead the same
  way).

``scale`` multiplies every duration (delays and the maximum age alike), so a server run
with ``--retry-delay-scale 0.01`` plays six hours of AWS's schedule in 216 seconds.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_EVENT_AGE_S = 21600
#: The wait before the first and before the second retry of a function error.
FUNCTION_ERROR_DELAYS_S = (60.0, 120.0)
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 300.0


class Condition(enum.StrEnum):
    """``requestContext.condition`` of an invocation record."""

    SUCCESS = "Success"
    RETRIES_EXHAUSTED = "RetriesExhausted"
    EVENT_AGE_EXCEEDED = "EventAgeExceeded"
    #: Reserved concurrency 0: AWS sends new events to the failure destinations "without
    #: any retries" (the condition's name is LocalStack's; AWS's is not recorded).
    ZERO_RESERVED_CONCURRENCY = "ZeroReservedConcurrency"


class Failure(enum.Enum):
    FUNCTION_ERROR = "function error"
    THROTTLE = "throttle"
    SYSTEM_ERROR = "system error"


@dataclass(frozen=True, slots=True)
class Retry:
    """Try again at ``due_at``."""

    due_at: float


@dataclass(frozen=True, slots=True)
class Discard:
    """No more attempts: the event ends with ``condition``."""

    condition: Condition


Step = Retry | Discard


@dataclass(frozen=True, slots=True)
class Policy:
    """One event's error handling: its (function, version or alias) event invoke config."""

    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    max_age_s: float = DEFAULT_EVENT_AGE_S
    scale: float = 1.0

    @classmethod
    def of(cls, config: Mapping[str, Any] | None, scale: float = 1.0) -> Policy:
        """The policy an ``EventInvokeConfig`` sets (AWS's defaults where it sets none)."""
        config = config or {}
        retries = config.get("MaximumRetryAttempts")
        age = config.get("MaximumEventAgeInSeconds")
        return cls(
            DEFAULT_RETRY_ATTEMPTS if retries is None else int(retries),
            DEFAULT_EVENT_AGE_S if age is None else float(age),
            scale,
        )

    @property
    def deadline_s(self) -> float:
        """How long after acceptance an event may still start an attempt."""
        return self.max_age_s * self.scale

    def expired(self, accepted_at: float, now: float) -> bool:
        return now - accepted_at > self.deadline_s

    def after(
        self, failure: Failure, accepted_at: float, now: float, retries: int, backoffs: int
    ) -> Step:
        """What follows an attempt that ended in ``failure`` at ``now``.

        ``retries``: function-error retries already made; ``backoffs``: throttles and
        system errors since the function last ran.
        """
        if failure is Failure.FUNCTION_ERROR:
            if retries >= self.retry_attempts:
                return Discard(Condition.RETRIES_EXHAUSTED)
            delay = function_error_delay(retries)
        else:
            delay = backoff_delay(backoffs)
        due_at = now + delay * self.scale
        if due_at - accepted_at > self.deadline_s:
            return Discard(Condition.EVENT_AGE_EXCEEDED)
        return Retry(due_at)


def function_error_delay(retries: int) -> float:
    """Seconds before function-error retry number ``retries + 1``."""
    return FUNCTION_ERROR_DELAYS_S[min(retries, len(FUNCTION_ERROR_DELAYS_S) - 1)]


def backoff_delay(backoffs: int) -> float:
    """Seconds before the next try after ``backoffs`` throttles or system errors in a row:
    1, 2, 4, ... up to 300."""
    return min(BACKOFF_FIRST_S * 2.0 ** min(backoffs, 32), BACKOFF_MAX_S)
