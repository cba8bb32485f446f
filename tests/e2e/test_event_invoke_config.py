"""Event invoke configs (Put/Update/Get/Delete/ListFunctionEventInvokeConfigs) per function,
version and alias, with AWS's validation and messages (LocalStack's AWS-recorded snapshots
of ``TestLambdaEventInvokeConfig``, notes §13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.invoking import FUNCTION_ARN, deploy, unique

ECHO = {"app.py": "def handler(event, context):\n    return event\n"}
QUEUE = "arn:aws:sqs:us-east-1:000000000000:failures"


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


@pytest.fixture
def fn(lambda_client: Any) -> str:
    return deploy(lambda_client, ECHO)


def no_config(name: str, qualifier: str = "$LATEST") -> str:
    return f"The function {FUNCTION_ARN}{name}:{qualifier} doesn't have an EventInvokeConfig"


def test_put_get_update_list_delete(lambda_client: Any, fn: str) -> None:
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=fn, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=3600
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["FunctionArn"] == f"{FUNCTION_ARN}{fn}:$LATEST"
    assert (put["MaximumRetryAttempts"], put["MaximumEventAgeInSeconds"]) == (0, 3600)
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    assert isinstance(put["LastModified"], datetime)

    got = lambda_client.get_function_event_invoke_config(FunctionName=fn)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in put.items() if k != "ResponseMetadata"
    }
    explicit = lambda_client.get_function_event_invoke_config(FunctionName=fn, Qualifier="$LATEST")
    assert explicit["FunctionArn"] == put["FunctionArn"]

    updated = lambda_client.update_function_event_invoke_config(
        FunctionName=fn, DestinationConfig={"OnFailure": {"Destination": QUEUE}}
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 3600)
    assert updated["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": QUEUE}}

    listed = lambda_client.list_function_event_invoke_configs(FunctionName=fn)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [put["FunctionArn"]]
    assert "NextMarker" not in listed

    deleted = lambda_client.delete_function_event_invoke_config(FunctionName=fn)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert (
        lambda_client.list_function_event_invoke_configs(FunctionName=fn)[
            "FunctionEventInvokeConfigs"
        ]
        == []
    )


def test_put_replaces_and_update_keeps(lambda_client: Any, fn: str) -> None:
    lambda_client.put_function_event_invoke_config(
        FunctionName=fn, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60
    )
    lambda_client.put_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=0)
    got = lambda_client.get_function_event_invoke_config(FunctionName=fn)
    assert got["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in got

    lambda_client.put_function_event_invoke_config(
        FunctionName=fn, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60
    )
    lambda_client.update_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=0)
    got = lambda_client.get_function_event_invoke_config(FunctionName=fn)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (0, 60)


def test_versions_and_aliases_have_their_own(lambda_client: Any, fn: str) -> None:
    version = lambda_client.publish_version(FunctionName=fn)["Version"]
    alias = lambda_client.create_alias(FunctionName=fn, Name="live", FunctionVersion=version)
    lambda_client.put_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=1)
    with pytest.raises(ClientError) as e:
        lambda_client.get_function_event_invoke_config(FunctionName=fn, Qualifier=version)
    assert error_of(e) == (404, "ResourceNotFoundException", no_config(fn, version))

    on_version = lambda_client.put_function_event_invoke_config(
        FunctionName=fn, Qualifier=version, MaximumEventAgeInSeconds=120
    )
    assert on_version["FunctionArn"] == f"{FUNCTION_ARN}{fn}:{version}"
    by_arn = lambda_client.put_function_event_invoke_config(
        FunctionName=alias["AliasArn"], MaximumRetryAttempts=0
    )
    assert by_arn["FunctionArn"] == f"{FUNCTION_ARN}{fn}:live"
    shorthand = lambda_client.put_function_event_invoke_config(
        FunctionName=f"{fn}:live", Qualifier="live", MaximumRetryAttempts=2
    )
    assert shorthand["MaximumRetryAttempts"] == 2

    listed = lambda_client.list_function_event_invoke_configs(FunctionName=fn)
    arns = [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]]
    assert arns == [f"{FUNCTION_ARN}{fn}:{q}" for q in ("$LATEST", version, "live")]
    first = lambda_client.list_function_event_invoke_configs(FunctionName=fn, MaxItems=2)
    assert len(first["FunctionEventInvokeConfigs"]) == 2
    rest = lambda_client.list_function_event_invoke_configs(
        FunctionName=fn, Marker=first["NextMarker"], MaxItems=2
    )
    assert [c["FunctionArn"] for c in rest["FunctionEventInvokeConfigs"]] == arns[2:]

    # A deleted alias takes its config with it: a new alias of that name starts bare.
    lambda_client.delete_alias(FunctionName=fn, Name="live")
    lambda_client.create_alias(FunctionName=fn, Name="live", FunctionVersion=version)
    with pytest.raises(ClientError) as e:
        lambda_client.get_function_event_invoke_config(FunctionName=fn, Qualifier="live")
    assert error_of(e) == (404, "ResourceNotFoundException", no_config(fn, "live"))


def test_missing_functions_versions_aliases_and_configs(lambda_client: Any, fn: str) -> None:
    missing = unique("nope")
    arn = f"{FUNCTION_ARN}{missing}"
    for name in (missing, arn):
        with pytest.raises(ClientError) as e:
            lambda_client.put_function_event_invoke_config(
                FunctionName=name, MaximumRetryAttempts=1
            )
        assert error_of(e) == (404, "ResourceNotFoundException", "The function doesn't exist.")
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_event_invoke_config(
            FunctionName=missing, MaximumRetryAttempts=0
        )
    assert error_of(e) == (404, "ResourceNotFoundException", "The function doesn't exist.")
    with pytest.raises(ClientError) as e:
        lambda_client.list_function_event_invoke_configs(FunctionName=missing)
    assert error_of(e) == (404, "ResourceNotFoundException", "The function doesn't exist.")
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_event_invoke_config(
            FunctionName=fn, Qualifier="nosuchalias", MaximumRetryAttempts=1
        )
    assert error_of(e) == (404, "ResourceNotFoundException", "The function doesn't exist.")

    for call in (
        lambda_client.get_function_event_invoke_config,
        lambda_client.delete_function_event_invoke_config,
    ):
        with pytest.raises(ClientError) as e:
            call(FunctionName=missing)
        assert error_of(e) == (404, "ResourceNotFoundException", no_config(missing))
        with pytest.raises(ClientError) as e:
            call(FunctionName=fn, Qualifier="doesnotexist")
        assert error_of(e) == (404, "ResourceNotFoundException", no_config(fn, "doesnotexist"))
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=0)
    assert error_of(e) == (404, "ResourceNotFoundException", no_config(fn))


def test_something_must_be_set(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_event_invoke_config(FunctionName=unique("nope"))
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "You must specify at least one of error handling or destination setting.",
    )


def test_destination_rules(lambda_client: Any, fn: str) -> None:
    other = deploy(lambda_client, ECHO)
    fake = f"{FUNCTION_ARN}{unique('nope')}"
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_event_invoke_config(
            FunctionName=fn, DestinationConfig={"OnSuccess": {"Destination": fake}}
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        f"The destination ARN {fake} is invalid.",
    )
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_event_invoke_config(
            FunctionName=fn, DestinationConfig={"OnSuccess": {"Destination": FUNCTION_ARN + fn}}
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "You can't specify the function as a destination for itself.",
    )
    iam = f"arn:aws:iam:us-east-1:000000000000:function:{other}"
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_event_invoke_config(
            FunctionName=fn, DestinationConfig={"OnSuccess": {"Destination": iam}}
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess("
        f"destination={iam}), onFailure=null) is invalid.",
    )
    ok = lambda_client.put_function_event_invoke_config(
        FunctionName=fn, DestinationConfig={"OnSuccess": {"Destination": FUNCTION_ARN + other}}
    )
    assert ok["DestinationConfig"] == {
        "OnSuccess": {"Destination": FUNCTION_ARN + other},
        "OnFailure": {},
    }
    for empty in ({"OnSuccess": {}}, {"OnFailure": {}}):
        answer = lambda_client.put_function_event_invoke_config(
            FunctionName=fn, DestinationConfig=empty
        )
        assert answer["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}


def test_model_constraints(raw_client: Any, fn: str) -> None:
    cases = [
        (
            {"MaximumRetryAttempts": 3},
            "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to "
            "satisfy constraint: Member must have value less than or equal to 2",
        ),
        (
            {"MaximumEventAgeInSeconds": 59},
            "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to "
            "satisfy constraint: Member must have value greater than or equal to 60",
        ),
        (
            {"MaximumEventAgeInSeconds": 21601},
            "1 validation error detected: Value '21601' at 'maximumEventAgeInSeconds' failed "
            "to satisfy constraint: Member must have value less than or equal to 21600",
        ),
    ]
    for extra, message in cases:
        with pytest.raises(ClientError) as e:
            raw_client.put_function_event_invoke_config(FunctionName=fn, **extra)
        assert error_of(e) == (400, "ValidationException", message)
    bad = f"arn:aws:_-/!lambda:us-east-1:000000000000:function:{fn}"
    with pytest.raises(ClientError) as e:
        raw_client.put_function_event_invoke_config(
            FunctionName=fn, DestinationConfig={"OnFailure": {"Destination": bad}}
        )
    status, code, message = error_of(e)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        f"1 validation error detected: Value '{bad}' at "
        "'destinationConfig.onFailure.destination' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: "
    )


def test_qualifier_conflicts(lambda_client: Any, fn: str) -> None:
    version = lambda_client.publish_version(FunctionName=fn)["Version"]
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_event_invoke_config(
            FunctionName=f"{fn}:{version}", Qualifier="$LATEST", MaximumRetryAttempts=1
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_configs_go_with_their_function(lambda_client: Any) -> None:
    name = deploy(lambda_client, ECHO)
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lambda_client.delete_function(FunctionName=name)
    deploy(lambda_client, ECHO, name=name)
    with pytest.raises(ClientError) as e:
        lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert error_of(e) == (404, "ResourceNotFoundException", no_config(name))
