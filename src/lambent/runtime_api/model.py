"""What the platform and a Runtime API listener hand each other: invocations and outcomes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

#: The error type the platform reports when the runtime posted more than the limit; AWS's
#: ``Invoke`` answers it as a function error (``X-Amz-Function-Error: Unhandled``).
RESPONSE_SIZE_TOO_LARGE = "Function.ResponseSizeTooLarge"
#: Used when a runtime posts ``/error`` with neither the error-type header nor a JSON
#: ``errorType``; AWS reports such function errors as ``Unhandled``.
UNHANDLED = "Unhandled"
#: Used when a runtime posts ``/init/error`` without any error type.
RUNTIME_UNKNOWN = "Runtime.Unknown"
#: The error type a runtime gets when it names a response mode other than streaming/buffered.
INVALID_RESPONSE_MODE = "Runtime.InvalidResponseModeHeader"


@dataclass(frozen=True, slots=True)
class FunctionMetadata:
    """Static facts about the function, returned to extensions by ``/extension/register``."""

    function_name: str
    function_version: str
    handler: str
    account_id: str


class Invocation(NamedTuple):
    """One invocation handed to the runtime by ``GET /runtime/invocation/next``.

    ``deadline_ms`` is epoch milliseconds (``Lambda-Runtime-Deadline-Ms``);
    ``client_context`` and ``cognito_identity`` are the JSON strings AWS puts in the
    ``Lambda-Runtime-Client-Context`` / ``Lambda-Runtime-Cognito-Identity`` headers.
    """

    request_id: str
    payload: bytes
    deadline_ms: int
    invoked_function_arn: str
    trace_id: str | None = None
    client_context: str | None = None
    cognito_identity: str | None = None
    content_type: str = "application/json"
    tenant_id: str | None = None


@dataclass(frozen=True, slots=True)
class Success:
    """The runtime posted ``/response``: ``payload`` is what the caller gets back."""

    payload: bytes
    content_type: str | None = None
    streamed: bool = False


@dataclass(frozen=True, slots=True)
class FunctionError:
    """The invocation failed in the function: the runtime posted ``/error``, or Lambda did.

    ``payload`` is the error document the caller gets back (AWS passes the runtime's body
    through unchanged); ``error_type`` names the error (``Function.ResponseSizeTooLarge``
    when the runtime's response was over the limit).
    """

    error_type: str
    payload: bytes
    content_type: str | None = "application/json"


Outcome = Success | FunctionError


@dataclass(frozen=True, slots=True)
class InitError:
    """Initialisation failed: the runtime or an extension posted ``init/error``.

    ``extension`` names the extension that reported it, ``None`` when it was the runtime.
    """

    error_type: str
    payload: bytes
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class InitDone:
    """The runtime and every registered extension called ``next``: the environment is ready."""

    extensions: tuple[str, ...] = ()


InitOutcome = InitDone | InitError


class ShutdownReason(enum.Enum):
    """Why the environment goes away, as the ``SHUTDOWN`` event says it (lower case on the
    wire; the Extensions API reference lists ``SPINDOWN``, ``TIMEOUT`` and ``FAILURE``)."""

    SPINDOWN = "spindown"
    TIMEOUT = "timeout"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class ShutdownReport:
    """Which extensions finished with ``SHUTDOWN`` before the deadline and which did not."""

    completed: tuple[str, ...]
    timed_out: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExtensionInfo:
    """A registered extension as the platform sees it."""

    name: str
    identifier: str
    events: frozenset[str]
    state: str
    error_type: str | None


class RuntimeApiError(Exception):
    """Base of the errors the platform side of a Runtime API listener raises."""


class NotReady(RuntimeApiError):
    """The call does not fit the environment's phase (an invocation while one is running)."""


class Abandoned(RuntimeApiError):
    """The environment was abandoned, shut down or closed while the caller waited."""


class ExtensionFailed(RuntimeApiError):
    """An extension reported ``/extension/exit/error``: the environment must be reset."""

    def __init__(self, extension: str, error_type: str) -> None:
        super().__init__(f"extension {extension} exited with {error_type}")
        self.extension = extension
        self.error_type = error_type
