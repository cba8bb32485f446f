"""Lambda ARNs: building them, and resolving the many ways a client may name a function."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lambent.domain.context import PARTITION, RequestContext
from lambent.domain.rules import Kind, RuleViolation

LATEST = "$LATEST"

# name | account:function:name | arn:aws:lambda:region:account:function:name, each with an
# optional :qualifier. The service model's pattern admits the same forms.
_FUNCTION_REF = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>[a-z]{2}(?:(?:-gov)|(?:-iso[a-z]?))?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9\-_\.]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?$"
)
_LAYER_ARN = re.compile(
    r"^arn:(?P<partition>[a-zA-Z0-9-]+):lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):"
    r"layer:(?P<name>[a-zA-Z0-9\-_]+)(?::(?P<version>[0-9]+))?$"
)


def function_arn(account: str, region: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:{PARTITION}:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def layer_arn(account: str, region: str, name: str, version: int | None = None) -> str:
    arn = f"arn:{PARTITION}:lambda:{region}:{account}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A function named by a request, resolved against the request's account and region."""

    account: str
    region: str
    name: str
    qualifier: str | None

    @property
    def arn(self) -> str:
        """The ARN AWS names in messages: qualified when the request was qualified."""
        return function_arn(self.account, self.region, self.name, self.qualifier)

    @property
    def unqualified_arn(self) -> str:
        return function_arn(self.account, self.region, self.name)


@dataclass(frozen=True, slots=True)
class LayerRef:
    account: str
    region: str
    name: str
    version: int | None

    @property
    def arn(self) -> str:
        return layer_arn(self.account, self.region, self.name)

    @property
    def version_arn(self) -> str:
        return layer_arn(self.account, self.region, self.name, self.version)


def parse_function_ref(
    ctx: RequestContext, function_name: str, qualifier: str | None = None
) -> FunctionRef:
    """Resolve ``FunctionName`` (+ ``Qualifier``) as AWS does.

    A qualifier may come from the name (``my-fn:prod``) or from the ``Qualifier``
    parameter; if both are given they must agree.
    """
    match = _FUNCTION_REF.match(function_name)
    if match is None:
        raise RuleViolation(f"Function not found: {function_name}", Kind.NOT_FOUND)
    region = match["region"] or ctx.region
    account = match["account"] or ctx.account
    if region != ctx.region:
        raise RuleViolation(
            f"Functions from '{region}' are not reachable in this region ('{ctx.region}')",
            Kind.NOT_FOUND,
        )
    derived = match["qualifier"]
    if derived is not None and qualifier is not None and derived != qualifier:
        raise RuleViolation(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return FunctionRef(account, region, match["name"], derived or qualifier)


def parse_layer_name(ctx: RequestContext, layer_name: str) -> LayerRef:
    """``LayerName`` is a name or a layer ARN (without version)."""
    match = _LAYER_ARN.match(layer_name)
    if match is None:
        return LayerRef(ctx.account, ctx.region, layer_name, None)
    return LayerRef(match["account"], match["region"], match["name"], None)


def parse_layer_version_arn(arn: str) -> LayerRef | None:
    match = _LAYER_ARN.match(arn)
    if match is None or match["version"] is None:
        return None
    return LayerRef(match["account"], match["region"], match["name"], int(match["version"]))
