"""A layer version's configuration as Lambda shapes it (``GetLayerVersionResponse``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambent.domain.arn import layer_arn
from lambent.domain.clock import aws_timestamp
from lambent.domain.function import CodeInfo

Config = dict[str, Any]

#: Request members stored as sent, only when sent (AWS leaves them out otherwise).
_OPTIONAL = ("CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures")


def new_layer_version(
    account: str,
    region: str,
    name: str,
    version: int,
    params: Mapping[str, Any],
    *,
    code: CodeInfo,
    unzipped: int,
    now: float,
) -> Config:
    """What PublishLayerVersion stores and answers. ``Content.Location`` is added when
    shown, because it depends on how the client reached us; ``_unzipped`` (never shown)
    is what the layer adds to a function's unzipped size."""
    config: Config = {
        "Content": {"CodeSha256": code.sha256_b64, "CodeSize": code.size},
        "LayerArn": layer_arn(account, region, name),
        "LayerVersionArn": layer_arn(account, region, name, version),
        "Description": params.get("Description", ""),
        "CreatedDate": aws_timestamp(now),
        "Version": version,
    }
    for key in _OPTIONAL:
        if key in params:
            config[key] = params[key]
    config["_unzipped"] = unzipped
    return config


def matches(config: Config, runtime: str | None, architecture: str | None) -> bool:
    """Whether a version declares the runtime and architecture a listing filters by
    (AWS lists "only layers that indicate that they're compatible")."""
    if runtime is not None and runtime not in config.get("CompatibleRuntimes", ()):
        return False
    return architecture is None or architecture in config.get("CompatibleArchitectures", ())


def latest_matching(
    versions: Iterable[Config], runtime: str | None, architecture: str | None
) -> list[Config]:
    """ListLayers: per layer, its newest version that matches; ``versions`` come grouped
    by layer, newest first."""
    found: dict[str, Config] = {}
    for config in versions:
        arn = config["LayerArn"]
        if arn not in found and matches(config, runtime, architecture):
            found[arn] = config
    return list(found.values())
