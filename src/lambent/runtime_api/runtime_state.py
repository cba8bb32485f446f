"""The runtime process's state machine, as Lambda keeps it for the Runtime API.

State and target names are AWS's own (the Runtime Interface Emulator's ``core/states.go``
and ``runtime_state_names.go``), because they appear in the ``InvalidStateTransition``
messages a runtime receives, e.g. ``State transition from RuntimeResponseSentState to
InvocationResponse failed for runtime. Error: State transition is not allowed``.
"""

from __future__ import annotations

from lambent.domain.states import StateEnum


class RuntimeState(StateEnum):
    #: Launched; has not yet called ``next`` (the init phase).
    STARTED = "Started"
    #: Posted ``/runtime/init/error``: terminal.
    INIT_ERROR = "InitError"
    #: Called ``next``: waiting for an invocation, or working on the one it was given.
    READY = "Ready"
    #: Posted the current invocation's response or error; its next call is ``next``.
    RESPONSE_SENT = "RuntimeResponseSentState"


class RuntimeCall(StateEnum):
    """What the runtime asks for; the value is the target state's name in AWS's messages."""

    NEXT = "Ready"
    INIT_ERROR = "InitError"
    RESPONSE = "InvocationResponse"
    ERROR_RESPONSE = "InvocationErrorResponse"


_TRANSITIONS: dict[tuple[RuntimeState, RuntimeCall], RuntimeState] = {
    (RuntimeState.STARTED, RuntimeCall.NEXT): RuntimeState.READY,
    (RuntimeState.STARTED, RuntimeCall.INIT_ERROR): RuntimeState.INIT_ERROR,
    # AWS lets a ready runtime call next again (RuntimeReadyState.Ready returns nil).
    (RuntimeState.READY, RuntimeCall.NEXT): RuntimeState.READY,
    (RuntimeState.READY, RuntimeCall.RESPONSE): RuntimeState.RESPONSE_SENT,
    (RuntimeState.READY, RuntimeCall.ERROR_RESPONSE): RuntimeState.RESPONSE_SENT,
    (RuntimeState.RESPONSE_SENT, RuntimeCall.NEXT): RuntimeState.READY,
}


def runtime_transition(state: RuntimeState, call: RuntimeCall) -> RuntimeState | None:
    """The state after ``call``, or ``None`` when AWS refuses it (a 403)."""
    return _TRANSITIONS.get((state, call))
