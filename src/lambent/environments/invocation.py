"""One invocation as an environment handles it: the request in, the report lines owed."""

from __future__ import annotations

from typing import NamedTuple


class Request(NamedTuple):
    """One invocation as the environment needs it."""

    request_id: str
    payload: bytes
    invoked_arn: str
    client_context: str | None = None
    cognito_identity: str | None = None
    trace_id: str | None = None


class PendingReport(NamedTuple):
    """An invocation's END and REPORT lines, still to be written."""

    request_id: str
    duration_ms: float
    init_duration_ms: float | None
    status: str | None
    error_type: str | None
