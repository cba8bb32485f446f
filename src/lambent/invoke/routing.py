"""Which version an invocation runs: the qualifier, and an alias's weighted routing."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lambent.domain.arn import LATEST, FunctionRef
from lambent.store import functions, lookup

Config = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Resolved:
    config: Config
    code: functions.Code
    #: The ARN the caller named, as the runtime's context reports it.
    invoked_arn: str


def resolve(
    c: sqlite3.Connection, ref: FunctionRef, draw: Callable[[], float] = random.random
) -> Resolved:
    """The version to run. An alias with ``AdditionalVersionWeights`` sends each
    invocation to the additional version with its weight's probability."""
    qualifier = ref.qualifier or LATEST
    version = qualifier
    if qualifier != LATEST and not qualifier.isdigit():
        alias = functions.get_alias(c, ref.account, ref.region, ref.name, qualifier)
        if alias is None:
            raise lookup.not_found(ref.arn)
        version = alias["FunctionVersion"]
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        point = draw()
        for extra, weight in weights.items():
            if point < weight:
                version = extra
                break
            point -= weight
    config = functions.get_version(c, ref.account, ref.region, ref.name, version)
    if config is None:
        raise lookup.not_found(ref.arn)
    code = functions.code(c, ref.account, ref.region, ref.name, version)
    return Resolved(config, code, ref.arn)
