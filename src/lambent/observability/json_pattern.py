"""CloudWatch Logs JSON filter patterns: ``{ $.level = "ERROR" && $.latency > 100 }``.

What is inside the braces: comparisons of a selector (``$.a.b[0].c``) with a value,
joined by ``&&`` and ``||`` (``&&`` binds tighter) and grouped with parentheses.

- ``=`` and ``!=`` compare strings (``*`` in the value is a wildcard; unquoted words are
  strings too) or numbers; ``<``, ``>``, ``<=``, ``>=`` compare numbers only;
- a value between ``%`` is a regular expression the string must contain a match of;
- ``IS NULL``, ``IS TRUE``, ``IS FALSE`` and ``NOT EXISTS`` test the member itself.

An event whose message is not a JSON object matches no JSON pattern, and a comparison
whose member is missing or of another type does not hold (``!=`` included).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

_MISSING = object()
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<and>&&) | (?P<or>\|\|) | (?P<open>\() | (?P<close>\))
    | (?P<op><=|>=|!=|=|<|>)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<regex>%[^%]+%)
    | (?P<word>[^\s()=!<>&|"]+)
    )""",
    re.VERBOSE,
)
_SELECTOR_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

Predicate = Callable[[Any], bool]


def compile_json(body: str, error: Callable[[str], Exception]) -> Callable[[str], bool]:
    """The matcher for the pattern ``{body}``; ``error(message)`` is raised when invalid."""
    parser = _Parser(_tokens(body, error), error)
    predicate = parser.expression()
    if parser.peek() is not None:
        raise error("Invalid filter pattern")

    def matches(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return isinstance(document, dict) and predicate(document)

    return matches


def _tokens(body: str, error: Callable[[str], Exception]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        if body[position:].strip() == "":
            break
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            raise error("Invalid filter pattern")
        kind = match.lastgroup
        assert kind is not None
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], error: Callable[[str], Exception]):
        self._tokens = tokens
        self._at = 0
        self._error = error

    def peek(self) -> tuple[str, str] | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self._error("Invalid filter pattern")
        self._at += 1
        return token

    def expression(self) -> Predicate:
        terms = [self._conjunction()]
        while (token := self.peek()) is not None and token[0] == "or":
            self._at += 1
            terms.append(self._conjunction())
        return terms[0] if len(terms) == 1 else _any_of(terms)

    def _conjunction(self) -> Predicate:
        terms = [self._unary()]
        while (token := self.peek()) is not None and token[0] == "and":
            self._at += 1
            terms.append(self._unary())
        return terms[0] if len(terms) == 1 else _all_of(terms)

    def _unary(self) -> Predicate:
        kind, text = self._next()
        if kind == "open":
            inner = self.expression()
            if self._next()[0] != "close":
                raise self._error("Invalid filter pattern")
            return inner
        if kind != "word" or not text.startswith("$"):
            raise self._error("Invalid filter pattern")
        path = _selector(text, self._error)
        kind, text = self._next()
        if kind == "word" and text in ("IS", "NOT"):
            return self._test(path, text)
        if kind != "op":
            raise self._error("Invalid filter pattern")
        return _comparison(path, text, self._next(), self._error)

    def _test(self, path: list[str | int], keyword: str) -> Predicate:
        kind, text = self._next()
        if keyword == "NOT" and (kind, text) == ("word", "EXISTS"):
            return lambda doc: _resolve(doc, path) is _MISSING
        wanted = {"NULL": None, "TRUE": True, "FALSE": False}
        if keyword != "IS" or kind != "word" or text not in wanted:
            raise self._error("Invalid filter pattern")
        value = wanted[text]
        return lambda doc: _resolve(doc, path) is value


def _any_of(terms: list[Predicate]) -> Predicate:
    return lambda doc: any(term(doc) for term in terms)


def _all_of(terms: list[Predicate]) -> Predicate:
    return lambda doc: all(term(doc) for term in terms)


def _selector(text: str, error: Callable[[str], Exception]) -> list[str | int]:
    path: list[str | int] = []
    position = 1
    while position < len(text):
        match = _SELECTOR_PART.match(text, position)
        if match is None:
            raise error("Invalid filter pattern")
        name, index = match.groups()
        path.append(int(index) if index is not None else name)
        position = match.end()
    if not path:
        raise error("Invalid filter pattern")
    return path


def _resolve(document: Any, path: list[str | int]) -> Any:
    current = document
    for step in path:
        by_index = isinstance(step, int) and isinstance(current, list) and step < len(current)
        by_name = isinstance(step, str) and isinstance(current, dict) and step in current
        if not (by_index or by_name):
            return _MISSING
        current = current[step]
    return current


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _comparison(
    path: list[str | int],
    op: str,
    operand: tuple[str, str],
    error: Callable[[str], Exception],
) -> Predicate:
    kind, text = operand
    if kind == "word" and _NUMBER.match(text):
        bound = float(text)
        if not math.isfinite(bound):
            raise error("Invalid filter pattern")
        compare = _NUMERIC[op]

        def numeric(doc: Any) -> bool:
            value = _resolve(doc, path)
            return _is_number(value) and compare(float(value), bound)

        return numeric
    if op not in ("=", "!="):
        raise error("Invalid filter pattern")
    if kind == "regex":
        try:
            found = re.compile(text[1:-1]).search
        except re.error as e:
            raise error("Invalid regex filter pattern") from e
        test: Callable[[str], object] = found
    elif kind == "string":
        test = _glob(json.loads(text) if "\\" in text else text[1:-1])
    elif kind == "word":
        test = _glob(text)
    else:
        raise error("Invalid filter pattern")
    wanted = op == "="

    def textual(doc: Any) -> bool:
        value = _resolve(doc, path)
        return isinstance(value, str) and bool(test(value)) == wanted

    return textual


def _glob(pattern: str) -> Callable[[str], object]:
    """Whole-string match where ``*`` stands for any run of characters."""
    if "*" not in pattern:
        return lambda value: value == pattern
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
    return regex.fullmatch
