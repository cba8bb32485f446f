"""Bad input of every kind, sent as clients send it: AWS's 4xx answer, never a 500, and
nothing created or changed by the request that was refused."""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import io
import json
import stat
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.helpers import HELLO_ZIP, ROLE, LambentProcess, error_of, make_zip

FUNCTIONS = "/2015-03-31/functions"
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."
NOT_NULL = "failed to satisfy constraint: Member must not be null"
#: The service model's FunctionName pattern (botocore's lambda model), as Coral quotes it.
NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
ENV_PREFIX = (
    "Lambda was unable to configure your environment variables because the environment "
    "variables you have provided "
)
#: AWS's CreateFunction/UpdateFunctionCode request ceiling (recorded 2023-11).
REQUEST_MAX = 70_167_211
ZIPPED_MAX = 52_428_800


def every_function(client: Any) -> list[dict[str, Any]]:
    """All functions on the server, every page (other tests' functions included)."""
    pages = client.get_paginator("list_functions").paginate()
    return [f for page in pages for f in page["Functions"]]


def create_args(name: str, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": HELLO_ZIP},
    }
    args.update(overrides)
    return {k: v for k, v in args.items() if v is not None}


def body_of(name: str, **overrides: Any) -> dict[str, Any]:
    """A CreateFunction body as JSON carries it (the zip in base64)."""
    document = create_args(name, **overrides)
    if "ZipFile" in document.get("Code", {}):
        zipped = document["Code"]["ZipFile"]
        document["Code"] = {"ZipFile": base64.b64encode(zipped).decode()}
    return document


def raw(
    endpoint: str,
    method: str,
    path: str,
    body: bytes | Iterable[bytes] = b"",
    length: int | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request as any client could send it: ``(status, headers, JSON body)``."""
    url = urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if length is not None:
        headers["Content-Length"] = str(length)
    # The server may answer a too-large request before it has read all of it.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    received = {k.lower(): v for k, v in response.getheaders()}
    return response.status, received, json.loads(payload) if payload else None


def streamed(head: bytes, filler: bytes, count: int, tail: bytes) -> Iterator[bytes]:
    """``head + filler * count + tail`` a megabyte at a time, never all in memory."""
    yield head
    block = filler * (1 << 20)
    left = count
    while left:
        step = min(left, 1 << 20)
        yield block[: step * len(filler)]
        left -= step
    yield tail


def code_blobs(server: LambentProcess) -> set[str]:
    return {entry.name for entry in (server.data_dir / "code").iterdir()}


@pytest.fixture
def untouched(lambda_client: Any, server: LambentProcess, name: str) -> Iterator[None]:
    """After the test: no function ``name`` and no new code package on disk."""
    blobs = code_blobs(server)
    yield
    with pytest.raises(ClientError) as e:
        lambda_client.get_function(FunctionName=name)
    assert error_of(e)[1] == "ResourceNotFoundException"
    assert code_blobs(server) == blobs


@pytest.fixture
def unchanged(
    lambda_client: Any, server: LambentProcess, function: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """An Active function whose configuration and code must be as they were after the test."""
    name = function["FunctionName"]
    before = lambda_client.get_function_configuration(FunctionName=name)
    blobs = code_blobs(server)
    yield before
    after = lambda_client.get_function_configuration(FunctionName=name)
    before.pop("ResponseMetadata")
    after.pop("ResponseMetadata")
    assert after == before
    assert code_blobs(server) == blobs


# --- The request is not JSON, or not the JSON the model describes ---------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"FunctionName": "x",',
        b"\xff\xfe\x00garbage",
        b"[" * 100_000 + b"]" * 100_000,
        b"[1, 2]",
        b'"a string"',
        b"null",
    ],
    ids=["syntax", "truncated", "not-utf8", "deeply-nested", "array", "string", "null"],
)
def test_malformed_body_is_invalid_request_content(
    endpoint: str, lambda_client: Any, body: bytes
) -> None:
    before = every_function(lambda_client)
    status, headers, document = raw(endpoint, "POST", FUNCTIONS, body)
    assert status == 400
    assert headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert document["Type"] == "User"
    assert document["message"].startswith("Could not parse request body into json: ")
    assert every_function(lambda_client) == before


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("MemorySize", "abc"),
        ("Timeout", 1.5),
        ("Publish", "yes"),
        ("Environment", "A=1"),
        ("Tags", ["a"]),
        ("Layers", "arn"),
        ("Code", {"ZipFile": 123}),
        ("Code", {"ZipFile": "not base64!"}),
        ("FunctionName", 42),
    ],
)
def test_wrong_json_type_is_invalid_request_content(
    endpoint: str, name: str, untouched: None, member: str, value: Any
) -> None:
    document = body_of(name)
    document[member] = value
    status, headers, answer = raw(endpoint, "POST", FUNCTIONS, json.dumps(document).encode())
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidRequestContentException")
    assert answer["message"].startswith("Could not parse request body into json: ")


def test_wrong_type_through_an_sdk_without_validation(
    raw_client: Any, name: str, untouched: None
) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(name, MemorySize="abc"))
    status, code, message = error_of(e)
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json: ")


def test_json_null_members_are_absent_members(endpoint: str, lambda_client: Any, name: str) -> None:
    """Coral reads ``null`` as "not sent": optional nulls are ignored, never a 500."""
    document = body_of(name)
    document.update(
        Environment=None, VpcConfig={"SubnetIds": None}, TracingConfig=None, Description=None
    )
    status, _, created = raw(endpoint, "POST", FUNCTIONS, json.dumps(document).encode())
    assert status == 201, created
    assert created["Description"] == ""
    assert "Environment" not in created
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    status, _, updated = raw(
        endpoint,
        "PUT",
        f"{FUNCTIONS}/{name}/configuration",
        json.dumps({"Environment": {"Variables": None}, "Layers": None}).encode(),
    )
    assert status == 200, updated
    assert updated["Environment"] == {"Variables": {}}


# --- The model's constraints, checked by the server ------------------------------------------


def test_missing_role(raw_client: Any, name: str, untouched: None) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(name, Role=None))
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value null at 'role' {NOT_NULL}",
    )


def test_missing_code(raw_client: Any, name: str, untouched: None) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(name, Code=None))
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value null at 'code' {NOT_NULL}",
    )


def test_empty_body_names_every_missing_member(endpoint: str, lambda_client: Any) -> None:
    before = every_function(lambda_client)
    status, headers, document = raw(endpoint, "POST", FUNCTIONS, b"{}")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert document == {
        "message": "3 validation errors detected: "
        f"Value null at 'functionName' {NOT_NULL}; "
        f"Value null at 'role' {NOT_NULL}; "
        f"Value null at 'code' {NOT_NULL}"
    }
    assert every_function(lambda_client) == before


def test_several_violations_at_once(raw_client: Any, name: str, untouched: None) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(name, MemorySize=64, Timeout=0))
    assert error_of(e) == (
        400,
        "ValidationException",
        "2 validation errors detected: "
        "Value '0' at 'timeout' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1; "
        "Value '64' at 'memorySize' failed to satisfy constraint: "
        "Member must have value greater than or equal to 128",
    )


OUT_OF_RANGE = [
    ({"MemorySize": 64}, "'64' at 'memorySize'", "greater than or equal to 128"),
    ({"MemorySize": 10241}, "'10241' at 'memorySize'", "less than or equal to 10240"),
    ({"Timeout": 0}, "'0' at 'timeout'", "greater than or equal to 1"),
    ({"Timeout": 901}, "'901' at 'timeout'", "less than or equal to 900"),
    (
        {"EphemeralStorage": {"Size": 100}},
        "'100' at 'ephemeralStorage.size'",
        "greater than or equal to 512",
    ),
    (
        {"EphemeralStorage": {"Size": 10241}},
        "'10241' at 'ephemeralStorage.size'",
        "less than or equal to 10240",
    ),
]


@pytest.mark.parametrize(("overrides", "where", "bound"), OUT_OF_RANGE)
def test_out_of_range_on_create(
    raw_client: Any, name: str, untouched: None, overrides: dict[str, Any], where: str, bound: str
) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(name, **overrides))
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value {where} failed to satisfy constraint: "
        f"Member must have value {bound}",
    )


@pytest.mark.parametrize(("overrides", "where", "bound"), OUT_OF_RANGE)
def test_out_of_range_on_update(
    raw_client: Any,
    unchanged: dict[str, Any],
    overrides: dict[str, Any],
    where: str,
    bound: str,
) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.update_function_configuration(
            FunctionName=unchanged["FunctionName"], **overrides
        )
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value {where} failed to satisfy constraint: "
        f"Member must have value {bound}",
    )


def test_limits_themselves_are_accepted(lambda_client: Any, name: str) -> None:
    created = lambda_client.create_function(
        **create_args(name, MemorySize=10240, Timeout=900, EphemeralStorage={"Size": 10240})
    )
    assert (created["MemorySize"], created["Timeout"]) == (10240, 900)
    assert created["EphemeralStorage"] == {"Size": 10240}


@pytest.mark.parametrize("bad", ["invalid:function:name", "bad name!", "fn/with/slash"])
def test_invalid_function_name_pattern(raw_client: Any, server: LambentProcess, bad: str) -> None:
    blobs = code_blobs(server)
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(bad))
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{bad}' at 'functionName' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {NAME_PATTERN}",
    )
    assert code_blobs(server) == blobs


def test_function_name_longer_than_64_on_create(lambda_client: Any, server: LambentProcess) -> None:
    long_name = "a" * 65
    blobs = code_blobs(server)
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(long_name))
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        f"1 validation error detected: Value '{long_name}' at 'functionName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64",
    )
    assert code_blobs(server) == blobs
    with pytest.raises(ClientError) as e:
        lambda_client.get_function(FunctionName=long_name)
    assert error_of(e)[1] == "ResourceNotFoundException"


def test_function_name_longer_than_140_is_a_model_violation(raw_client: Any) -> None:
    long_name = "a" * 141
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(long_name))
    assert error_of(e) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{long_name}' at 'functionName' failed to satisfy "
        "constraint: Member must have length less than or equal to 140",
    )


def assert_unknown_runtime(excinfo: pytest.ExceptionInfo[ClientError], runtime: str) -> None:
    status, code, message = error_of(excinfo)
    assert (status, code) == (400, "InvalidParameterValueException")
    prefix = (
        f"Value {runtime} at 'runtime' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    )
    suffix = "] or be a valid ARN"
    assert message.startswith(prefix), message
    assert message.endswith(suffix), message
    listed = message[len(prefix) : -len(suffix)].split(", ")
    assert {"python3.12", "nodejs20.x", "provided.al2023"} <= set(listed)
    assert runtime not in listed


def test_unknown_runtime(lambda_client: Any, name: str, untouched: None) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, Runtime="python9"))
    assert_unknown_runtime(e, "python9")


def test_runtime_is_checked_before_the_name_length(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args("b" * 65, Runtime="PYTHON3.12"))
    assert_unknown_runtime(e, "PYTHON3.12")


def test_unknown_runtime_on_update(lambda_client: Any, unchanged: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_configuration(
            FunctionName=unchanged["FunctionName"], Runtime="python9"
        )
    assert_unknown_runtime(e, "python9")


# --- Deployment packages ----------------------------------------------------------------------


def corrupt_crc() -> bytes:
    data = bytearray(make_zip({"app.py": "x = 1\n" * 50}))
    data[40] ^= 0xFF  # inside the compressed data of the only entry
    return bytes(data)


BAD_PACKAGES = {
    "truncated": HELLO_ZIP[: len(HELLO_ZIP) // 2],
    "end-cut-off": HELLO_ZIP[:-10],
    "not-a-zip": b"this is not a zip file at all",
    "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 20,
    "bad-crc": corrupt_crc(),
}


@pytest.mark.parametrize("package", list(BAD_PACKAGES.values()), ids=list(BAD_PACKAGES))
def test_corrupt_or_foreign_package(
    lambda_client: Any, name: str, untouched: None, package: bytes
) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, Code={"ZipFile": package}))
    assert error_of(e) == (400, "InvalidParameterValueException", UNZIP_FAILED)


@pytest.mark.parametrize("package", list(BAD_PACKAGES.values()), ids=list(BAD_PACKAGES))
def test_corrupt_package_on_update(
    lambda_client: Any, unchanged: dict[str, Any], package: bytes
) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_code(FunctionName=unchanged["FunctionName"], ZipFile=package)
    assert error_of(e) == (400, "InvalidParameterValueException", UNZIP_FAILED)


def hostile_zip(entry: str) -> bytes:
    """A zip with one entry named exactly ``entry`` (``zipfile`` would sanitize on extract,
    but writes what it is given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return e\n")
        info = zipfile.ZipInfo(entry)
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        archive.writestr(info, b"owned\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "entry",
    ["/etc/cron.d/evil", "../evil.py", "../../../../tmp/evil", "lib/../../evil.py"],
)
def test_zip_entries_escaping_the_code_directory(
    lambda_client: Any, name: str, untouched: None, entry: str
) -> None:
    package = hostile_zip(entry)
    assert entry in zipfile.ZipFile(io.BytesIO(package)).namelist()
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, Code={"ZipFile": package}))
    assert error_of(e) == (400, "InvalidParameterValueException", UNZIP_FAILED)


@functools.cache
def zip_bomb(entries: int = 9, megabytes: int = 30) -> bytes:
    """``entries`` times ``megabytes`` MB of zeros, deflated to a few hundred KB, written a
    megabyte at a time so neither side of the test holds the unzipped size."""
    buffer = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(entries):
            info = zipfile.ZipInfo(f"zeros/{index}.bin")
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as entry:
                for _ in range(megabytes):
                    entry.write(chunk)
    return buffer.getvalue()


def test_unzipped_size_over_250_mb(lambda_client: Any, name: str, untouched: None) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1 << 20
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert declared > 262_144_000
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, Code={"ZipFile": bomb}))
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Unzipped size must be smaller than 262144000 bytes",
    )


def test_unzipped_size_over_250_mb_on_update(lambda_client: Any, unchanged: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_code(
            FunctionName=unchanged["FunctionName"], ZipFile=zip_bomb()
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Unzipped size must be smaller than 262144000 bytes",
    )


def test_zip_over_50_mb_in_the_request(endpoint: str, name: str, untouched: None) -> None:
    # 52428801 zero bytes are 69905068 base64 characters: over 50 MB, under the request limit
    zipped = ZIPPED_MAX + 1
    assert zipped % 3 == 0
    document = body_of(name)
    head, tail = json.dumps(document | {"Code": {"ZipFile": "@"}}).encode().split(b"@")
    chars = zipped // 3 * 4
    total = len(head) + chars + len(tail)
    assert total < REQUEST_MAX
    status, headers, answer = raw(
        endpoint, "POST", FUNCTIONS, streamed(head, b"A", chars, tail), total
    )
    assert (status, headers["x-amzn-errortype"]) == (413, "RequestEntityTooLargeException")
    assert answer == {"Message": f"Zipped size must be smaller than {ZIPPED_MAX} bytes"}


def test_request_over_the_create_function_limit(
    endpoint: str, lambda_client: Any, name: str, untouched: None
) -> None:
    document = body_of(name)
    head, tail = json.dumps(document | {"Code": {"ZipFile": "@"}}).encode().split(b"@")
    chars = REQUEST_MAX + 1 - len(head) - len(tail)
    status, headers, answer = raw(
        endpoint, "POST", FUNCTIONS, streamed(head, b"A", chars, tail), REQUEST_MAX + 1
    )
    assert (status, headers["x-amzn-errortype"]) == (413, "RequestEntityTooLargeException")
    assert answer == {
        "Message": f"Request must be smaller than {REQUEST_MAX} bytes for the CreateFunction "
        "operation"
    }
    # The connection the server gave up on does not hurt the next request.
    assert lambda_client.list_functions(MaxItems=1)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_request_over_the_update_function_code_limit(
    endpoint: str, unchanged: dict[str, Any]
) -> None:
    head, tail = json.dumps({"ZipFile": "@"}).encode().split(b"@")
    chars = REQUEST_MAX + 1 - len(head) - len(tail)
    status, headers, answer = raw(
        endpoint,
        "PUT",
        f"{FUNCTIONS}/{unchanged['FunctionName']}/code",
        streamed(head, b"A", chars, tail),
        REQUEST_MAX + 1,
    )
    assert (status, headers["x-amzn-errortype"]) == (413, "RequestEntityTooLargeException")
    assert answer == {
        "Message": f"Request must be smaller than {REQUEST_MAX} bytes for the UpdateFunctionCode "
        "operation"
    }


# --- Environment, handler, runtime, package type ----------------------------------------------


def test_environment_over_4_kb(lambda_client: Any, name: str, untouched: None) -> None:
    variables = {"SMALL_VAR": "ok", "LARGE_VAR": "x" * 4096}
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, Environment={"Variables": variables}))
    measured = '{"SMALL_VAR":"ok","LARGE_VAR":"' + "x" * 4096 + '"}'
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        ENV_PREFIX + f"exceeded the 4KB limit. String measured: {measured}",
    )


def test_environment_of_exactly_4_kb_is_accepted(lambda_client: Any, name: str) -> None:
    overhead = len('{"BIG":""}')
    variables = {"BIG": "y" * (4096 - overhead)}
    assert len(json.dumps(variables, separators=(",", ":"))) == 4096
    created = lambda_client.create_function(
        **create_args(name, Environment={"Variables": variables})
    )
    assert created["Environment"] == {"Variables": variables}


def test_environment_over_4_kb_on_update(lambda_client: Any, unchanged: dict[str, Any]) -> None:
    variables = {"LARGE_VAR": "z" * 5000}
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_configuration(
            FunctionName=unchanged["FunctionName"], Environment={"Variables": variables}
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        ENV_PREFIX + 'exceeded the 4KB limit. String measured: {"LARGE_VAR":"' + "z" * 5000 + '"}',
    )


RESERVED = (
    "contains reserved keys that are currently not supported for modification. "
    "Reserved keys used in this request: "
)


@pytest.mark.parametrize(
    ("variables", "listed"),
    [
        ({"AWS_REGION": "eu-west-1"}, "AWS_REGION"),
        (
            {"AWS_REGION": "x", "FOO": "y", "AWS_ACCESS_KEY_ID": "z", "AWS_SECRET_ACCESS_KEY": "s"},
            "AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
        ),
        ({"AWS_LAMBDA_FUNCTION_NAME": "other"}, "AWS_LAMBDA_FUNCTION_NAME"),
        ({"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"}, "AWS_LAMBDA_RUNTIME_API"),
    ],
)
def test_reserved_environment_keys(
    lambda_client: Any, name: str, untouched: None, variables: dict[str, str], listed: str
) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, Environment={"Variables": variables}))
    assert error_of(e) == (400, "InvalidParameterValueException", ENV_PREFIX + RESERVED + listed)


def test_reserved_environment_keys_on_update(lambda_client: Any, unchanged: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.update_function_configuration(
            FunctionName=unchanged["FunctionName"],
            Environment={"Variables": {"OK": "1", "AWS_SESSION_TOKEN": "t"}},
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        ENV_PREFIX + RESERVED + "AWS_SESSION_TOKEN",
    )


def test_overridable_environment_keys_are_accepted(lambda_client: Any, name: str) -> None:
    variables = {"PATH": "/opt/bin:/usr/bin", "LANG": "C.UTF-8", "PYTHONPATH": "/opt/lib"}
    created = lambda_client.create_function(
        **create_args(name, Environment={"Variables": variables})
    )
    assert created["Environment"] == {"Variables": variables}


def test_invalid_environment_key(raw_client: Any, name: str, untouched: None) -> None:
    with pytest.raises(ClientError) as e:
        raw_client.create_function(**create_args(name, Environment={"Variables": {"1BAD": "x"}}))
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression "
        "pattern: [a-zA-Z]([a-zA-Z0-9_])+, Member must not be null]",
    )


@pytest.mark.parametrize(
    "missing",
    [{"Handler": None}, {"Runtime": None}, {"Handler": None, "Runtime": None}],
    ids=["handler", "runtime", "both"],
)
def test_zip_package_needs_handler_and_runtime(
    lambda_client: Any, name: str, untouched: None, missing: dict[str, None]
) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(**create_args(name, **missing))
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.",
    )


IMAGE_URI = "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest"


def test_image_package_with_handler_or_runtime(
    lambda_client: Any, name: str, untouched: None
) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(
            **create_args(name, PackageType="Image", Code={"ImageUri": IMAGE_URI})
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Please don't provide Handler or Runtime or Layer when the intended function "
        "PackageType is Image.",
    )


def test_image_package_is_not_supported(lambda_client: Any, name: str, untouched: None) -> None:
    with pytest.raises(ClientError) as e:
        lambda_client.create_function(
            **create_args(
                name, PackageType="Image", Code={"ImageUri": IMAGE_URI}, Handler=None, Runtime=None
            )
        )
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "Lambent runs .zip deployment packages only: PackageType Image is not supported.",
    )


# --- Paths no operation answers; operations not implemented yet -------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/2015-03-31/nothing"),
        ("GET", "/"),
        ("POST", "/2015-03-31/functions/x/nothing"),
        ("PATCH", "/2015-03-31/functions/x"),
        ("GET", "/1999-01-01/functions/"),
    ],
)
def test_unknown_operation_path(endpoint: str, method: str, path: str) -> None:
    status, headers, document = raw(endpoint, method, path)
    assert (status, headers["x-amzn-errortype"]) == (404, "UnknownOperationException")
    assert document == {
        "Type": "User",
        "message": f"No operation of the lambda API answers {method} {path}",
    }


@pytest.mark.parametrize(
    ("call", "operation", "kwargs"),
    [
        ("list_event_source_mappings", "ListEventSourceMappings", {}),
        (
            "get_event_source_mapping",
            "GetEventSourceMapping",
            {"UUID": "14e0db71-5d35-4eb5-b481-8945cf9d10c2"},
        ),
        ("list_code_signing_configs", "ListCodeSigningConfigs", {}),
    ],
)
def test_unimplemented_operation(
    lambda_client: Any, call: str, operation: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as e:
        getattr(lambda_client, call)(**kwargs)
    assert error_of(e) == (
        501,
        "NotImplementedException",
        f"The {operation} operation is not implemented by Lambent yet.",
    )


def test_the_server_survived(server: LambentProcess, lambda_client: Any) -> None:
    """After all of the above, the server still answers and was never made to fail."""
    assert server.process is not None and server.process.poll() is None
    assert lambda_client.list_functions(MaxItems=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
    log = server.data_dir.parent / f"{server.data_dir.name}-server.log"
    assert "unhandled error" not in log.read_text()


@pytest.mark.parametrize(
    "path",
    [
        "/_lambent/code/" + "0" * 64,
        "/_lambent/code/..%2Flambent.db",
        "/_lambent/code/../lambent.db",
        "/_lambent/code/",
        "/_lambent/code/" + "A" * 64,
    ],
)
def test_code_downloads_serve_only_stored_packages(endpoint: str, path: str) -> None:
    url = urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    assert (response.status, response.read()) == (404, b"Not Found")
    connection.close()
