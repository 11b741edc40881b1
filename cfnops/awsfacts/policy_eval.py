"""IAM policy evaluation for one principal's identity policies (and a permissions
boundary): an explicit Deny wins, then an Allow is needed; a boundary must allow too.

Supported: Action / NotAction and Resource / NotResource with ``*`` and ``?``
wildcards (actions case-insensitive, resources case-sensitive), and the condition
operators our policies and boundaries use: String*, Arn*, Bool and Null, with
``...IfExists`` and the ``ForAnyValue:`` / ``ForAllValues:`` set prefixes.

``resource=None`` asks "is the action allowed on some resource?": CloudFormation's
handler permission lists name actions, not resources. Then any Allow whose Resource
list is non-empty counts, and only a Deny on every resource (``*``) denies.
``context=None`` asks the same of the request: an Allow's conditions may hold, and a
Deny with conditions need not apply. Pass a context (even ``{}``) to evaluate them.

Policy variables (``${aws:PrincipalTag/Environment}``) in Resource, NotResource and
condition values are replaced by ``bind`` with the principal's values, as IAM does at
request time; one IAM has no value for stays as written and so matches no real ARN
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

_POLICY_VARIABLE = re.compile(r"\$\{([^}]+)\}")
BOUND_ELEMENTS = ("Resource", "NotResource", "Condition")


def principal_variables(tags: Mapping[str, str]) -> dict[str, str]:
    """The ``aws:PrincipalTag/<key>`` variables a role with these tags brings to each request."""
    return {f"aws:PrincipalTag/{key}": value for key, value in tags.items()}


def _bound(value, variables: Mapping[str, str]):
    if isinstance(value, str):
        return _POLICY_VARIABLE.sub(lambda match: variables.get(match.group(1), match.group(0)), value)
    if isinstance(value, list):
        return [_bound(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _bound(item, variables) for key, item in value.items()}
    return value


def bind(documents: Iterable[dict], variables: Mapping[str, str]) -> list[dict]:
    """The documents with their policy variables replaced by the principal's values."""
    return [
        {
            **document,
            "Statement": [
                {key: _bound(item, variables) if key in BOUND_ELEMENTS else item for key, item in statement.items()}
                for statement in _as_list(document.get("Statement", []))
            ],
        }
        for document in documents
    ]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "allowed", "implicitly denied", "explicitly denied", "denied by the permissions boundary"
    statement: str = ""  # the deciding statement (its Sid, or its position): the Deny, or the first Allow


def _named(statement: dict, statements: list[dict]) -> str:
    return statement.get("Sid") or f"statement {statements.index(statement) + 1}"


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


def _applies(statement: dict, action: str, resource: str | None, context: Mapping[str, object] | None) -> bool:
    deny = statement.get("Effect") == "Deny"
    if context is None:  # some request: conditions may hold for an Allow, need not for a Deny
        conditions = not (deny and statement.get("Condition"))
    else:
        conditions = _conditions_hold(statement, context)
    return _action_matches(statement, action) and _resource_matches(statement, resource, deny) and conditions


def _decide(
    statements: list[dict], action: str, resource: str | None, context: Mapping[str, object] | None
) -> tuple[str, str]:
    """(verdict, the statement that decides it)."""
    applying = [s for s in statements if _applies(s, action, resource, context)]
    denying = [s for s in applying if s.get("Effect") == "Deny"]
    if denying:
        return "explicitly denied", _named(denying[0], statements)
    return ("allowed", _named(applying[0], statements)) if applying else ("implicitly denied", "")


def evaluate(
    documents: Iterable[dict],
    action: str,
    resource: str | None = None,
    context: Mapping[str, object] | None = None,
    boundary: dict | None = None,
) -> Decision:
    """May a principal with these identity policies (and boundary) call ``action``?"""
    verdict, statement = _decide(_statements(documents), action, resource, context)
    if verdict == "allowed" and boundary is not None:
        capped, by = _decide(_statements([boundary]), action, resource, context)
        if capped != "allowed":
            return Decision(False, "denied by the permissions boundary", by)
    return Decision(verdict == "allowed", verdict, statement)


# --- trust policies (a role's resource-based AssumeRole policy) -------------------------

NAMED = "allowed by name"
FOR_ACCOUNT = "allowed for the account"


def _account_of(arn: str) -> str:
    return arn.split(":")[4] if arn.count(":") >= 5 else ""


def _principal_kind(principals, principal_arn: str) -> str | None:
    """How a Principal block names ``principal_arn``: NAMED, FOR_ACCOUNT, or None."""
    if principals == "*":
        return FOR_ACCOUNT
    aws = _as_list((principals or {}).get("AWS", [])) if isinstance(principals, dict) else []
    account = _account_of(principal_arn)
    if principal_arn in aws:
        return NAMED
    if "*" in aws or account in aws or f"arn:aws:iam::{account}:root" in aws:
        return FOR_ACCOUNT
    return None


def trust(
    document: dict, principal_arn: str, action: str = "sts:AssumeRole", context: Mapping[str, object] | None = None
) -> Decision:
    """May ``principal_arn`` (an IAM role or user) perform ``action`` on the role whose
    trust policy is ``document``? A Deny naming it wins; an Allow naming the principal
    itself is NAMED (enough on its own within one account), one naming its account (or
    ``*``) is FOR_ACCOUNT (the principal's own policies must allow the action too)."""
    context = {"aws:PrincipalArn": principal_arn, "aws:PrincipalAccount": _account_of(principal_arn), **(context or {})}
    kinds = []
    for statement in _statements([document]):
        if not (_action_matches(statement, action) and _conditions_hold(statement, context)):
            continue
        if "NotPrincipal" in statement:
            kind = None if _principal_kind(statement["NotPrincipal"], principal_arn) else FOR_ACCOUNT
        else:
            kind = _principal_kind(statement.get("Principal"), principal_arn)
        if kind is None:
            continue
        if statement.get("Effect") == "Deny":
            return Decision(False, "explicitly denied")
        kinds.append(kind)
    if not kinds:
        return Decision(False, "implicitly denied")
    return Decision(True, NAMED if NAMED in kinds else FOR_ACCOUNT)
