"""Resource-based policies of functions and layer versions: statements as AWS writes them.

Statement keys come in AWS's order (Sid, Effect, Principal, Action, Resource, Condition)
and documents are serialized compactly, as ``GetPolicy`` and ``AddPermission`` return them
(LocalStack's recordings of real AWS; AWS CLI docs examples).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from lambent.domain import limits
from lambent.domain.context import PARTITION
from lambent.domain.rules import Kind, RuleViolation

Statement = dict[str, Any]

LAYER_ACTION = "lambda:GetLayerVersion"

_ACCOUNT = re.compile(r"^\d{12}$")
# IAM users, roles and account roots, and STS sessions: what AWS takes as an "AWS" principal.
_IAM_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:(?:iam|sts)::\d{12}:\S+$")
# Service principals: s3.amazonaws.com, logs.us-east-1.amazonaws.com, alexa-appkit.amazon.com.
_SERVICE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:amazonaws\.com(?:\.cn)?|amazon\.com)$")

INVALID_PRINCIPAL = "The provided principal was invalid. Please check the principal and try again."
NO_POLICY = "No policy is associated with the given resource."


def principal(value: str) -> str | dict[str, str]:
    """``Principal`` as AWS stores it: ``*`` stays bare, a service becomes ``{"Service"}``,
    an account id or IAM ARN becomes ``{"AWS": arn}``."""
    if value == "*":
        return value
    if _ACCOUNT.match(value):
        return {"AWS": f"arn:{PARTITION}:iam::{value}:root"}
    if _IAM_ARN.match(value):
        return {"AWS": value}
    if _SERVICE.match(value):
        return {"Service": value}
    raise RuleViolation(INVALID_PRINCIPAL)


def _statement(
    sid: str, who: str, action: str, resource: str, condition: Mapping[str, Any]
) -> Statement:
    built: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal(who),
        "Action": action,
        "Resource": resource,
    }
    if condition:
        built["Condition"] = dict(condition)
    return built


def function_statement(resource: str, params: Mapping[str, Any]) -> Statement:
    """The statement an ``AddPermission`` request adds to the policy of ``resource``.

    Conditions: ``StringEquals`` before ``ArnLike``, and within ``StringEquals`` the order
    AWS recorded (``lambda:FunctionUrlAuthType``, ``aws:PrincipalOrgID``,
    ``AWS:SourceAccount``). Where ``lambda:EventSourceToken`` and the ``Bool`` condition of
    ``InvokedViaFunctionUrl`` (AWS docs, "Control access to function URLs") go among them is
    not recorded.
    """
    equals = {
        key: params[member]
        for member, key in (
            ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType"),
            ("PrincipalOrgID", "aws:PrincipalOrgID"),
            ("SourceAccount", "AWS:SourceAccount"),
            ("EventSourceToken", "lambda:EventSourceToken"),
        )
        if params.get(member)
    }
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if params.get("InvokedViaFunctionUrl"):
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    return _statement(
        params["StatementId"], params["Principal"], params["Action"], resource, condition
    )


def layer_statement(resource: str, params: Mapping[str, Any]) -> Statement:
    """The statement an ``AddLayerVersionPermission`` request adds (AWS CLI docs example)."""
    condition = {}
    if params.get("OrganizationId"):
        condition["StringEquals"] = {"aws:PrincipalOrgID": params["OrganizationId"]}
    return _statement(params["StatementId"], params["Principal"], LAYER_ACTION, resource, condition)


def statement_json(statement: Statement) -> str:
    return json.dumps(statement, separators=(",", ":"))


def document(statements: list[Statement]) -> str:
    """The policy document ``GetPolicy`` / ``GetLayerVersionPolicy`` return, as a string."""
    return json.dumps(
        {"Version": "2012-10-17", "Id": "default", "Statement": statements},
        separators=(",", ":"),
    )


def added(statements: list[Statement], statement: Statement) -> list[Statement]:
    """The statements with ``statement`` added: its Sid must be new, and the policy must
    stay within AWS's 20 KB."""
    sid = statement["Sid"]
    if any(existing["Sid"] == sid for existing in statements):
        raise RuleViolation(
            f"The statement id ({sid}) provided already exists. Please provide a new "
            "statement id, or remove the existing statement.",
            Kind.CONFLICT,
        )
    result = [*statements, statement]
    size = len(document(result).encode())
    if size > limits.POLICY_MAX:
        raise RuleViolation(
            f"The final policy size ({size}) is bigger than the limit ({limits.POLICY_MAX}).",
            Kind.POLICY_LENGTH,
        )
    return result


def removed(statements: list[Statement], sid: str) -> list[Statement]:
    """The statements without the one named ``sid``, which must exist."""
    kept = [existing for existing in statements if existing["Sid"] != sid]
    if len(kept) == len(statements):
        raise RuleViolation(f"Statement {sid} is not found in resource policy.", Kind.NOT_FOUND)
    return kept
