"""Concurrency: reservations, and whether one more invocation may start (AWS's rules).

The account's limit is shared: functions with reserved concurrency draw only on their
reservation, and the others share what is left, of which AWS keeps at least 100
unreserved. Provisioned concurrency is concurrency allocated ahead: invocations that run in
provisioned environments need no admission, and the on-demand rest of a reserved function
is its reservation less what it provisions ("If the amount of provisioned concurrency on a
function's versions and aliases adds up to the function's reserved concurrency, then all
invocations run on provisioned concurrency ... throttling the unpublished version").
"""

from __future__ import annotations

from dataclasses import dataclass

from lambent.domain.limits import UNRESERVED_CONCURRENCY_MIN
from lambent.domain.rules import RuleViolation

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"
THROTTLED_MESSAGE = "Rate Exceeded."


def check_reservation(requested: int, account_limit: int, reserved_by_others: int) -> None:
    if account_limit - reserved_by_others - requested < UNRESERVED_CONCURRENCY_MIN:
        raise RuleViolation(
            "Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of "
            f"[{UNRESERVED_CONCURRENCY_MIN}]."
        )


@dataclass(frozen=True, slots=True)
class Demand:
    """What deciding on one more invocation of a function needs to know."""

    #: The function's reservation, None when it has none.
    reserved: int | None
    #: Its on-demand invocations running now.
    running: int
    #: Running invocations of unreserved functions in the account and region.
    unreserved_running: int
    account_limit: int
    #: What all functions of the account reserve (and provision, when unreserved).
    reserved_total: int
    #: What the function's versions and aliases provision.
    provisioned: int = 0


def throttle_reason(demand: Demand) -> str | None:
    """None when the invocation may start, else AWS's ``Reason`` for refusing it."""
    if demand.reserved is not None:
        on_demand = demand.reserved - demand.provisioned
        return RESERVED_EXCEEDED if demand.running >= on_demand else None
    if demand.unreserved_running >= demand.account_limit - demand.reserved_total:
        return ACCOUNT_EXCEEDED
    return None
