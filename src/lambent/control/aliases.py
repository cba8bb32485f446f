"""Aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.control.paging import paged
from lambent.domain.alias import alias_config, check_routing
from lambent.domain.arn import FunctionRef, function_arn, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.function import Config
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import functions, lookup

Result = Mapping[str, Any]


def _ref(ctx: RequestContext, params: dict[str, Any]) -> FunctionRef:
    ref = parse_function_ref(ctx, params["FunctionName"])
    return FunctionRef(ref.account, ref.region, ref.name, None)


def _require_versions(c: sqlite3.Connection, ref: FunctionRef, versions: list[str]) -> None:
    for version in versions:
        if functions.get_version(c, ref.account, ref.region, ref.name, version) is None:
            raise lookup.not_found(function_arn(ref.account, ref.region, ref.name, version))


def _existing(c: sqlite3.Connection, ref: FunctionRef, name: str) -> Config:
    lookup.latest(c, ref)
    found = functions.get_alias(c, ref.account, ref.region, ref.name, name)
    if found is None:
        raise lookup.missing_alias(ref, name)
    return found


async def create_alias(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)
    name, version = params["Name"], params["FunctionVersion"]
    weights = check_routing(version, params.get("RoutingConfig"))

    def work(c: sqlite3.Connection) -> Config:
        _require_versions(c, ref, [version, *weights])
        if functions.get_alias(c, ref.account, ref.region, ref.name, name) is not None:
            arn = function_arn(ref.account, ref.region, ref.name, name)
            raise RuleViolation(f"Alias already exists: {arn}", Kind.CONFLICT)
        config = alias_config(
            ref.account,
            ref.region,
            ref.name,
            name,
            version,
            params.get("Description", ""),
            weights,
        )
        functions.put_alias(c, ref.account, ref.region, ref.name, config)
        return config

    return await deps.db.write(work)


async def get_alias(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)
    return await deps.db.read(lambda c: _existing(c, ref, params["Name"]))


async def update_alias(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)
    name = params["Name"]

    def work(c: sqlite3.Connection) -> Config:
        current = _existing(c, ref, name)
        lookup.check_revision(current, params.get("RevisionId"))
        version: str = params.get("FunctionVersion") or current["FunctionVersion"]
        routing = (
            params["RoutingConfig"] if "RoutingConfig" in params else current.get("RoutingConfig")
        )
        description = str(params.get("Description", current.get("Description", "")))
        weights = check_routing(version, routing)
        _require_versions(c, ref, [version, *weights])
        config = alias_config(
            ref.account,
            ref.region,
            ref.name,
            name,
            version,
            description,
            weights,
        )
        functions.put_alias(c, ref.account, ref.region, ref.name, config)
        return config

    return await deps.db.write(work)


async def delete_alias(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)

    def work(c: sqlite3.Connection) -> None:
        _existing(c, ref, params["Name"])
        functions.delete_alias(c, ref.account, ref.region, ref.name, params["Name"])

    await deps.db.write(work)
    return {}


async def list_aliases(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params)

    def work(c: sqlite3.Connection) -> list[Config]:
        lookup.latest(c, ref)
        return functions.aliases(c, ref.account, ref.region, ref.name)

    found = await deps.db.read(work)
    version = params.get("FunctionVersion")
    if version is not None:
        found = [alias for alias in found if alias["FunctionVersion"] == version]
    return paged("Aliases", found, params)


OPERATIONS: dict[str, Operation] = {
    "CreateAlias": create_alias,
    "GetAlias": get_alias,
    "UpdateAlias": update_alias,
    "DeleteAlias": delete_alias,
    "ListAliases": list_aliases,
}
