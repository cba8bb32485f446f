"""Time as AWS writes it, from an injectable clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], float]
"""Seconds since the epoch; ``time.time`` in production, a fake in tests."""

system_clock: Clock = time.time


def aws_timestamp(epoch: float) -> str:
    """``2019-02-20T15:33:28.335+0000``: Lambda's ``LastModified`` format."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
