"""Turning an HTTP request into an operation's parameters, typed by the model's shapes."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from lambent.errors import InvalidRequestContent
from lambent.protocol.layout import layout

_BODY_PREFIX = "Could not parse request body into json: "


def _bad(detail: str) -> InvalidRequestContent:
    return InvalidRequestContent(_BODY_PREFIX + detail)


def _scalar(shape: Shape, raw: str, where: str) -> Any:
    """A value from the URI, query string or a header."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise _bad(f"Could not parse '{raw}' as a number for '{where}'") from None
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise _bad(f"Could not parse '{raw}' as a boolean for '{where}'")
        return raw.lower() == "true"
    return raw


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "double": (int, float),
    "float": (int, float),
    "timestamp": (int, float, str),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "blob": (str,),
}


def from_json(shape: Shape, value: Any, where: str) -> Any:
    """Check a JSON value against its shape and decode what JSON cannot carry (blobs)."""
    if value is None:
        return None
    kind = shape.type_name
    expected = _JSON_TYPES.get(kind)
    mismatch = expected is not None and not isinstance(value, expected)
    if kind in ("integer", "long") and isinstance(value, bool):
        mismatch = True
    if mismatch:
        raise _bad(f"Cannot deserialize value of type {kind} for '{where}' from {value!r}")
    if kind in ("double", "float"):
        return float(value)  # Java prints doubles as 1.0, and so must our messages
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(f"Could not decode base64 for '{where}'") from None
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = shape.members
        # A member sent as JSON null is a member not sent, as Coral reads it.
        return {
            name: from_json(members[name], item, f"{where}.{name}" if where else name)
            for name, item in value.items()
            if name in members and item is not None
        }
    if kind == "list":
        member = shape.member
        return [from_json(member, item, where) for item in value]
    if kind == "map":
        key_shape, value_shape = shape.key, shape.value
        return {
            from_json(key_shape, k, where): from_json(value_shape, v, where)
            for k, v in value.items()
        }
    return value


#: The input locations a request is read from; the rest is the body.
_LOCATED = frozenset({"uri", "querystring", "header", "headers"})


def parse_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The operation's input, by member name, from wherever the model says it lives."""
    shape = operation.input_shape
    if shape is None:
        return {}
    wire = layout(shape, _LOCATED)
    params: dict[str, Any] = {}
    for m in wire.members:
        location, name, member = m.location, m.name, m.shape
        if location == "uri":
            if m.wire in labels:
                params[name] = _scalar(member, labels[m.wire], name)
        elif location == "querystring":
            if member.type_name == "map":
                params[name] = {k: v[-1] for k, v in query.items()}
            elif m.wire in query:
                values = query[m.wire]
                if member.type_name == "list":
                    params[name] = [_scalar(member.member, v, name) for v in values]
                else:
                    params[name] = _scalar(member, values[-1], name)
        elif location == "header":
            raw = headers.get(m.key)
            if raw is not None:
                params[name] = _scalar(member, raw, name)
        elif location == "headers":
            prefix = m.key
            found = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
            if found:
                params[name] = found
        elif location == "payload":
            if member.type_name == "blob":
                params[name] = body
            elif body:
                params[name] = from_json(member, load_json(body), name)
    if wire.body and wire.payload_name is None and body:
        document = load_json(body)
        if not isinstance(document, dict):
            raise _bad("Request body must be a JSON object")
        for m in wire.body:
            if document.get(m.name) is not None:
                params[m.name] = from_json(m.shape, document[m.name], m.name)
    return params


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise _bad(f"Could not parse payload into json: {e}") from None
    except RecursionError:  # nesting deeper than the parser's stack: a client's mistake
        raise _bad("Could not parse payload into json: nesting too deep") from None
