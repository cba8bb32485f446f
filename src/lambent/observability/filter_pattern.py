"""CloudWatch Logs filter patterns for unstructured events: terms, phrases, ``?``, ``-``.

The syntax (AWS's "Filter pattern syntax for metric filters, subscription filters,
filter log events, and Live Tail"):

- an empty pattern matches every event; so does ``" "``;
- ``ERROR`` matches events containing the term; ``ERROR ARGUMENTS`` both terms;
- ``"Task timed out"`` an exact phrase (quote terms with non-alphanumeric characters);
- ``?ERROR ?WARN`` either term; ``ERROR -DEBUG`` ERROR but not DEBUG;
- ``%regex%`` a regular expression;
- ``{ ... }`` a JSON pattern (``lambent.observability.json_pattern``).

Matching is case-sensitive, and a term matches whole words: AWS's own example needs the
regex ``%AUTHORIZED%`` to find ``UNAUTHORIZED``, so ``AUTHORIZED`` alone does not. A term
that starts (ends) with a letter or digit must not be preceded (followed) by one.
Space-delimited patterns (``[ip, user, ...]``) are not supported yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lambent.observability.json_pattern import compile_json

Matcher = Callable[[str], bool]

_ALNUM = "A-Za-z0-9"


class InvalidPattern(ValueError):
    """A filter pattern AWS would reject; ``str(self)`` is the message."""


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    quoted: bool
    regex: bool

    def compile(self) -> re.Pattern[str]:
        if self.regex:
            try:
                return re.compile(self.text)
            except re.error as e:
                raise InvalidPattern("Invalid regex filter pattern") from e
        before = f"(?<![{_ALNUM}])" if re.match(f"[{_ALNUM}]", self.text) else ""
        after = f"(?![{_ALNUM}])" if re.search(f"[{_ALNUM}]$", self.text) else ""
        return re.compile(before + re.escape(self.text) + after)


def compile_pattern(pattern: str) -> Matcher:
    """A predicate over event messages; raises InvalidPattern for what AWS rejects."""
    stripped = pattern.strip()
    if not stripped:
        return _everything
    if stripped.startswith("{"):
        if not stripped.endswith("}"):
            raise InvalidPattern("If a filter pattern starts with '{' it must end with '}'")
        return compile_json(stripped[1:-1], InvalidPattern)
    if stripped.startswith("["):
        raise InvalidPattern("Lambent does not support space-delimited filter patterns yet")
    required: list[re.Pattern[str]] = []
    optional: list[re.Pattern[str]] = []
    excluded: list[re.Pattern[str]] = []
    for sign, term in _terms(stripped):
        if term.quoted and not term.text.strip():
            if term.text:  # " " matches everything, as AWS documents
                continue
            raise InvalidPattern("Invalid character(s) in term '\"\"'")
        {"": required, "?": optional, "-": excluded}[sign].append(term.compile())
    return _TermMatcher(tuple(required), tuple(optional), tuple(excluded))


def _everything(message: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class _TermMatcher:
    required: tuple[re.Pattern[str], ...]
    optional: tuple[re.Pattern[str], ...]
    excluded: tuple[re.Pattern[str], ...]

    def __call__(self, message: str) -> bool:
        if not all(p.search(message) for p in self.required):
            return False
        if any(p.search(message) for p in self.excluded):
            return False
        return not self.optional or any(p.search(message) for p in self.optional)


def _terms(pattern: str) -> list[tuple[str, _Term]]:
    """``(sign, term)`` for each whitespace-separated term; sign is ``?``, ``-`` or ``""``."""
    found: list[tuple[str, _Term]] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i].isspace():
            i += 1
            continue
        sign = ""
        if pattern[i] in "?-" and i + 1 < n and not pattern[i + 1].isspace():
            sign, i = pattern[i], i + 1
        if pattern[i] == '"':
            text, i = _quoted(pattern, i)
            found.append((sign, _Term(text, quoted=True, regex=False)))
            continue
        start = i
        while i < n and not pattern[i].isspace():
            i += 1
        word = pattern[start:i]
        if len(word) >= 2 and word.startswith("%") and word.endswith("%"):
            found.append((sign, _Term(word[1:-1], quoted=False, regex=True)))
        elif '"' in word:
            raise InvalidPattern(f"Invalid character(s) in term '{word}'")
        else:
            found.append((sign, _Term(word, quoted=False, regex=False)))
    return found


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    """The phrase opened by the quote at ``start`` (``\\"`` escapes a quote), and where
    scanning resumes."""
    chars: list[str] = []
    i = start + 1
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            chars.append(pattern[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(chars), i + 1
        chars.append(char)
        i += 1
    raise InvalidPattern("Invalid filter pattern")
