"""The names Lambda gives a function's logs: its log group and its streams.

A function logs to ``/aws/lambda/NAME`` unless its LoggingConfig names another group;
each execution environment writes one stream, ``YYYY/MM/DD/[VERSION]<32 hex digits>``,
dated (UTC) the day the environment started (Lambda developer guide, "Working with
Lambda function logs"; e.g. ``2024/01/31/[$LATEST]8c0e2a3f6b1d4e5f9a7c3b2d1e0f4a5b``).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

LAMBDA_GROUP_PREFIX = "/aws/lambda/"
_STREAM = re.compile(r"^\d{4}/\d{2}/\d{2}/\[[^\]]+\][0-9a-f]{32}$")


def lambda_log_group(function_name: str) -> str:
    return LAMBDA_GROUP_PREFIX + function_name


def lambda_log_stream(version: str, started: float, instance_id: str | None = None) -> str:
    """The stream of an environment of ``version`` started at ``started`` (epoch seconds);
    ``instance_id`` is 32 hex digits, random unless given."""
    day = datetime.fromtimestamp(started, UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{instance_id or uuid.uuid4().hex}"


def is_lambda_log_stream(name: str) -> bool:
    return _STREAM.match(name) is not None
