"""Aliases: their configuration and the rules for weighted routing between two versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambent.domain.arn import LATEST, function_arn
from lambent.domain.function import new_revision_id
from lambent.domain.rules import RuleViolation

Config = dict[str, Any]


def check_routing(version: str, routing: Mapping[str, Any] | None) -> dict[str, float]:
    """The additional version weights, checked as AWS checks them."""
    weights = dict((routing or {}).get("AdditionalVersionWeights") or {})
    if len(weights) > 1:
        raise RuleViolation("Number of items in AdditionalVersionWeights cannot be greater than 1")
    if weights and version == LATEST:
        raise RuleViolation("$LATEST is not supported for an alias pointing to more than 1 version")
    for extra in weights:
        if extra == version:
            raise RuleViolation(
                f"Invalid function version {extra}. Function version {extra} is already "
                "included in routing configuration."
            )
    return weights


def alias_config(
    account: str,
    region: str,
    function: str,
    name: str,
    version: str,
    description: str,
    weights: Mapping[str, float],
) -> Config:
    config: Config = {
        "AliasArn": function_arn(account, region, function, name),
        "Name": name,
        "FunctionVersion": version,
        "Description": description,
        "RevisionId": new_revision_id(),
    }
    if weights:
        config["RoutingConfig"] = {"AdditionalVersionWeights": dict(weights)}
    return config
