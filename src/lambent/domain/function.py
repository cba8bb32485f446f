"""A function's configuration as Lambda shapes it: defaults, updates, versions, states.

A configuration is kept exactly as AWS returns it (``FunctionConfiguration`` of the
service model), so every field the model knows is stored and returned as sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambent.domain import limits
from lambent.domain.arn import LATEST, function_arn
from lambent.domain.clock import aws_timestamp
from lambent.domain.rules import Kind, RuleViolation, constraint_message, violation

Config = dict[str, Any]

#: Request members stored in the configuration as they come.
_AS_SENT = (
    "Role",
    "Handler",
    "Runtime",
    "Description",
    "Timeout",
    "MemorySize",
    "KMSKeyArn",
    "DeadLetterConfig",
    "FileSystemConfigs",
    "EphemeralStorage",
    "PackageType",
    "Architectures",
    "CapacityProviderConfig",
    "DurableConfig",
    "TenancyConfig",
)

#: AWS docs, "Defined runtime environment variables": keys a function may not set.
RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

_ENV_PREFIX = "Lambda was unable to configure your environment variables because the "
#: Lambda's real ceilings where the model's are looser (AWS answers these as
#: ValidationException with Coral's wording).
_MEMORY_MAX = 10240
_NAME_MAX = 64

CREATING = "The function is being created."


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a configuration records of its deployment package."""

    sha256_hex: str
    size: int

    @property
    def sha256_b64(self) -> str:
        """``CodeSha256``: the base64 of the package's SHA-256."""
        return base64.b64encode(bytes.fromhex(self.sha256_hex)).decode()


def new_revision_id() -> str:
    return str(uuid.uuid4())


def check_environment(variables: Mapping[str, str]) -> None:
    """Reserved keys and the 4 KB ceiling, in AWS's words."""
    reserved = [key for key in variables if key in RESERVED_ENVIRONMENT_KEYS]
    if reserved:
        raise RuleViolation(
            _ENV_PREFIX + "environment variables you have provided contains reserved keys "
            "that are currently not supported for modification. Reserved keys used in this "
            "request: " + ", ".join(reserved)
        )
    measured = json.dumps(dict(variables), separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > limits.ENVIRONMENT_MAX:
        raise RuleViolation(
            _ENV_PREFIX + "environment variables you have provided exceeded the 4KB limit. "
            f"String measured: {measured}"
        )


def check_runtime(runtime: str | None, known: list[str]) -> None:
    """AWS answers an unknown runtime with InvalidParameterValue, not ValidationException."""
    if runtime is not None and runtime not in known:
        raise RuleViolation(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{', '.join(known)}] or be a valid ARN"
        )


def check_limits(params: Mapping[str, Any]) -> None:
    """Lambda's ceilings that the published model leaves open."""
    broken = []
    timeout = params.get("Timeout")
    if timeout is not None and timeout > limits.TIMEOUT_MAX:
        broken.append(
            violation(
                "timeout",
                str(timeout),
                f"Member must have value less than or equal to {limits.TIMEOUT_MAX}",
            )
        )
    memory = params.get("MemorySize")
    if memory is not None and memory > _MEMORY_MAX:
        broken.append(
            violation(
                "memorySize",
                str(memory),
                f"Member must have value less than or equal to {_MEMORY_MAX}",
            )
        )
    storage = (params.get("EphemeralStorage") or {}).get("Size")
    if storage is not None and storage > _MEMORY_MAX:  # /tmp: 512 to 10240 MB, as memory
        broken.append(
            violation(
                "ephemeralStorage.size",
                str(storage),
                f"Member must have value less than or equal to {_MEMORY_MAX}",
            )
        )
    if broken:
        raise RuleViolation(constraint_message(broken), Kind.VALIDATION)


def check_new_name(name: str) -> None:
    """A new function's plain name is at most 64 characters (AWS: InvalidParameterValue)."""
    if len(name) > _NAME_MAX:
        raise RuleViolation(
            constraint_message(
                [
                    violation(
                        "functionName",
                        name,
                        f"Member must have length less than or equal to {_NAME_MAX}",
                    )
                ]
            )
        )


def _runtime_version_arn(region: str, runtime: str) -> str:
    digest = hashlib.sha256(runtime.encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{digest}"


def _logging_config(name: str, sent: Mapping[str, Any] | None, current: Config | None) -> Config:
    merged: Config = dict(current or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"})
    merged.update(sent or {})
    if merged.get("LogFormat") == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
    else:
        merged.pop("ApplicationLogLevel", None)
        merged.pop("SystemLogLevel", None)
    return merged


def _apply(config: Config, params: Mapping[str, Any], region: str) -> None:
    """Write the configuration members of a Create/UpdateFunctionConfiguration request."""
    for key in _AS_SENT:
        if key in params:
            config[key] = params[key]
    if "Environment" in params:
        config["Environment"] = {"Variables": dict(params["Environment"].get("Variables", {}))}
    if "TracingConfig" in params:
        config["TracingConfig"] = {"Mode": params["TracingConfig"].get("Mode", "PassThrough")}
    if "VpcConfig" in params:
        vpc = params["VpcConfig"]
        config["VpcConfig"] = {
            "SubnetIds": list(vpc.get("SubnetIds", [])),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds", [])),
            "Ipv6AllowedForDualStack": bool(vpc.get("Ipv6AllowedForDualStack", False)),
            "VpcId": "",
        }
    if "ImageConfig" in params:
        config["ImageConfigResponse"] = {"ImageConfig": dict(params["ImageConfig"])}
    if "SnapStart" in params:
        config["SnapStart"] = {
            "ApplyOn": params["SnapStart"].get("ApplyOn", "None"),
            "OptimizationStatus": "Off",
        }
    if "LoggingConfig" in params:
        config["LoggingConfig"] = _logging_config(
            config["FunctionName"], params["LoggingConfig"], config.get("LoggingConfig")
        )
    if config.get("Runtime"):
        config["RuntimeVersionConfig"] = {
            "RuntimeVersionArn": _runtime_version_arn(region, config["Runtime"])
        }


def new_configuration(
    account: str,
    region: str,
    name: str,
    params: Mapping[str, Any],
    *,
    code: CodeInfo,
    layers: list[Config],
    now: float,
) -> Config:
    """``$LATEST`` of a function being created: AWS's defaults, then what was sent."""
    config: Config = {
        "FunctionName": name,
        "FunctionArn": function_arn(account, region, name),
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": _logging_config(name, None, None),
        "Version": LATEST,
    }
    _apply(config, params, region)
    if layers:
        config["Layers"] = layers
    config.update(
        CodeSha256=code.sha256_b64,
        CodeSize=code.size,
        LastModified=aws_timestamp(now),
        RevisionId=new_revision_id(),
        State="Pending",
        StateReason=CREATING,
        StateReasonCode="Creating",
    )
    return config


def updated_configuration(
    current: Config, params: Mapping[str, Any], region: str, layers: list[Config] | None, now: float
) -> Config:
    """``$LATEST`` after UpdateFunctionConfiguration: an update in progress."""
    config = dict(current)
    _apply(config, params, region)
    if layers is not None:
        if layers:
            config["Layers"] = layers
        else:
            config.pop("Layers", None)
    return _updating(config, now)


def updated_code(current: Config, code: CodeInfo, now: float) -> Config:
    """``$LATEST`` after UpdateFunctionCode."""
    config = dict(current, CodeSha256=code.sha256_b64, CodeSize=code.size)
    return _updating(config, now)


def _updating(config: Config, now: float) -> Config:
    config.update(
        LastModified=aws_timestamp(now),
        RevisionId=new_revision_id(),
        LastUpdateStatus="InProgress",
        LastUpdateStatusReason=CREATING,
        LastUpdateStatusReasonCode="Creating",
    )
    return config


def settled(config: Config) -> Config:
    """The configuration once its creation or update has finished: Active, Successful."""
    done = {
        k: v
        for k, v in config.items()
        if k
        not in (
            "StateReason",
            "StateReasonCode",
            "LastUpdateStatusReason",
            "LastUpdateStatusReasonCode",
        )
    }
    done.update(State="Active", LastUpdateStatus="Successful")
    return done


def failed(config: Config, reason: str) -> Config:
    """The configuration after its creation or update could not be applied."""
    done = settled(config)
    if config.get("State") == "Pending":
        done.update(State="Failed", StateReason=reason, StateReasonCode="InvalidZipFileException")
        done.pop("LastUpdateStatus", None)
    else:
        done.update(
            LastUpdateStatus="Failed",
            LastUpdateStatusReason=reason,
            LastUpdateStatusReasonCode="InvalidZipFileException",
        )
    return done


def published(latest: Config, account: str, region: str, version: int, now: float) -> Config:
    """A new version's configuration: a frozen copy of ``$LATEST``."""
    config = settled(latest)
    config.update(
        FunctionArn=function_arn(account, region, latest["FunctionName"], str(version)),
        Version=str(version),
        LastModified=aws_timestamp(now),
        RevisionId=new_revision_id(),
    )
    snap = config.get("SnapStart")
    if snap and snap.get("ApplyOn") == "PublishedVersions":
        config["SnapStart"] = dict(snap, OptimizationStatus="On")
    return config


def qualified(config: Config, qualifier: str) -> Config:
    """The configuration as seen through a qualifier: the ARN carries it."""
    name = config["FunctionName"]
    arn = config["FunctionArn"].rsplit(":function:", 1)[0] + f":function:{name}:{qualifier}"
    return dict(config, FunctionArn=arn)


_NOT_LISTED = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)


def listed(config: Config) -> Config:
    """A configuration as ListFunctions and ListVersionsByFunction show it."""
    return {k: v for k, v in config.items() if k not in _NOT_LISTED}


def in_progress(config: Config) -> bool:
    return config.get("State") == "Pending" or config.get("LastUpdateStatus") == "InProgress"


def updating_conflict(config: Config) -> RuleViolation:
    """AWS refuses a change while the last one is still being applied."""
    arn = config["FunctionArn"]
    if config.get("State") == "Pending":
        return RuleViolation(
            "The operation cannot be performed at this time. The resource "
            f"{arn} is currently in the following state: 'Pending'. StateReasonCode: 'Creating'",
            Kind.CONFLICT,
        )
    return RuleViolation(
        "The operation cannot be performed at this time. "
        f"An update is in progress for resource: {arn}",
        Kind.CONFLICT,
    )
