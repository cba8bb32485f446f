"""Routing by the model's requestUri templates."""

from __future__ import annotations

import pytest

from lambent.protocol.model import operations, service_model
from lambent.protocol.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(operations(service_model("lambda")))


@pytest.mark.parametrize(
    ("method", "path", "query", "operation"),
    [
        ("POST", "/2015-03-31/functions", {}, "CreateFunction"),
        ("GET", "/2015-03-31/functions/", {}, "ListFunctions"),
        ("GET", "/2015-03-31/functions/my-fn", {}, "GetFunction"),
        ("GET", "/2015-03-31/functions/my-fn/configuration", {}, "GetFunctionConfiguration"),
        ("POST", "/2015-03-31/functions/my-fn/invocations", {}, "Invoke"),
        ("GET", "/2018-10-31/layers", {}, "ListLayers"),
        ("GET", "/2018-10-31/layers", {"find": ["LayerVersion"]}, "GetLayerVersionByArn"),
        (
            "GET",
            "/2019-09-30/functions/f/provisioned-concurrency",
            {},
            "GetProvisionedConcurrencyConfig",
        ),
        (
            "GET",
            "/2019-09-30/functions/f/provisioned-concurrency",
            {"List": ["ALL"]},
            "ListProvisionedConcurrencyConfigs",
        ),
        ("DELETE", "/2015-03-31/functions/f/policy/sid-1", {}, "RemovePermission"),
    ],
)
def test_routes(
    router: Router, method: str, path: str, query: dict[str, list[str]], operation: str
) -> None:
    match = router.match(method, path, query)
    assert match is not None
    assert match.operation.name == operation


def test_encoded_arn_stays_one_label(router: Router) -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:f"
    match = router.match("GET", "/2017-03-31/tags/" + arn.replace(":", "%3A"), {})
    assert match is not None
    assert match.operation.name == "ListTags"
    assert match.labels == {"Resource": arn}


def test_every_operation_is_routable(router: Router) -> None:
    for operation in operations(service_model("lambda")):
        template = operation.http["requestUri"]
        path, _, query = template.partition("?")
        path = path.replace("{", "").replace("+}", "").replace("}", "")
        fixed = dict(part.split("=") for part in query.split("&") if part)
        match = router.match(operation.http["method"], path, {k: [v] for k, v in fixed.items()})
        assert match is not None, operation.name
        assert match.operation.name == operation.name


def test_unknown_path(router: Router) -> None:
    assert router.match("GET", "/nothing/here", {}) is None
    assert router.match("PATCH", "/2015-03-31/functions", {}) is None
