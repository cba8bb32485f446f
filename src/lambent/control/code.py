"""Receiving a deployment package: from the request or from S3, checked as AWS checks it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps
from lambent.domain import package
from lambent.domain.rules import RuleViolation


async def receive(
    deps: ControlDeps, region: str, code: Mapping[str, Any]
) -> tuple[bytes, package.Package]:
    """The .zip named by a ``FunctionCode`` / ``LayerVersionContentInput``, inspected."""
    if code.get("ImageUri"):
        raise RuleViolation(
            "Lambent runs .zip deployment packages only: PackageType Image is not supported."
        )
    data = code.get("ZipFile")
    if data is None:
        bucket, key = code.get("S3Bucket"), code.get("S3Key")
        if not bucket or not key:
            raise RuleViolation("Please provide a source for function code.")
        data = await deps.fetch_s3(region, bucket, key, code.get("S3ObjectVersion"))
    inspected = await asyncio.to_thread(package.inspect, data)
    return data, inspected
