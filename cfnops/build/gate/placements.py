"""Where a template's stack instances go (account, region, environment, with that
environment's parameter values) and the template resolved there: what the account budget
and the incompatibility rules read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeGuard

from ...awsfacts import intrinsics


@dataclass(frozen=True)
class Placement:
    """One template's stack instance: the account and region a StackSet puts it in, with its
    environment's parameter values there."""

    account: str
    region: str
    environment: str
    template: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class Stack:
    """One placement's template with what resolves its values there."""

    template: Mapping
    placement: Placement
    resolve: intrinsics.Resolver
    conditions: Mapping[str, bool]

    def resource_properties(self, name: str) -> Mapping:
        return ((self.template.get("Resources") or {}).get(name) or {}).get("Properties") or {}


def stack(template: Mapping, placement: Placement) -> Stack:
    refs = {
        **intrinsics.parameter_values(template, placement.values),
        "AWS::Region": placement.region,
        "AWS::AccountId": placement.account,
        "AWS::Partition": "aws",
    }
    conditions = intrinsics.evaluate_conditions(template, refs)
    return Stack(template, placement, intrinsics.Resolver(refs, conditions, lambda node: None), conditions)


def is_function(node, function: str) -> TypeGuard[dict]:
    """``node`` is the one intrinsic ``function`` (``{"Ref": ...}``, ``{"Fn::ImportValue": ...}``)."""
    return isinstance(node, dict) and set(node) == {function}
