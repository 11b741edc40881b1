"""IAM policy evaluation for one principal's identity policies (and a permissions
boundary): an explicit Deny wins, then an Allow is needed; a boundary must allow too.

Supported: Action / NotAction and Resource / NotResource with ``*`` and ``?``
wildcards (actions case-insensitive, resources case-sensitive), and the condition
operators our policies and boundaries use: String*, Arn*, Bool and Null, with
``...IfExists`` and the ``ForAnyValue:`` / ``ForAllValues:`` set prefixes.

``resource=None`` asks "is the action allowed on some resource?": CloudFormation's
handler permission lists name actions, not resources. Then any Allow whose Resource
list is non-empty counts, and only a Deny on every resource (``*``) denies.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "allowed", "implicitly denied", "explicitly denied", "denied by the permissions boundary"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=4096)
def _pattern(glob: str, case_sensitive: bool) -> re.Pattern:
    return re.compile(fnmatch.translate(glob), 0 if case_sensitive else re.IGNORECASE)


def _matches(globs: Iterable[str], value: str, case_sensitive: bool) -> bool:
    return any(_pattern(str(g), case_sensitive).match(value) for g in globs)


def _action_matches(statement: dict, action: str) -> bool:
    if "NotAction" in statement:
        return not _matches(_as_list(statement["NotAction"]), action, False)
    return _matches(_as_list(statement.get("Action", [])), action, False)


def _resource_matches(statement: dict, resource: str | None, deny: bool) -> bool:
    if resource is None:
        if "NotResource" in statement:
            return not deny
        resources = _as_list(statement.get("Resource", []))
        return "*" in resources if deny else bool(resources)
    if "NotResource" in statement:
        return not _matches(_as_list(statement["NotResource"]), resource, True)
    return _matches(_as_list(statement.get("Resource", [])), resource, True)


def _compare(operator: str, expected: str, actual: str) -> bool:
    if operator.startswith("String"):
        if "Like" in operator:
            return bool(_pattern(expected, "IgnoreCase" not in operator).match(actual))
        return expected.lower() == actual.lower() if "IgnoreCase" in operator else expected == actual
    if operator.startswith("Arn"):
        return bool(_pattern(expected, True).match(actual)) if "Like" in operator else expected == actual
    if operator == "Bool":
        return expected.lower() == actual.lower()
    raise ValueError(f"condition operator {operator} is not supported")


def _condition_holds(raw_operator: str, key: str, expected, context: Mapping[str, object]) -> bool:
    prefix, _, operator = raw_operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    present = key in context
    if operator == "Null":
        return (not present) == (str(_as_list(expected)[0]).lower() == "true")
    if not present:
        return if_exists or "Not" in operator or prefix == "ForAllValues"
    negated = "Not" in operator
    positive = operator.replace("Not", "")
    expected_values = [str(e) for e in _as_list(expected)]
    actual_values = [str(a) for a in _as_list(context[key])]

    def one(actual: str) -> bool:
        return any(_compare(positive, e, actual) for e in expected_values)
    if prefix == "ForAllValues":
        result = all(one(a) for a in actual_values)
    else:
        result = any(one(a) for a in actual_values)
    return not result if negated else result


def _conditions_hold(statement: dict, context: Mapping[str, object]) -> bool:
    for operator, pairs in (statement.get("Condition") or {}).items():
        for key, expected in pairs.items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


def _statements(documents: Iterable[dict]) -> list[dict]:
    return [s for d in documents for s in _as_list(d.get("Statement", []))]


def _applies(statement: dict, action: str, resource: str | None, context: Mapping[str, object]) -> bool:
    deny = statement.get("Effect") == "Deny"
    return (_action_matches(statement, action) and _resource_matches(statement, resource, deny)
            and _conditions_hold(statement, context))


def _decide(statements: list[dict], action: str, resource: str | None, context: Mapping[str, object]) -> str:
    applying = [s for s in statements if _applies(s, action, resource, context)]
    if any(s.get("Effect") == "Deny" for s in applying):
        return "explicitly denied"
    return "allowed" if applying else "implicitly denied"


def evaluate(documents: Iterable[dict], action: str, resource: str | None = None,
             context: Mapping[str, object] | None = None, boundary: dict | None = None) -> Decision:
    """May a principal with these identity policies (and boundary) call ``action``?"""
    context = context or {}
    verdict = _decide(_statements(documents), action, resource, context)
    if verdict == "allowed" and boundary is not None:
        if _decide(_statements([boundary]), action, resource, context) != "allowed":
            return Decision(False, "denied by the permissions boundary")
    return Decision(verdict == "allowed", verdict)
