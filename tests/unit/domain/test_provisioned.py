"""Provisioned concurrency rules: allocation limits, the split of an alias's share over its
versions, the status reported, and what provisioning does to admission."""

from __future__ import annotations

import pytest

from lambent.domain import provisioned as rules
from lambent.domain.concurrency import RESERVED_EXCEEDED, Demand, throttle_reason
from lambent.domain.rules import RuleViolation


def test_unreserved_functions_provision_out_of_unreserved_concurrency() -> None:
    rules.check_allocation(900, None, 0, 1000)
    with pytest.raises(
        RuleViolation, match=r"greater than account's unreserved concurrency \[1000\]"
    ):
        rules.check_allocation(1001, None, 0, 1000)
    with pytest.raises(RuleViolation, match=r"below its minimum value of \[100\]"):
        rules.check_allocation(901, None, 0, 1000)


def test_reserved_functions_provision_out_of_their_reservation() -> None:
    rules.check_allocation(3, 5, 2, 0)  # the account's unreserved concurrency plays no part
    with pytest.raises(RuleViolation) as e:
        rules.check_allocation(4, 5, 2, 1000)
    assert str(e.value) == rules.OVER_RESERVED


@pytest.mark.parametrize(
    ("requested", "weights", "expected"),
    [
        (4, {}, {"1": 4}),
        (10, {"2": 0.3}, {"1": 7, "2": 3}),
        (1, {"2": 0.2}, {"1": 1}),
        (2, {"2": 0.5}, {"1": 1, "2": 1}),
    ],
)
def test_an_alias_share_is_split_by_its_weights(
    requested: int, weights: dict[str, float], expected: dict[str, int]
) -> None:
    assert rules.shares(requested, "1", weights) == expected


def test_progress() -> None:
    assert rules.progress(2, 0, False) == rules.Progress(rules.Status.IN_PROGRESS, 0, 0)
    assert rules.progress(2, 2, False) == rules.Progress(rules.Status.READY, 2, 2)
    assert rules.progress(2, 3, False).allocated == 2
    failed = rules.progress(2, 1, True)
    assert (failed.status, failed.reason) == (rules.Status.FAILED, "FUNCTION_ERROR_INIT_FAILURE")


def test_timestamp_has_whole_seconds() -> None:
    assert rules.timestamp(1577824129.9) == "2019-12-31T20:28:49+0000"


def test_provisioned_concurrency_leaves_a_reserved_function_less_on_demand() -> None:
    def reason(running: int, provisioned: int) -> str | None:
        return throttle_reason(Demand(3, running, 0, 1000, 3, provisioned))

    assert reason(0, 0) is None
    assert reason(1, 2) == RESERVED_EXCEEDED
    assert reason(0, 2) is None
    assert reason(0, 3) == RESERVED_EXCEEDED, "all of it provisioned: on-demand is throttled"
