"""Provisioned environments at work: initialised ahead of time with
``AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency``, used before on-demand ones
(traffic beyond them spills over), no ``Init Duration`` in their REPORT lines, retired
when the configuration goes or the alias moves, FAILED when the code cannot initialise,
provisioned again after a restart, and replaced when one dies."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.invoking import (
    REPORT,
    deploy,
    has,
    invoke,
    log_messages,
    processes_with,
    tail,
    unique,
    wait_until,
)
from tests.e2e.provisioned_support import wait_status
from tests.helpers import LambentProcess

APP = """
import os, time

def handler(event, context):
    time.sleep(event.get("s", 0))
    return {
        "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
        "stream": context.log_stream_name,
        "version": context.function_version,
    }
"""


def _deploy(client: Any, marker: str) -> str:
    return deploy(
        client, {"app.py": APP}, Timeout=10, Environment={"Variables": {"MARKER": marker}}
    )


def _publish_with(client: Any, name: str, marker: str) -> str:
    """Set MARKER (each version's processes are then told apart) and publish."""
    client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"MARKER": marker}}
    )
    client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )
    return str(client.publish_version(FunctionName=name)["Version"])


def _provision(client: Any, name: str, qualifier: str, count: int) -> dict[str, Any]:
    client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=qualifier, ProvisionedConcurrentExecutions=count
    )
    ready = wait_status(client, name, qualifier)
    assert ready["Status"] == "READY", ready
    return ready


def _call(client: Any, name: str, qualifier: str, seconds: float = 0) -> tuple[dict[str, Any], Any]:
    """The function's answer and the REPORT line of its invocation."""
    response, body = invoke(client, name, {"s": seconds}, Qualifier=qualifier, LogType="Tail")
    assert "FunctionError" not in response, (body, tail(response))
    reports = [m for line in tail(response).splitlines() if (m := REPORT.match(line))]
    assert len(reports) == 1, tail(response)
    return body, reports[0]


def test_provisioned_first_then_spill_over_to_on_demand(lambda_client: Any) -> None:
    name = _deploy(lambda_client, unique("marker"))
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    ready = _provision(lambda_client, name, version, 2)
    assert ready["AllocatedProvisionedConcurrentExecutions"] == 2
    assert ready["AvailableProvisionedConcurrentExecutions"] == 2

    # One at a time: always a provisioned environment, never an Init Duration.
    for _ in range(3):
        body, report = _call(lambda_client, name, version)
        assert body["init"] == "provisioned-concurrency"
        assert report["init"] is None

    # Four at once, two provisioned: two spill over to new on-demand environments.
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _call(lambda_client, name, version, 1.5), range(4)))
    kinds = sorted(body["init"] for body, _ in answers)
    assert kinds == ["on-demand", "on-demand", "provisioned-concurrency", "provisioned-concurrency"]
    for body, report in answers:
        cold = body["init"] == "on-demand"
        assert (report["init"] is not None) == cold, (body, report.string)
    assert len({body["stream"] for body, _ in answers}) == 4

    # $LATEST has no provisioned environments: on-demand, as always.
    body, _ = _call(lambda_client, name, "$LATEST")
    assert body["init"] == "on-demand"
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)


def test_alias_moves_and_deletion_retire_environments(lambda_client: Any) -> None:
    first, second = unique("marker"), unique("marker")
    name = _deploy(lambda_client, first)
    one = lambda_client.publish_version(FunctionName=name)["Version"]
    two = _publish_with(lambda_client, name, second)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=one)
    _provision(lambda_client, name, "live", 1)
    assert processes_with(first), "version 1's provisioned environment should run"
    body, report = _call(lambda_client, name, "live")
    assert (body["init"], body["version"], report["init"]) == ("provisioned-concurrency", one, None)

    lambda_client.update_alias(FunctionName=name, Name="live", FunctionVersion=two)
    assert wait_until(lambda: bool(processes_with(second)), timeout=10)
    assert wait_until(lambda: not processes_with(first), timeout=10), "version 1 retires"
    assert wait_status(lambda_client, name, "live")["Status"] == "READY"
    body, report = _call(lambda_client, name, "live")
    assert (body["init"], body["version"], report["init"]) == ("provisioned-concurrency", two, None)

    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert wait_until(lambda: not processes_with(second), timeout=10), "deleted: retired"
    body, _ = _call(lambda_client, name, "live")
    assert body["init"] == "on-demand"


def test_all_reserved_concurrency_provisioned_throttles_latest(lambda_client: Any) -> None:
    """AWS: when provisioned concurrency adds up to the reserved concurrency, all
    invocations run on provisioned concurrency, which throttles $LATEST."""
    name = _deploy(lambda_client, unique("marker"))
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    _provision(lambda_client, name, version, 1)
    body, _ = _call(lambda_client, name, version)
    assert body["init"] == "provisioned-concurrency"
    with pytest.raises(ClientError) as e:
        lambda_client.invoke(FunctionName=name)
    assert e.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert e.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    lambda_client.delete_function_concurrency(FunctionName=name)


def test_event_invocations_use_provisioned_environments(lambda_client: Any, logs: Any) -> None:
    """An asynchronous attempt takes a free provisioned environment as a synchronous call
    does, without counting against the on-demand share of the reserved concurrency."""
    name = _deploy(lambda_client, unique("marker"))
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    _provision(lambda_client, name, version, 1)
    lambda_client.invoke(
        FunctionName=name, Qualifier=version, InvocationType="Event", Payload=b'{"s": 3}'
    )
    group = f"/aws/lambda/{name}"
    started = log_messages(logs, group, has("START RequestId:"))
    # The event runs provisioned; the one on-demand unit (2 reserved - 1 provisioned) is free.
    body, report = _call(lambda_client, name, "$LATEST")
    assert body["init"] == "on-demand"
    reports = log_messages(logs, group, lambda ms: sum(m.startswith("REPORT") for m in ms) == 2)
    event_report = next(m for m in reports if m.startswith("REPORT") and report.string not in m)
    assert "Init Duration" not in event_report, (started, reports)
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    lambda_client.delete_function_concurrency(FunctionName=name)


def test_init_failure_fails_the_configuration(lambda_client: Any) -> None:
    name = deploy(lambda_client, {"app.py": "raise RuntimeError('no init')\n"})
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    failed = wait_status(lambda_client, name, version)
    assert failed["Status"] == "FAILED"
    assert failed["StatusReason"] == "FUNCTION_ERROR_INIT_FAILURE"
    assert failed["AllocatedProvisionedConcurrentExecutions"] == 0
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)
    assert listed["ProvisionedConcurrencyConfigs"][0]["Status"] == "FAILED"


def test_a_provisioned_environment_that_dies_is_replaced(lambda_client: Any) -> None:
    marker = unique("marker")
    name = _deploy(lambda_client, marker)
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    _provision(lambda_client, name, version, 1)
    before, _ = _call(lambda_client, name, version)
    victims = processes_with(marker)
    assert victims
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)  # between invocations: not in the very instant before the next one
    # The caller never sees the death: its invocation runs elsewhere (on demand, while
    # the replacement initialises).
    _call(lambda_client, name, version)
    assert wait_until(lambda: bool(set(processes_with(marker)) - set(victims)), timeout=10)
    config = wait_status(lambda_client, name, version)
    assert config["AllocatedProvisionedConcurrentExecutions"] == 1

    def provisioned_again() -> bool:
        body, report = _call(lambda_client, name, version)
        fresh = body["stream"] != before["stream"]
        return body["init"] == "provisioned-concurrency" and fresh and report["init"] is None

    assert wait_until(provisioned_again, timeout=10)
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)


@pytest.mark.slow
def test_configurations_are_provisioned_again_after_a_restart(tmp_path: Path) -> None:
    server = LambentProcess(tmp_path / "data").start()
    marker = unique("marker")
    try:
        client = server.client()
        name = _deploy(client, marker)
        version = client.publish_version(FunctionName=name)["Version"]
        _provision(client, name, version, 2)
    finally:
        assert server.stop() == 0
    assert wait_until(lambda: not processes_with(marker), timeout=10)
    successor = LambentProcess(server.data_dir).start()
    try:
        client = successor.client()
        assert wait_until(lambda: bool(processes_with(marker)), timeout=10), "re-provisioned"
        ready = wait_status(client, name, version)
        assert ready["Status"] == "READY"
        assert ready["AllocatedProvisionedConcurrentExecutions"] == 2
        body, report = _call(client, name, version)
        assert (body["init"], report["init"]) == ("provisioned-concurrency", None)
    finally:
        assert successor.stop() == 0
