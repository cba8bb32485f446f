"""Layer version configurations and the ListLayers / ListLayerVersions filters."""

from __future__ import annotations

from lambent.domain import layer
from lambent.domain.function import CodeInfo

SHA = "ab" * 32


def _version(name: str, number: int, **params: object) -> layer.Config:
    return layer.new_layer_version(
        "123456789012",
        "us-east-1",
        name,
        number,
        params,
        code=CodeInfo(SHA, 10),
        unzipped=25,
        now=1_550_676_808.335,
    )


def test_new_layer_version_has_aws_shape() -> None:
    config = _version("l", 3, LicenseInfo="MIT", CompatibleRuntimes=["python3.12"])
    assert config == {
        "Content": {"CodeSha256": CodeInfo(SHA, 10).sha256_b64, "CodeSize": 10},
        "LayerArn": "arn:aws:lambda:us-east-1:123456789012:layer:l",
        "LayerVersionArn": "arn:aws:lambda:us-east-1:123456789012:layer:l:3",
        "Description": "",
        "CreatedDate": "2019-02-20T15:33:28.335+0000",
        "Version": 3,
        "CompatibleRuntimes": ["python3.12"],
        "LicenseInfo": "MIT",
        "_unzipped": 25,
    }


def test_filters_need_declared_compatibility() -> None:
    bare = _version("l", 1)
    py = _version("l", 2, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["arm64"])
    assert layer.matches(bare, None, None)
    assert not layer.matches(bare, "python3.12", None)
    assert not layer.matches(bare, None, "arm64")
    assert layer.matches(py, "python3.12", "arm64")
    assert not layer.matches(py, "nodejs20.x", None)
    assert not layer.matches(py, None, "x86_64")


def test_latest_matching_takes_each_layers_newest_match() -> None:
    versions = [
        _version("a", 3),
        _version("a", 2, CompatibleRuntimes=["python3.12"]),
        _version("a", 1, CompatibleRuntimes=["python3.12"]),
        _version("b", 1),
    ]
    newest = layer.latest_matching(versions, None, None)
    assert [(v["LayerArn"][-1], v["Version"]) for v in newest] == [("a", 3), ("b", 1)]
    python = layer.latest_matching(versions, "python3.12", None)
    assert [(v["LayerArn"][-1], v["Version"]) for v in python] == [("a", 2)]
