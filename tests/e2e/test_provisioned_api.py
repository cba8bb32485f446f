"""Provisioned concurrency configurations as AWS answers them: Put (202), Get, Delete (204),
List, on a published version or an alias, and the exact errors AWS gives (LocalStack's
recordings against AWS, ``TestLambdaProvisionedConcurrency``, 2023-11)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.provisioned_support import wait_status
from tests.helpers import error_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
NOT_ALIAS_OR_VERSION = "The function resource provided must be an alias or a published version."
NO_CONFIG = "No Provisioned Concurrency Config found for this function"


def refused(call: Callable[..., Any], **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as e:
        call(**params)
    return error_of(e)


@pytest.fixture
def version(lambda_client: Any, function: dict[str, Any]) -> str:
    return str(lambda_client.publish_version(FunctionName=function["FunctionName"])["Version"])


def test_errors_as_aws_words_them(
    lambda_client: Any, raw_client: Any, function: dict[str, Any], version: str
) -> None:
    name = function["FunctionName"]
    get = lambda_client.get_provisioned_concurrency_config
    put = lambda_client.put_provisioned_concurrency_config
    delete = lambda_client.delete_provisioned_concurrency_config
    assert refused(get, FunctionName=name, Qualifier=version) == (
        404,
        "ProvisionedConcurrencyConfigNotFoundException",
        NO_CONFIG,
    )
    assert refused(get, FunctionName="doesnotexist", Qualifier="noalias") == (
        404,
        "ResourceNotFoundException",
        f"Cannot find alias arn: {ARN}doesnotexist:noalias",
    )
    assert refused(get, FunctionName=name, Qualifier="noalias")[2] == (
        f"Cannot find alias arn: {ARN}{name}:noalias"
    )
    assert refused(get, FunctionName=name, Qualifier="10")[2] == (
        f"Function not found: {ARN}{name}:10"
    )
    assert refused(get, FunctionName=name, Qualifier="$LATEST") == (
        400,
        "InvalidParameterValueException",
        NOT_ALIAS_OR_VERSION,
    )
    assert (
        lambda_client.list_provisioned_concurrency_configs(FunctionName=name)[
            "ProvisionedConcurrencyConfigs"
        ]
        == []
    )
    assert refused(
        lambda_client.list_provisioned_concurrency_configs, FunctionName="doesnotexist"
    ) == (404, "ResourceNotFoundException", f"Function not found: {ARN}doesnotexist")
    assert refused(delete, FunctionName="doesnotexist", Qualifier=version)[2] == (
        f"Function not found: {ARN}doesnotexist:{version}"
    )
    assert refused(delete, FunctionName=name, Qualifier="noalias")[2] == (
        f"Cannot find alias arn: {ARN}{name}:noalias"
    )
    assert refused(delete, FunctionName=name, Qualifier="$LATEST")[2] == NOT_ALIAS_OR_VERSION
    answer = delete(FunctionName=name, Qualifier=version)  # none to delete: 204 all the same
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert refused(
        raw_client.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=0,
    ) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1",
    )
    assert refused(
        put, FunctionName="doesnotexist", Qualifier="noalias", ProvisionedConcurrentExecutions=1
    )[2] == (f"Cannot find alias arn: {ARN}doesnotexist:noalias")
    assert refused(
        put, FunctionName="doesnotexist", Qualifier="1", ProvisionedConcurrentExecutions=1
    )[2] == (f"Function not found: {ARN}doesnotexist:1")
    assert refused(put, FunctionName=name, Qualifier="10", ProvisionedConcurrentExecutions=1)[
        2
    ] == (f"Function not found: {ARN}{name}:10")
    assert refused(
        put, FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
    ) == (400, "InvalidParameterValueException", UNPUBLISHED)


def test_version_and_alias_lifecycle(
    lambda_client: Any, function: dict[str, Any], version: str
) -> None:
    name = function["FunctionName"]
    alias = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    del put["ResponseMetadata"]
    assert TIMESTAMP.match(put.pop("LastModified"))
    assert put == {
        "RequestedProvisionedConcurrentExecutions": 1,
        "AvailableProvisionedConcurrentExecutions": 0,
        "AllocatedProvisionedConcurrentExecutions": 0,
        "Status": "IN_PROGRESS",
    }
    put_alias = lambda_client.put_provisioned_concurrency_config
    assert refused(
        put_alias, FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    ) == (
        409,
        "ResourceConflictException",
        "Alias can't be used for Provisioned Concurrency configuration on an already "
        "Provisioned version",
    )
    ready = wait_status(lambda_client, name, version)
    assert ready["Status"] == "READY"
    assert ready["AllocatedProvisionedConcurrentExecutions"] == 1
    assert ready["AvailableProvisionedConcurrentExecutions"] == 1
    assert "StatusReason" not in ready
    deleted = lambda_client.delete_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version
    )
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert (
        refused(
            lambda_client.get_provisioned_concurrency_config, FunctionName=name, Qualifier=version
        )[1]
        == "ProvisionedConcurrencyConfigNotFoundException"
    )

    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    assert refused(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=1,
    ) == (409, "ResourceConflictException", "Version is pointed by a Provisioned Concurrency alias")
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]] == [
        alias["AliasArn"]
    ]
    lambda_client.delete_alias(FunctionName=name, Name="live")
    assert refused(
        lambda_client.get_provisioned_concurrency_config, FunctionName=name, Qualifier="live"
    ) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {ARN}{name}:live")
    assert (
        lambda_client.list_provisioned_concurrency_configs(FunctionName=name)[
            "ProvisionedConcurrencyConfigs"
        ]
        == []
    )


def test_list_pages_and_qualified_arns(
    lambda_client: Any, function: dict[str, Any], version: str
) -> None:
    name = function["FunctionName"]
    lambda_client.update_function_configuration(FunctionName=name, MemorySize=256)
    lambda_client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )
    second = lambda_client.publish_version(FunctionName=name)["Version"]
    assert second != version
    for qualifier in (version, second):
        lambda_client.put_provisioned_concurrency_config(
            FunctionName=f"{ARN}{name}", Qualifier=qualifier, ProvisionedConcurrentExecutions=1
        )
    first_page = lambda_client.list_provisioned_concurrency_configs(FunctionName=name, MaxItems=1)
    assert [c["FunctionArn"] for c in first_page["ProvisionedConcurrencyConfigs"]] == [
        f"{ARN}{name}:{version}"
    ]
    rest = lambda_client.list_provisioned_concurrency_configs(
        FunctionName=name, Marker=first_page["NextMarker"]
    )
    assert [c["FunctionArn"] for c in rest["ProvisionedConcurrencyConfigs"]] == [
        f"{ARN}{name}:{second}"
    ]
    assert "NextMarker" not in rest
    for qualifier in (version, second):
        lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)


def test_provisioned_concurrency_takes_from_unreserved_concurrency(
    lambda_client: Any, function: dict[str, Any], version: str
) -> None:
    """A function without reserved concurrency provisions out of the account's unreserved
    concurrency, of which 100 must remain (AWS's two messages)."""
    name = function["FunctionName"]
    unreserved = lambda_client.get_account_settings()["AccountLimit"][
        "UnreservedConcurrentExecutions"
    ]
    put = lambda_client.put_provisioned_concurrency_config
    assert refused(
        put, FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=unreserved + 1
    ) == (
        400,
        "InvalidParameterValueException",
        "Specified ConcurrentExecutions for function is greater than account's unreserved "
        f"concurrency [{unreserved}].",
    )
    assert refused(
        put, FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=unreserved
    ) == (
        400,
        "InvalidParameterValueException",
        "Specified ConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100].",
    )
    put(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1)
    after = lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert after == unreserved - 1
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    restored = lambda_client.get_account_settings()["AccountLimit"]
    assert restored["UnreservedConcurrentExecutions"] == unreserved


def test_reserved_concurrency_bounds_provisioned_concurrency(
    lambda_client: Any, function: dict[str, Any], version: str
) -> None:
    name = function["FunctionName"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    unreserved = lambda_client.get_account_settings()["AccountLimit"][
        "UnreservedConcurrentExecutions"
    ]
    assert refused(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=2,
    ) == (
        400,
        "InvalidParameterValueException",
        "Requested Provisioned Concurrency should not be greater than the "
        "reservedConcurrentExecution for function",
    )
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    # Inside the reservation: the account's unreserved concurrency does not change.
    after = lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert after == unreserved
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    lambda_client.delete_function_concurrency(FunctionName=name)
