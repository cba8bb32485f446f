"""Fixtures for the sandbox integration tests: isolation detected once, cleaned up after."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambent.sandbox import Isolation, IsolationRequest, detect_isolation
from lambent.sandbox.cgroup_detect import detect_cgroups
from tests.integration.sandbox.support import PREFIX


def _detect(request: IsolationRequest) -> Isolation:
    return asyncio.run(detect_isolation(request, cgroup_prefix=PREFIX))


def _teardown(isolation: Isolation) -> None:
    if isolation.cgroups is not None:
        asyncio.run(isolation.cgroups.close())


@pytest.fixture(scope="session", autouse=True)
def _remove_test_prefix() -> Iterator[None]:
    """Detection creates ``<prefix>`` in each hierarchy; this run's prefix goes at the end."""
    yield
    found = detect_cgroups(PREFIX)
    for location in found.manager.locations if found.manager is not None else ():
        with contextlib.suppress(OSError):
            location.rmdir()


@pytest.fixture(scope="session")
def bwrap_isolation() -> Iterator[Isolation]:
    isolation = _detect(IsolationRequest.BWRAP)
    yield isolation
    _teardown(isolation)


@pytest.fixture(scope="session")
def process_isolation() -> Iterator[Isolation]:
    isolation = _detect(IsolationRequest.PROCESS)
    yield isolation
    _teardown(isolation)


@pytest.fixture
def code(tmp_path: Path) -> Path:
    """A function's code directory, readable (and, for the read-only test, writable)
    by everyone: only the read-only mount may stop the sandbox user from writing."""
    directory = tmp_path / "code"
    directory.mkdir()
    (directory / "handler.py").write_text("def handler(event, context):\n    return event\n")
    for path in (tmp_path, directory):
        path.chmod(0o777)
    (directory / "handler.py").chmod(0o644)
    return directory
