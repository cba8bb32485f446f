"""Event invoke configs: PutFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig,
GetFunctionEventInvokeConfig, DeleteFunctionEventInvokeConfig and
ListFunctionEventInvokeConfigs, per function (``$LATEST``), version or alias.

Put replaces the whole config (what it leaves out is unset); Update changes only what it
names. A destination is checked when it is set: a function must exist, and may not be
the function itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.control.paging import paged
from lambent.domain.arn import LATEST, FunctionRef, function_arn, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.event_invoke import (
    FUNCTION_MISSING,
    Settings,
    check_destinations,
    no_config,
    shaped,
    stored,
)
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import event_invoke, functions

Result = Mapping[str, Any]


def _ref(ctx: RequestContext, params: dict[str, Any]) -> FunctionRef:
    return parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))


def _qualifier(ref: FunctionRef) -> str:
    return ref.qualifier or LATEST


def _require(c: sqlite3.Connection, ref: FunctionRef) -> None:
    """The function, and the version or alias the request names, exist."""
    qualifier = _qualifier(ref)
    if qualifier == LATEST or qualifier.isdigit():
        found = functions.get_version(c, ref.account, ref.region, ref.name, qualifier)
    else:
        found = functions.get_alias(c, ref.account, ref.region, ref.name, qualifier)
    if found is None:
        raise RuleViolation(FUNCTION_MISSING, Kind.NOT_FOUND)


def _check(c: sqlite3.Connection, ref: FunctionRef, settings: Settings) -> None:
    if settings.destinations is not None:
        check_destinations(
            settings.destinations,
            (ref.account, ref.region, ref.name),
            lambda account, region, name: functions.exists(c, account, region, name),
        )


async def put_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    settings = Settings.of(params)
    ref = _ref(ctx, params)
    now = deps.clock()

    def work(c: sqlite3.Connection) -> Result:
        _require(c, ref)
        _check(c, ref, settings)
        config = stored(settings, None)
        event_invoke.put(c, ref.account, ref.region, ref.name, _qualifier(ref), config, now)
        return shaped(ref.account, ref.region, ref.name, ref.qualifier, config, now)

    return await deps.db.write(work)


async def update_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    settings = Settings.of(params)
    ref = _ref(ctx, params)
    now = deps.clock()

    def work(c: sqlite3.Connection) -> Result:
        _require(c, ref)
        current = event_invoke.get(c, ref.account, ref.region, ref.name, _qualifier(ref))
        if current is None:
            raise no_config(function_arn(ref.account, ref.region, ref.name, _qualifier(ref)))
        _check(c, ref, settings)
        config = stored(settings, current.config)
        event_invoke.put(c, ref.account, ref.region, ref.name, _qualifier(ref), config, now)
        return shaped(ref.account, ref.region, ref.name, ref.qualifier, config, now)

    return await deps.db.write(work)


async def get_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)

    def work(c: sqlite3.Connection) -> Result:
        found = event_invoke.get(c, ref.account, ref.region, ref.name, _qualifier(ref))
        if found is None:
            raise no_config(function_arn(ref.account, ref.region, ref.name, _qualifier(ref)))
        return shaped(
            ref.account, ref.region, ref.name, ref.qualifier, found.config, found.last_modified
        )

    return await deps.db.read(work)


async def delete_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)

    def work(c: sqlite3.Connection) -> None:
        if not event_invoke.delete(c, ref.account, ref.region, ref.name, _qualifier(ref)):
            raise no_config(function_arn(ref.account, ref.region, ref.name, _qualifier(ref)))

    await deps.db.write(work)
    return {}


async def list_configs(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"])

    def work(c: sqlite3.Connection) -> list[dict[str, Any]]:
        if not functions.exists(c, ref.account, ref.region, ref.name):
            raise RuleViolation(FUNCTION_MISSING, Kind.NOT_FOUND)
        return [
            shaped(ref.account, ref.region, ref.name, s.qualifier, s.config, s.last_modified)
            for s in event_invoke.listing(c, ref.account, ref.region, ref.name)
        ]

    found = await deps.db.read(work)
    return paged("FunctionEventInvokeConfigs", found, params)


OPERATIONS: dict[str, Operation] = {
    "PutFunctionEventInvokeConfig": put_config,
    "UpdateFunctionEventInvokeConfig": update_config,
    "GetFunctionEventInvokeConfig": get_config,
    "DeleteFunctionEventInvokeConfig": delete_config,
    "ListFunctionEventInvokeConfigs": list_configs,
}
