"""Tags: TagResource, UntagResource, ListTags (on functions)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.domain import tags
from lambent.domain.arn import FunctionRef, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import functions, lookup

Result = Mapping[str, Any]
Tags = dict[str, str]


def _function(ctx: RequestContext, resource: str) -> FunctionRef:
    """The function a taggable ARN names; the model's pattern has checked its form."""
    if ":function:" not in resource:
        # Code signing configs, event source mappings and capacity providers are
        # taggable too, but Lambent has none of them yet: nothing such exists to tag.
        raise RuleViolation("The resource you requested does not exist.", Kind.NOT_FOUND)
    ref = parse_function_ref(ctx, resource)
    if ref.qualifier is not None:
        raise RuleViolation(
            "Tags on function aliases and versions are not supported. "
            "Please specify a function ARN."
        )
    return ref


def _current(c: sqlite3.Connection, ref: FunctionRef) -> Tags:
    found = functions.tags(c, ref.account, ref.region, ref.name)
    if found is None:
        raise lookup.not_found(ref.unqualified_arn)
    return found


async def _change(deps: ControlDeps, ref: FunctionRef, change: Callable[[Tags], Tags]) -> Result:
    def work(c: sqlite3.Connection) -> None:
        functions.set_tags(c, ref.account, ref.region, ref.name, change(_current(c, ref)))

    await deps.db.write(work)
    return {}


async def tag_resource(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _function(ctx, params["Resource"])
    return await _change(deps, ref, lambda current: tags.tagged(current, params["Tags"]))


async def untag_resource(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _function(ctx, params["Resource"])
    return await _change(deps, ref, lambda current: tags.untagged(current, params["TagKeys"]))


async def list_tags(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = _function(ctx, params["Resource"])
    return {"Tags": await deps.db.read(lambda c: _current(c, ref))}


OPERATIONS: dict[str, Operation] = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTags": list_tags,
}
