"""Layers and layer version policies, driven with boto3 (AWS messages: notes §10)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.request
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambent.protocol import service_model
from tests.helpers import HELLO_ZIP, ROLE, error_of, make_zip

ACCOUNT = "000000000000"
LAYER_ZIP = make_zip({"python/shared.py": "VALUE = 1\n"})
NOT_FOUND = (404, "ResourceNotFoundException", "The resource you requested does not exist.")
CREATED_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


@pytest.fixture
def layer_name() -> str:
    return f"layer-{uuid.uuid4().hex[:12]}"


def layer_arn(name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:{name}"
    return arn if version is None else f"{arn}:{version}"


def publish(client: Any, name: str, **extra: Any) -> dict[str, Any]:
    published: dict[str, Any] = client.publish_layer_version(
        LayerName=name, Content={"ZipFile": LAYER_ZIP}, **extra
    )
    return published


def test_publish_returns_201_and_the_aws_shape(lambda_client: Any, layer_name: str) -> None:
    published = publish(lambda_client, layer_name)
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert published["LayerArn"] == layer_arn(layer_name)
    assert published["LayerVersionArn"] == layer_arn(layer_name, 1)
    assert published["Version"] == 1
    assert published["Description"] == ""
    assert CREATED_DATE.match(published["CreatedDate"])
    content = published["Content"]
    assert content["CodeSha256"] == base64.b64encode(hashlib.sha256(LAYER_ZIP).digest()).decode()
    assert content["CodeSize"] == len(LAYER_ZIP)
    for absent in ("CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo", "_unzipped"):
        assert absent not in published
    with urllib.request.urlopen(content["Location"]) as response:
        assert response.read() == LAYER_ZIP


def test_publish_stores_every_field(lambda_client: Any, layer_name: str) -> None:
    fields = {
        "Description": "shared code",
        "CompatibleRuntimes": ["python3.12", "python3.13"],
        "CompatibleArchitectures": ["arm64"],
        "LicenseInfo": "MIT",
    }
    published = publish(lambda_client, layer_name, **fields)
    got = lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)
    for key, value in fields.items():
        assert published[key] == value
        assert got[key] == value
    assert got["CreatedDate"] == published["CreatedDate"]
    assert got["Content"] == published["Content"]


def test_version_numbers_are_never_reused(lambda_client: Any, layer_name: str) -> None:
    assert publish(lambda_client, layer_name)["Version"] == 1
    assert publish(lambda_client, layer_name)["Version"] == 2
    deleted = lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=2)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert publish(lambda_client, layer_name)["Version"] == 3


def test_get_by_name_layer_arn_and_version_arn(lambda_client: Any, layer_name: str) -> None:
    published = publish(lambda_client, layer_name)
    by_arn_name = lambda_client.get_layer_version(LayerName=layer_arn(layer_name), VersionNumber=1)
    by_arn = lambda_client.get_layer_version_by_arn(Arn=layer_arn(layer_name, 1))
    for got in (by_arn_name, by_arn):
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert got["LayerVersionArn"] == published["LayerVersionArn"]
        assert got["Content"]["CodeSha256"] == published["Content"]["CodeSha256"]


def test_missing_layer_or_version_is_not_found(lambda_client: Any, layer_name: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)
    assert error_of(e) == NOT_FOUND
    publish(lambda_client, layer_name)
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=2)
    assert error_of(e) == NOT_FOUND
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version_by_arn(Arn=layer_arn(layer_name, 9))
    assert error_of(e) == NOT_FOUND


@pytest.mark.parametrize("number", [0, -1])
def test_version_below_one_is_refused(lambda_client: Any, layer_name: str, number: int) -> None:
    expected = (400, "InvalidParameterValueException", "Layer Version Cannot be less than 1")
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=number)
    assert error_of(e) == expected
    with pytest.raises(ClientError) as e:
        lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=number)
    assert error_of(e) == expected


def test_get_by_arn_without_version_fails_validation(lambda_client: Any, layer_name: str) -> None:
    arn = layer_arn(layer_name)
    pattern = service_model("lambda").shape_for("LayerVersionArn").metadata["pattern"]
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version_by_arn(Arn=arn)
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{arn}' at 'arn' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}",
    )


def test_delete_of_what_does_not_exist_is_204(lambda_client: Any, layer_name: str) -> None:
    deleted = lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=7)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_deleted_version_is_gone_and_its_code_too(lambda_client: Any, layer_name: str) -> None:
    unique = make_zip({"python/only_here.py": layer_name})
    published = lambda_client.publish_layer_version(
        LayerName=layer_name, Content={"ZipFile": unique}
    )
    lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=1)
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)
    assert error_of(e) == NOT_FOUND
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(published["Content"]["Location"])
    assert missing.value.code == 404


def test_list_layer_versions_newest_first_with_filters(lambda_client: Any, layer_name: str) -> None:
    publish(lambda_client, layer_name, CompatibleRuntimes=["python3.12"])
    publish(lambda_client, layer_name, CompatibleArchitectures=["arm64"])
    publish(lambda_client, layer_name, CompatibleRuntimes=["python3.12"])
    listed = lambda_client.list_layer_versions(LayerName=layer_name)["LayerVersions"]
    assert [v["Version"] for v in listed] == [3, 2, 1]
    assert set(listed[0]) == {
        "LayerVersionArn",
        "Version",
        "Description",
        "CreatedDate",
        "CompatibleRuntimes",
    }
    python = lambda_client.list_layer_versions(LayerName=layer_name, CompatibleRuntime="python3.12")
    assert [v["Version"] for v in python["LayerVersions"]] == [3, 1]
    arm = lambda_client.list_layer_versions(LayerName=layer_name, CompatibleArchitecture="arm64")
    assert [v["Version"] for v in arm["LayerVersions"]] == [2]


def test_list_layer_versions_pages(lambda_client: Any, layer_name: str) -> None:
    for _ in range(3):
        publish(lambda_client, layer_name)
    first = lambda_client.list_layer_versions(LayerName=layer_name, MaxItems=2)
    assert [v["Version"] for v in first["LayerVersions"]] == [3, 2]
    rest = lambda_client.list_layer_versions(
        LayerName=layer_name, MaxItems=2, Marker=first["NextMarker"]
    )
    assert [v["Version"] for v in rest["LayerVersions"]] == [1]
    assert "NextMarker" not in rest


def test_list_versions_of_unknown_layer_is_empty(lambda_client: Any, layer_name: str) -> None:
    listed = lambda_client.list_layer_versions(LayerName=layer_name)
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed["LayerVersions"] == []


def test_list_layers_shows_latest_matching_version(server: Any) -> None:
    # An account of its own, so that other tests' layers do not show.
    client = server.client(aws_access_key_id="222233334444")
    client.publish_layer_version(
        LayerName="a", Content={"ZipFile": LAYER_ZIP}, CompatibleRuntimes=["python3.12"]
    )
    client.publish_layer_version(LayerName="a", Content={"ZipFile": LAYER_ZIP})
    client.publish_layer_version(
        LayerName="b", Content={"ZipFile": LAYER_ZIP}, CompatibleArchitectures=["arm64"]
    )
    every = client.list_layers()["Layers"]
    assert [(x["LayerName"], x["LatestMatchingVersion"]["Version"]) for x in every] == [
        ("a", 2),
        ("b", 1),
    ]
    assert every[0]["LayerArn"] == "arn:aws:lambda:us-east-1:222233334444:layer:a"
    assert every[0]["LatestMatchingVersion"]["LayerVersionArn"].endswith(":layer:a:2")
    assert "Content" not in every[0]["LatestMatchingVersion"]
    python = client.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert [(x["LayerName"], x["LatestMatchingVersion"]["Version"]) for x in python] == [("a", 1)]
    arm = client.list_layers(CompatibleArchitecture="arm64")["Layers"]
    assert [x["LayerName"] for x in arm] == ["b"]
    first = client.list_layers(MaxItems=1)
    assert [x["LayerName"] for x in first["Layers"]] == ["a"]
    rest = client.list_layers(MaxItems=1, Marker=first["NextMarker"])
    assert [x["LayerName"] for x in rest["Layers"]] == ["b"]


def test_list_layers_refuses_unknown_runtime_and_architecture(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.list_layers(CompatibleArchitecture="x86")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'x86' at 'compatibleArchitecture' failed to satisfy "
        "constraint: Member must satisfy enum value set: [x86_64, arm64]",
    )
    with pytest.raises(ClientError) as e:
        lambda_client.list_layers(CompatibleRuntime="cobol")
    status, code, message = error_of(e)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "1 validation error detected: Value 'cobol' at 'compatibleRuntime' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )
    assert "python2.7" in message  # the list includes deprecated runtimes


def test_publish_refuses_unknown_runtimes_and_architectures(
    lambda_client: Any, layer_name: str
) -> None:
    with pytest.raises(ClientError) as e:
        publish(
            lambda_client,
            layer_name,
            CompatibleRuntimes=["invalidruntime"],
            CompatibleArchitectures=["invalidarch"],
        )
    status, code, message = error_of(e)
    assert (status, code) == (400, "ValidationException")
    # AWS lists the runtimes first and words both its own way (notes §2); Lambent's model
    # validator follows the model's member order and generic wording (reported to the lead).
    assert message.startswith("2 validation errors detected: ")
    assert "Value '[invalidruntime]' at 'compatibleRuntimes' failed to satisfy" in message
    assert "Value '[invalidarch]' at 'compatibleArchitectures' failed to satisfy" in message


def test_publish_refuses_a_corrupt_zip(lambda_client: Any, layer_name: str) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.publish_layer_version(LayerName=layer_name, Content={"ZipFile": b"not a zip"})
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


def test_function_uses_published_layer(lambda_client: Any, name: str, layer_name: str) -> None:
    published = publish(lambda_client, layer_name)
    created = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
        Layers=[published["LayerVersionArn"]],
    )
    assert created["Layers"] == [
        {"Arn": published["LayerVersionArn"], "CodeSize": published["Content"]["CodeSize"]}
    ]


# -- Layer version policies ---------------------------------------------------------------


def add(client: Any, name: str, sid: str = "s1", **extra: Any) -> dict[str, Any]:
    args = {"Principal": "*", "Action": "lambda:GetLayerVersion", **extra}
    added: dict[str, Any] = client.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId=sid, **args
    )
    return added


def test_add_permission_and_get_policy(lambda_client: Any, layer_name: str) -> None:
    publish(lambda_client, layer_name)
    added = add(lambda_client, layer_name)
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    resource = layer_arn(layer_name, 1)
    assert json.loads(added["Statement"]) == {
        "Sid": "s1",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": resource,
    }
    account = add(lambda_client, layer_name, "s2", Principal="111122223333")
    org = add(lambda_client, layer_name, "s3", OrganizationId="o-abcdefghij")
    assert account["RevisionId"] != added["RevisionId"]
    got = lambda_client.get_layer_version_policy(LayerName=layer_name, VersionNumber=1)
    assert got["RevisionId"] == org["RevisionId"]
    document = json.loads(got["Policy"])
    assert (document["Version"], document["Id"]) == ("2012-10-17", "default")
    statements = document["Statement"]
    assert [s["Sid"] for s in statements] == ["s1", "s2", "s3"]
    assert statements[1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert statements[2]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    assert got["Policy"].startswith('{"Version":"2012-10-17","Id":"default","Statement":[')


def test_remove_permission(lambda_client: Any, layer_name: str) -> None:
    publish(lambda_client, layer_name)
    add(lambda_client, layer_name)
    removed = lambda_client.remove_layer_version_permission(
        LayerName=layer_name, VersionNumber=1, StatementId="s1"
    )
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version_policy(LayerName=layer_name, VersionNumber=1)
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
    )


def test_policy_calls_on_unknown_layer_version(lambda_client: Any, layer_name: str) -> None:
    message = f"Layer version {layer_arn(layer_name, 1)} does not exist."
    expected = (404, "ResourceNotFoundException", message)
    with pytest.raises(ClientError) as e:
        add(lambda_client, layer_name)
    assert error_of(e) == expected
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version_policy(LayerName=layer_name, VersionNumber=1)
    assert error_of(e) == expected
    with pytest.raises(ClientError) as e:
        lambda_client.remove_layer_version_permission(
            LayerName=layer_name, VersionNumber=1, StatementId="s1"
        )
    assert error_of(e) == expected


def test_permission_errors(lambda_client: Any, layer_name: str) -> None:
    publish(lambda_client, layer_name)
    added = add(lambda_client, layer_name)
    with pytest.raises(ClientError) as e:
        add(lambda_client, layer_name)
    assert error_of(e) == (
        409,
        "ResourceConflictException",
        "The statement id (s1) provided already exists. Please provide a new statement id, "
        "or remove the existing statement.",
    )
    with pytest.raises(ClientError) as e:
        add(lambda_client, layer_name, "s2", Action="*")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: lambda:GetLayerVersion",
    )
    with pytest.raises(ClientError) as e:
        lambda_client.remove_layer_version_permission(
            LayerName=layer_name, VersionNumber=1, StatementId="doesnotexist"
        )
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        "Statement doesnotexist is not found in resource policy.",
    )
    stale = (
        412,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetLayerPolicy API to retrieve the latest Revision Id",
    )
    with pytest.raises(ClientError) as e:
        add(lambda_client, layer_name, "s2", RevisionId="not-the-revision")
    assert error_of(e) == stale
    with pytest.raises(ClientError) as e:
        lambda_client.remove_layer_version_permission(
            LayerName=layer_name, VersionNumber=1, StatementId="s1", RevisionId="stale"
        )
    assert error_of(e) == stale
    current = add(lambda_client, layer_name, "s2", RevisionId=added["RevisionId"])
    lambda_client.remove_layer_version_permission(
        LayerName=layer_name, VersionNumber=1, StatementId="s1", RevisionId=current["RevisionId"]
    )


def test_policy_is_per_version(lambda_client: Any, layer_name: str) -> None:
    publish(lambda_client, layer_name)
    publish(lambda_client, layer_name)
    add(lambda_client, layer_name)
    with pytest.raises(ClientError) as e:
        lambda_client.get_layer_version_policy(LayerName=layer_name, VersionNumber=2)
    assert error_of(e)[:2] == (404, "ResourceNotFoundException")
