"""What every control-plane operation works with, built once by the server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lambent.control.settle import Settler
from lambent.domain.clock import Clock
from lambent.domain.context import RequestContext
from lambent.store import BlobStore, Database

FetchS3 = Callable[[str, str, str, str | None], Awaitable[bytes]]
"""Fetch (region, bucket, key, version) from S3 or a compatible store."""


@dataclass(frozen=True, slots=True)
class ControlDeps:
    db: Database
    blobs: BlobStore
    clock: Clock
    fetch_s3: FetchS3
    settler: Settler
    #: Runtime identifiers a function may name: the model's enum.
    runtimes: list[str]
    #: The account's concurrency limit (GetAccountSettings).
    concurrent_executions: int


Operation = Callable[[ControlDeps, RequestContext, dict[str, Any]], Awaitable[Mapping[str, Any]]]
"""A control-plane operation: dependencies, who asks, the validated parameters."""
