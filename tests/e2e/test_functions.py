"""CreateFunction, GetFunction, ListFunctions, Update*, DeleteFunction, driven with boto3."""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import HELLO_ZIP, ROLE, error_of, make_zip


def test_create_returns_aws_defaults_and_goes_active(lambda_client: Any, name: str) -> None:
    created = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending"
    assert created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(HELLO_ZIP).digest()).decode()
    assert created["CodeSize"] == len(HELLO_ZIP)
    assert (created["MemorySize"], created["Timeout"], created["Version"]) == (128, 3, "$LATEST")
    assert created["Architectures"] == ["x86_64"]
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    active = lambda_client.get_function_configuration(FunctionName=name)
    assert active["State"] == "Active"
    assert active["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in active


def test_every_configuration_field_is_stored_and_returned(lambda_client: Any, name: str) -> None:
    lambda_client.create_function(
        FunctionName=name,
        Runtime="nodejs20.x",
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": HELLO_ZIP},
        Description="d",
        Timeout=30,
        MemorySize=512,
        Environment={"Variables": {"AB": "1"}},
        TracingConfig={"Mode": "Active"},
        DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"},
        KMSKeyArn="arn:aws:kms:us-east-1:000000000000:key/k",
        Architectures=["arm64"],
        EphemeralStorage={"Size": 1024},
        LoggingConfig={"LogFormat": "JSON"},
        VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        FileSystemConfigs=[
            {
                "Arn": "arn:aws:elasticfilesystem:us-east-1:000000000000:"
                "access-point/fsap-0123456789abcdef0",
                "LocalMountPath": "/mnt/efs",
            }
        ],
        SnapStart={"ApplyOn": "None"},
        Tags={"team": "a"},
    )
    got = lambda_client.get_function(FunctionName=name)
    config = got["Configuration"]
    assert config["Description"] == "d"
    assert (config["Timeout"], config["MemorySize"]) == (30, 512)
    assert config["Environment"] == {"Variables": {"AB": "1"}}
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["DeadLetterConfig"]["TargetArn"].endswith(":dlq")
    assert config["Architectures"] == ["arm64"]
    assert config["EphemeralStorage"] == {"Size": 1024}
    assert config["LoggingConfig"]["ApplicationLogLevel"] == "INFO"
    assert config["VpcConfig"]["SubnetIds"] == ["subnet-1"]
    assert config["FileSystemConfigs"][0]["LocalMountPath"] == "/mnt/efs"
    assert got["Tags"] == {"team": "a"}


def test_code_location_downloads_the_zip(lambda_client: Any, function: dict[str, Any]) -> None:
    got = lambda_client.get_function(FunctionName=function["FunctionName"])
    assert got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"]) as response:
        assert response.read() == HELLO_ZIP


def test_duplicate_name_conflicts(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": HELLO_ZIP},
        )
    assert error_of(e) == (409, "ResourceConflictException", f"Function already exist: {name}")


@pytest.mark.parametrize(
    "call",
    ["get_function", "get_function_configuration", "delete_function"],
)
def test_unknown_function_is_not_found(lambda_client: Any, call: str) -> None:
    with pytest.raises(ClientError) as e:
        getattr(lambda_client, call)(FunctionName="no-such-function")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function",
    )


def test_function_named_by_arn_and_partial_arn(
    lambda_client: Any, function: dict[str, Any]
) -> None:
    arn = function["FunctionArn"]
    assert lambda_client.get_function(FunctionName=arn)["Configuration"]["FunctionArn"] == arn
    partial = "000000000000:function:" + function["FunctionName"]
    assert lambda_client.get_function(FunctionName=partial)["Configuration"]["FunctionArn"] == arn


def test_arn_of_another_region_is_unreachable(lambda_client: Any, function: dict[str, Any]) -> None:
    arn = function["FunctionArn"].replace("us-east-1", "eu-west-1")
    with pytest.raises(ClientError) as e:
        lambda_client.get_function(FunctionName=arn)
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
    )


def test_regions_are_partitioned(server: Any, function: dict[str, Any]) -> None:
    other = server.client(region_name="eu-west-1")
    with pytest.raises(ClientError) as e:
        other.get_function(FunctionName=function["FunctionName"])
    assert error_of(e)[1] == "ResourceNotFoundException"


def test_accounts_are_partitioned(server: Any, function: dict[str, Any]) -> None:
    other = server.client(aws_access_key_id="111111111111")
    with pytest.raises(ClientError):
        other.get_function(FunctionName=function["FunctionName"])
    created = other.create_function(
        FunctionName=function["FunctionName"],
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    assert ":111111111111:" in created["FunctionArn"]


def test_update_configuration_then_waiter(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    updated = lambda_client.update_function_configuration(FunctionName=name, MemorySize=256)
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["MemorySize"] == 256
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["LastUpdateStatus"] == "Successful"
    assert config["MemorySize"] == 256


def test_update_code_changes_sha_and_revision(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    before = lambda_client.get_function_configuration(FunctionName=name)
    new_zip = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    updated = lambda_client.update_function_code(FunctionName=name, ZipFile=new_zip)
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    assert updated["RevisionId"] != before["RevisionId"]
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)


def test_dry_run_changes_nothing(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    new_zip = make_zip({"app.py": "x = 1\n"})
    dry = lambda_client.update_function_code(FunctionName=name, ZipFile=new_zip, DryRun=True)
    assert dry["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    assert (
        lambda_client.get_function_configuration(FunctionName=name)["CodeSha256"]
        == function["CodeSha256"]
    )


def test_stale_revision_id_fails(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_configuration(
            FunctionName=name, Description="x", RevisionId="00000000-0000-0000-0000-000000000000"
        )
    assert error_of(e) == (
        412,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    )
    current = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    lambda_client.update_function_configuration(
        FunctionName=name, Description="x", RevisionId=current
    )


def test_update_while_in_progress_conflicts(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    lambda_client.update_function_configuration(FunctionName=name, Description="one")
    try:
        lambda_client.update_function_configuration(FunctionName=name, Description="two")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ResourceConflictException"
        assert e.response["Error"]["Message"] == (
            "The operation cannot be performed at this time. An update is in progress "
            f"for resource: {function['FunctionArn']}"
        )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)


def test_list_functions_pages(lambda_client: Any, name: str) -> None:
    names = [f"{name}-{i}" for i in range(5)]
    for each in names:
        lambda_client.create_function(
            FunctionName=each,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": HELLO_ZIP},
        )
    pages = lambda_client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2})
    items = [f for page in pages for f in page["Functions"]]
    listed = [f["FunctionName"] for f in items]
    assert [n for n in listed if n.startswith(name)] == names
    assert len(listed) == len(set(listed))
    first = lambda_client.list_functions(MaxItems=2)
    assert len(first["Functions"]) == 2 and "NextMarker" in first
    # The session's server holds other tests' functions too: look in every page.
    item = next(f for f in items if f["FunctionName"] == names[0])
    assert "State" not in item


def test_list_all_versions(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    pages = lambda_client.get_paginator("list_functions").paginate(FunctionVersion="ALL")
    mine = [f["FunctionArn"] for p in pages for f in p["Functions"] if f["FunctionName"] == name]
    assert mine == [f"{function['FunctionArn']}:$LATEST", f"{function['FunctionArn']}:1"]


def test_delete_function(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    deleted = lambda_client.delete_function(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lambda_client.get_function(FunctionName=name)
    assert error_of(e)[1] == "ResourceNotFoundException"


def test_delete_latest_qualifier_is_refused(lambda_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.delete_function(FunctionName=function["FunctionName"], Qualifier="$LATEST")
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "$LATEST version cannot be deleted without deleting the function.",
    )
