"""Handoff: environments that settle go to the invocations waiting, in order, one each."""

from __future__ import annotations

import asyncio

from lambent.environments.handoff import Handoff


def test_nobody_waits_when_nothing_is_settling() -> None:
    async def scenario() -> str | None:
        return await Handoff[str](lambda _: None).wait(10)

    assert asyncio.run(scenario()) is None


def test_waiters_get_the_settling_environments_in_order_and_the_rest_start_their_own() -> None:
    async def scenario() -> list[str | None]:
        handoff = Handoff[str](lambda _: None)
        handoff.expect()
        handoff.expect()
        waiters = [asyncio.ensure_future(handoff.wait(10)) for _ in range(3)]
        await asyncio.sleep(0)
        # Two settling, three waiting: the third is told at once to start its own.
        assert waiters[2].done() and waiters[2].result() is None
        assert handoff.settle("first") is True
        assert handoff.settle("second") is True
        return [await waiter for waiter in waiters]

    assert asyncio.run(scenario()) == ["first", "second", None]


def test_an_environment_that_died_while_settling_wakes_its_waiter_to_start_one() -> None:
    async def scenario() -> tuple[bool, str | None]:
        handoff = Handoff[str](lambda _: None)
        handoff.expect()
        waiter = asyncio.ensure_future(handoff.wait(10))
        await asyncio.sleep(0)
        return handoff.settle(None), await waiter

    assert asyncio.run(scenario()) == (False, None)


def test_a_waiter_gives_up_after_the_timeout_and_the_environment_is_not_taken() -> None:
    async def scenario() -> tuple[str | None, bool, int]:
        handoff = Handoff[str](lambda _: None)
        handoff.expect()
        got = await handoff.wait(0.01)
        return got, handoff.settle("late"), handoff.settling

    assert asyncio.run(scenario()) == (None, False, 0)


def test_an_environment_handed_to_a_cancelled_waiter_is_not_lost() -> None:
    async def scenario() -> list[str]:
        unclaimed: list[str] = []
        handoff = Handoff[str](unclaimed.append)
        handoff.expect()
        waiter = asyncio.ensure_future(handoff.wait(10))
        await asyncio.sleep(0)
        assert handoff.settle("env") is True
        waiter.cancel()  # before it resumed with the environment
        await asyncio.gather(waiter, return_exceptions=True)
        return unclaimed

    assert asyncio.run(scenario()) == ["env"]


def test_each_waiter_keeps_its_own_deadline() -> None:
    async def scenario() -> tuple[str | None, str | None]:
        handoff = Handoff[str](lambda _: None)
        handoff.expect()
        handoff.expect()
        impatient = asyncio.ensure_future(handoff.wait(0.01))
        patient = asyncio.ensure_future(handoff.wait(10))
        first = await impatient
        handoff.settle("env")
        return first, await patient

    assert asyncio.run(scenario()) == (None, "env")
