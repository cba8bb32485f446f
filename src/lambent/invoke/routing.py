"""Which version an invocation runs: the qualifier, and an alias's weighted routing.

Loading what a qualifier may lead to (:func:`load`) reads the database; picking the
version for one invocation (:meth:`Candidates.pick`) does not, so loads can be cached
while every invocation still draws its own route.
"""

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


@dataclass(frozen=True, slots=True)
class Candidates:
    """The primary version a qualifier names, and an alias's weighted extra versions."""

    primary: Resolved
    weighted: tuple[tuple[float, Resolved], ...] = ()

    def pick(self, draw: Callable[[], float] = random.random) -> Resolved:
        """An alias with ``AdditionalVersionWeights`` sends each invocation to an
        additional version with that version's probability."""
        point = draw()
        for weight, resolved in self.weighted:
            if point < weight:
                return resolved
            point -= weight
        return self.primary


def _version(c: sqlite3.Connection, ref: FunctionRef, version: str) -> Resolved:
    config = functions.get_version(c, ref.account, ref.region, ref.name, version)
    if config is None:
        # AWS (recorded 2025-11) names $LATEST when the call named no qualifier.
        raise lookup.not_found(ref.arn if ref.qualifier else f"{ref.arn}:{LATEST}")
    return Resolved(config, functions.code(c, ref.account, ref.region, ref.name, version), ref.arn)


def load(c: sqlite3.Connection, ref: FunctionRef) -> Candidates:
    qualifier = ref.qualifier or LATEST
    if qualifier == LATEST or qualifier.isdigit():
        return Candidates(_version(c, ref, qualifier))
    alias = functions.get_alias(c, ref.account, ref.region, ref.name, qualifier)
    if alias is None:
        raise lookup.not_found(ref.arn)
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return Candidates(
        _version(c, ref, alias["FunctionVersion"]),
        tuple((float(weight), _version(c, ref, extra)) for extra, weight in weights.items()),
    )
