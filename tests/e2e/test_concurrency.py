"""Reserved concurrency and throttling: PutFunctionConcurrency and friends, and the 429s
that over-limit invocations get at once (AWS: TooManyRequestsException with a Reason)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import ROLE, LambentProcess, make_zip

SLOW = make_zip(
    {"app.py": "import time\ndef handler(e, c):\n    time.sleep(e.get('s', 0))\n    return 1\n"}
)


def _create(client: Any, name: str, timeout: int = 10) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": SLOW},
        Timeout=timeout,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def _outcomes(client: Any, name: str, callers: int, seconds: float) -> list[str]:
    """Invoke ``callers`` times at once; 'ok' or the throttle's Reason for each."""

    def call(_: int) -> str:
        try:
            client.invoke(FunctionName=name, Payload=f'{{"s": {seconds}}}'.encode())
        except ClientError as e:
            error = e.response["Error"]
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            assert error["Code"] == "TooManyRequestsException"
            assert error["Message"] == "Rate Exceeded."
            return str(e.response["Reason"])
        return "ok"

    with ThreadPoolExecutor(callers) as pool:
        return sorted(pool.map(call, range(callers)))


def test_reserved_concurrency_api(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=name
    )
    put = lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    assert (
        lambda_client.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"]
        == 5
    )
    assert lambda_client.get_function(FunctionName=name)["Concurrency"] == {
        "ReservedConcurrentExecutions": 5
    }
    limits = lambda_client.get_account_settings()["AccountLimit"]
    assert limits["UnreservedConcurrentExecutions"] <= limits["ConcurrentExecutions"] - 5
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert "Concurrency" not in lambda_client.get_function(FunctionName=name)


def test_reservation_must_leave_100_unreserved(
    lambda_client: Any, function: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_concurrency(
            FunctionName=function["FunctionName"], ReservedConcurrentExecutions=901
        )
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert e.value.response["Error"]["Message"] == (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )


def test_qualified_and_unknown_functions(lambda_client: Any, function: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_concurrency(
            FunctionName=function["FunctionArn"] + ":1", ReservedConcurrentExecutions=1
        )
    assert e.value.response["Error"]["Message"].startswith(
        "This operation is permitted on Lambda functions only."
    )
    with pytest.raises(ClientError) as e:
        lambda_client.put_function_concurrency(FunctionName="nope", ReservedConcurrentExecutions=1)
    assert e.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST"
    )


def test_reserved_zero_throttles_everything(lambda_client: Any, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert (
        _outcomes(lambda_client, name, 2, 0)
        == ["ReservedFunctionConcurrentInvocationLimitExceeded"] * 2
    )


@pytest.mark.slow
def test_reserved_one_admits_one_at_a_time(lambda_client: Any, name: str) -> None:
    _create(lambda_client, name)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lambda_client.invoke(FunctionName=name)  # warm, so the race is about concurrency only
    outcomes = _outcomes(lambda_client, name, 3, 1.5)
    assert outcomes == ["ReservedFunctionConcurrentInvocationLimitExceeded"] * 2 + ["ok"]
    assert _outcomes(lambda_client, name, 1, 0) == ["ok"], "the slot is free again"


@pytest.mark.slow
def test_account_limit(tmp_path: Path) -> None:
    server = LambentProcess(tmp_path / "data", "--account-concurrency", "2").start()
    try:
        client = server.client()
        _create(client, "limited")
        assert client.get_account_settings()["AccountLimit"]["ConcurrentExecutions"] == 2
        outcomes = _outcomes(client, "limited", 4, 1.5)
        assert outcomes == ["ConcurrentInvocationLimitExceeded"] * 2 + ["ok"] * 2
    finally:
        server.stop()
