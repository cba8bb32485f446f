"""Receiving a deployment package: from the request or from S3, checked as AWS checks it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps
from lambent.domain import limits, package
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import functions


def check_storage(c: sqlite3.Connection, account: str, region: str, adding: int) -> None:
    """The account's code storage (75 GB) must hold ``adding`` more bytes."""
    used, _ = functions.total_code_size(c, account, region)
    if used + adding > limits.TOTAL_CODE_STORAGE:
        raise RuleViolation("Code storage limit exceeded.", Kind.CODE_STORAGE)


async def receive(
    deps: ControlDeps, region: str, code: Mapping[str, Any]
) -> tuple[bytes, package.Package]:
    """The .zip named by a ``FunctionCode`` / ``LayerVersionContentInput``, inspected."""
    if code.get("ImageUri"):
        raise RuleViolation(
            "Lambent runs .zip deployment packages only: PackageType Image is not supported."
        )
    data = code.get("ZipFile")
    zipped_limit: int | None = limits.ZIPPED_CODE_MAX
    if data is None:
        bucket, key = code.get("S3Bucket"), code.get("S3Key")
        if not bucket or not key:
            raise RuleViolation("Please provide a source for function code.")
        data = await deps.fetch_s3(region, bucket, key, code.get("S3ObjectVersion"))
        zipped_limit = None  # larger packages are what S3 is for (Lambda quotas page)
    inspected = await asyncio.to_thread(
        package.inspect, data, limits.UNZIPPED_CODE_MAX, zipped_limit
    )
    return data, inspected
