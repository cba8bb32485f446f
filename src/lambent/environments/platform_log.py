"""Lambda's own log lines (INIT_START, START, END, REPORT), in text or in JSON.

With ``LoggingConfig.LogFormat`` JSON, AWS writes its platform lines as JSON records
(``{"time", "type": "platform.start" | "platform.report" | ..., "record"}``; AWS docs,
"Configuring JSON and plain text log formats"), writes no END line, and leaves them out
when ``SystemLogLevel`` is above INFO.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

_QUIET = frozenset({"WARN", "ERROR", "FATAL"})


def iso_now() -> str:
    """``2024-01-01T00:00:00.000Z``, the time format of Lambda's log records."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class Report(NamedTuple):
    """The figures of a REPORT line."""

    request_id: str
    duration_ms: float
    memory_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    status: str | None = None
    #: With ``status`` "error": AWS adds ``Error Type: Runtime.ExitError`` (or the like).
    error_type: str | None = None

    @property
    def billed_ms(self) -> int:
        return max(1, math.ceil(self.duration_ms))

    def line(self) -> str:
        parts = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {self.billed_ms} ms",
            f"Memory Size: {self.memory_mb} MB",
            f"Max Memory Used: {self.max_memory_used_mb} MB",
        ]
        if self.init_duration_ms is not None:
            parts.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status is not None:
            parts.append(f"Status: {self.status}")
        if self.status == "error" and self.error_type is not None:
            parts.append(f"Error Type: {self.error_type}")
        return "\t".join(parts) + "\t"

    def record(self) -> dict[str, Any]:
        metrics: dict[str, Any] = {
            "durationMs": round(self.duration_ms, 2),
            "billedDurationMs": self.billed_ms,
            "memorySizeMB": self.memory_mb,
            "maxMemoryUsedMB": self.max_memory_used_mb,
        }
        if self.init_duration_ms is not None:
            metrics["initDurationMs"] = round(self.init_duration_ms, 2)
        record: dict[str, Any] = {
            "requestId": self.request_id,
            "metrics": metrics,
            "status": self.status or "success",
        }
        if self.status == "error" and self.error_type is not None:
            record["errorType"] = self.error_type
        return record


class PlatformLog:
    """Renders the platform's lines for one function's logging configuration; None means
    the line is not written."""

    def __init__(self, logging_config: Mapping[str, Any] | None) -> None:
        config = logging_config or {}
        self.json = config.get("LogFormat") == "JSON"
        self._silent = self.json and config.get("SystemLogLevel") in _QUIET

    def _record(self, kind: str, record: Mapping[str, Any]) -> str | None:
        if self._silent:
            return None
        now = time.time()
        stamp = (
            time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
        )
        return json.dumps({"time": stamp, "type": kind, "record": record}, separators=(",", ":"))

    def init_start(self, runtime: str, runtime_arn: str, initialization_type: str) -> str | None:
        if not self.json:
            return f"INIT_START Runtime Version: {runtime}\tRuntime Version ARN: {runtime_arn}"
        return self._record(
            "platform.initStart",
            {
                "initializationType": initialization_type,
                "phase": "init",
                "runtimeVersion": runtime,
                "runtimeVersionArn": runtime_arn,
            },
        )

    def init_report(
        self, duration_ms: float, status: str, error_type: str | None, initialization_type: str
    ) -> str | None:
        if not self.json:
            error = f"\tError Type: {error_type}" if status == "error" and error_type else ""
            return (
                f"INIT_REPORT Init Duration: {duration_ms:.2f} ms\tPhase: init\t"
                f"Status: {status}{error}"
            )
        record: dict[str, Any] = {
            "initializationType": initialization_type,
            "phase": "init",
            "status": status,
            "metrics": {"durationMs": round(duration_ms, 2)},
        }
        if status == "error" and error_type:
            record["errorType"] = error_type
        return self._record("platform.initReport", record)

    def start(self, request_id: str, version: str) -> str | None:
        if not self.json:
            return f"START RequestId: {request_id} Version: {version}"
        return self._record("platform.start", {"requestId": request_id, "version": version})

    def end(self, request_id: str) -> str | None:
        return None if self.json else f"END RequestId: {request_id}"

    def report(self, report: Report) -> str | None:
        return self._record("platform.report", report.record()) if self.json else report.line()
