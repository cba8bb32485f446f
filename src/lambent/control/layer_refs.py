"""The ``Layers`` a function names: checked and resolved as AWS does (on the db thread)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from lambent.domain import limits
from lambent.domain.arn import parse_layer_version_arn
from lambent.domain.rules import RuleViolation
from lambent.store import layers


@dataclass(frozen=True, slots=True)
class Layers:
    """What a function's ``Layers`` resolve to."""

    #: ``[{"Arn", "CodeSize"}]``, as the configuration shows them.
    config: list[dict[str, Any]]
    #: The layers' code, in order (mounted at /opt, later ones winning).
    code: tuple[str, ...]
    unzipped_size: int


def resolve(c: sqlite3.Connection, region: str, arns: list[str]) -> Layers:
    """Check the layers a function names, as AWS does, and find their code."""
    if len(arns) > limits.LAYERS_PER_FUNCTION:
        raise RuleViolation(f"Cannot reference more than {limits.LAYERS_PER_FUNCTION} layers.")
    seen: dict[str, str] = {}
    resolved: list[dict[str, Any]] = []
    code: list[str] = []
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
        config, sha = found
        resolved.append({"Arn": arn, "CodeSize": config["Content"]["CodeSize"]})
        code.append(sha)
        unzipped += int(config.get("_unzipped", 0))
    return Layers(resolved, tuple(code), unzipped)
