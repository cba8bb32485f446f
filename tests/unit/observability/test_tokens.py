"""Event ids and paging tokens: AWS's shapes, round trips, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambent.observability import tokens

TIMESTAMPS = st.integers(0, 2**47)
ROWS = st.integers(1, 2**63 - 1)
KEYS = st.tuples(TIMESTAMPS, ROWS)


def test_event_ids_look_like_aws_and_carry_the_timestamp_in_the_top_bits() -> None:
    # The last event of a real GetLogEvents page (timestamp 1670104961396) and its token.
    aws = 37244585198894018719737368029837252154619475174123241475
    assert aws >> 144 == 1670104961396
    ours = tokens.event_id((1670104961396, 42))
    assert len(ours) == 56 and ours.isdigit()
    assert int(ours) >> 144 == 1670104961396


@given(KEYS)
def test_event_ids_round_trip(key: tuple[int, int]) -> None:
    assert tokens.parse_event_id(tokens.event_id(key)) == key


# From 2001-09-09 to 2112: the times whose ids have exactly AWS's 56 digits.
FIFTY_SIX_DIGITS = st.tuples(st.integers(10**12, 4_484_155_085_000), ROWS)


@given(FIFTY_SIX_DIGITS, FIFTY_SIX_DIGITS)
def test_event_ids_sort_as_their_events(a: tuple[int, int], b: tuple[int, int]) -> None:
    assert (tokens.event_id(a) < tokens.event_id(b)) is (a < b)


@given(st.booleans(), KEYS)
def test_stream_tokens_round_trip(forward: bool, key: tuple[int, int]) -> None:
    token = tokens.stream_token(forward, key)
    assert token.startswith("f/" if forward else "b/") and token.endswith("/s")
    assert tokens.parse_stream_token(token) == (forward, key)


def test_stream_tokens_without_the_suffix_are_read_too() -> None:
    digits = tokens.event_id((5, 6))
    assert tokens.parse_stream_token(f"b/{digits}") == (False, (5, 6))


@given(st.booleans(), KEYS)
def test_filter_tokens_round_trip(forward: bool, key: tuple[int, int]) -> None:
    assert tokens.parse_filter_token(tokens.filter_token(forward, key)) == (forward, key)


@given(st.text(min_size=1))
def test_group_tokens_round_trip(name: str) -> None:
    assert tokens.parse_groups_token(tokens.groups_token(name)) == name


@given(st.integers(0, 2**47), st.text(min_size=1))
def test_stream_listing_tokens_round_trip(last: int, name: str) -> None:
    assert tokens.parse_streams_token(tokens.streams_token(last, name)) == (last, name)


@pytest.mark.parametrize(
    "token", ["", "x", "f/", "f/abc/s", "q/123/s", "f/123/t", tokens.filter_token(True, (1, 2))]
)
def test_foreign_stream_tokens_are_refused(token: str) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.parse_stream_token(token)


@pytest.mark.parametrize(
    "token",
    ["", "!!!", "bm90IGpzb24", tokens.groups_token("g"), tokens.stream_token(True, (1, 2))],
)
def test_foreign_filter_tokens_are_refused(token: str) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.parse_filter_token(token)


def test_listing_tokens_are_not_interchangeable() -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.parse_groups_token(tokens.streams_token(0, "s"))
    with pytest.raises(tokens.InvalidToken):
        tokens.parse_streams_token(tokens.groups_token("g"))
