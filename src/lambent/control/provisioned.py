"""Provisioned concurrency: PutProvisionedConcurrencyConfig, GetProvisionedConcurrencyConfig,
DeleteProvisionedConcurrencyConfig and ListProvisionedConcurrencyConfigs, on a published
version or an alias.

The operations only record what is wanted; the environments are made ahead of time by
``lambent.invoke.provisioning``, which writes back their progress (``Status`` IN_PROGRESS →
READY, or FAILED) and the allocated and available counts these operations report.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.control.paging import paged
from lambent.domain import provisioned as rules
from lambent.domain.arn import LATEST, FunctionRef, function_arn, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.rules import Kind, RuleViolation
from lambent.errors import ResourceNotFound
from lambent.store import functions, lookup, provisioned

Result = Mapping[str, Any]


class ConfigNotFound(ResourceNotFound):
    code = "ProvisionedConcurrencyConfigNotFoundException"


def _ref(ctx: RequestContext, params: dict[str, Any], latest_message: str) -> FunctionRef:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))
    if ref.qualifier is None or ref.qualifier == LATEST:
        raise RuleViolation(latest_message)
    return ref


def _qualifier(ref: FunctionRef) -> str:
    assert ref.qualifier is not None
    return ref.qualifier


def _routes(c: sqlite3.Connection, ref: FunctionRef) -> tuple[str, dict[str, float]]:
    """The version the qualifier names (an alias's primary version) and an alias's
    weighted extra version; what does not exist is reported as AWS reports it."""
    qualifier = _qualifier(ref)
    if qualifier.isdigit():
        if functions.get_version(c, ref.account, ref.region, ref.name, qualifier) is None:
            raise lookup.not_found(ref.arn)
        return qualifier, {}
    alias = functions.get_alias(c, ref.account, ref.region, ref.name, qualifier)
    if alias is None:
        raise lookup.missing_alias(ref, qualifier)
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(alias["FunctionVersion"]), {str(v): float(w) for v, w in weights.items()}


def _check_conflicts(c: sqlite3.Connection, ref: FunctionRef, versions: set[str]) -> None:
    """A version is provisioned directly or through aliases, never both (AWS's 409s)."""
    qualifier = _qualifier(ref)
    if not qualifier.isdigit():
        for version in versions:
            if provisioned.get(c, ref.account, ref.region, ref.name, version) is not None:
                raise RuleViolation(rules.ALIAS_ON_PROVISIONED_VERSION, Kind.CONFLICT)
        return
    for other in provisioned.listing(c, ref.account, ref.region, ref.name):
        if other.qualifier.isdigit():
            continue
        primary, weights = _routes(
            c, FunctionRef(ref.account, ref.region, ref.name, other.qualifier)
        )
        if qualifier == primary or qualifier in weights:
            raise RuleViolation(rules.VERSION_UNDER_PROVISIONED_ALIAS, Kind.CONFLICT)


def _check_limits(
    c: sqlite3.Connection, ref: FunctionRef, requested: int, account_limit: int
) -> provisioned.Stored | None:
    qualifier = _qualifier(ref)
    current = provisioned.get(c, ref.account, ref.region, ref.name, qualifier)
    reserved = functions.reserved_concurrency(c, ref.account, ref.region, ref.name)
    elsewhere = provisioned.function_total(
        c, ref.account, ref.region, ref.name, excluding=qualifier
    )
    # What the account holds back already counts this config's current value.
    held = functions.reserved_total(c, ref.account, ref.region)
    if reserved is None and current is not None:
        held -= current.requested
    rules.check_allocation(requested, reserved, elsewhere, account_limit - held)
    return current


def _shaped(config: provisioned.Stored) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": config.available,
        "AllocatedProvisionedConcurrentExecutions": config.allocated,
        "Status": config.status,
        "LastModified": rules.timestamp(config.last_modified),
    }
    if config.status_reason:
        shaped["StatusReason"] = config.status_reason
    return shaped


async def put_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params, rules.UNPUBLISHED)
    requested = int(params["ProvisionedConcurrentExecutions"])
    now = deps.clock()

    def work(c: sqlite3.Connection) -> dict[str, Any]:
        primary, weights = _routes(c, ref)
        if primary == LATEST:
            raise RuleViolation(rules.UNPUBLISHED)
        _check_conflicts(c, ref, {primary, *weights})
        current = _check_limits(c, ref, requested, deps.concurrent_executions)
        allocated = min(requested, current.allocated) if current is not None else 0
        config = provisioned.Stored(
            ref.account,
            ref.region,
            ref.name,
            _qualifier(ref),
            requested,
            now,
            rules.Status.IN_PROGRESS.value,
            None,
            allocated,
            allocated,
        )
        provisioned.put(c, config)
        return _shaped(config)

    return await deps.db.write(work)


async def get_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _ref(ctx, params, rules.NOT_ALIAS_OR_VERSION)

    def work(c: sqlite3.Connection) -> dict[str, Any]:
        _routes(c, ref)
        found = provisioned.get(c, ref.account, ref.region, ref.name, _qualifier(ref))
        if found is None:
            raise ConfigNotFound(rules.NO_CONFIG)
        return _shaped(found)

    return await deps.db.read(work)


async def delete_config(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    """204 whether or not there was a config (AWS, recorded)."""
    ref = _ref(ctx, params, rules.NOT_ALIAS_OR_VERSION)

    def work(c: sqlite3.Connection) -> None:
        _routes(c, ref)
        provisioned.delete(c, ref.account, ref.region, ref.name, _qualifier(ref))

    await deps.db.write(work)
    return {}


async def list_configs(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"])

    def work(c: sqlite3.Connection) -> list[dict[str, Any]]:
        if not functions.exists(c, ref.account, ref.region, ref.name):
            raise lookup.not_found(ref.unqualified_arn)
        return [
            {
                "FunctionArn": function_arn(ref.account, ref.region, ref.name, s.qualifier),
                **_shaped(s),
            }
            for s in provisioned.listing(c, ref.account, ref.region, ref.name)
        ]

    found = await deps.db.read(work)
    return paged("ProvisionedConcurrencyConfigs", found, params)


OPERATIONS: dict[str, Operation] = {
    "PutProvisionedConcurrencyConfig": put_config,
    "GetProvisionedConcurrencyConfig": get_config,
    "DeleteProvisionedConcurrencyConfig": delete_config,
    "ListProvisionedConcurrencyConfigs": list_configs,
}
