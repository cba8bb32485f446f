"""Request ids are version-4 UUIDs in canonical form, and do not repeat."""

from __future__ import annotations

import uuid

from lambent.domain.ids import request_id


def test_request_ids_are_canonical_version_4_uuids() -> None:
    for _ in range(1000):
        text = request_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_request_ids_do_not_repeat() -> None:
    assert len({request_id() for _ in range(10000)}) == 10000
