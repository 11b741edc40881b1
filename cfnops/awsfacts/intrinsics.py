"""Resolve a template value (Ref, Fn::Sub, Fn::Join, Fn::If, ...) with known values.

Used to measure policies as IAM will see them, to evaluate them for a given account
and region, and to show what an update changes per region (cfnops/changes). What cannot be known before deploy (Fn::GetAtt, Fn::ImportValue) becomes
``unresolved(node)``, which the caller chooses: a placeholder of plausible length for
sizes, a wildcard for policy evaluation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_SUB_LITERAL = re.compile(r"\$\{!([^}]*)\}")  # ${!Literal} is the text ${Literal} (an IAM policy variable)


def placeholder(node: dict) -> str:
    """A value as long as a typical ARN, for sizing what only deploy time knows."""
    return "arn:aws:service:us-east-1:123456789012:" + "x" * 40


class Resolver:
    def __init__(
        self,
        refs: Mapping[str, object],
        conditions: Mapping[str, bool] | None = None,
        unresolved: Callable[[dict], object] = placeholder,
        mappings: Mapping | None = None,
    ):
        self.refs, self.conditions, self.unresolved = refs, conditions or {}, unresolved
        self.mappings = mappings or {}

    def __call__(self, value):
        if isinstance(value, list):
            return [v for v in (self(item) for item in value) if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, argument)
        return {k: v for k, v in ((k, self(v)) for k, v in value.items()) if v is not _NO_VALUE}

    def ref(self, name: str):
        if name == "AWS::NoValue":
            return _NO_VALUE
        return self.refs[name] if name in self.refs else self.unresolved({"Ref": name})

    def sub(self, argument):
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        local = {k: self(v) for k, v in variables.items()}

        def replace(match):
            name = match.group(1)
            value = (
                local[name]
                if name in local
                else self.ref(name)
                if "." not in name
                else self.unresolved({"Fn::GetAtt": name})
            )
            return str(value)

        return _SUB_LITERAL.sub(lambda match: "${" + match.group(1) + "}", _SUB_VARIABLE.sub(replace, text))

    def condition(self, name: str) -> bool:
        return bool(self.conditions.get(name, True))


class _NoValue:
    pass


_NO_VALUE = _NoValue()


def _join(resolver: Resolver, argument):
    separator, items = argument
    values = resolver(items)
    if not isinstance(values, list):  # e.g. Fn::GetAZs: a list only deploy time knows
        return resolver.unresolved({"Fn::Join": argument})
    return separator.join(str(item) for item in values)


def _if(resolver: Resolver, argument):
    name, when_true, when_false = argument
    return resolver(when_true if resolver.condition(name) else when_false)


def _select(resolver: Resolver, argument):
    index, items = resolver(argument[0]), resolver(argument[1])
    if isinstance(items, list) and 0 <= int(index) < len(items):
        return items[int(index)]
    # a list only deploy time gives, or one a placeholder stands for (shorter than the real one)
    return resolver.unresolved({"Fn::Select": argument})


def _split(resolver: Resolver, argument):
    separator, text = argument
    value = resolver(text)
    if not isinstance(value, (str, int, float)):  # a value only deploy time knows
        return resolver.unresolved({"Fn::Split": argument})
    return str(value).split(separator)


def _find_in_map(resolver: Resolver, argument):
    """Fn::FindInMap [map, top key, second key]: from the template's Mappings."""
    keys = [resolver(key) for key in argument[:3]]
    try:
        value = resolver.mappings[keys[0]][keys[1]][keys[2]]
    except (KeyError, TypeError):  # an unknown key, or a mapping the resolver was not given
        return resolver.unresolved({"Fn::FindInMap": argument})
    return resolver(value)


_FUNCTIONS: dict[str, Callable] = {
    "Ref": lambda resolver, name: resolver.ref(name),
    "Fn::Sub": Resolver.sub,
    "Fn::Join": _join,
    "Fn::If": _if,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::GetAtt": lambda resolver, argument: resolver.unresolved({"Fn::GetAtt": argument}),
    "Fn::ImportValue": lambda resolver, argument: resolver.unresolved({"Fn::ImportValue": argument}),
    "Fn::GetAZs": lambda resolver, argument: resolver.unresolved({"Fn::GetAZs": argument}),
}


def evaluate_conditions(template: Mapping, refs: Mapping[str, object]) -> dict[str, bool]:
    """Each Condition of the template, given parameter and pseudo-parameter values; a
    condition that depends on an unknown value counts as true (it may hold)."""
    definitions = template.get("Conditions") or {}
    results: dict[str, bool] = {}

    def unknown(node: dict) -> object:
        raise LookupError(node)

    resolver = Resolver(refs, results, unknown, template.get("Mappings"))

    def holds(node) -> bool:
        ((function, argument),) = node.items()
        if function == "Condition":
            return condition(argument)
        if function == "Fn::Equals":
            left, right = (resolver(a) for a in argument)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not holds(argument[0])
        if function == "Fn::And":
            return all(holds(a) for a in argument)
        if function == "Fn::Or":
            return any(holds(a) for a in argument)
        raise LookupError(node)

    def condition(name: str) -> bool:
        if name not in results:
            try:
                results[name] = holds(definitions[name])
            except LookupError:
                results[name] = True
        return results[name]

    for name in definitions:
        condition(name)
    return results


def parameter_values(template: Mapping, values: Mapping[str, object]) -> dict[str, object]:
    """Parameter defaults overlaid with ``values`` (parameters without either stay unknown)."""
    defaults = {name: p["Default"] for name, p in (template.get("Parameters") or {}).items() if "Default" in p}
    return {**defaults, **values}
