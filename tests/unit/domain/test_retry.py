"""Asynchronous invocation's retry timing, as AWS documents it."""

from __future__ import annotations

import pytest

from lambent.domain.retry import (
    Condition,
    Discard,
    Failure,
    Policy,
    Retry,
    backoff_delay,
    function_error_delay,
)

T0 = 1_000_000.0


def test_defaults_are_awss() -> None:
    policy = Policy.of(None)
    assert (policy.retry_attempts, policy.max_age_s) == (2, 21600)
    assert Policy.of({"MaximumRetryAttempts": 0}).retry_attempts == 0
    assert Policy.of({"MaximumEventAgeInSeconds": 60}).max_age_s == 60
    assert Policy.of({"MaximumRetryAttempts": 1}).max_age_s == 21600


def test_function_errors_wait_one_then_two_minutes() -> None:
    policy = Policy()
    first = policy.after(Failure.FUNCTION_ERROR, T0, T0 + 1, retries=0, backoffs=0)
    assert first == Retry(T0 + 1 + 60)
    second = policy.after(Failure.FUNCTION_ERROR, T0, T0 + 62, retries=1, backoffs=0)
    assert second == Retry(T0 + 62 + 120)
    third = policy.after(Failure.FUNCTION_ERROR, T0, T0 + 183, retries=2, backoffs=0)
    assert third == Discard(Condition.RETRIES_EXHAUSTED)


@pytest.mark.parametrize("attempts", [0, 1, 2])
def test_maximum_retry_attempts_bounds_function_errors(attempts: int) -> None:
    policy = Policy(retry_attempts=attempts)
    now, made = T0, 0
    while True:
        step = policy.after(Failure.FUNCTION_ERROR, T0, now, retries=made, backoffs=0)
        if isinstance(step, Discard):
            assert step.condition is Condition.RETRIES_EXHAUSTED
            break
        made += 1
        now = step.due_at
    assert made == attempts


def test_throttles_back_off_exponentially_to_five_minutes() -> None:
    assert [backoff_delay(n) for n in range(11)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        300,
        300,
    ]
    assert backoff_delay(10_000) == 300
    assert [function_error_delay(n) for n in range(3)] == [60, 120, 120]


def test_throttles_retry_until_the_maximum_age_and_never_count_as_retries() -> None:
    policy = Policy(retry_attempts=0, max_age_s=60)
    now, backoffs, tries = T0, 0, 0
    while True:
        step = policy.after(Failure.THROTTLE, T0, now, retries=0, backoffs=backoffs)
        tries += 1
        if isinstance(step, Discard):
            break
        backoffs += 1
        now = step.due_at
    # 1 + 2 + 4 + 8 + 16 = 31 s of waiting; the next (32 s) would start past 60 s.
    assert step == Discard(Condition.EVENT_AGE_EXCEEDED)
    assert tries == 6
    assert now - T0 == 31


def test_a_retry_past_the_maximum_age_is_not_scheduled() -> None:
    policy = Policy(max_age_s=60)
    assert policy.after(Failure.FUNCTION_ERROR, T0, T0 + 0.5, 0, 0) == Discard(
        Condition.EVENT_AGE_EXCEEDED
    )
    assert Policy(max_age_s=61).after(Failure.FUNCTION_ERROR, T0, T0 + 0.5, 0, 0) == Retry(
        T0 + 60.5
    )
    assert Policy(max_age_s=60).after(Failure.FUNCTION_ERROR, T0, T0, 0, 0) == Retry(T0 + 60)


def test_expiry_is_strictly_after_the_maximum_age() -> None:
    policy = Policy(max_age_s=60)
    assert not policy.expired(T0, T0 + 60)
    assert policy.expired(T0, T0 + 60.001)


def test_scale_shrinks_every_duration_alike() -> None:
    policy = Policy(max_age_s=60, scale=0.01)
    assert policy.deadline_s == pytest.approx(0.6)
    assert policy.after(Failure.THROTTLE, T0, T0, 0, 3) == Retry(T0 + 0.08)
    assert Policy(scale=0.01).after(Failure.FUNCTION_ERROR, T0, T0, 1, 0) == Retry(T0 + 1.2)
    assert policy.expired(T0, T0 + 0.61)
