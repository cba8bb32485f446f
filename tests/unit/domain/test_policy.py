"""Resource-based policy statements: principals, conditions, Sids, the size limit."""

from __future__ import annotations

import json

import pytest

from lambent.domain import policy
from lambent.domain.rules import Kind, RuleViolation

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:l:1"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("*", "*"),
        ("s3.amazonaws.com", {"Service": "s3.amazonaws.com"}),
        ("logs.us-east-1.amazonaws.com", {"Service": "logs.us-east-1.amazonaws.com"}),
        ("alexa-appkit.amazon.com", {"Service": "alexa-appkit.amazon.com"}),
        ("111122223333", {"AWS": "arn:aws:iam::111122223333:root"}),
        ("arn:aws:iam::111122223333:root", {"AWS": "arn:aws:iam::111122223333:root"}),
        ("arn:aws:iam::111122223333:role/r", {"AWS": "arn:aws:iam::111122223333:role/r"}),
    ],
)
def test_principal_forms(given: str, stored: object) -> None:
    assert policy.principal(given) == stored


@pytest.mark.parametrize("given", ["invalid", "1234", "arn:aws:s3:::bucket", "example.com", ""])
def test_invalid_principal(given: str) -> None:
    with pytest.raises(RuleViolation) as e:
        policy.principal(given)
    assert e.value.kind is Kind.INVALID_PARAMETER
    assert str(e.value) == (
        "The provided principal was invalid. Please check the principal and try again."
    )


def _params(**extra: object) -> dict[str, object]:
    return {
        "StatementId": "s3",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
        **extra,
    }


def test_statement_keys_in_aws_order_with_string_equals_before_arn_like() -> None:
    statement = policy.function_statement(
        FN, _params(SourceArn="arn:aws:s3:::bucket", SourceAccount="111122223333")
    )
    assert policy.statement_json(statement) == (
        '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
        '"Action":"lambda:InvokeFunction","Resource":"' + FN + '",'
        '"Condition":{"StringEquals":{"AWS:SourceAccount":"111122223333"},'
        '"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}}'
    )


def test_no_condition_without_conditional_members() -> None:
    assert "Condition" not in policy.function_statement(FN, _params())


def test_string_equals_keys_in_recorded_order() -> None:
    statement = policy.function_statement(
        FN,
        _params(
            SourceAccount="111122223333",
            PrincipalOrgID="o-1234567890",
            FunctionUrlAuthType="NONE",
        ),
    )
    assert list(statement["Condition"]["StringEquals"].items()) == [
        ("lambda:FunctionUrlAuthType", "NONE"),
        ("aws:PrincipalOrgID", "o-1234567890"),
        ("AWS:SourceAccount", "111122223333"),
    ]


def test_event_source_token_and_function_url_conditions() -> None:
    statement = policy.function_statement(
        FN, _params(EventSourceToken="tok", InvokedViaFunctionUrl=True)
    )
    assert statement["Condition"] == {
        "StringEquals": {"lambda:EventSourceToken": "tok"},
        "Bool": {"lambda:InvokedViaFunctionUrl": "true"},
    }


def test_layer_statement() -> None:
    params = {"StatementId": "s1", "Principal": "*", "Action": "lambda:GetLayerVersion"}
    assert policy.layer_statement(LAYER, params) == {
        "Sid": "s1",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": LAYER,
    }
    org = policy.layer_statement(LAYER, {**params, "OrganizationId": "o-1234567890"})
    assert org["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}}


def test_document_is_compact_json() -> None:
    statement = policy.layer_statement(LAYER, {"StatementId": "s1", "Principal": "*"})
    text = policy.document([statement])
    assert text.startswith('{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"s1"')
    assert json.loads(text)["Statement"] == [statement]


def test_duplicate_sid_is_a_conflict() -> None:
    statement = policy.function_statement(FN, _params())
    with pytest.raises(RuleViolation) as e:
        policy.added([statement], statement)
    assert e.value.kind is Kind.CONFLICT
    assert str(e.value) == (
        "The statement id (s3) provided already exists. Please provide a new statement id, "
        "or remove the existing statement."
    )


def test_policy_over_20kb_is_refused_with_its_size() -> None:
    statements: list[policy.Statement] = []
    with pytest.raises(RuleViolation) as e:
        for number in range(1000):
            statement = policy.function_statement(FN, _params(StatementId=f"sid-{number}"))
            statements = policy.added(statements, statement)
    assert e.value.kind is Kind.POLICY_LENGTH
    size = len(policy.document([*statements, statement]))
    assert size > 20480
    assert len(policy.document(statements)) <= 20480
    assert str(e.value) == f"The final policy size ({size}) is bigger than the limit (20480)."


def test_removed() -> None:
    one = policy.function_statement(FN, _params(StatementId="a"))
    two = policy.function_statement(FN, _params(StatementId="b"))
    assert policy.removed([one, two], "a") == [two]
    with pytest.raises(RuleViolation) as e:
        policy.removed([one], "missing")
    assert e.value.kind is Kind.NOT_FOUND
    assert str(e.value) == "Statement missing is not found in resource policy."
