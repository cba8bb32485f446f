"""Functions: CreateFunction, GetFunction(Configuration), ListFunctions, Update*, Delete."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Mapping
from typing import Any

from lambent.control import code, layer_refs
from lambent.control.deps import ControlDeps, Operation
from lambent.control.paging import PAGE_MAX
from lambent.control.versions import publish_latest
from lambent.domain import function as fn
from lambent.domain import limits
from lambent.domain.arn import LATEST, FunctionRef, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.package import Package
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import BlobStore, functions, lookup
from lambent.store.code import release_code

Result = Mapping[str, Any]


def _check_config_params(deps: ControlDeps, params: Mapping[str, Any]) -> None:
    fn.check_runtime(params.get("Runtime"), deps.runtimes)
    fn.check_limits(params)
    if "Environment" in params:
        fn.check_environment(params["Environment"].get("Variables", {}))
    if params.get("PackageType") == "Image":
        if params.get("Handler") or params.get("Runtime") or params.get("Layers"):
            raise RuleViolation(  # AWS's own refusal comes before our lack of image support
                "Please don't provide Handler or Runtime or Layer when the intended function "
                "PackageType is Image."
            )
        raise RuleViolation(
            "Lambent runs .zip deployment packages only: PackageType Image is not supported."
        )


def _check_unzipped(package_size: int, layers_size: int) -> None:
    if package_size + layers_size > limits.UNZIPPED_CODE_MAX:
        raise RuleViolation(
            f"Unzipped size must be smaller than {limits.UNZIPPED_CODE_MAX - layers_size} bytes"
        )


def _store_code(blobs: BlobStore, data: bytes, package: Package) -> fn.CodeInfo:
    blobs.put(data)
    return fn.CodeInfo(package.sha256_hex, package.size)


async def create_function(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"])
    _check_config_params(deps, params)
    fn.check_new_name(ref.name)
    if not params.get("Runtime") or not params.get("Handler"):
        raise RuleViolation(
            "Runtime and Handler are mandatory parameters for functions created with "
            "deployment packages."
        )
    tags = dict(params.get("Tags") or {})
    data, package = await code.receive(deps, ctx.region, params["Code"])
    now = deps.clock()

    def work(c: sqlite3.Connection) -> fn.Config:
        if functions.exists(c, ref.account, ref.region, ref.name):
            raise RuleViolation(f"Function already exist: {ref.name}", Kind.CONFLICT)
        layers = layer_refs.resolve(c, ref.region, params.get("Layers") or [])
        _check_unzipped(package.unzipped_size, layers.unzipped_size)
        code.check_storage(c, ref.account, ref.region, package.size)
        info = _store_code(deps.blobs, data, package)
        config = fn.new_configuration(
            ref.account, ref.region, ref.name, params, code=info, layers=layers.config, now=now
        )
        config["_unzipped"] = package.unzipped_size
        config["_layers_unzipped"] = layers.unzipped_size
        stored = functions.Code(info.sha256_hex, layers.code)
        functions.create(c, ref.account, ref.region, config, stored, tags)
        if params.get("Publish"):
            version = publish_latest(c, ref, config, None, now)
            # AWS answers with $LATEST's configuration naming the new version.
            return dict(config, Version=version["Version"])
        return config

    config = await deps.db.write(work)
    deps.settler.schedule(ref.account, ref.region, dict(config, Version=LATEST))
    return config


def _code_location(ctx: RequestContext, config: fn.Config, sha256_hex: str) -> dict[str, str]:
    return {"RepositoryType": "S3", "Location": f"{ctx.base_url}/_lambent/code/{sha256_hex}"}


def _sha_hex(config: fn.Config) -> str:
    return base64.b64decode(config["CodeSha256"]).hex()


async def get_function(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))

    def work(c: sqlite3.Connection) -> tuple[fn.Config, dict[str, str] | None, int | None]:
        config, _ = lookup.resolve(c, ref)
        return (
            config,
            functions.tags(c, ref.account, ref.region, ref.name),
            functions.reserved_concurrency(c, ref.account, ref.region, ref.name),
        )

    config, tags, reserved = await deps.db.read(work)
    if ref.qualifier:
        config = fn.qualified(config, ref.qualifier)
    result: dict[str, Any] = {
        "Configuration": config,
        "Code": _code_location(ctx, config, _sha_hex(config)),
    }
    if tags:
        result["Tags"] = tags
    if reserved is not None:
        result["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    return result


async def get_function_configuration(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))
    config, _ = await deps.db.read(lambda c: lookup.resolve(c, ref))
    return fn.qualified(config, ref.qualifier) if ref.qualifier else config


def _marker(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _after(marker: str | None) -> str:
    if not marker:
        return ""
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except ValueError:
        raise RuleViolation(f"Invalid marker: {marker}") from None


def _page_key(config: fn.Config) -> str:
    version = config["Version"]
    number = 0 if version == LATEST else int(version)
    return f"{config['FunctionName']}\x00{number:010d}"


async def list_functions(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    every = params.get("FunctionVersion") == "ALL"
    size = min(params.get("MaxItems") or PAGE_MAX, PAGE_MAX)
    after = _after(params.get("Marker"))
    page = await deps.db.read(
        lambda c: functions.page_latest(c, ctx.account, ctx.region, after, size + 1, every)
    )
    result: dict[str, Any] = {
        "Functions": [
            fn.listed(
                fn.qualified(config, LATEST) if every and config["Version"] == LATEST else config
            )
            for config in page[:size]
        ]
    }
    if len(page) > size:
        result["NextMarker"] = _marker(_page_key(page[size - 1]))
    return result


def _unqualified(ctx: RequestContext, name: str) -> FunctionRef:
    ref = parse_function_ref(ctx, name)
    return FunctionRef(ref.account, ref.region, ref.name, None)


async def update_function_code(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _unqualified(ctx, params["FunctionName"])
    data, package = await code.receive(deps, ctx.region, params)
    now = deps.clock()
    replaced: list[str] = []

    def work(c: sqlite3.Connection) -> tuple[fn.Config, fn.Config]:
        """``($LATEST as stored, the response)``: a publish answers with the new version."""
        current = lookup.latest(c, ref)
        lookup.check_revision(current, params.get("RevisionId"))
        if fn.in_progress(current):
            raise fn.updating_conflict(current)
        _check_unzipped(package.unzipped_size, int(current.get("_layers_unzipped", 0)))
        if params.get("DryRun"):
            info = fn.CodeInfo(package.sha256_hex, package.size)
            return current, fn.updated_code(current, info, now)
        code.check_storage(c, ref.account, ref.region, package.size)
        info = _store_code(deps.blobs, data, package)
        config = fn.updated_code(current, info, now)
        replaced.append(_sha_hex(current))
        config["_unzipped"] = package.unzipped_size
        if params.get("Architectures"):
            config["Architectures"] = params["Architectures"]
        stored = functions.code(c, ref.account, ref.region, ref.name, LATEST)
        functions.put_version(
            c, ref.account, ref.region, config, functions.Code(info.sha256_hex, stored.layers)
        )
        if params.get("Publish"):
            return config, publish_latest(c, ref, fn.settled(config), None, now)
        return config, config

    latest, response = await deps.db.write(work)
    if not params.get("DryRun"):
        deps.settler.schedule(ref.account, ref.region, latest)
        # The package $LATEST ran before is garbage now, unless a version still runs it.
        await deps.db.write(lambda c: release_code(c, deps.blobs, replaced))
    return response


async def update_function_configuration(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = _unqualified(ctx, params["FunctionName"])
    _check_config_params(deps, params)
    now = deps.clock()

    def work(c: sqlite3.Connection) -> fn.Config:
        current = lookup.latest(c, ref)
        lookup.check_revision(current, params.get("RevisionId"))
        if fn.in_progress(current):
            raise fn.updating_conflict(current)
        layers = None
        if "Layers" in params:
            layers = layer_refs.resolve(c, ref.region, params["Layers"])
            _check_unzipped(int(current.get("_unzipped", 0)), layers.unzipped_size)
        config = fn.updated_configuration(
            current, params, ref.region, None if layers is None else layers.config, now
        )
        if layers is not None:
            config["_layers_unzipped"] = layers.unzipped_size
        functions.update_config(
            c, ref.account, ref.region, config, None if layers is None else layers.code
        )
        return config

    config = await deps.db.write(work)
    deps.settler.schedule(ref.account, ref.region, config)
    return config


async def delete_function(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))
    if ref.qualifier == LATEST:
        raise RuleViolation("$LATEST version cannot be deleted without deleting the function.")

    def work(c: sqlite3.Connection) -> list[str]:
        if not functions.exists(c, ref.account, ref.region, ref.name):
            raise lookup.not_found(ref.unqualified_arn)
        if ref.qualifier is None:
            shas = [_sha_hex(v) for v in functions.versions(c, ref.account, ref.region, ref.name)]
            functions.delete(c, ref.account, ref.region, ref.name)
            return shas
        config = functions.get_version(c, ref.account, ref.region, ref.name, ref.qualifier)
        if config is None:
            return []
        users = [
            alias["Name"]
            for alias in functions.aliases(c, ref.account, ref.region, ref.name)
            if ref.qualifier in (alias["FunctionVersion"], *_weighted(alias))
        ]
        if users:
            raise RuleViolation(
                "Unable to delete version because the following aliases reference it: "
                f"[{', '.join(users)}]",
                Kind.CONFLICT,
            )
        functions.delete_version(c, ref.account, ref.region, ref.name, ref.qualifier)
        return [_sha_hex(config)]

    shas = await deps.db.write(work)
    await deps.db.write(lambda c: release_code(c, deps.blobs, shas))
    return {"StatusCode": 204}


def _weighted(alias: fn.Config) -> list[str]:
    return list(alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {}))


OPERATIONS: dict[str, Operation] = {
    "CreateFunction": create_function,
    "GetFunction": get_function,
    "GetFunctionConfiguration": get_function_configuration,
    "ListFunctions": list_functions,
    "UpdateFunctionCode": update_function_code,
    "UpdateFunctionConfiguration": update_function_configuration,
    "DeleteFunction": delete_function,
}
