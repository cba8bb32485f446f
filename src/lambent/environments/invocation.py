"""One invocation as an environment handles it: the request in, the report lines owed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Request:
    """One invocation as the environment needs it."""

    request_id: str
    payload: bytes
    invoked_arn: str
    client_context: str | None = None
    cognito_identity: str | None = None
    trace_id: str | None = None


@dataclass(frozen=True, slots=True)
class PendingReport:
    """An invocation's END and REPORT lines, still to be written."""

    request_id: str
    duration_ms: float
    init_duration_ms: float | None
    status: str | None
    error_type: str | None
