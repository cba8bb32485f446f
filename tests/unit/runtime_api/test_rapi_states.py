"""The state machines behind the Runtime and Extensions APIs, and the environment phases."""

from __future__ import annotations

import pytest

from lambent.runtime_api.extension_state import (
    ExtensionCall,
    ExtensionState,
    event_refusal,
    extension_transition,
    is_terminal,
)
from lambent.runtime_api.phase import Phase, can_move, is_over
from lambent.runtime_api.runtime_state import RuntimeCall, RuntimeState, runtime_transition

R, RC = RuntimeState, RuntimeCall


@pytest.mark.parametrize(
    ("state", "call", "target"),
    [
        (R.STARTED, RC.NEXT, R.READY),
        (R.STARTED, RC.INIT_ERROR, R.INIT_ERROR),
        (R.READY, RC.NEXT, R.READY),
        (R.READY, RC.RESPONSE, R.RESPONSE_SENT),
        (R.READY, RC.ERROR_RESPONSE, R.RESPONSE_SENT),
        (R.RESPONSE_SENT, RC.NEXT, R.READY),
    ],
)
def test_runtime_allowed(state: RuntimeState, call: RuntimeCall, target: RuntimeState) -> None:
    assert runtime_transition(state, call) is target


def test_runtime_refusals_are_everything_else() -> None:
    allowed = {
        (R.STARTED, RC.NEXT),
        (R.STARTED, RC.INIT_ERROR),
        (R.READY, RC.NEXT),
        (R.READY, RC.RESPONSE),
        (R.READY, RC.ERROR_RESPONSE),
        (R.RESPONSE_SENT, RC.NEXT),
    }
    for state in RuntimeState:
        for call in RuntimeCall:
            if (state, call) not in allowed:
                assert runtime_transition(state, call) is None, (state, call)


def test_runtime_names_are_aws_names() -> None:
    assert R.RESPONSE_SENT.value == "RuntimeResponseSentState"
    assert RC.RESPONSE.value == "InvocationResponse"
    assert RC.ERROR_RESPONSE.value == "InvocationErrorResponse"
    assert RC.NEXT.value == "Ready"


E, EC = ExtensionState, ExtensionCall


def test_extension_lifecycle() -> None:
    state = E.STARTED
    for call, expected in [
        (EC.REGISTER, E.REGISTERED),
        (EC.NEXT, E.READY),
        (EC.DELIVER, E.RUNNING),
        (EC.NEXT, E.READY),
        (EC.DELIVER, E.RUNNING),
        (EC.EXIT_ERROR, E.EXIT_ERROR),
        (EC.EXIT_ERROR, E.EXIT_ERROR),
    ]:
        target = extension_transition(state, call)
        assert target is expected
        state = target


@pytest.mark.parametrize(
    ("state", "call"),
    [
        (E.REGISTERED, EC.REGISTER),
        (E.READY, EC.NEXT),
        (E.READY, EC.INIT_ERROR),
        (E.RUNNING, EC.INIT_ERROR),
        (E.INIT_ERROR, EC.NEXT),
        (E.EXIT_ERROR, EC.NEXT),
        (E.STARTED, EC.NEXT),
        (E.REGISTERED, EC.DELIVER),
    ],
)
def test_extension_refusals(state: ExtensionState, call: ExtensionCall) -> None:
    assert extension_transition(state, call) is None


def test_extension_init_error_only_before_first_next() -> None:
    assert extension_transition(E.REGISTERED, EC.INIT_ERROR) is E.INIT_ERROR
    assert extension_transition(E.INIT_ERROR, EC.INIT_ERROR) is E.INIT_ERROR
    assert is_terminal(E.INIT_ERROR) and is_terminal(E.EXIT_ERROR)
    assert not is_terminal(E.RUNNING)


def test_event_subscriptions() -> None:
    assert event_refusal("INVOKE", external=False) is None
    assert event_refusal("SHUTDOWN", external=True) is None
    assert event_refusal("SHUTDOWN", external=False) == (
        "ShutdownEventNotSupportedForInternalExtension"
    )
    assert event_refusal("invoke", external=True) == "ErrorInvalidEventType"


def test_phases() -> None:
    assert can_move(Phase.INITIALIZING, Phase.IDLE)
    assert can_move(Phase.IDLE, Phase.INVOKING)
    assert can_move(Phase.INVOKING, Phase.FINISHING)
    assert can_move(Phase.FINISHING, Phase.IDLE)
    assert not can_move(Phase.IDLE, Phase.FINISHING)
    assert not can_move(Phase.INVOKING, Phase.IDLE)
    assert not can_move(Phase.ABANDONED, Phase.IDLE)
    assert not can_move(Phase.INIT_FAILED, Phase.IDLE)
    assert not can_move(Phase.CLOSED, Phase.SHUTTING_DOWN)
    for phase in Phase:
        if phase is not Phase.CLOSED:
            assert can_move(phase, Phase.CLOSED), phase
    assert is_over(Phase.ABANDONED) and is_over(Phase.INIT_FAILED)
    assert not is_over(Phase.FINISHING)
