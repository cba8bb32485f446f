"""The AWS Lambda Runtime API (2018-06-01) and Extensions API (2020-01-01), one listener per
execution environment, and the typed calls the platform drives it with."""

from lambent.runtime_api.model import (
    INVALID_RESPONSE_MODE,
    RESPONSE_SIZE_TOO_LARGE,
    RUNTIME_UNKNOWN,
    UNHANDLED,
    Abandoned,
    ExtensionFailed,
    ExtensionInfo,
    FunctionError,
    FunctionMetadata,
    InitDone,
    InitError,
    InitOutcome,
    Invocation,
    NotReady,
    Outcome,
    RuntimeApiError,
    ShutdownReason,
    ShutdownReport,
    Success,
)
from lambent.runtime_api.phase import Phase
from lambent.runtime_api.server import STREAMED_RESPONSE_MAX, RuntimeApi

__all__ = [
    "INVALID_RESPONSE_MODE",
    "RESPONSE_SIZE_TOO_LARGE",
    "RUNTIME_UNKNOWN",
    "STREAMED_RESPONSE_MAX",
    "UNHANDLED",
    "Abandoned",
    "ExtensionFailed",
    "ExtensionInfo",
    "FunctionError",
    "FunctionMetadata",
    "InitDone",
    "InitError",
    "InitOutcome",
    "Invocation",
    "NotReady",
    "Outcome",
    "Phase",
    "RuntimeApi",
    "RuntimeApiError",
    "ShutdownReason",
    "ShutdownReport",
    "Success",
]
