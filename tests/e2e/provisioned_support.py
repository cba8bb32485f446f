"""What the provisioned concurrency tests share."""

from __future__ import annotations

import time
from typing import Any


def wait_status(client: Any, name: str, qualifier: str, timeout: float = 20) -> dict[str, Any]:
    """The configuration once it is no longer IN_PROGRESS (there is no botocore waiter)."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = client.get_provisioned_concurrency_config(
            FunctionName=name, Qualifier=qualifier
        )
        if found["Status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
