"""An extension's state machine and the events it may subscribe to (Extensions API).

Names follow AWS's (the Runtime Interface Emulator's ``core/externalagent_states.go`` and
``agent_state_names.go``): they appear in ``Extension.InvalidExtensionState`` messages.
"""

from __future__ import annotations

from lambent.domain.states import StateEnum


class EventType(StateEnum):
    INVOKE = "INVOKE"
    SHUTDOWN = "SHUTDOWN"


class ExtensionState(StateEnum):
    #: Declared by the platform (an external extension it launched) but not registered yet.
    STARTED = "Started"
    #: Registered; has not yet called ``event/next`` (the init phase).
    REGISTERED = "Registered"
    #: Waiting in ``event/next``.
    READY = "Ready"
    #: Was handed an event and is working on it; its next call to ``event/next`` ends it.
    RUNNING = "Running"
    #: Posted ``init/error``: terminal.
    INIT_ERROR = "InitError"
    #: Posted ``exit/error``: terminal.
    EXIT_ERROR = "ExitError"


class ExtensionCall(StateEnum):
    """A step of the machine; the value is the target's name in AWS's refusal messages."""

    REGISTER = "Registered"
    NEXT = "Ready"
    DELIVER = "Running"
    INIT_ERROR = "InitError"
    # AWS's exit/error handler names the Exited state as its target.
    EXIT_ERROR = "Exited"


_S = ExtensionState
_C = ExtensionCall
_TRANSITIONS: dict[tuple[ExtensionState, ExtensionCall], ExtensionState] = {
    (_S.STARTED, _C.REGISTER): _S.REGISTERED,
    (_S.REGISTERED, _C.NEXT): _S.READY,
    (_S.RUNNING, _C.NEXT): _S.READY,
    (_S.READY, _C.DELIVER): _S.RUNNING,
    (_S.REGISTERED, _C.INIT_ERROR): _S.INIT_ERROR,
    # Repeated error reports are accepted; only the first one counts.
    (_S.INIT_ERROR, _C.INIT_ERROR): _S.INIT_ERROR,
    (_S.REGISTERED, _C.EXIT_ERROR): _S.EXIT_ERROR,
    (_S.READY, _C.EXIT_ERROR): _S.EXIT_ERROR,
    (_S.RUNNING, _C.EXIT_ERROR): _S.EXIT_ERROR,
    (_S.EXIT_ERROR, _C.EXIT_ERROR): _S.EXIT_ERROR,
}

#: Lambda's limit on extensions per function (RIE ``core.MaxAgentsAllowed``).
MAX_EXTENSIONS = 10


def extension_transition(state: ExtensionState, call: ExtensionCall) -> ExtensionState | None:
    """The state after ``call``, or ``None`` when AWS refuses it (a 403)."""
    return _TRANSITIONS.get((state, call))


def event_refusal(event: str, *, external: bool) -> str | None:
    """Why an extension may not subscribe to ``event``, in AWS's words, or ``None``.

    Internal extensions (threads of the runtime process) cannot get ``SHUTDOWN``.
    """
    if event == EventType.INVOKE.value:
        return None
    if event == EventType.SHUTDOWN.value:
        return None if external else "ShutdownEventNotSupportedForInternalExtension"
    return "ErrorInvalidEventType"


def is_terminal(state: ExtensionState) -> bool:
    return state in (ExtensionState.INIT_ERROR, ExtensionState.EXIT_ERROR)
