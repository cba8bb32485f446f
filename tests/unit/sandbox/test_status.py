"""ExitStatus: exit code versus signal, and Go's wording that AWS shows."""

from __future__ import annotations

import pytest

from lambent.sandbox import ExitStatus


def test_bwrap_folds_signals_into_128_plus_n() -> None:
    assert ExitStatus.from_bwrap(137) == ExitStatus(signal=9)
    assert ExitStatus.from_bwrap(139).describe() == "signal: segmentation fault"
    assert ExitStatus.from_bwrap(143).describe() == "signal: terminated"
    assert ExitStatus.from_bwrap(1) == ExitStatus(code=1)
    assert ExitStatus.from_bwrap(128) == ExitStatus(code=128)
    assert ExitStatus.from_bwrap(255) == ExitStatus(code=255)


def test_a_signalled_bwrap_is_a_signal() -> None:
    assert ExitStatus.from_bwrap(-9).killed


def test_returncode_of_a_plain_process() -> None:
    assert ExitStatus.from_returncode(0).success
    assert ExitStatus.from_returncode(137) == ExitStatus(code=137)
    assert ExitStatus.from_returncode(-6).describe() == "signal: aborted"


def test_describe_matches_go_process_state() -> None:
    assert ExitStatus(code=2).describe() == "exit status 2"
    assert ExitStatus(signal=9).describe() == "signal: killed"
    assert ExitStatus(signal=40).describe() == "signal: signal 40"


@pytest.mark.parametrize("fields", [{}, {"code": 1, "signal": 9}])
def test_exactly_one_of_code_and_signal(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="either a code or a signal"):
        ExitStatus(**fields)
