"""Template ``Rules`` as CloudFormation checks them before it creates or updates a
stack (moto ignores them): every assertion of every rule whose RuleCondition holds
must be true, else the call fails with the assertions' descriptions.

Supported functions: Ref (parameters, AWS::Region, AWS::AccountId), Fn::Equals,
Fn::Not, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn.
Anything else raises, loudly: a rule localcloud cannot read must not pass silently."""

from __future__ import annotations

import json
from typing import Any

import yaml


class UnsupportedRuleFunction(ValueError):
    pass


def _value(node: Any, context: dict[str, Any]) -> Any:
    if isinstance(node, dict) and len(node) == 1:
        ((name, argument),) = node.items()
        if name == "Ref":
            return context[argument]
        return _FUNCTIONS.get(name, _unsupported(name))(
            [_value(a, context) for a in argument] if isinstance(argument, list) else _value(argument, context)
        )
    if isinstance(node, list):
        return [_value(item, context) for item in node]
    return node


def _unsupported(name: str):
    def fail(_):
        raise UnsupportedRuleFunction(f"localcloud cannot evaluate {name} in template Rules")

    return fail


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


_FUNCTIONS = {
    "Fn::Equals": lambda args: str(args[0]) == str(args[1]),
    "Fn::Not": lambda args: not _as_list(args)[0],
    "Fn::And": lambda args: all(args),
    "Fn::Or": lambda args: any(args),
    "Fn::Contains": lambda args: str(args[1]) in [str(v) for v in args[0]],
    "Fn::EachMemberEquals": lambda args: all(str(v) == str(args[1]) for v in _as_list(args[0])),
    "Fn::EachMemberIn": lambda args: all(str(v) in [str(w) for w in args[1]] for v in _as_list(args[0])),
}


def _load(template: str | dict) -> dict:
    if isinstance(template, dict):
        return template
    try:
        return json.loads(template)
    except ValueError:
        return yaml.safe_load(template)


def failed_assertions(template: str | dict, parameters: dict[str, str], account: str, region: str) -> list[str]:
    """The descriptions of the assertions that do not hold (empty: the rules pass)."""
    body = _load(template) or {}
    declared = body.get("Parameters", {})
    context = {name: declaration.get("Default") for name, declaration in declared.items()}
    context.update(parameters)
    context.update({"AWS::Region": region, "AWS::AccountId": account})
    failures = []
    for name, rule in (body.get("Rules") or {}).items():
        if "RuleCondition" in rule and not _value(rule["RuleCondition"], context):
            continue
        for assertion in rule.get("Assertions", []):
            if not _value(assertion["Assert"], context):
                failures.append(assertion.get("AssertDescription", f"Rule {name} failed"))
    return failures
