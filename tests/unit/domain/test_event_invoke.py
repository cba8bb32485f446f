"""Event invoke configs: AWS's rules and messages (notes §13, LocalStack's AWS snapshots)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambent.domain.event_invoke import (
    NOTHING_TO_SET,
    Settings,
    check_destinations,
    destination,
    function_of,
    normalized,
    shaped,
    stored,
)
from lambent.domain.rules import Kind, RuleViolation

ME = ("123456789012", "us-east-1", "me")
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"


def exists(account: str, region: str, name: str) -> bool:
    return name in {"me", "other"}


def test_something_must_be_set() -> None:
    with pytest.raises(RuleViolation) as e:
        Settings.of({"FunctionName": "f"})
    assert (
        str(e.value)
        == NOTHING_TO_SET
        == ("You must specify at least one of error handling or destination setting.")
    )
    assert e.value.kind is Kind.INVALID_PARAMETER
    assert Settings.of({"MaximumRetryAttempts": 0}).retry_attempts == 0
    assert Settings.of({"DestinationConfig": {}}).destinations == {}


def test_destination_function_must_exist() -> None:
    with pytest.raises(RuleViolation) as e:
        check_destinations({"OnSuccess": {"Destination": FN + "nope"}}, ME, exists)
    assert str(e.value) == f"The destination ARN {FN}nope is invalid."


def test_function_is_not_its_own_destination() -> None:
    with pytest.raises(RuleViolation) as e:
        check_destinations({"OnFailure": {"Destination": FN + "me:live"}}, ME, exists)
    assert str(e.value) == "You can't specify the function as a destination for itself."


def test_destinations_of_other_services_are_refused_whole() -> None:
    iam = "arn:aws:iam:us-east-1:123456789012:function:other"
    with pytest.raises(RuleViolation) as e:
        check_destinations({"OnSuccess": {"Destination": iam}}, ME, exists)
    assert str(e.value) == (
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess("
        f"destination={iam}), onFailure=null) is invalid."
    )
    bucket = "arn:aws:s3:::bucket"
    check_destinations({"OnFailure": {"Destination": bucket}}, ME, exists)
    with pytest.raises(RuleViolation):
        check_destinations({"OnSuccess": {"Destination": bucket}}, ME, exists)


def test_supported_destinations() -> None:
    check_destinations(
        {"OnSuccess": {"Destination": FN + "other"}, "OnFailure": {"Destination": QUEUE}},
        ME,
        exists,
    )
    check_destinations({"OnSuccess": {}, "OnFailure": {}}, ME, exists)


def test_function_of() -> None:
    assert function_of(FN + "f") == ("123456789012", "us-east-1", "f")
    assert function_of(FN + "f:3") == ("123456789012", "us-east-1", "f")
    assert function_of(QUEUE) is None


def test_put_replaces_and_update_merges() -> None:
    first = stored(
        Settings(2, 60, {"OnFailure": {"Destination": QUEUE}}),
        None,
    )
    assert first == {
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 60,
        "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": QUEUE}},
    }
    replaced = stored(Settings(0, None, None), None)
    assert replaced == {
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}},
    }
    updated = stored(Settings(0, None, {"OnSuccess": {"Destination": FN + "other"}}), first)
    assert updated["MaximumEventAgeInSeconds"] == 60
    assert updated["MaximumRetryAttempts"] == 0
    assert destination(updated, "OnFailure") == QUEUE
    assert destination(updated, "OnSuccess") == FN + "other"


def test_shape_as_the_api_returns_it() -> None:
    answer = shaped(
        "123456789012", "us-east-1", "f", None, {"MaximumRetryAttempts": 0}, 1573686021.4789
    )
    assert answer == {
        "LastModified": datetime(2019, 11, 13, 23, 0, 21, 479000, tzinfo=UTC),
        "FunctionArn": FN + "f:$LATEST",
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}},
    }
    assert normalized(None) == {"OnSuccess": {}, "OnFailure": {}}
