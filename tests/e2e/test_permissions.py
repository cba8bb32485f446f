"""AddPermission, RemovePermission, GetPolicy, driven with boto3 (AWS messages: notes §11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import HELLO_ZIP, ROLE, error_of

ACCOUNT = "000000000000"
NO_RESOURCE = (404, "ResourceNotFoundException", "The resource you requested does not exist.")
STALE = (
    412,
    "PreconditionFailedException",
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
)


def fn_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    return arn if qualifier is None else f"{arn}:{qualifier}"


def allow(client: Any, name: str, sid: str = "s3", **extra: Any) -> dict[str, Any]:
    args = {"Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com", **extra}
    added: dict[str, Any] = client.add_permission(FunctionName=name, StatementId=sid, **args)
    return added


def statements(client: Any, name: str, **qualifier: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(
        client.get_policy(FunctionName=name, **qualifier)["Policy"]
    )["Statement"]
    return found


def test_add_permission_returns_the_statement_as_aws_writes_it(
    lambda_client: Any, function: dict[str, Any]
) -> None:
    name = function["FunctionName"]
    added = allow(
        lambda_client,
        name,
        SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount="111122223333",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert added["Statement"] == (
        '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
        f'"Action":"lambda:InvokeFunction","Resource":"{fn_arn(name)}",'
        '"Condition":{"StringEquals":{"AWS:SourceAccount":"111122223333"},'
        '"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket"}}}'
    )
    policy = lambda_client.get_policy(FunctionName=name)
    assert policy["Policy"] == (
        '{"Version":"2012-10-17","Id":"default","Statement":[' + added["Statement"] + "]}"
    )


def test_policy_revision_is_the_functions_and_each_change_renews_it(
    lambda_client: Any, function: dict[str, Any]
) -> None:
    name = function["FunctionName"]
    before = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    allow(lambda_client, name)
    policy = lambda_client.get_policy(FunctionName=name)
    after = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    assert after != before
    assert policy["RevisionId"] == after
    with pytest.raises(ClientError) as e:
        allow(lambda_client, name, "other", RevisionId=before)
    assert error_of(e) == STALE
    allow(lambda_client, name, "other", RevisionId=after)
    current = lambda_client.get_policy(FunctionName=name)["RevisionId"]
    with pytest.raises(ClientError) as e:
        lambda_client.remove_permission(FunctionName=name, StatementId="s3", RevisionId=after)
    assert error_of(e) == STALE
    lambda_client.remove_permission(FunctionName=name, StatementId="s3", RevisionId=current)


def test_principal_forms(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    allow(lambda_client, name, "any", Principal="*")
    allow(lambda_client, name, "account", Principal="111122223333")
    allow(lambda_client, name, "role", Principal="arn:aws:iam::111122223333:role/caller")
    principals = [s["Principal"] for s in statements(lambda_client, name)]
    assert principals == [
        "*",
        {"AWS": "arn:aws:iam::111122223333:root"},
        {"AWS": "arn:aws:iam::111122223333:role/caller"},
    ]


def test_invalid_principal(lambda_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        allow(lambda_client, function["FunctionName"], Principal="invalid")
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
    )


def test_optional_conditions(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    allow(
        lambda_client,
        name,
        "url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        PrincipalOrgID="o-abcdefghij",
        SourceAccount="111122223333",
    )
    allow(lambda_client, name, "token", Principal="*", EventSourceToken="token-1")
    url, token = statements(lambda_client, name)
    assert url["Action"] == "lambda:InvokeFunctionUrl"
    assert list(url["Condition"]["StringEquals"].items()) == [
        ("lambda:FunctionUrlAuthType", "NONE"),
        ("aws:PrincipalOrgID", "o-abcdefghij"),
        ("AWS:SourceAccount", "111122223333"),
    ]
    assert token["Condition"] == {"StringEquals": {"lambda:EventSourceToken": "token-1"}}


def test_duplicate_statement_id(lambda_client: Any, function: dict[str, Any]) -> None:
    allow(lambda_client, function["FunctionName"])
    with pytest.raises(ClientError) as e:
        allow(lambda_client, function["FunctionName"])
    assert error_of(e) == (
        409,
        "ResourceConflictException",
        "The statement id (s3) provided already exists. Please provide a new statement id, "
        "or remove the existing statement.",
    )


def test_statement_id_pattern(lambda_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        allow(lambda_client, function["FunctionName"], "example.com")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    )


def test_latest_is_refused(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    expected = (
        400,
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
    )
    with pytest.raises(ClientError) as e:
        allow(lambda_client, name, Qualifier="$LATEST")
    assert error_of(e) == expected
    with pytest.raises(ClientError) as e:
        allow(lambda_client, f"{name}:$LATEST")
    assert error_of(e) == expected


def test_unknown_function(lambda_client: Any, name: str) -> None:
    missing = (404, "ResourceNotFoundException", f"Function not found: {fn_arn(name)}")
    with pytest.raises(ClientError) as e:
        allow(lambda_client, name)
    assert error_of(e) == missing
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(FunctionName=name)
    assert error_of(e) == missing
    with pytest.raises(ClientError) as e:
        lambda_client.remove_permission(FunctionName=name, StatementId="s3")
    assert error_of(e) == (404, "ResourceNotFoundException", f"No policy found for: {fn_arn(name)}")


def test_unknown_qualifiers(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    for qualifier, message in (
        ("42", f"Function not found: {fn_arn(name, '42')}"),
        ("nosuchalias", f"Cannot find alias arn: {fn_arn(name, 'nosuchalias')}"),
        (
            "valid-with-$-but-doesnotexist",
            f"Function not found: {fn_arn(name, 'valid-with-$-but-doesnotexist')}",
        ),
    ):
        with pytest.raises(ClientError) as e:
            allow(lambda_client, name, Qualifier=qualifier)
        assert error_of(e) == (404, "ResourceNotFoundException", message)
    with pytest.raises(ClientError) as e:
        lambda_client.remove_permission(FunctionName=name, StatementId="s3", Qualifier="42")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {fn_arn(name, '42')}",
    )
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(FunctionName=name, Qualifier="42")
    assert error_of(e) == NO_RESOURCE


def test_qualifier_pattern(lambda_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(
            FunctionName=function["FunctionName"], Qualifier="invalid-qualifier-with-?-char"
        )
    status, code, message = error_of(e)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "1 validation error detected: Value 'invalid-qualifier-with-?-char' at 'qualifier' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
    )


def test_no_policy(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(FunctionName=name)
    assert error_of(e) == NO_RESOURCE
    with pytest.raises(ClientError) as e:
        lambda_client.remove_permission(FunctionName=name, StatementId="s3")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
    )


def test_remove_permission(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    allow(lambda_client, name, "a")
    allow(lambda_client, name, "b")
    with pytest.raises(ClientError) as e:
        lambda_client.remove_permission(FunctionName=name, StatementId="nope")
    assert error_of(e) == (
        404,
        "ResourceNotFoundException",
        "Statement nope is not found in resource policy.",
    )
    removed = lambda_client.remove_permission(FunctionName=name, StatementId="a")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [s["Sid"] for s in statements(lambda_client, name)] == ["b"]
    lambda_client.remove_permission(FunctionName=name, StatementId="b")
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(FunctionName=name)
    assert error_of(e) == NO_RESOURCE


def test_version_and_alias_have_policies_of_their_own(
    lambda_client: Any, function: dict[str, Any]
) -> None:
    name = function["FunctionName"]
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    alias = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    allow(lambda_client, name, "v", Qualifier=version)
    allow(lambda_client, f"{name}:live", "a")
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(FunctionName=name)
    assert error_of(e) == NO_RESOURCE
    (on_version,) = statements(lambda_client, name, Qualifier=version)
    (on_alias,) = statements(lambda_client, name, Qualifier="live")
    assert on_version["Resource"] == fn_arn(name, version)
    assert on_alias["Resource"] == fn_arn(name, "live")
    # Each policy's revision is its owner's, renewed by the change.
    version_config = lambda_client.get_function_configuration(FunctionName=name, Qualifier=version)
    policy = lambda_client.get_policy(FunctionName=name, Qualifier=version)
    assert policy["RevisionId"] == version_config["RevisionId"]
    renewed = lambda_client.get_alias(FunctionName=name, Name="live")["RevisionId"]
    assert renewed != alias["RevisionId"]
    assert lambda_client.get_policy(FunctionName=name, Qualifier="live")["RevisionId"] == renewed
    with pytest.raises(ClientError) as e:
        allow(lambda_client, name, "again", Qualifier="live", RevisionId=alias["RevisionId"])
    assert error_of(e) == STALE
    lambda_client.remove_permission(FunctionName=name, StatementId="a", Qualifier="live")
    lambda_client.delete_alias(FunctionName=name, Name="live")
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    with pytest.raises(ClientError) as e:
        lambda_client.get_policy(FunctionName=name, Qualifier="live")
    assert error_of(e) == NO_RESOURCE


def test_policy_over_20kb(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    source = "arn:aws:s3:::" + "b" * 60
    with pytest.raises(ClientError) as e:
        for number in range(200):
            allow(lambda_client, name, f"statement-{number:04d}", SourceArn=source)
    status, code, message = error_of(e)
    assert (status, code) == (400, "PolicyLengthExceededException")
    assert message.startswith("The final policy size (")
    assert message.endswith(") is bigger than the limit (20480).")
    size = len(lambda_client.get_policy(FunctionName=name)["Policy"])
    assert size <= 20480 < int(message.split("(")[1].split(")")[0])


def test_permission_while_creating_does_not_stop_it_settling(lambda_client: Any, name: str) -> None:
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    allow(lambda_client, name)
    lambda_client.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10}
    )
    settled = lambda_client.get_function_configuration(FunctionName=name)
    assert settled["State"] == "Active"
    assert lambda_client.get_policy(FunctionName=name)["RevisionId"] == settled["RevisionId"]
