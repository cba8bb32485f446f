"""Finding the function version a request names (on the database thread)."""

from __future__ import annotations

import sqlite3

from lambent.domain.arn import LATEST, FunctionRef, function_arn
from lambent.domain.function import Config
from lambent.domain.rules import Kind, RuleViolation
from lambent.store import functions


def not_found(arn: str) -> RuleViolation:
    return RuleViolation(f"Function not found: {arn}", Kind.NOT_FOUND)


def missing_alias(ref: FunctionRef, name: str) -> RuleViolation:
    arn = function_arn(ref.account, ref.region, ref.name, name)
    return RuleViolation(f"Cannot find alias arn: {arn}", Kind.NOT_FOUND)


def latest(c: sqlite3.Connection, ref: FunctionRef) -> Config:
    """``$LATEST`` of the function; its absence is reported with the unqualified ARN."""
    config = functions.get_version(c, ref.account, ref.region, ref.name, LATEST)
    if config is None:
        raise not_found(ref.unqualified_arn)
    return config


def alias_version(c: sqlite3.Connection, ref: FunctionRef, alias: str) -> str | None:
    found = functions.get_alias(c, ref.account, ref.region, ref.name, alias)
    return None if found is None else str(found["FunctionVersion"])


def resolve(c: sqlite3.Connection, ref: FunctionRef) -> tuple[Config, str]:
    """The configuration a qualified or unqualified name leads to, and its version.

    An alias leads to its primary version; what is missing is reported with the ARN as
    the request qualified it (AWS: ``Function not found: arn:...:function:NAME:QUAL``).
    """
    qualifier = ref.qualifier or LATEST
    version = qualifier
    if qualifier != LATEST and not qualifier.isdigit():
        found = alias_version(c, ref, qualifier)
        if found is None:
            raise not_found(ref.arn)
        version = found
    config = functions.get_version(c, ref.account, ref.region, ref.name, version)
    if config is None:
        raise not_found(ref.arn)
    return config, version


def check_revision(config: Config, revision_id: str | None) -> None:
    if revision_id is not None and revision_id != config.get("RevisionId"):
        raise RuleViolation(
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            Kind.PRECONDITION,
        )
