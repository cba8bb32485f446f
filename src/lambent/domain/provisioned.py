"""Provisioned concurrency: the rules a configuration must satisfy, how an alias's share
is spread over its versions, and the status AWS reports while environments are made.

Sources: AWS's API reference (Put-, Get-, Delete-, ListProvisionedConcurrencyConfig(s)),
"Configuring provisioned concurrency for a function" (provisioned concurrency counts
towards a function's reserved concurrency and the account's unreserved concurrency), and
the responses LocalStack recorded against AWS (``test_lambda_api.snapshot.json``,
``TestLambdaProvisionedConcurrency``, 2023-11) for the exact messages.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass

from lambent.domain.limits import UNRESERVED_CONCURRENCY_MIN
from lambent.domain.rules import Kind, RuleViolation

#: The value of ``AWS_LAMBDA_INITIALIZATION_TYPE`` in provisioned environments.
INITIALIZATION_TYPE = "provisioned-concurrency"
#: ``StatusReason`` of a configuration whose environments failed to initialise (AWS, as
#: CloudFormation and Terraform relay it: "Provisioned Concurrency configuration failed to
#: be applied. Reason: FUNCTION_ERROR_INIT_FAILURE").
INIT_FAILURE = "FUNCTION_ERROR_INIT_FAILURE"

UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
NOT_ALIAS_OR_VERSION = "The function resource provided must be an alias or a published version."
NO_CONFIG = "No Provisioned Concurrency Config found for this function"
ALIAS_ON_PROVISIONED_VERSION = (
    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned "
    "version"
)
VERSION_UNDER_PROVISIONED_ALIAS = "Version is pointed by a Provisioned Concurrency alias"
#: Not recorded against AWS: LocalStack's wording, the only one published.
OVER_RESERVED = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)


class Status(enum.Enum):
    IN_PROGRESS = "IN_PROGRESS"
    READY = "READY"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Progress:
    """What a configuration reports of its environments."""

    status: Status
    allocated: int
    available: int
    reason: str | None = None


def progress(requested: int, allocated: int, failed: bool) -> Progress:
    """READY once every requested environment is initialised; FAILED when one failed to
    initialise (AWS stops there until the configuration is put again)."""
    allocated = min(allocated, requested)
    if failed:
        return Progress(Status.FAILED, allocated, allocated, INIT_FAILURE)
    status = Status.READY if allocated >= requested else Status.IN_PROGRESS
    return Progress(status, allocated, allocated)


def check_allocation(
    requested: int,
    reserved: int | None,
    provisioned_elsewhere: int,
    unreserved: int,
) -> None:
    """Whether the function may hold ``requested`` more provisioned environments.

    ``reserved``: the function's reserved concurrency (None: it has none);
    ``provisioned_elsewhere``: what its other versions and aliases hold; ``unreserved``:
    the account's unreserved concurrency, not counting this configuration.

    A function with reserved concurrency provisions out of its reservation; one without
    takes it from the account's unreserved concurrency, of which 100 must remain.
    """
    if reserved is not None:
        if provisioned_elsewhere + requested > reserved:
            raise RuleViolation(OVER_RESERVED)
        return
    if requested > unreserved:
        raise RuleViolation(
            "Specified ConcurrentExecutions for function is greater than account's "
            f"unreserved concurrency [{unreserved}]."
        )
    if unreserved - requested < UNRESERVED_CONCURRENCY_MIN:
        raise RuleViolation(
            "Specified ConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of "
            f"[{UNRESERVED_CONCURRENCY_MIN}]."
        )


def no_config() -> RuleViolation:
    """Raised as ``ProvisionedConcurrencyConfigNotFoundException`` by the operations."""
    return RuleViolation(NO_CONFIG, Kind.NOT_FOUND)


def shares(requested: int, version: str, weights: Mapping[str, float]) -> dict[str, int]:
    """How many environments each version gets of a configuration on ``version`` or on an
    alias routing to ``version`` and, by ``weights``, to another: AWS splits an alias's
    provisioned concurrency by the routing weights ("when a weighted alias is used, this
    value fluctuates depending on the amount provisioned for the function versions")."""
    split = {extra: round(requested * float(weight)) for extra, weight in weights.items()}
    split = {extra: count for extra, count in split.items() if count > 0}
    split[version] = requested - sum(split.values())
    return split


def timestamp(epoch: float) -> str:
    """``2019-12-31T20:28:49+0000``: ``LastModified`` as AWS's examples of these operations
    show it (whole seconds, unlike a function's)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))
