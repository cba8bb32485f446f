"""Choosing the isolation mode: auto picks the strongest, explicit requests do not degrade."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambent.sandbox import (
    IsolationMode,
    IsolationRequest,
    IsolationUnavailableError,
    detect_isolation,
)
from tests.integration.sandbox.support import PREFIX, needs_bwrap, scenario


@scenario
async def test_requested_bwrap_that_is_missing_is_an_error() -> None:
    with pytest.raises(IsolationUnavailableError, match="bubblewrap not found"):
        await detect_isolation(
            IsolationRequest.BWRAP, bwrap="/nonexistent/bwrap", cgroup_prefix=PREFIX
        )


@scenario
async def test_auto_falls_back_to_process_mode_and_says_why() -> None:
    isolation = await detect_isolation(
        IsolationRequest.AUTO, bwrap="/nonexistent/bwrap", cgroup_prefix=PREFIX
    )
    assert isolation.mode is IsolationMode.PROCESS
    assert "bwrap is unavailable: bubblewrap not found" in isolation.reason


@scenario
async def test_a_bwrap_that_does_not_work_is_detected(tmp_path: Path) -> None:
    broken = tmp_path / "bwrap"
    broken.write_text(
        '#!/bin/sh\n[ "$1" = --version ] && echo bubblewrap 0.8.0 && exit 0\n'
        "echo 'bwrap: No permissions to create new namespace' >&2; exit 1\n"
    )
    broken.chmod(0o755)
    with pytest.raises(IsolationUnavailableError, match="No permissions to create new namespace"):
        await detect_isolation(IsolationRequest.BWRAP, bwrap=str(broken), cgroup_prefix=PREFIX)


@scenario
async def test_an_old_bwrap_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "bwrap"
    old.write_text("#!/bin/sh\necho bubblewrap 0.6.1\n")
    old.chmod(0o755)
    with pytest.raises(IsolationUnavailableError, match=r"0\.6\.1 is too old"):
        await detect_isolation(IsolationRequest.BWRAP, bwrap=str(old), cgroup_prefix=PREFIX)


@pytest.mark.root
@needs_bwrap
@scenario
async def test_auto_picks_bwrap_and_cgroups_here() -> None:
    isolation = await detect_isolation(IsolationRequest.AUTO, cgroup_prefix=PREFIX)
    try:
        assert isolation.mode is IsolationMode.BWRAP and isolation.isolated
        assert isolation.reason.startswith("isolation bwrap: bubblewrap")
        assert isolation.cgroups is not None, isolation.reason
        assert "cgroup v" in isolation.reason
    finally:
        if isolation.cgroups is not None:
            await isolation.cgroups.close()
