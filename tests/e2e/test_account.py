"""GetAccountSettings, driven with boto3 (notes §14)."""

from __future__ import annotations

from typing import Any

from tests.helpers import HELLO_ZIP, ROLE, make_zip

LIMITS = {
    "TotalCodeSize": 80530636800,
    "CodeSizeUnzipped": 262144000,
    "CodeSizeZipped": 52428800,
    "ConcurrentExecutions": 1000,
    "UnreservedConcurrentExecutions": 1000,
}


def test_limits_and_usage_of_an_account(server: Any) -> None:
    # An account of its own, so that the usage is this test's alone.
    client = server.client(aws_access_key_id="333344445555")
    empty = client.get_account_settings()
    assert empty["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert empty["AccountLimit"] == LIMITS
    assert empty["AccountUsage"] == {"TotalCodeSize": 0, "FunctionCount": 0}

    client.create_function(
        FunctionName="f",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
    )
    client.get_waiter("function_active_v2").wait(FunctionName="f")
    usage = client.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": len(HELLO_ZIP), "FunctionCount": 1}

    client.publish_version(FunctionName="f")
    layer_zip = make_zip({"python/x.py": "X = 1\n"})
    client.publish_layer_version(LayerName="l", Content={"ZipFile": layer_zip})
    usage = client.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": 2 * len(HELLO_ZIP) + len(layer_zip), "FunctionCount": 1}

    client.delete_function(FunctionName="f")
    client.delete_layer_version(LayerName="l", VersionNumber=1)
    assert client.get_account_settings()["AccountUsage"] == {"TotalCodeSize": 0, "FunctionCount": 0}
