"""Event invoke configs (asynchronous error handling and destinations): their rules and
their shape.

Messages are AWS's, as recorded in LocalStack's AWS-validated snapshots of
``TestLambdaEventInvokeConfig`` (notes §13): a Put with nothing to set, a destination
function that does not exist or is the function itself, a destination of a service that
cannot receive records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lambent.domain.arn import LATEST, function_arn
from lambent.domain.rules import Kind, RuleViolation

ON_SUCCESS = "OnSuccess"
ON_FAILURE = "OnFailure"
#: Services a record can go to, by the ARN's service: S3 takes failures only.
SERVICES = {
    ON_SUCCESS: frozenset({"sqs", "sns", "lambda", "events"}),
    ON_FAILURE: frozenset({"sqs", "sns", "lambda", "events", "s3"}),
}
#: Services a dead-letter queue may be.
DEAD_LETTER_SERVICES = frozenset({"sqs", "sns"})

NOTHING_TO_SET = "You must specify at least one of error handling or destination setting."
FUNCTION_MISSING = "The function doesn't exist."


def no_config(arn: str) -> RuleViolation:
    return RuleViolation(f"The function {arn} doesn't have an EventInvokeConfig", Kind.NOT_FOUND)


def function_of(arn: str) -> tuple[str, str, str] | None:
    """``(ACCOUNT, REGION, NAME)`` of ``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:Q]``."""
    parts = arn.split(":")
    if len(parts) in (7, 8) and parts[2] == "lambda" and parts[5] == "function" and parts[6]:
        return parts[4], parts[3], parts[6]
    return None


def service_of(arn: str) -> str:
    """``sqs`` of ``arn:aws:sqs:us-east-1:123456789012:queue`` ('' when not an ARN)."""
    parts = arn.split(":", 5)
    return parts[2] if len(parts) == 6 and parts[0] == "arn" else ""


@dataclass(frozen=True, slots=True)
class Settings:
    """What one Put or Update sets: None where the request leaves a setting out."""

    retry_attempts: int | None
    max_age_s: int | None
    destinations: Mapping[str, Any] | None

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Settings:
        settings = cls(
            params.get("MaximumRetryAttempts"),
            params.get("MaximumEventAgeInSeconds"),
            params.get("DestinationConfig"),
        )
        if settings == cls(None, None, None):
            raise RuleViolation(NOTHING_TO_SET)
        return settings


def _destination(destinations: Mapping[str, Any] | None, which: str) -> str | None:
    found = ((destinations or {}).get(which) or {}).get("Destination")
    return str(found) if found else None


def check_destinations(
    destinations: Mapping[str, Any],
    function: tuple[str, str, str],
    function_exists: Callable[[str, str, str], bool],
) -> None:
    """Each destination must be of a service that takes records; a function destination
    must exist and must not be ``function`` (account, region, name) itself."""
    success = _destination(destinations, ON_SUCCESS)
    failure = _destination(destinations, ON_FAILURE)
    supported = True
    for which, arn in ((ON_SUCCESS, success), (ON_FAILURE, failure)):
        if arn is None:
            continue
        service = service_of(arn)
        if service == "lambda":
            target = function_of(arn)
            if target is None or not function_exists(*target):
                raise RuleViolation(f"The destination ARN {arn} is invalid.")
            if target == function:
                raise RuleViolation("You can't specify the function as a destination for itself.")
        supported = supported and service in SERVICES[which]
    if not supported:
        on_success = f"OnSuccess(destination={success})" if success else "null"
        on_failure = f"OnFailure(destination={failure})" if failure else "null"
        raise RuleViolation(
            f"The provided destination config DestinationConfig(onSuccess={on_success}, "
            f"onFailure={on_failure}) is invalid."
        )


def normalized(destinations: Mapping[str, Any] | None) -> dict[str, Any]:
    """``DestinationConfig`` as AWS returns it: both members, empty when unset."""
    shaped: dict[str, Any] = {}
    for which in (ON_SUCCESS, ON_FAILURE):
        arn = _destination(destinations, which)
        shaped[which] = {"Destination": arn} if arn else {}
    return shaped


def stored(settings: Settings, current: Mapping[str, Any] | None) -> dict[str, Any]:
    """The config after a Put (``current`` None: what the request leaves out is unset)
    or an Update (what it leaves out keeps its value; destinations merge by member)."""
    config: dict[str, Any] = dict(current or {})
    if settings.retry_attempts is not None:
        config["MaximumRetryAttempts"] = settings.retry_attempts
    if settings.max_age_s is not None:
        config["MaximumEventAgeInSeconds"] = settings.max_age_s
    destinations = normalized(config.get("DestinationConfig"))
    if settings.destinations is not None:
        for which in (ON_SUCCESS, ON_FAILURE):
            if which in settings.destinations or current is None:
                destinations[which] = normalized(settings.destinations)[which]
    config["DestinationConfig"] = destinations
    return config


def shaped(
    account: str,
    region: str,
    function: str,
    qualifier: str | None,
    config: Mapping[str, Any],
    last_modified: float,
) -> dict[str, Any]:
    """``FunctionEventInvokeConfig`` as the API returns it."""
    answer: dict[str, Any] = {
        # AWS: seconds with milliseconds (``1573686021.479``).
        "LastModified": datetime.fromtimestamp(round(last_modified, 3), UTC),
        "FunctionArn": function_arn(account, region, function, qualifier or LATEST),
    }
    for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
        if config.get(key) is not None:
            answer[key] = config[key]
    answer["DestinationConfig"] = normalized(config.get("DestinationConfig"))
    return answer


def destination(config: Mapping[str, Any] | None, which: str) -> str | None:
    """The ARN records of ``which`` (``OnSuccess``/``OnFailure``) go to, if any."""
    return _destination((config or {}).get("DestinationConfig"), which)
