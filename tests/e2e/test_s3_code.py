"""Deployment packages from S3: a Lambent server fetching code from an independent
S3-compatible peer (moto's server), as AWS Lambda fetches it from S3."""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.request
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers import (
    HELLO_ZIP,
    REGION,
    ROLE,
    LambentProcess,
    error_of,
    make_zip,
    moto_server,
)

BUCKET = "lambent-code"
VERSIONED = "lambent-code-versioned"
#: Dummy credentials: the peer accepts any, and nothing may reach real AWS.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "moto", "AWS_SECRET_ACCESS_KEY": "moto"}


def sha_of(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 on a free port, for this module only."""
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def s3(s3_endpoint: str) -> Any:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id="moto",
        aws_secret_access_key="moto",
        config=Config(retries={"max_attempts": 1}),
    )
    client.create_bucket(Bucket=BUCKET)
    client.create_bucket(Bucket=VERSIONED)
    client.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
    return client


@pytest.fixture(scope="module")
def s3_server(
    tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str
) -> Iterator[LambentProcess]:
    """A Lambent server whose S3 is the peer: configured as any AWS SDK is configured."""
    server = LambentProcess(
        tmp_path_factory.mktemp("lambent-s3") / "data",
        env={"AWS_ENDPOINT_URL_S3": s3_endpoint, **CREDENTIALS},
    ).start()
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def client(s3_server: LambentProcess) -> Any:
    return s3_server.client()


def package(marker: str) -> bytes:
    return make_zip({"app.py": f"def handler(event, context):\n    return {marker!r}\n"})


def create_from_s3(client: Any, name: str, code: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code=code,
    )
    return created


def downloaded(client: Any, name: str, qualifier: str | None = None) -> bytes:
    kwargs = {"FunctionName": name} | ({"Qualifier": qualifier} if qualifier else {})
    location = client.get_function(**kwargs)["Code"]["Location"]
    with urllib.request.urlopen(location) as response:
        data: bytes = response.read()
    return data


def assert_absent(client: Any, name: str) -> None:
    with pytest.raises(ClientError) as e:
        client.get_function(FunctionName=name)
    assert error_of(e)[1] == "ResourceNotFoundException"


def test_create_function_from_s3(client: Any, s3: Any, name: str) -> None:
    zipped = package("from s3")
    s3.put_object(Bucket=BUCKET, Key=f"{name}/code.zip", Body=zipped)
    created = create_from_s3(client, name, {"S3Bucket": BUCKET, "S3Key": f"{name}/code.zip"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["CodeSha256"] == sha_of(zipped)
    assert created["CodeSize"] == len(zipped)
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    config = client.get_function_configuration(FunctionName=name)
    assert (config["CodeSha256"], config["CodeSize"]) == (sha_of(zipped), len(zipped))
    # The package is Lambent's own copy: it outlives the object it came from.
    s3.delete_object(Bucket=BUCKET, Key=f"{name}/code.zip")
    assert downloaded(client, name) == zipped


def test_update_function_code_from_s3(client: Any, s3: Any, name: str) -> None:
    create_from_s3(client, name, {"ZipFile": HELLO_ZIP})
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    zipped = package("updated from s3")
    s3.put_object(Bucket=BUCKET, Key=f"{name}/v2.zip", Body=zipped)
    updated = client.update_function_code(
        FunctionName=name, S3Bucket=BUCKET, S3Key=f"{name}/v2.zip", Publish=True
    )
    assert (updated["CodeSha256"], updated["CodeSize"]) == (sha_of(zipped), len(zipped))
    assert updated["Version"] == "1"
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert downloaded(client, name) == zipped
    assert downloaded(client, name, "1") == zipped


def test_object_versions(client: Any, s3: Any, name: str) -> None:
    key = f"{name}/code.zip"
    first, second = package("first"), package("second")
    v1 = s3.put_object(Bucket=VERSIONED, Key=key, Body=first)["VersionId"]
    v2 = s3.put_object(Bucket=VERSIONED, Key=key, Body=second)["VersionId"]
    assert v1 != v2

    created = create_from_s3(
        client, name, {"S3Bucket": VERSIONED, "S3Key": key, "S3ObjectVersion": v1}
    )
    assert (created["CodeSha256"], created["CodeSize"]) == (sha_of(first), len(first))
    client.get_waiter("function_active_v2").wait(FunctionName=name)

    unversioned = client.update_function_code(FunctionName=name, S3Bucket=VERSIONED, S3Key=key)
    assert unversioned["CodeSha256"] == sha_of(second)  # no version: the current object
    client.get_waiter("function_updated_v2").wait(FunctionName=name)

    back = client.update_function_code(
        FunctionName=name, S3Bucket=VERSIONED, S3Key=key, S3ObjectVersion=v1
    )
    assert back["CodeSha256"] == sha_of(first)
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert downloaded(client, name) == first


def test_missing_key(client: Any, name: str) -> None:
    with pytest.raises(ClientError) as e:
        create_from_s3(client, name, {"S3Bucket": BUCKET, "S3Key": "no/such/key.zip"})
    # moto answers as S3 does (NoSuchKey, "The specified key does not exist."), and Lambda
    # wraps S3's code and message in this sentence.
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. "
        "S3 Error Message: The specified key does not exist.",
    )
    assert_absent(client, name)


def test_missing_bucket(client: Any, name: str) -> None:
    with pytest.raises(ClientError) as e:
        create_from_s3(client, name, {"S3Bucket": "no-such-bucket-here", "S3Key": "code.zip"})
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
        "S3 Error Message: The specified bucket does not exist",
    )
    assert_absent(client, name)


def test_missing_key_on_update_changes_nothing(client: Any, s3: Any, name: str) -> None:
    create_from_s3(client, name, {"ZipFile": HELLO_ZIP})
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    before = client.get_function_configuration(FunctionName=name)
    with pytest.raises(ClientError) as e:
        client.update_function_code(FunctionName=name, S3Bucket=BUCKET, S3Key="gone.zip")
    assert error_of(e)[:2] == (400, "InvalidParameterValueException")
    after = client.get_function_configuration(FunctionName=name)
    assert (after["RevisionId"], after["CodeSha256"]) == (
        before["RevisionId"],
        before["CodeSha256"],
    )


def test_object_that_is_not_a_zip(client: Any, s3: Any, name: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=f"{name}/notes.txt", Body=b"not a zip")
    with pytest.raises(ClientError) as e:
        create_from_s3(client, name, {"S3Bucket": BUCKET, "S3Key": f"{name}/notes.txt"})
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )
    assert_absent(client, name)


def test_the_same_package_from_s3_and_inline_is_one_package(
    client: Any, s3: Any, s3_server: LambentProcess, name: str
) -> None:
    zipped = package("shared")
    s3.put_object(Bucket=BUCKET, Key=f"{name}.zip", Body=zipped)
    create_from_s3(client, name, {"S3Bucket": BUCKET, "S3Key": f"{name}.zip"})
    create_from_s3(client, f"{name}-inline", {"ZipFile": zipped})
    digest = hashlib.sha256(zipped).hexdigest()
    stored = [p for p in (s3_server.data_dir / "code").iterdir() if p.name.startswith(digest)]
    assert len(stored) == 1
    assert stored[0].read_bytes() == zipped


@pytest.mark.slow
def test_packages_over_50_mb_come_through_s3(client: Any, s3: Any, name: str) -> None:
    """50 MB is the ceiling of a package sent in the request; S3 is how larger ones come."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'big'\n")
        archive.writestr("data.bin", bytes(51 * 1024 * 1024))
    big = buffer.getvalue()
    assert len(big) > 52_428_800
    s3.put_object(Bucket=BUCKET, Key=f"{name}/big.zip", Body=big)
    created = create_from_s3(client, name, {"S3Bucket": BUCKET, "S3Key": f"{name}/big.zip"})
    assert (created["CodeSha256"], created["CodeSize"]) == (sha_of(big), len(big))
