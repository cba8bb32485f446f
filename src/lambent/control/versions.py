"""Versions: PublishVersion and ListVersionsByFunction."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.control.paging import paged
from lambent.domain import function as fn
from lambent.domain.arn import LATEST, FunctionRef, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.rules import RuleViolation
from lambent.store import functions, lookup

#: What differs between versions without being a change worth a new version.
_VOLATILE = frozenset(
    {
        "FunctionArn",
        "Version",
        "LastModified",
        "RevisionId",
        "State",
        "StateReason",
        "StateReasonCode",
        "LastUpdateStatus",
        "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode",
        "Description",
        "SnapStart",
    }
)


def _essence(config: fn.Config) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in _VOLATILE}


def publish_latest(
    c: sqlite3.Connection,
    ref: FunctionRef,
    latest: fn.Config,
    description: str | None,
    now: float,
) -> fn.Config:
    """Publish ``latest`` as a new version, unless the newest version already has the
    same code and configuration: then that version is the answer (as in AWS)."""
    existing = functions.versions(c, ref.account, ref.region, ref.name)
    newest = existing[-1] if len(existing) > 1 else None
    if newest is not None and _essence(newest) == _essence(latest):
        return newest
    number = functions.next_version(c, ref.account, ref.region, ref.name)
    config = fn.published(latest, ref.account, ref.region, number, now)
    if description is not None:
        config["Description"] = description
    code = functions.code(c, ref.account, ref.region, ref.name, LATEST)
    functions.put_version(c, ref.account, ref.region, config, code)
    # AWS renews $LATEST's RevisionId when a version is published from it.
    current = functions.get_version(c, ref.account, ref.region, ref.name, LATEST)
    if current is not None:
        renewed = dict(current, RevisionId=fn.new_revision_id())
        functions.update_config(c, ref.account, ref.region, renewed)
    return config


async def publish_version(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    ref = parse_function_ref(ctx, params["FunctionName"])
    now = deps.clock()

    def work(c: sqlite3.Connection) -> fn.Config:
        latest = lookup.latest(c, ref)
        if fn.in_progress(latest):
            raise fn.updating_conflict(latest)
        lookup.check_revision(latest, params.get("RevisionId"))
        wanted = params.get("CodeSha256")
        if wanted is not None and wanted != latest["CodeSha256"]:
            raise RuleViolation(
                f"CodeSHA256 ({wanted}) is different from current CodeSHA256 in $LATEST "
                f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST."
            )
        return publish_latest(c, ref, latest, params.get("Description"), now)

    return await deps.db.write(work)


async def list_versions_by_function(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    ref = parse_function_ref(ctx, params["FunctionName"])

    def work(c: sqlite3.Connection) -> list[fn.Config]:
        lookup.latest(c, ref)
        return functions.versions(c, ref.account, ref.region, ref.name)

    versions = [
        fn.listed(fn.qualified(v, LATEST) if v["Version"] == LATEST else v)
        for v in await deps.db.read(work)
    ]
    return paged("Versions", versions, params)


OPERATIONS: dict[str, Operation] = {
    "PublishVersion": publish_version,
    "ListVersionsByFunction": list_versions_by_function,
}
