"""Versions and aliases as AWS shapes them: PublishVersion, ListVersionsByFunction,
qualified GetFunction, the alias operations and weighted routing, and their errors."""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import HELLO_ZIP, ROLE, error_of, make_zip

ACCOUNT_REGION = "arn:aws:lambda:us-east-1:000000000000"
STALE_REVISION = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)
ALIAS_KEYS = {"AliasArn", "Description", "FunctionVersion", "Name", "RevisionId"}


def sha_of(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def fn_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"{ACCOUNT_REGION}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def settle(client: Any, name: str) -> None:
    client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )


def change(client: Any, name: str, **config: Any) -> None:
    """A configuration change worth a new version, applied and settled."""
    client.update_function_configuration(FunctionName=name, **config)
    settle(client, name)


def new_code(client: Any, name: str, marker: int) -> bytes:
    package = make_zip({"app.py": f"def handler(e, c):\n    return {marker}\n"})
    client.update_function_code(FunctionName=name, ZipFile=package)
    settle(client, name)
    return package


@pytest.fixture
def fn_name(function: dict[str, Any]) -> str:
    return str(function["FunctionName"])


@pytest.fixture
def two_versions(lambda_client: Any, fn_name: str) -> str:
    """A function with versions 1 (128 MB) and 2 (256 MB)."""
    assert lambda_client.publish_version(FunctionName=fn_name)["Version"] == "1"
    change(lambda_client, fn_name, MemorySize=256)
    assert lambda_client.publish_version(FunctionName=fn_name)["Version"] == "2"
    return fn_name


def version_numbers(client: Any, name: str) -> list[str]:
    pages = client.get_paginator("list_versions_by_function").paginate(FunctionName=name)
    return [v["Version"] for page in pages for v in page["Versions"]]


# --- PublishVersion ---------------------------------------------------------------------------


def test_publish_version(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    published = lambda_client.publish_version(FunctionName=name, Description="first release")
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert published["Version"] == "1"
    assert published["FunctionArn"] == fn_arn(name, "1")
    assert published["Description"] == "first release"
    assert (published["State"], published["LastUpdateStatus"]) == ("Active", "Successful")
    assert published["CodeSha256"] == function["CodeSha256"] == sha_of(HELLO_ZIP)
    assert published["CodeSize"] == len(HELLO_ZIP)
    assert "StateReason" not in published
    version = lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")
    version.pop("ResponseMetadata")
    published.pop("ResponseMetadata")
    assert version == published
    latest = lambda_client.get_function_configuration(FunctionName=name)
    assert (latest["Version"], latest["FunctionArn"]) == ("$LATEST", fn_arn(name))


def test_publish_without_change_returns_the_last_version(lambda_client: Any, fn_name: str) -> None:
    first = lambda_client.publish_version(FunctionName=fn_name)
    again = lambda_client.publish_version(FunctionName=fn_name)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (again["Version"], again["RevisionId"]) == (first["Version"], first["RevisionId"])
    assert version_numbers(lambda_client, fn_name) == ["$LATEST", "1"]


def test_publish_after_a_change_makes_a_new_version(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    package = new_code(lambda_client, name, 3)
    third = lambda_client.publish_version(FunctionName=name)
    assert (third["Version"], third["CodeSha256"]) == ("3", sha_of(package))
    assert version_numbers(lambda_client, name) == ["$LATEST", "1", "2", "3"]
    # Published versions are frozen copies: later changes of $LATEST do not reach them.
    one = lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")
    two = lambda_client.get_function_configuration(FunctionName=name, Qualifier="2")
    assert (one["MemorySize"], one["CodeSha256"]) == (128, sha_of(HELLO_ZIP))
    assert (two["MemorySize"], two["CodeSha256"]) == (256, sha_of(HELLO_ZIP))
    code = lambda_client.get_function(FunctionName=name, Qualifier="1")["Code"]["Location"]
    with urllib.request.urlopen(code) as response:
        assert response.read() == HELLO_ZIP


def test_publish_with_a_code_sha256_that_is_not_latest(lambda_client: Any, fn_name: str) -> None:
    current = sha_of(HELLO_ZIP)
    wrong = sha_of(b"something else")
    with pytest.raises(ClientError) as e:
        lambda_client.publish_version(FunctionName=fn_name, CodeSha256=wrong)
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        f"CodeSHA256 ({wrong}) is different from current CodeSHA256 in $LATEST ({current}). "
        "Please try again with the CodeSHA256 in $LATEST.",
    )
    assert version_numbers(lambda_client, fn_name) == ["$LATEST"]
    published = lambda_client.publish_version(FunctionName=fn_name, CodeSha256=current)
    assert published["Version"] == "1"


def test_publish_with_a_stale_revision_id(lambda_client: Any, fn_name: str) -> None:
    before = lambda_client.get_function_configuration(FunctionName=fn_name)["RevisionId"]
    change(lambda_client, fn_name, Timeout=10)
    with pytest.raises(ClientError) as e:
        lambda_client.publish_version(FunctionName=fn_name, RevisionId=before)
    assert error_of(e) == (412, "PreconditionFailedException", STALE_REVISION)
    assert version_numbers(lambda_client, fn_name) == ["$LATEST"]
    current = lambda_client.get_function_configuration(FunctionName=fn_name)["RevisionId"]
    assert lambda_client.publish_version(FunctionName=fn_name, RevisionId=current)["Version"] == "1"


def test_publish_while_an_update_is_in_progress(lambda_client: Any, fn_name: str) -> None:
    lambda_client.update_function_configuration(FunctionName=fn_name, Timeout=20)
    try:
        published = lambda_client.publish_version(FunctionName=fn_name)
    except ClientError as e:  # the update may already have settled: both are correct
        assert e.response["Error"]["Code"] == "ResourceConflictException"
        assert e.response["Error"]["Message"] == (
            "The operation cannot be performed at this time. "
            f"An update is in progress for resource: {fn_arn(fn_name)}"
        )
    else:
        assert published["Timeout"] == 20
    settle(lambda_client, fn_name)


def test_publish_unknown_function(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.publish_version(FunctionName="no-such-function-to-publish")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn('no-such-function-to-publish')}",
    )


def test_create_with_publish(lambda_client: Any, name: str) -> None:
    created = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
        Publish=True,
    )
    assert created["Version"] == "1"
    assert created["FunctionArn"] == fn_arn(name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    assert version_numbers(lambda_client, name) == ["$LATEST", "1"]
    version = lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")
    assert version["FunctionArn"] == fn_arn(name, "1")


def test_update_code_with_publish(lambda_client: Any, fn_name: str) -> None:
    package = make_zip({"app.py": "def handler(e, c):\n    return 'published'\n"})
    answer = lambda_client.update_function_code(FunctionName=fn_name, ZipFile=package, Publish=True)
    assert (answer["Version"], answer["FunctionArn"]) == ("1", fn_arn(fn_name, "1"))
    assert answer["CodeSha256"] == sha_of(package)
    settle(lambda_client, fn_name)
    assert version_numbers(lambda_client, fn_name) == ["$LATEST", "1"]


# --- ListVersionsByFunction -------------------------------------------------------------------


def test_list_versions_pages(lambda_client: Any, fn_name: str) -> None:
    for timeout in range(4, 9):
        change(lambda_client, fn_name, Timeout=timeout)
        lambda_client.publish_version(FunctionName=fn_name)
    pages = list(
        lambda_client.get_paginator("list_versions_by_function").paginate(
            FunctionName=fn_name, PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(page["Versions"]) for page in pages] == [2, 2, 2]
    versions = [v for page in pages for v in page["Versions"]]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3", "4", "5"]
    assert [v["FunctionArn"] for v in versions] == [
        fn_arn(fn_name, q) for q in ["$LATEST", "1", "2", "3", "4", "5"]
    ]
    assert [v["Timeout"] for v in versions] == [8, 4, 5, 6, 7, 8]
    for listed in versions:  # listings leave the states out, as AWS's do
        assert not {"State", "LastUpdateStatus", "RuntimeVersionConfig"} & set(listed)
    first = lambda_client.list_versions_by_function(FunctionName=fn_name, MaxItems=4)
    assert len(first["Versions"]) == 4
    rest = lambda_client.list_versions_by_function(FunctionName=fn_name, Marker=first["NextMarker"])
    assert [v["Version"] for v in rest["Versions"]] == ["4", "5"]
    assert "NextMarker" not in rest


def test_list_versions_of_unknown_function(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.list_versions_by_function(FunctionName="no-such-function-versions")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn('no-such-function-versions')}",
    )


# --- GetFunction with a qualifier -------------------------------------------------------------


def test_get_function_by_version_alias_and_latest(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    cases = {"1": ("1", 128), "2": ("2", 256), "live": ("1", 128), "$LATEST": ("$LATEST", 256)}
    for qualifier, (version, memory) in cases.items():
        got = lambda_client.get_function(FunctionName=name, Qualifier=qualifier)
        config = got["Configuration"]
        assert config["FunctionArn"] == fn_arn(name, qualifier)
        assert (config["Version"], config["MemorySize"]) == (version, memory)
        assert got["Code"]["RepositoryType"] == "S3"
        by_name = lambda_client.get_function_configuration(FunctionName=f"{name}:{qualifier}")
        assert (by_name["FunctionArn"], by_name["Version"]) == (fn_arn(name, qualifier), version)
        by_arn = lambda_client.get_function(FunctionName=fn_arn(name, qualifier))
        assert by_arn["Configuration"]["Version"] == version


@pytest.mark.parametrize("qualifier", ["99", "aliasdoesnotexist"])
def test_get_function_with_an_unknown_qualifier(
    lambda_client: Any, fn_name: str, qualifier: str
) -> None:
    for call in (lambda_client.get_function, lambda_client.get_function_configuration):
        with pytest.raises(ClientError) as e:
            call(FunctionName=fn_name, Qualifier=qualifier)
        assert error_of(e) == (
            404,
            "ResourceNotFoundException",
            f"Function not found: {fn_arn(fn_name, qualifier)}",
        )


def test_get_unknown_function_with_latest(lambda_client: Any) -> None:
    name = "no-such-function-latest"
    for kwargs in (
        {"FunctionName": name, "Qualifier": "$LATEST"},
        {"FunctionName": f"{name}:$LATEST"},
    ):
        with pytest.raises(ClientError) as e:
            lambda_client.get_function(**kwargs)
        assert error_of(e) == (
            404,
            "ResourceNotFoundException",
            f"Function not found: {fn_arn(name, '$LATEST')}",
        )


def test_qualifier_in_name_and_parameter_must_agree(lambda_client: Any, two_versions: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.get_function(FunctionName=f"{two_versions}:1", Qualifier="2")
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


# --- Aliases ----------------------------------------------------------------------------------


def test_alias_lifecycle(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    created = lambda_client.create_alias(
        FunctionName=name, Name="live", FunctionVersion="1", Description="production"
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    created.pop("ResponseMetadata")
    assert set(created) == ALIAS_KEYS
    assert created["AliasArn"] == fn_arn(name, "live")
    assert (created["Name"], created["FunctionVersion"]) == ("live", "1")
    assert created["Description"] == "production"

    got = lambda_client.get_alias(FunctionName=name, Name="live")
    got.pop("ResponseMetadata")
    assert got == created

    updated = lambda_client.update_alias(
        FunctionName=name,
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.25}},
        RevisionId=created["RevisionId"],
    )
    assert updated["FunctionVersion"] == "2"
    assert updated["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.25}}
    assert updated["Description"] == "production"  # what the update did not name stays
    assert updated["RevisionId"] != created["RevisionId"]

    with pytest.raises(ClientError) as e:
        lambda_client.update_alias(
            FunctionName=name, Name="live", Description="x", RevisionId=created["RevisionId"]
        )
    assert error_of(e) == (412, "PreconditionFailedException", STALE_REVISION)
    assert lambda_client.get_alias(FunctionName=name, Name="live")["Description"] == "production"

    # An empty routing configuration removes the weights, and is not echoed back.
    cleared = lambda_client.update_alias(
        FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    assert "RoutingConfig" not in cleared
    assert cleared["FunctionVersion"] == "2"

    deleted = lambda_client.delete_alias(FunctionName=name, Name="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lambda_client.get_alias(FunctionName=name, Name="live")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Cannot find alias arn: {fn_arn(name, 'live')}",
    )
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []


def test_alias_with_weighted_routing(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    created = lambda_client.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert created["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}
    got = lambda_client.get_alias(FunctionName=name, Name="canary")
    assert got["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}
    assert set(got) - {"ResponseMetadata"} == ALIAS_KEYS | {"RoutingConfig"}


def test_list_aliases(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    for alias, version in [("a1", "1"), ("a2", "2"), ("a3", "1"), ("a4", "$LATEST")]:
        lambda_client.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    pages = lambda_client.get_paginator("list_aliases").paginate(
        FunctionName=name, PaginationConfig={"PageSize": 3}
    )
    listed = [a for page in pages for a in page["Aliases"]]
    assert [(a["Name"], a["FunctionVersion"]) for a in listed] == [
        ("a1", "1"),
        ("a2", "2"),
        ("a3", "1"),
        ("a4", "$LATEST"),
    ]
    assert all(a["AliasArn"] == fn_arn(name, a["Name"]) for a in listed)
    only_one = lambda_client.list_aliases(FunctionName=name, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_one] == ["a1", "a3"]


def test_alias_that_already_exists(lambda_client: Any, two_versions: str) -> None:
    lambda_client.create_alias(FunctionName=two_versions, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(FunctionName=two_versions, Name="live", FunctionVersion="2")
    assert error_of(e) == (
        409,
        "ResourceConflictException",
        f"Alias already exists: {fn_arn(two_versions, 'live')}",
    )
    assert lambda_client.get_alias(FunctionName=two_versions, Name="live")["FunctionVersion"] == "1"


@pytest.mark.parametrize("call", ["get_alias", "update_alias", "delete_alias"])
def test_unknown_alias(lambda_client: Any, fn_name: str, call: str) -> None:
    with pytest.raises(ClientError) as e:
        getattr(lambda_client, call)(FunctionName=fn_name, Name="missing")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Cannot find alias arn: {fn_arn(fn_name, 'missing')}",
    )


def test_alias_to_a_version_that_does_not_exist(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(FunctionName=name, Name="x", FunctionVersion="10")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn(name, '10')}",
    )
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(
            FunctionName=name,
            Name="x",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"10": 0.5}},
        )
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn(name, '10')}",
    )
    lambda_client.create_alias(FunctionName=name, Name="y", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lambda_client.update_alias(FunctionName=name, Name="y", FunctionVersion="10")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn(name, '10')}",
    )
    assert lambda_client.get_alias(FunctionName=name, Name="y")["FunctionVersion"] == "1"
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=name)["Aliases"]] == ["y"]


def test_alias_of_an_unknown_function(lambda_client: Any) -> None:
    name = "no-such-function-alias"
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn(name, '1')}",
    )


def test_more_than_one_additional_version(raw_client: Any, two_versions: str) -> None:
    lambda_client = raw_client
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(
            FunctionName=two_versions,
            Name="x",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.2, "3": 0.3}},
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Number of items in AdditionalVersionWeights cannot be greater than 1",
    )


WEIGHT_RULES = (
    "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
    "Member must have value greater than or equal to 0.0, Member must not be null]"
)


@pytest.mark.parametrize(("weight", "shown"), [(2.0, "{2=2.0}"), (-1.0, "{2=-1.0}")])
def test_weight_out_of_range(raw_client: Any, two_versions: str, weight: float, shown: str) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_alias(
            FunctionName=two_versions,
            Name="x",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": weight}},
        )
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{shown}' at 'routingConfig.additionalVersionWeights' "
        f"failed to satisfy constraint: {WEIGHT_RULES}",
    )


def test_routing_to_the_primary_version(lambda_client: Any, two_versions: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(
            FunctionName=two_versions,
            Name="x",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.",
    )


def test_latest_with_routing(lambda_client: Any, two_versions: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(
            FunctionName=two_versions,
            Name="x",
            FunctionVersion="$LATEST",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )


def test_latest_as_a_routing_key(lambda_client: Any, two_versions: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(
            FunctionName=two_versions,
            Name="x",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}},
        )
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '{$LATEST=0.5}' at "
        "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must "
        "satisfy constraint: [Member must have length less than or equal to 1024, Member must "
        "have length greater than or equal to 1, Member must satisfy regular expression pattern: "
        "[0-9]+, Member must not be null]",
    )


def test_alias_name_of_digits_only(lambda_client: Any, two_versions: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_alias(FunctionName=two_versions, Name="2024", FunctionVersion="1")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    )
    dated = lambda_client.create_alias(
        FunctionName=two_versions, Name="2024-01-02", FunctionVersion="1"
    )
    assert dated["Name"] == "2024-01-02"
    assert [
        a["Name"] for a in lambda_client.list_aliases(FunctionName=two_versions)["Aliases"]
    ] == ["2024-01-02"]


# --- Deleting versions ------------------------------------------------------------------------


def test_delete_a_version_an_alias_points_to(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lambda_client.delete_function(FunctionName=name, Qualifier="1")
    assert error_of(e) == (
        409,
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live]",
    )
    assert version_numbers(lambda_client, name) == ["$LATEST", "1", "2"]


def test_delete_a_version_an_alias_routes_to(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    lambda_client.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    with pytest.raises(ClientError) as e:
        lambda_client.delete_function(FunctionName=name, Qualifier="2")
    assert error_of(e) == (
        409,
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [canary]",
    )
    assert version_numbers(lambda_client, name) == ["$LATEST", "1", "2"]


def test_deleted_version_numbers_are_not_reused(lambda_client: Any, two_versions: str) -> None:
    name = two_versions
    deleted = lambda_client.delete_function(FunctionName=name, Qualifier="2")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert version_numbers(lambda_client, name) == ["$LATEST", "1"]
    with pytest.raises(ClientError) as e:
        lambda_client.get_function(FunctionName=name, Qualifier="2")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn(name, '2')}",
    )
    # $LATEST still has the configuration version 2 was published from.
    assert lambda_client.get_function_configuration(FunctionName=name)["MemorySize"] == 256
    change(lambda_client, name, MemorySize=512)
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "3"
    lambda_client.delete_function(FunctionName=name, Qualifier="1")
    lambda_client.delete_function(FunctionName=name, Qualifier="3")
    change(lambda_client, name, MemorySize=1024)
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "4"
    assert version_numbers(lambda_client, name) == ["$LATEST", "4"]


def test_delete_a_version_that_does_not_exist(lambda_client: Any, fn_name: str) -> None:
    deleted = lambda_client.delete_function(FunctionName=fn_name, Qualifier="42")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert version_numbers(lambda_client, fn_name) == ["$LATEST"]


def test_delete_function_removes_versions_and_aliases(
    lambda_client: Any, two_versions: str
) -> None:
    name = two_versions
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="2")
    lambda_client.delete_function(FunctionName=name)
    for qualifier in ("1", "2", "live"):
        with pytest.raises(ClientError) as e:
            lambda_client.get_function(FunctionName=name, Qualifier=qualifier)
        assert error_of(e)[:2] == (404, "ResourceNotFoundException")
    # The name is free again, and its history starts over.
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"
