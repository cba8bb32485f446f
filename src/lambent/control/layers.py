"""Layers: PublishLayerVersion, Get/List/DeleteLayerVersion(s) and layer version policies."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control import code
from lambent.control.deps import ControlDeps, Operation
from lambent.control.paging import paged
from lambent.domain import layer, policy
from lambent.domain.arn import LayerRef, parse_layer_name, parse_layer_version_arn
from lambent.domain.context import RequestContext
from lambent.domain.function import CodeInfo, new_revision_id
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import layers
from lambent.store.code import release_code

Result = Mapping[str, Any]

NOT_FOUND = "The resource you requested does not exist."


def _version_ref(ctx: RequestContext, params: Mapping[str, Any]) -> LayerRef:
    named = parse_layer_name(ctx, params["LayerName"])
    return LayerRef(named.account, named.region, named.name, int(params["VersionNumber"]))


def _number(ref: LayerRef) -> int:
    return ref.version if ref.version is not None else 0


def _check_version_number(ref: LayerRef) -> None:
    if _number(ref) < 1:
        raise RuleViolation("Layer Version Cannot be less than 1")


def _shown(ctx: RequestContext, config: layer.Config, sha256_hex: str) -> layer.Config:
    """The stored configuration with the download URL of how this client reached us."""
    location = f"{ctx.base_url}/_lambent/code/{sha256_hex}"
    return dict(config, Content=dict(config["Content"], Location=location))


async def publish_layer_version(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    named = parse_layer_name(ctx, params["LayerName"])
    data, package = await code.receive(deps, ctx.region, params["Content"])
    info = CodeInfo(package.sha256_hex, package.size)
    now = deps.clock()

    def work(c: sqlite3.Connection) -> layer.Config:
        code.check_storage(c, named.account, named.region, package.size)
        # Stored inside the transaction, so no sweep can remove it before the row exists.
        deps.blobs.put(data)
        number = layers.next_version(c, named.account, named.region, named.name)
        config = layer.new_layer_version(
            named.account,
            named.region,
            named.name,
            number,
            params,
            code=info,
            unzipped=package.unzipped_size,
            now=now,
        )
        layers.put(c, named.account, named.region, named.name, config, info.sha256_hex)
        return config

    return _shown(ctx, await deps.db.write(work), info.sha256_hex)


async def _get(deps: ControlDeps, ctx: RequestContext, ref: LayerRef) -> Result:
    found = await deps.db.read(
        lambda c: layers.get(c, ref.account, ref.region, ref.name, _number(ref))
    )
    if found is None:
        raise RuleViolation(NOT_FOUND, Kind.NOT_FOUND)
    return _shown(ctx, *found)


async def get_layer_version(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _version_ref(ctx, params)
    _check_version_number(ref)
    return await _get(deps, ctx, ref)


async def get_layer_version_by_arn(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    # The model's pattern has already refused an ARN without a version.
    ref = parse_layer_version_arn(params["Arn"])
    if ref is None:
        raise RuleViolation(NOT_FOUND, Kind.NOT_FOUND)
    return await _get(deps, ctx, ref)


async def list_layers(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    versions = await deps.db.read(lambda c: layers.versions(c, ctx.account, ctx.region, None))
    latest = layer.latest_matching(
        versions, params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
    )
    items = [
        {
            "LayerName": config["LayerArn"].rsplit(":", 1)[1],
            "LayerArn": config["LayerArn"],
            "LatestMatchingVersion": config,
        }
        for config in latest
    ]
    return paged("Layers", items, params)


async def list_layer_versions(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    named = parse_layer_name(ctx, params["LayerName"])
    versions = await deps.db.read(
        lambda c: layers.versions(c, named.account, named.region, named.name)
    )
    runtime, architecture = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
    matching = [v for v in versions if layer.matches(v, runtime, architecture)]
    return paged("LayerVersions", matching, params)


async def delete_layer_version(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _version_ref(ctx, params)
    _check_version_number(ref)
    sha = await deps.db.write(
        lambda c: layers.delete(c, ref.account, ref.region, ref.name, _number(ref))
    )
    if sha is not None:
        await deps.db.write(lambda c: release_code(c, deps.blobs, [sha]))
    return {}


# -- Layer version policies ---------------------------------------------------------------


def _policy(c: sqlite3.Connection, ref: LayerRef) -> tuple[list[policy.Statement], str | None]:
    """The version's statements and policy revision; the version must exist."""
    version = _number(ref)
    if layers.get(c, ref.account, ref.region, ref.name, version) is None:
        raise RuleViolation(f"Layer version {ref.version_arn} does not exist.", Kind.NOT_FOUND)
    found = layers.policy(c, ref.account, ref.region, ref.name, version)
    return found if found is not None else ([], None)


def _check_revision(current: str | None, given: str | None) -> None:
    if given is not None and given != current:
        raise RuleViolation(
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetLayerPolicy API to retrieve the latest Revision Id",
            Kind.PRECONDITION,
        )


def _save(c: sqlite3.Connection, ref: LayerRef, statements: list[policy.Statement]) -> str:
    revision = new_revision_id()
    layers.set_policy(c, ref.account, ref.region, ref.name, _number(ref), statements, revision)
    return revision


async def add_layer_version_permission(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _version_ref(ctx, params)
    statement = policy.layer_statement(ref.version_arn, params)

    def work(c: sqlite3.Connection) -> str:
        statements, revision = _policy(c, ref)
        # AWS reports a duplicate Sid before a stale RevisionId (LocalStack's recordings).
        updated = policy.added(statements, statement)
        _check_revision(revision, params.get("RevisionId"))
        return _save(c, ref, updated)

    revision = await deps.db.write(work)
    return {"Statement": policy.statement_json(statement), "RevisionId": revision}


async def remove_layer_version_permission(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _version_ref(ctx, params)

    def work(c: sqlite3.Connection) -> None:
        statements, revision = _policy(c, ref)
        _check_revision(revision, params.get("RevisionId"))
        _save(c, ref, policy.removed(statements, params["StatementId"]))

    await deps.db.write(work)
    return {}


async def get_layer_version_policy(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _version_ref(ctx, params)
    statements, revision = await deps.db.read(lambda c: _policy(c, ref))
    if not statements:
        raise RuleViolation(policy.NO_POLICY, Kind.NOT_FOUND)
    return {"Policy": policy.document(statements), "RevisionId": revision}


OPERATIONS: dict[str, Operation] = {
    "PublishLayerVersion": publish_layer_version,
    "GetLayerVersion": get_layer_version,
    "GetLayerVersionByArn": get_layer_version_by_arn,
    "ListLayers": list_layers,
    "ListLayerVersions": list_layer_versions,
    "DeleteLayerVersion": delete_layer_version,
    "AddLayerVersionPermission": add_layer_version_permission,
    "RemoveLayerVersionPermission": remove_layer_version_permission,
    "GetLayerVersionPolicy": get_layer_version_policy,
}
