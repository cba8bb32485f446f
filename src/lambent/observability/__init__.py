"""Observability: the log store's service (CloudWatch Logs API, LogSink, retention)."""

from lambent.observability.naming import lambda_log_group, lambda_log_stream
from lambent.observability.service import LogService, operations
from lambent.observability.sink import LogSink

__all__ = ["LogService", "LogSink", "lambda_log_group", "lambda_log_stream", "operations"]
