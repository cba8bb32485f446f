"""Where each member of an operation's input or output lives on the wire, read from the
model once per shape (models live as long as the server: so does this)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from botocore.model import Shape, StructureShape


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    #: One of the locations the caller handles, else ``payload`` (the member the shape
    #: names as its payload) or ``body`` (a member of the JSON document).
    location: str
    #: Its name on the wire.
    wire: str
    #: ``wire`` in lower case: how parsed request headers are keyed.
    key: str
    shape: Shape


@dataclass(frozen=True, slots=True)
class Layout:
    payload_name: str | None
    #: Every member, in model order.
    members: tuple[Member, ...]
    #: The ``body`` ones.
    body: tuple[Member, ...]


@functools.cache
def layout(shape: StructureShape, located: frozenset[str]) -> Layout:
    """``shape``'s members, each at its model location if it is one of ``located``."""
    payload_name = shape.serialization.get("payload")
    members = []
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location not in located:
            location = "payload" if name == payload_name else "body"
        wire = member.serialization.get("name", name)
        members.append(Member(name, location, wire, wire.lower(), member))
    body = tuple(m for m in members if m.location == "body")
    return Layout(payload_name, tuple(members), body)
