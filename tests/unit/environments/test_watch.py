"""Watch: a wait on the runtime ends with its answer, the sandbox's end, or the deadline."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from lambent.environments.watch import SandboxExited, Watch


def test_the_answer_comes_first() -> None:
    async def scenario() -> str:
        loop = asyncio.get_running_loop()
        watch = Watch(loop.create_future())
        answer: asyncio.Future[str] = loop.create_future()
        loop.call_soon(answer.set_result, "ok")
        return await watch.wait(answer, time.perf_counter() + 5)

    assert asyncio.run(scenario()) == "ok"


def test_past_the_deadline_the_wait_times_out() -> None:
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        watch = Watch(loop.create_future())
        start = time.perf_counter()
        with pytest.raises(TimeoutError):
            await watch.wait(loop.create_future(), start + 0.05)
        return time.perf_counter() - start

    assert asyncio.run(scenario()) >= 0.05


def test_each_wait_keeps_its_own_deadline_across_one_timer() -> None:
    """The timer armed for a first, quick wait rings during the second: it must not end
    the second before that one's own deadline, and must end it at that deadline."""

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        watch = Watch(loop.create_future())
        start = time.perf_counter()
        quick: asyncio.Future[int] = loop.create_future()
        quick.set_result(1)
        await watch.wait(quick, start + 0.05)
        with pytest.raises(TimeoutError):
            await watch.wait(loop.create_future(), start + 0.2)
        return time.perf_counter() - start

    assert 0.2 <= asyncio.run(scenario()) < 1.0


def test_the_sandbox_ending_ends_the_wait() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[Any] = loop.create_future()
        watch = Watch(exited)
        loop.call_later(0.01, exited.set_result, 0)
        with pytest.raises(SandboxExited):
            await watch.wait(loop.create_future(), time.perf_counter() + 5)

    asyncio.run(scenario())
