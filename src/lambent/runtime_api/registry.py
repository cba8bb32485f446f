"""The extensions registered in one environment: registration rules, lookup, event delivery.

Registration follows AWS's Extensions API ("Register") and the Runtime Interface
Emulator's ``agentregister.go``: extensions the platform launched itself (external, from
``/opt/extensions``) may subscribe to ``INVOKE`` and ``SHUTDOWN``; any other name is an
internal extension, a thread of the runtime process, which may only subscribe to
``INVOKE``. When the platform does not declare its external extensions, every name is
treated as external.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Collection, Iterator

from lambent.runtime_api import replies
from lambent.runtime_api.events import event_reply
from lambent.runtime_api.extension_state import (
    MAX_EXTENSIONS,
    EventType,
    ExtensionCall,
    ExtensionState,
    event_refusal,
    extension_transition,
    is_terminal,
)
from lambent.runtime_api.model import ExtensionInfo
from lambent.wire import Connection, Response


class ShutdownStep(enum.Enum):
    """Where one extension is with the ``SHUTDOWN`` event."""

    NONE = "none"
    QUEUED = "queued"
    DELIVERED = "delivered"
    DONE = "done"


class Extension:
    """One extension's mutable record: its machine's state and the reply it waits for."""

    __slots__ = (
        "error_type",
        "events",
        "external",
        "identifier",
        "name",
        "queued",
        "shutdown",
        "state",
        "waiter",
    )

    def __init__(self, name: str, *, external: bool, state: ExtensionState) -> None:
        self.name = name
        self.identifier = str(uuid.uuid4())
        self.external = external
        self.state = state
        self.events: frozenset[EventType] = frozenset()
        self.error_type: str | None = None
        #: The connection whose ``event/next`` is pending, if any.
        self.waiter: Connection | None = None
        #: An event document to hand over at the extension's next ``event/next``.
        self.queued: bytes | None = None
        self.shutdown = ShutdownStep.NONE

    def subscribed(self, event: EventType) -> bool:
        return event in self.events and not is_terminal(self.state)

    def step(self, call: ExtensionCall, *, who: str | None = None) -> Response | None:
        """Apply ``call``; on refusal, the 403 AWS answers (naming ``who``, by default the
        identifier, as AWS does for every call but ``register``, which names the name)."""
        target = extension_transition(self.state, call)
        if target is None:
            return replies.extension_transition_refused(
                self.state.value, call.value, who or self.identifier
            )
        self.state = target
        return None

    def hand_over(self, document: bytes) -> None:
        """Give the extension an event now if it waits for one, else at its next call."""
        waiter = self.waiter
        if self.state is ExtensionState.READY and waiter is not None and not waiter.closed:
            self.waiter = None
            self.state = ExtensionState.RUNNING
            waiter.respond(event_reply(document))
        else:
            self.queued = document

    def info(self) -> ExtensionInfo:
        return ExtensionInfo(
            name=self.name,
            identifier=self.identifier,
            events=frozenset(event.value for event in self.events),
            state=self.state.value,
            error_type=self.error_type,
        )


class ExtensionRegistry:
    """All extensions of one environment, by identifier and by name."""

    def __init__(self, external: Collection[str] | None = None) -> None:
        # None: the platform did not say which extensions it launched; treat all as external.
        self._declared = None if external is None else frozenset(external)
        self._by_name: dict[str, Extension] = {}
        self._by_id: dict[str, Extension] = {}
        for name in sorted(self._declared or ()):
            self._add(Extension(name, external=True, state=ExtensionState.STARTED))

    def __iter__(self) -> Iterator[Extension]:
        return iter(tuple(self._by_name.values()))

    def register(self, name: str, events: list[str], *, open_: bool) -> Extension | Response:
        """Register ``name`` for ``events``; ``open_`` is whether the init phase still runs."""
        declared = None
        if self._declared is not None and name in self._declared:
            declared = self._by_name[name]
        external = declared is not None or self._declared is None
        for event in events:
            reason = event_refusal(event, external=external)
            if reason is not None:
                return replies.invalid_event_type(event, reason)
        if declared is not None:
            if not open_:
                return replies.REGISTRATION_CLOSED
            refusal = declared.step(ExtensionCall.REGISTER, who=name)
            if refusal is not None:
                return refusal
            declared.events = frozenset(EventType(event) for event in events)
            return declared
        if not open_:
            return replies.REGISTRATION_CLOSED
        if len(self._by_name) >= MAX_EXTENSIONS:
            return replies.too_many_extensions(MAX_EXTENSIONS)
        if name in self._by_name:
            return replies.EXTENSION_NAME_TAKEN
        extension = Extension(name, external=external, state=ExtensionState.REGISTERED)
        extension.events = frozenset(EventType(event) for event in events)
        self._add(extension)
        return extension

    def find(self, identifier: str) -> Extension | None:
        return self._by_id.get(identifier)

    def init_complete(self) -> bool:
        """Every extension launched has registered, and every one registered called next."""
        return all(
            extension.state is ExtensionState.READY
            for extension in self._by_name.values()
            if not is_terminal(extension.state)
        )

    def ready_for(self, event: EventType) -> bool:
        """Every extension subscribed to ``event`` waits in ``event/next``."""
        return all(
            extension.state is ExtensionState.READY
            for extension in self._by_name.values()
            if extension.subscribed(event)
        )

    def broadcast(self, event: EventType, render: Callable[[], bytes]) -> None:
        """Hand the event to each extension subscribed to it (rendered only if one is)."""
        document: bytes | None = None
        for extension in self._by_name.values():
            if extension.subscribed(event):
                document = render() if document is None else document
                extension.hand_over(document)

    def names(self) -> tuple[str, ...]:
        return tuple(
            extension.name
            for extension in self._by_name.values()
            if extension.state is not ExtensionState.STARTED
        )

    def infos(self) -> tuple[ExtensionInfo, ...]:
        return tuple(extension.info() for extension in self._by_name.values())

    def forget_connection(self, connection: Connection) -> None:
        for extension in self._by_name.values():
            if extension.waiter is connection:
                extension.waiter = None

    def close_waiters(self) -> None:
        for extension in self._by_name.values():
            if extension.waiter is not None:
                extension.waiter.close()
                extension.waiter = None

    def _add(self, extension: Extension) -> None:
        self._by_name[extension.name] = extension
        self._by_id[extension.identifier] = extension
