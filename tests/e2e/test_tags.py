"""TagResource, UntagResource, ListTags on functions, driven with boto3 (notes §12)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambent.protocol import service_model
from tests.helpers import HELLO_ZIP, ROLE, error_of

NOT_SUPPORTED = (
    400,
    "InvalidParameterValueException",
    "Tags on function aliases and versions are not supported. Please specify a function ARN.",
)


def every_call_fails(client: Any, arn: str) -> tuple[int, str, str]:
    """ListTags, TagResource and UntagResource on ``arn`` all fail, and alike: how."""
    errors = set()
    for call, args in (
        (client.list_tags, {}),
        (client.tag_resource, {"Tags": {"a": "b"}}),
        (client.untag_resource, {"TagKeys": ["a"]}),
    ):
        with pytest.raises(ClientError) as e:
            call(Resource=arn, **args)
        errors.add(error_of(e))
    (error,) = errors
    return error


def test_tag_list_untag(lambda_client: Any, function: dict[str, Any]) -> None:
    arn = function["FunctionArn"]
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {}
    tagged = lambda_client.tag_resource(Resource=arn, Tags={"team": "a", "env": "dev"})
    assert tagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    lambda_client.tag_resource(Resource=arn, Tags={"env": "prod", "cost": "1"})
    listed = lambda_client.list_tags(Resource=arn)
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed["Tags"] == {"team": "a", "env": "prod", "cost": "1"}
    assert lambda_client.get_function(FunctionName=arn)["Tags"] == listed["Tags"]
    untagged = lambda_client.untag_resource(Resource=arn, TagKeys=["team", "no-such-key"])
    assert untagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"env": "prod", "cost": "1"}


def test_tags_given_at_creation(lambda_client: Any, name: str) -> None:
    created = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
        Tags={"origin": "create"},
    )
    assert lambda_client.list_tags(Resource=created["FunctionArn"])["Tags"] == {"origin": "create"}


def test_unknown_function(lambda_client: Any, name: str) -> None:
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    expected = (404, "ResourceNotFoundException", f"Function not found: {arn}")
    assert every_call_fails(lambda_client, arn) == expected


@pytest.mark.parametrize("qualifier", ["1", "live", "$LATEST"])
def test_qualified_arn_is_refused(
    lambda_client: Any, function: dict[str, Any], qualifier: str
) -> None:
    arn = f"{function['FunctionArn']}:{qualifier}"
    assert every_call_fails(lambda_client, arn) == NOT_SUPPORTED


def test_invalid_arn(lambda_client: Any) -> None:
    pattern = service_model("lambda").shape_for("TaggableResource").metadata["pattern"]
    with pytest.raises(ClientError) as e:
        lambda_client.list_tags(Resource="arn:aws:something")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'arn:aws:something' at 'resource' failed to "
        f"satisfy constraint: Member must satisfy regular expression pattern: {pattern}",
    )


def test_empty_tags(lambda_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.tag_resource(Resource=function["FunctionArn"], Tags={})
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "An error occurred and the request cannot be processed.",
    )


def test_more_than_50_tags(lambda_client: Any, function: dict[str, Any]) -> None:
    arn = function["FunctionArn"]
    lambda_client.tag_resource(Resource=arn, Tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as e:
        lambda_client.tag_resource(Resource=arn, Tags={"one-more": "v"})
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Number of tags exceeds resource tag limit.",
    )
    assert len(lambda_client.list_tags(Resource=arn)["Tags"]) == 50


def test_untag_without_keys(raw_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.untag_resource(Resource=function["FunctionArn"])
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
        "Member must not be null",
    )
