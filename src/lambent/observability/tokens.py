"""Event ids and paging tokens: how an event's place is written for clients, and read back.

An event's key is ``(timestamp, row id)``. AWS's event ids and GetLogEvents tokens are
56-digit numbers whose top bits are the event's timestamp in milliseconds (a token seen
in the wild, ``f/37244585198894018719737368029837252154619475174123241475/s``, divided by
2**144 is 1670104961396, the timestamp of the page's last event); ours are the same
shape: ``timestamp << 144 | row id``, zero-padded to 56 digits. They sort as the events
do, so a client that compares them (``aws logs tail`` de-duplicates by them) sees AWS's
order.

GetLogEvents answers ``f/<key>/s`` (read forward, after the page's last event) and
``b/<key>/s`` (read backward, before its first). FilterLogEvents, DescribeLogGroups and
DescribeLogStreams answer opaque tokens: base64 of what the next page starts after.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

Key = tuple[int, int]

_ID_BITS = 144
_ID_MASK = (1 << _ID_BITS) - 1
_DIGITS = 56
_STREAM_TOKEN = re.compile(r"^([fb])/(\d{1,80})(?:/s)?$")


class InvalidToken(ValueError):
    """A token we did not issue (or one for another kind of request)."""


def event_id(key: Key) -> str:
    """The ``eventId`` of the event at ``key``: stable for as long as the event is kept."""
    timestamp, row = key
    return f"{timestamp << _ID_BITS | row:0{_DIGITS}d}"


def parse_event_id(value: str) -> Key:
    if not value.isdigit():
        raise InvalidToken(value)
    number = int(value)
    return number >> _ID_BITS, number & _ID_MASK


def stream_token(forward: bool, key: Key) -> str:
    """A GetLogEvents token: read on forward after ``key``, or backward before it."""
    return f"{'f' if forward else 'b'}/{event_id(key)}/s"


def parse_stream_token(token: str) -> tuple[bool, Key]:
    """``(forward, key)`` of a GetLogEvents token."""
    found = _STREAM_TOKEN.match(token)
    if found is None:
        raise InvalidToken(token)
    return found.group(1) == "f", parse_event_id(found.group(2))


def _encode(kind: str, value: list[Any]) -> str:
    raw = json.dumps([kind, *value], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(kind: str, token: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as e:
        raise InvalidToken(token) from e
    if not isinstance(value, list) or not value or value[0] != kind:
        raise InvalidToken(token)
    return value[1:]


def filter_token(forward: bool, key: Key) -> str:
    """A FilterLogEvents token: the scan resumes beyond ``key``, in the same direction."""
    return _encode("filter", [forward, *key])


def parse_filter_token(token: str) -> tuple[bool, Key]:
    value = _decode("filter", token)
    match value:
        case [bool(forward), int(timestamp), int(row)] if timestamp >= 0 and row >= 0:
            return forward, (timestamp, row)
    raise InvalidToken(token)


def groups_token(last_name: str) -> str:
    """A DescribeLogGroups token: the next page starts after the group ``last_name``."""
    return _encode("groups", [last_name])


def parse_groups_token(token: str) -> str:
    match _decode("groups", token):
        case [str(name)]:
            return name
    raise InvalidToken(token)


def streams_token(last_event: int, last_name: str) -> str:
    """A DescribeLogStreams token: the next page starts after this sort key."""
    return _encode("streams", [last_event, last_name])


def parse_streams_token(token: str) -> tuple[int, str]:
    match _decode("streams", token):
        case [int(last_event), str(name)]:
            return last_event, name
    raise InvalidToken(token)
