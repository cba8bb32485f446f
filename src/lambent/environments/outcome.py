"""What one invocation of an environment produced, as Invoke answers it."""

from __future__ import annotations

import json
from typing import NamedTuple

from lambent.sandbox import ExitStatus

SANDBOX_TIMEDOUT = "Sandbox.Timedout"
EXIT_ERROR = "Runtime.ExitError"
OUT_OF_MEMORY = "Runtime.OutOfMemory"
INVALID_ENTRYPOINT = "Runtime.InvalidEntrypoint"
#: A function's answer, unless its runtime said otherwise, and Lambda's error documents.
JSON_TYPE = "application/json"


class Result(NamedTuple):
    """``error_type`` is set for a function error (``X-Amz-Function-Error: Unhandled``):
    ``payload`` is then the error document the caller receives."""

    payload: bytes
    error_type: str | None = None
    content_type: str | None = JSON_TYPE
    #: The invocation's log lines, at most the last 4 KB (``LogType: Tail``).
    log_tail: bytes = b""


def platform_error(error_type: str, request_id: str, message: str) -> bytes:
    """The error document Lambda itself writes (AWS: ``RequestId: ... Error: ...``)."""
    document = {
        "errorType": error_type,
        "errorMessage": f"RequestId: {request_id} Error: {message}",
    }
    return json.dumps(document, separators=(",", ":")).encode()


def timed_out_message(timeout_s: int) -> str:
    return f"Task timed out after {timeout_s:.2f} seconds"


def exited_message(status: ExitStatus) -> str:
    """Why the runtime's process ended, in AWS's words (a clean exit gives no reason)."""
    if status.success:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: {status.describe()}"
