"""Admission: whether an invocation may start now, counted against concurrency limits.

Counts are in memory: they describe invocations running in this process, which is
where the limits apply. Over a limit the caller gets AWS's ``TooManyRequestsException``
at once (429, ``Reason``), never a wait.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lambent.domain.concurrency import THROTTLED_MESSAGE, Demand, throttle_reason
from lambent.errors import TooManyRequests


@dataclass(frozen=True, slots=True)
class Limits:
    """What one function's invocations are counted against."""

    account: str
    region: str
    function: str
    reserved: int | None
    account_limit: int
    reserved_total: int
    #: What the function's versions and aliases provision.
    provisioned: int = 0


class Admission:
    def __init__(self) -> None:
        self._running: Counter[tuple[str, str, str]] = Counter()
        self._unreserved: Counter[tuple[str, str]] = Counter()

    def running(self, account: str, region: str, function: str) -> int:
        return self._running[(account, region, function)]

    def slot(self, limits: Limits) -> Slot:
        """One unit of concurrency, held for a ``with`` block: entering raises the throttle
        when a limit is reached."""
        return Slot(self, limits)

    def acquire(self, limits: Limits) -> None:
        """Count one more invocation, or raise the throttle (prefer :meth:`slot`)."""
        key = (limits.account, limits.region, limits.function)
        scope = (limits.account, limits.region)
        reason = throttle_reason(
            Demand(
                reserved=limits.reserved,
                running=self._running[key],
                unreserved_running=self._unreserved[scope],
                account_limit=limits.account_limit,
                reserved_total=limits.reserved_total,
                provisioned=limits.provisioned,
            )
        )
        if reason is not None:
            raise TooManyRequests(THROTTLED_MESSAGE, fields={"Reason": reason})
        self._running[key] += 1
        if limits.reserved is None:
            self._unreserved[scope] += 1

    def release(self, limits: Limits) -> None:
        """The invocation :meth:`acquire` counted has ended."""
        self._running[(limits.account, limits.region, limits.function)] -= 1
        if limits.reserved is None:
            self._unreserved[(limits.account, limits.region)] -= 1


class Slot:
    """:meth:`Admission.slot`: a class rather than a generator, taken per invocation."""

    __slots__ = ("_admission", "_limits")

    def __init__(self, admission: Admission, limits: Limits) -> None:
        self._admission = admission
        self._limits = limits

    def __enter__(self) -> None:
        self._admission.acquire(self._limits)

    def __exit__(self, *_: object) -> None:
        self._admission.release(self._limits)
