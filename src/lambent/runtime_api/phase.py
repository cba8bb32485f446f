"""The phases of one execution environment as its Runtime API listener drives them.

``INITIALIZING`` ends when the runtime and every registered extension have called ``next``
(``IDLE``) or when one of them reports ``init/error`` (``INIT_FAILED``). An invocation moves
``IDLE`` → ``INVOKING``; the runtime's response moves it to ``FINISHING``, and it is back to
``IDLE`` when the runtime and every extension subscribed to ``INVOKE`` have called ``next``
again (AWS: "Lifecycle of the execution environment", Invoke phase). ``ABANDONED`` is where
a timed-out or crashed environment waits for the platform to shut it down and close it.
"""

from __future__ import annotations

from lambent.domain.states import StateEnum


class Phase(StateEnum):
    INITIALIZING = "initializing"
    INIT_FAILED = "init-failed"
    IDLE = "idle"
    INVOKING = "invoking"
    FINISHING = "finishing"
    ABANDONED = "abandoned"
    SHUTTING_DOWN = "shutting-down"
    SHUT_DOWN = "shut-down"
    CLOSED = "closed"


_P = Phase
_ENDINGS = frozenset({_P.ABANDONED, _P.SHUTTING_DOWN, _P.CLOSED})
_ALLOWED: dict[Phase, frozenset[Phase]] = {
    _P.INITIALIZING: frozenset({_P.IDLE, _P.INIT_FAILED}) | _ENDINGS,
    _P.INIT_FAILED: frozenset({_P.SHUTTING_DOWN, _P.CLOSED}),
    _P.IDLE: frozenset({_P.INVOKING}) | _ENDINGS,
    _P.INVOKING: frozenset({_P.FINISHING}) | _ENDINGS,
    _P.FINISHING: frozenset({_P.IDLE}) | _ENDINGS,
    _P.ABANDONED: frozenset({_P.SHUTTING_DOWN, _P.CLOSED}),
    _P.SHUTTING_DOWN: frozenset({_P.SHUT_DOWN, _P.CLOSED}),
    _P.SHUT_DOWN: frozenset({_P.CLOSED}),
    _P.CLOSED: frozenset(),
}


def can_move(current: Phase, target: Phase) -> bool:
    return target in _ALLOWED[current]


def is_over(phase: Phase) -> bool:
    """No invocation can ever run again in this environment."""
    return phase in (_P.ABANDONED, _P.SHUTTING_DOWN, _P.SHUT_DOWN, _P.CLOSED, _P.INIT_FAILED)
