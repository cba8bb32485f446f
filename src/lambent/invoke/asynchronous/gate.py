"""Asynchronous attempts pass the same concurrency admission as synchronous invocations:
over a limit, the attempt is throttled and its event retried with backoff."""

from __future__ import annotations

from contextlib import AbstractContextManager

from lambent.invoke.admission import Admission, Limits
from lambent.invoke.asynchronous.attempt import Admit
from lambent.store.events import Lane


def admission_gate(admission: Admission, account_limit: int) -> Admit:
    def admit(
        lane: Lane, reserved: int | None, reserved_total: int, provisioned: int
    ) -> AbstractContextManager[None]:
        account, region, function = lane
        return admission.slot(
            Limits(account, region, function, reserved, account_limit, reserved_total, provisioned)
        )

    return admit
