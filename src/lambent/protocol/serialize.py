"""Operation results and errors turned into rest-json HTTP responses, as the model shapes them."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from lambent.errors import LambentError
from lambent.protocol.layout import layout

JSON_TYPE = b"application/json"


@dataclass(slots=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes = JSON_TYPE


def to_json(shape: Shape, value: Any) -> Any:
    """A result value as the model's JSON: unknown members dropped, blobs in base64."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = shape.members
        return {
            name: to_json(members[name], item)
            for name, item in value.items()
            if item is not None and name in members
        }
    if kind == "list":
        member = shape.member
        return [to_json(member, item) for item in value]
    if kind == "map":
        value_shape = shape.value
        return {k: to_json(value_shape, v) for k, v in value.items()}
    if kind == "blob":
        return base64.b64encode(value).decode()
    if kind == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    return value


def _header_value(value: Any) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    return str(value).encode()


def dumps(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


#: The output locations a response carries outside its body.
_LOCATED = frozenset({"statusCode", "header", "headers"})


def serialize_result(operation: OperationModel, result: Mapping[str, Any]) -> HttpResponse:
    response = HttpResponse(status=int(operation.http.get("responseCode", 200)))
    shape = operation.output_shape
    if shape is None:
        return response
    wire = layout(shape, _LOCATED)
    document: dict[str, Any] = {}
    for m in wire.members:
        value = result.get(m.name)
        if value is None:
            continue
        location, member = m.location, m.shape
        if location == "statusCode":
            response.status = int(value)
        elif location == "header":
            response.headers.append((m.wire.encode(), _header_value(value)))
        elif location == "headers":
            response.headers.extend(
                ((m.wire + k).encode(), _header_value(v)) for k, v in value.items()
            )
        elif location == "payload":
            if member.type_name == "blob":
                response.body = bytes(value)
                response.content_type = b"application/octet-stream"
            else:
                response.body = dumps(to_json(member, value))
        else:
            document[m.name] = to_json(member, value)
    if wire.payload_name is None:
        response.body = dumps(document)
    return response


def serialize_error(model: ServiceModel | None, error: LambentError) -> HttpResponse:
    """AWS's error wire format: ``x-amzn-ErrorType`` and a JSON body with ``Type`` and the
    message under the member name the modelled exception uses (``message`` or ``Message``).
    """
    message_key = error.message_key
    shape: StructureShape | None = None
    if model is not None and error.code in model.shape_names:
        found = model.shape_for(error.code)
        if isinstance(found, StructureShape):
            shape = found
            message_key = "Message" if "Message" in found.members else "message"
    document: dict[str, Any] = {}
    if error.typed:
        document["Type"] = "User" if error.sender_fault else "Service"
    document[message_key] = error.message
    response = HttpResponse(status=error.status)
    response.headers.append((b"x-amzn-ErrorType", error.code.encode()))
    for name, value in error.fields.items():
        member = shape.members.get(name) if shape is not None else None
        if member is not None and member.serialization.get("location") == "header":
            wire = member.serialization.get("name", name).encode()
            response.headers.append((wire, _header_value(value)))
        else:
            document[name] = value
    response.body = dumps(document)
    return response
