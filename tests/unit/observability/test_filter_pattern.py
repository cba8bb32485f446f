"""Filter patterns: the unstructured-term syntax and JSON patterns, as AWS documents them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambent.observability.filter_pattern import InvalidPattern, compile_pattern

WORDS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1
)


def matches(pattern: str, message: str) -> bool:
    return compile_pattern(pattern)(message)


@pytest.mark.parametrize("pattern", ["", "   ", '" "'])
def test_empty_patterns_match_everything(pattern: str) -> None:
    assert matches(pattern, "anything at all")
    assert matches(pattern, "")


def test_a_term_matches_whole_words_case_sensitively() -> None:
    assert matches("ERROR", "[ERROR 400] BAD REQUEST")
    assert matches("ERROR", "ERROR: disk full")
    assert not matches("ERROR", "error: disk full")
    # AWS's own example needs the regex %AUTHORIZED% to find UNAUTHORIZED.
    assert not matches("AUTHORIZED", "[ERROR 401] UNAUTHORIZED REQUEST")
    assert matches("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST")


def test_several_terms_must_all_be_present() -> None:
    assert matches("ERROR ARGUMENTS", "[ERROR] bad ARGUMENTS given")
    assert not matches("ERROR ARGUMENTS", "[ERROR] bad request")


def test_a_quoted_phrase_matches_exactly() -> None:
    assert matches('"Task timed out"', "2024-01-01 Task timed out after 3.00 seconds")
    assert not matches('"Task timed out"', "Task has timed out")
    assert matches('"user=alice"', "login user=alice ok")
    assert matches('"say \\"hi\\""', 'they say "hi" twice')


def test_question_marks_make_terms_alternatives() -> None:
    assert matches("?ERROR ?WARN", "WARN low disk")
    assert matches("?ERROR ?WARN", "ERROR no disk")
    assert not matches("?ERROR ?WARN", "INFO all good")
    assert matches('?"Task timed out" ?ERROR', "Task timed out after 3.00 seconds")


def test_a_minus_excludes_a_term() -> None:
    assert matches("ERROR -DEBUG", "ERROR in handler")
    assert not matches("ERROR -DEBUG", "DEBUG ERROR in handler")
    assert matches('-"health check"', "GET /orders")
    assert not matches('-"health check"', "GET /health check")


def test_regex_terms() -> None:
    assert matches("%[0-9]{3}ms%", "took 250ms")
    assert not matches("%[0-9]{3}ms%", "took 25ms")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ('""', "Invalid character(s) in term '\"\"'"),
        ('"unterminated', "Invalid filter pattern"),
        ("{ $.a = 1", "If a filter pattern starts with '{' it must end with '}'"),
        ("{ a = 1 }", "Invalid filter pattern"),
        ("{ $.a == 1 }", "Invalid filter pattern"),
        ('{ $.a > "x" }', "Invalid filter pattern"),
        ("{ ($.a = 1 }", "Invalid filter pattern"),
        ("{ $.a = 1 && }", "Invalid filter pattern"),
        ("{ $.a IS MAYBE }", "Invalid filter pattern"),
    ],
)
def test_invalid_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(InvalidPattern) as caught:
        compile_pattern(pattern)
    assert str(caught.value) == message


EVENT = json.dumps(
    {
        "level": "ERROR",
        "latency": 250,
        "ratio": 0.5,
        "user": {"id": 7, "email": "John.Doe@example.com"},
        "actions": ["GET", "PUT"],
        "flag": True,
        "nothing": None,
        "ip": "123.123.1.9",
    }
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.level = "ERROR" }', True),
        ('{ $.level = "WARN" }', False),
        ('{ $.level != "WARN" }', True),
        ("{ $.level = ERROR }", True),
        ('{ $.level = "ERR*" }', True),
        ('{ $.level = "*RR*" }', True),
        ('{ $.level = "ERR" }', False),
        ("{ $.ip = 123.123.* }", True),
        ("{ $.latency > 100 }", True),
        ("{ $.latency >= 250 }", True),
        ("{ $.latency < 250 }", False),
        ("{ $.latency <= 250 }", True),
        ("{ $.latency = 250 }", True),
        ("{ $.latency != 250 }", False),
        ("{ $.ratio < 1 }", True),
        ("{ $.latency > 1e2 }", True),
        ('{ $.latency = "250" }', False),
        ("{ $.level > 1 }", False),
        ("{ $.user.id = 7 }", True),
        ('{ $.user.email = "John.Doe@example.com" }', True),
        ('{ $.actions[1] = "PUT" }', True),
        ('{ $.actions[5] = "PUT" }', False),
        ("{ $.flag IS TRUE }", True),
        ("{ $.flag IS FALSE }", False),
        ("{ $.nothing IS NULL }", True),
        ("{ $.missing NOT EXISTS }", True),
        ("{ $.level NOT EXISTS }", False),
        ('{ $.missing != "x" }', False),
        ('{ $.level = "ERROR" && $.latency > 100 }', True),
        ('{ $.level = "ERROR" && $.latency > 1000 }', False),
        ('{ $.level = "WARN" || $.latency > 100 }', True),
        ('{ ($.user.id = 2 && $.level = "ERROR") || $.actions[0] = "GET" }', True),
        ('{ ($.user.id = 2 || $.level = "WARN") && $.actions[0] = "GET" }', False),
        ("{ $.level = %ERR% }", True),
        ("{ $.level = %^WARN% }", False),
    ],
)
def test_json_patterns(pattern: str, expected: bool) -> None:
    assert matches(pattern, EVENT) is expected


def test_json_patterns_match_no_unstructured_event() -> None:
    assert not matches('{ $.level = "ERROR" }', "ERROR level")
    assert not matches("{ $.a NOT EXISTS }", "[1, 2]")


def test_a_trailing_newline_does_not_hide_the_json() -> None:
    assert matches('{ $.level = "ERROR" }', '{"level": "ERROR"}\n')


@given(st.lists(WORDS, min_size=1, max_size=4), st.lists(WORDS, max_size=4))
def test_terms_match_exactly_when_each_is_a_word_of_the_message(
    terms: list[str], others: list[str]
) -> None:
    message = " ".join([*others, *terms])
    assert matches(" ".join(terms), message)
    words = set(message.split())
    absent = "Z" + "".join(terms) + "Q"
    assert matches(f"{terms[0]} {absent}", message) is (absent in words)


@given(WORDS, st.lists(WORDS, max_size=5))
def test_exclusion_is_the_negation_of_inclusion(term: str, words: list[str]) -> None:
    message = " ".join(words)
    assert matches(f"-{term}", message) is not matches(term, message)


@given(st.lists(WORDS, min_size=1, max_size=4), st.lists(WORDS, max_size=5))
def test_alternatives_match_when_any_does(terms: list[str], words: list[str]) -> None:
    message = " ".join(words)
    pattern = " ".join(f"?{term}" for term in terms)
    assert matches(pattern, message) is any(matches(term, message) for term in terms)


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_numeric_comparisons_agree_with_python(value: int, bound: int) -> None:
    event = json.dumps({"n": value})
    assert matches(f"{{ $.n > {bound} }}", event) is (value > bound)
    assert matches(f"{{ $.n <= {bound} }}", event) is (value <= bound)
    assert matches(f"{{ $.n = {bound} }}", event) is (value == bound)
