"""CloudWatch Logs JSON filter patterns (``{ $.a.b = "x" && ($.c NOT EXISTS || $.d != 1) }``), as
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html and
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
describe them: a selector ``$`` followed by ``.field`` and ``[index]``; ``=`` and ``!=`` with a
string, quoted or not, where ``*`` matches any characters; ``=``, ``!=``, ``<``, ``<=``, ``>``,
``>=`` with a number; ``IS TRUE``, ``IS FALSE``, ``IS NULL``, ``NOT EXISTS``; ``&&``, ``||`` and
parentheses. A comparison on a field the event does not have is false; an event that is not a
JSON object matches no JSON pattern. moto has none of this (it matches every event to a
pattern starting with ``{``).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from typing import Any

TOKEN = re.compile(
    r'\s*(?:(?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()&|=!<>"]+))'
)
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
SELECTOR = re.compile(r"\$(\.[^.\[\]]+|\[\d+\])+")
NUMERIC = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
MISSING = object()
Predicate = Callable[[Any], bool]


class PatternError(ValueError):
    """The pattern is not a JSON filter pattern this model reads."""


def is_json_pattern(pattern: str) -> bool:
    stripped = pattern.strip()
    return stripped.startswith("{") and stripped.endswith("}")


def _tokens(body: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while body[position:].strip():
        found = TOKEN.match(body, position)
        if not found:
            raise PatternError(f"cannot read {body[position:]!r}")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


def _select(event: Any, selector: str) -> Any:
    """The value ``selector`` ($.a.b[0]) names in ``event``, or MISSING."""
    value = event
    for name, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", selector[1:]):
        if name and isinstance(value, dict) and name in value:
            value = value[name]
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return MISSING
    return value


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _string_matches(actual: Any, expected: str) -> bool:
    if isinstance(actual, (dict, list)) or actual is None or isinstance(actual, bool):
        return False
    glob = "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", expected))
    return re.fullmatch(glob, str(actual)) is not None


def _comparison(selector: str, op: str, value: tuple[str, str]) -> Predicate:
    kind, text = value
    number = _number(text) if kind == "word" else None
    if number is not None:
        compare = NUMERIC[op]
        numeric = lambda actual: isinstance(actual, (int, float)) and not isinstance(actual, bool)  # noqa: E731
        return lambda event: numeric(v := _select(event, selector)) and compare(v, number)
    if op not in ("=", "!="):
        raise PatternError(f"{op} compares numbers, not {text!r}")
    expected = json.loads(text) if kind == "quoted" else text
    wanted = op == "="

    def test(event: Any) -> bool:
        actual = _select(event, selector)
        return actual is not MISSING and _string_matches(actual, expected) == wanted

    return test


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.at = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise PatternError("the pattern ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def either(self) -> Predicate:
        terms = [self.both()]
        while self.peek() == "||":
            self.take()
            terms.append(self.both())
        return terms[0] if len(terms) == 1 else lambda event: any(t(event) for t in terms)

    def both(self) -> Predicate:
        terms = [self.term()]
        while self.peek() == "&&":
            self.take()
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else lambda event: all(t(event) for t in terms)

    def term(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.either()
            if self.take()[1] != ")":
                raise PatternError("a ( is not closed")
            return inner
        selector = self.take()[1]
        if not SELECTOR.fullmatch(selector):
            raise PatternError(f"expected a selector ($.field, $.list[0]), not {selector!r}")
        word = self.take()
        if word == ("word", "NOT"):
            if self.take() != ("word", "EXISTS"):
                raise PatternError("NOT is followed by EXISTS")
            return lambda event: _select(event, selector) is MISSING
        if word == ("word", "IS"):
            return self.is_test(selector)
        if word[0] != "op" or word[1] not in NUMERIC:
            raise PatternError(f"expected a comparison after {selector}, not {word[1]!r}")
        return _comparison(selector, word[1], self.take())

    def is_test(self, selector: str) -> Predicate:
        expected = {"TRUE": True, "FALSE": False, "NULL": None}.get(self.take()[1], MISSING)
        if expected is MISSING:
            raise PatternError("IS is followed by TRUE, FALSE or NULL")
        return lambda event: (v := _select(event, selector)) is not MISSING and v is expected


def compile_json(pattern: str) -> Callable[[str], bool]:
    """A test of one log event's message against the JSON filter ``pattern``."""
    if not is_json_pattern(pattern):
        raise PatternError(f"not a JSON pattern: {pattern!r}")
    parser = _Parser(_tokens(pattern.strip()[1:-1]))
    predicate = parser.either()
    if parser.peek() is not None:
        raise PatternError(f"unexpected {parser.peek()!r}")

    def matches(message: str) -> bool:
        try:
            event = json.loads(message)
        except ValueError:
            return False
        return isinstance(event, dict) and predicate(event)

    return matches
