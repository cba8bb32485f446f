"""The AWS CLI against Lambent, as a user types it: ``aws lambda ... --endpoint-url``."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.aws_cli import Cli, cli_v1
from tests.helpers import HELLO_ZIP, ROLE, make_zip

ACCOUNT_REGION = "arn:aws:lambda:us-east-1:000000000000"


@pytest.fixture(scope="module")
def cli(server: Any, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    command = cli_v1()
    if command is None:
        pytest.skip("the AWS CLI (awscli) is not installed")
    return Cli(command, server.endpoint, tmp_path_factory.mktemp("aws-home"))


@pytest.fixture
def zip_file(tmp_path: Path) -> Path:
    path = tmp_path / "function.zip"
    path.write_bytes(HELLO_ZIP)
    return path


def sha_of(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def create(cli: Cli, name: str, zip_file: Path) -> Any:
    return cli.json(
        "lambda",
        "create-function",
        "--function-name",
        name,
        "--runtime",
        "python3.12",
        "--role",
        ROLE,
        "--handler",
        "app.handler",
        "--zip-file",
        f"fileb://{zip_file}",
    )


@pytest.mark.slow
def test_function_lifecycle(cli: Cli, name: str, zip_file: Path, lambda_client: Any) -> None:
    created = create(cli, name, zip_file)
    assert created["FunctionArn"] == f"{ACCOUNT_REGION}:function:{name}"
    assert created["CodeSha256"] == sha_of(HELLO_ZIP)
    assert created["State"] == "Pending"

    waited = cli.run("lambda", "wait", "function-active-v2", "--function-name", name)
    assert (waited.returncode, waited.stdout) == (0, "")

    got = cli.json("lambda", "get-function", "--function-name", name)
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert got["Code"]["RepositoryType"] == "S3"

    listed = cli.json("lambda", "list-functions")
    assert name in [f["FunctionName"] for f in listed["Functions"]]

    updated = cli.json(
        "lambda",
        "update-function-configuration",
        "--function-name",
        name,
        "--memory-size",
        "256",
        "--environment",
        "Variables={STAGE=prod}",
    )
    assert updated["MemorySize"] == 256
    assert updated["LastUpdateStatus"] == "InProgress"
    assert cli.run("lambda", "wait", "function-updated-v2", "--function-name", name).returncode == 0

    published = cli.json("lambda", "publish-version", "--function-name", name)
    assert (published["Version"], published["MemorySize"]) == ("1", 256)
    assert published["FunctionArn"] == f"{ACCOUNT_REGION}:function:{name}:1"
    assert published["Environment"] == {"Variables": {"STAGE": "prod"}}

    alias = cli.json(
        "lambda",
        "create-alias",
        "--function-name",
        name,
        "--name",
        "live",
        "--function-version",
        "1",
    )
    assert alias["AliasArn"] == f"{ACCOUNT_REGION}:function:{name}:live"
    via_alias = cli.json("lambda", "get-function", "--function-name", name, "--qualifier", "live")
    assert via_alias["Configuration"]["Version"] == "1"

    # What the CLI did is what every other client sees.
    assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"

    # 204 and no body; newer models surface the status as the StatusCode member.
    assert cli.json("lambda", "delete-function", "--function-name", name) in (
        None,
        {"StatusCode": 204},
    )
    assert name not in [
        f["FunctionName"] for f in cli.json("lambda", "list-functions")["Functions"]
    ]


def test_update_code_from_a_file(cli: Cli, name: str, zip_file: Path, tmp_path: Path) -> None:
    create(cli, name, zip_file)
    assert cli.run("lambda", "wait", "function-active-v2", "--function-name", name).returncode == 0
    second = tmp_path / "second.zip"
    data = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    second.write_bytes(data)
    updated = cli.json(
        "lambda",
        "update-function-code",
        "--function-name",
        name,
        "--zip-file",
        f"fileb://{second}",
        "--publish",
    )
    assert (updated["CodeSha256"], updated["Version"]) == (sha_of(data), "1")


def test_unknown_function_error(cli: Cli) -> None:
    done = cli.run("lambda", "get-function", "--function-name", "no-such-function-cli")
    assert done.returncode in (254, 255)  # CLI v2 / v1 exit code of a service error
    assert done.stdout == ""
    assert (
        "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: "
        f"Function not found: {ACCOUNT_REGION}:function:no-such-function-cli"
    ) in done.stderr.splitlines()


def test_validation_error(cli: Cli, name: str, zip_file: Path) -> None:
    done = cli.run(
        "lambda",
        "create-function",
        "--function-name",
        name,
        "--runtime",
        "python3.12",
        "--role",
        ROLE,
        "--handler",
        "app.handler",
        "--timeout",
        "901",
        "--zip-file",
        f"fileb://{zip_file}",
    )
    assert done.returncode in (254, 255)
    assert (
        "An error occurred (ValidationException) when calling the CreateFunction operation: "
        "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 900"
    ) in done.stderr.splitlines()
