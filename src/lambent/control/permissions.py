"""Function policies: AddPermission, RemovePermission, GetPolicy (one policy per qualifier).

A policy belongs to the function (unqualified), to a version or to an alias. Its revision
is the RevisionId of what it belongs to ($LATEST's configuration, the version's, or the
alias's), which each change of the policy renews, as on AWS (LocalStack #7482 recorded it).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambent.control.deps import ControlDeps, Operation
from lambent.domain import function as fn
from lambent.domain import policy
from lambent.domain.arn import LATEST, FunctionRef, parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import functions, lookup, policies

Result = Mapping[str, Any]

# What AWS takes for an alias name (CreateAlias's pattern): not all digits.
_ALIAS = re.compile(r"^(?!\d+$)[a-zA-Z0-9\-_]+$")


@dataclass(frozen=True, slots=True)
class _Owner:
    """What a policy belongs to: its key in the policy store and its configuration."""

    key: str
    config: fn.Config
    is_alias: bool


def _owner(c: sqlite3.Connection, ref: FunctionRef) -> _Owner:
    """The function, version or alias ``ref`` names; the function must exist first, and is
    reported unqualified when it does not."""
    latest = lookup.latest(c, ref)
    qualifier = ref.qualifier
    if qualifier is None or qualifier == LATEST:
        return _Owner("", latest, is_alias=False)
    if qualifier.isdigit():
        version = functions.get_version(c, ref.account, ref.region, ref.name, qualifier)
        if version is None:
            raise lookup.not_found(ref.arn)
        return _Owner(qualifier, version, is_alias=False)
    if not _ALIAS.match(qualifier):
        raise lookup.not_found(ref.arn)
    alias = functions.get_alias(c, ref.account, ref.region, ref.name, qualifier)
    if alias is None:
        raise lookup.missing_alias(ref, qualifier)
    return _Owner(qualifier, alias, is_alias=True)


def _statements(c: sqlite3.Connection, ref: FunctionRef, key: str) -> list[policy.Statement]:
    found = policies.get(c, ref.account, ref.region, ref.name, key)
    return [] if found is None else found[0]


def _save(
    c: sqlite3.Connection, ref: FunctionRef, owner: _Owner, statements: list[policy.Statement]
) -> None:
    """Store the policy and renew its owner's RevisionId."""
    config = dict(owner.config, RevisionId=fn.new_revision_id())
    if owner.is_alias:
        functions.put_alias(c, ref.account, ref.region, ref.name, config)
    else:
        functions.update_config(c, ref.account, ref.region, config)
    policies.put(c, ref.account, ref.region, ref.name, owner.key, statements, config["RevisionId"])


async def add_permission(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))
    if ref.qualifier == LATEST:
        raise RuleViolation("We currently do not support adding policies for $LATEST.")
    statement = policy.function_statement(ref.arn, params)

    def work(c: sqlite3.Connection) -> None:
        owner = _owner(c, ref)
        lookup.check_revision(owner.config, params.get("RevisionId"))
        _save(c, ref, owner, policy.added(_statements(c, ref, owner.key), statement))

    await deps.db.write(work)
    return {"Statement": policy.statement_json(statement)}


async def remove_permission(
    deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]
) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))

    def work(c: sqlite3.Connection) -> None:
        if not functions.exists(c, ref.account, ref.region, ref.name):
            raise RuleViolation(f"No policy found for: {ref.unqualified_arn}", Kind.NOT_FOUND)
        owner = _owner(c, ref)
        found = policies.get(c, ref.account, ref.region, ref.name, owner.key)
        if found is None:
            raise RuleViolation(policy.NO_POLICY, Kind.NOT_FOUND)
        remaining = policy.removed(found[0], params["StatementId"])
        lookup.check_revision(owner.config, params.get("RevisionId"))
        _save(c, ref, owner, remaining)

    await deps.db.write(work)
    return {}


async def get_policy(deps: ControlDeps, ctx: RequestContext, params: dict[str, Any]) -> Result:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))

    def work(c: sqlite3.Connection) -> Result:
        lookup.latest(c, ref)
        key = "" if ref.qualifier in (None, LATEST) else str(ref.qualifier)
        statements = _statements(c, ref, key)
        if not statements:
            # Also for a qualifier that names nothing: it has no policy either (AWS).
            raise RuleViolation("The resource you requested does not exist.", Kind.NOT_FOUND)
        return {
            "Policy": policy.document(statements),
            "RevisionId": _owner(c, ref).config["RevisionId"],
        }

    return await deps.db.read(work)


OPERATIONS: dict[str, Operation] = {
    "AddPermission": add_permission,
    "RemovePermission": remove_permission,
    "GetPolicy": get_policy,
}
