"""Tagging rules: merging, removing, the empty map and the 50-tag limit."""

from __future__ import annotations

import pytest

from lambent.domain import tags
from lambent.domain.rules import Kind, RuleViolation


def test_tagged_merges_and_overwrites() -> None:
    assert tags.tagged({"a": "1", "b": "2"}, {"b": "3", "c": "4"}) == {"a": "1", "b": "3", "c": "4"}


def test_empty_tags_are_refused() -> None:
    with pytest.raises(RuleViolation) as e:
        tags.tagged({"a": "1"}, {})
    assert e.value.kind is Kind.INVALID_PARAMETER
    assert str(e.value) == "An error occurred and the request cannot be processed."


def test_limit_counts_the_merged_tags() -> None:
    current = {f"k{i}": "v" for i in range(49)}
    assert len(tags.tagged(current, {"k0": "w", "new": "v"})) == 50
    with pytest.raises(RuleViolation) as e:
        tags.tagged(current, {"new1": "v", "new2": "v"})
    assert str(e.value) == "Number of tags exceeds resource tag limit."


def test_untagged_ignores_unknown_keys() -> None:
    assert tags.untagged({"a": "1", "b": "2"}, ["a", "zzz"]) == {"b": "2"}
