"""The ``Layers`` a function names: checked and resolved as AWS does (on the db thread)."""

from __future__ import annotations

import sqlite3
from typing import Any

from lambent.domain import limits
from lambent.domain.arn import parse_layer_version_arn
from lambent.domain.rules import RuleViolation
from lambent.store import layers


def resolve(
    c: sqlite3.Connection, region: str, arns: list[str]
) -> tuple[list[dict[str, Any]], int]:
    """``[{"Arn", "CodeSize"}]`` for the configuration, and the layers' unzipped size."""
    if len(arns) > limits.LAYERS_PER_FUNCTION:
        raise RuleViolation(f"Cannot reference more than {limits.LAYERS_PER_FUNCTION} layers.")
    seen: dict[str, str] = {}
    resolved: list[dict[str, Any]] = []
    unzipped = 0
    for arn in arns:
        ref = parse_layer_version_arn(arn)
        if ref is None or ref.version is None:
            raise RuleViolation(f"Layer version {arn} does not exist.")
        if ref.region != region:
            raise RuleViolation(
                "Layers are not in the same region as the function. "
                f"Layers are expected to be in region {region}."
            )
        if ref.arn in seen:
            raise RuleViolation(
                "Two different versions of the same layer are not allowed to be referenced in "
                f"the same function. {seen[ref.arn]} and {arn} are versions of the same layer."
            )
        seen[ref.arn] = arn
        found = layers.get(c, ref.account, ref.region, ref.name, ref.version)
        if found is None:
            raise RuleViolation(f"Layer version {arn} does not exist.")
        config, _ = found
        resolved.append({"Arn": arn, "CodeSize": config["Content"]["CodeSize"]})
        unzipped += int(config.get("_unzipped", 0))
    return resolved, unzipped
