"""StateEnum: an Enum whose members hash by identity, and otherwise behave as any Enum's."""

from __future__ import annotations

import pickle

from lambent.domain.states import StateEnum


class Light(StateEnum):
    RED = "red"
    GREEN = "green"


def test_members_hash_by_identity_and_work_as_keys() -> None:
    assert hash(Light.RED) == object.__hash__(Light.RED)
    table = {Light.RED: "stop", Light.GREEN: "go"}
    assert table[Light("red")] == "stop" and Light.GREEN in frozenset(table)
    assert Light.RED != Light.GREEN and Light["GREEN"] is Light.GREEN


def test_members_are_still_enum_members() -> None:
    assert list(Light) == [Light.RED, Light.GREEN]
    assert pickle.loads(pickle.dumps(Light.GREEN)) is Light.GREEN
    assert Light.RED.value == "red" and Light.RED.name == "RED"
