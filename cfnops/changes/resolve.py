"""A template resolved for one stack instance: what each resource's properties will be.

Parameters are the instance's (StackSet parameters + its overrides, or template
defaults); List and CommaDelimitedList parameters become lists; a NoEcho parameter is
``MASK`` on both sides (the API returns it masked, so nothing can be compared). A
resource whose Condition is false is absent. What only deploy time knows becomes a
``KnownAfterApply`` naming its expression, so that two unknown values are equal
exactly when they are the same expression.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..awsfacts import intrinsics, partitions

MASK = "****"
ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")


@dataclass(frozen=True)
class KnownAfterApply:
    expression: str  # e.g. "DataKey.Arn", "AWS::StackName", "ImportValue staging-network-VpcId"
    resource: str = field(default="", compare=False)  # the logical id it reads, if one of the template's resources

    def __str__(self) -> str:  # inside a string (Fn::Sub, Fn::Join), as Fn::Sub writes it
        return "${" + self.expression + "}"


@dataclass(frozen=True)
class Instance:
    """Where a stack instance is: its pseudo parameters."""

    region: str
    account: str | None = None  # None: not known before deploy (SERVICE_MANAGED targets are OUs)

    @property
    def partition(self) -> str:
        return partitions.partition(self.region)

    def pseudo(self) -> dict[str, object]:
        values: dict[str, object] = {
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
        }
        if self.account:
            values["AWS::AccountId"] = self.account
        return values


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict
    attributes: dict = field(default_factory=dict)  # DeletionPolicy, UpdateReplacePolicy as declared


def _parameter(declaration: Mapping, value: object) -> object:
    if declaration.get("NoEcho") in (True, "true", "True"):
        return MASK
    kind = str(declaration.get("Type", "String"))
    if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
        return [item.strip() for item in value.split(",")] if value else []
    return value


def _unknown(resources: Mapping) -> Callable[[dict], KnownAfterApply]:
    def unknown(node: dict) -> KnownAfterApply:
        ((function, argument),) = node.items()
        if function == "Ref":
            return KnownAfterApply(str(argument), argument if argument in resources else "")
        if function == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else [str(a) for a in argument]
            return KnownAfterApply(".".join(parts), parts[0] if parts[0] in resources else "")
        text = json.dumps(argument, sort_keys=True, default=str, separators=(",", ":"))
        return KnownAfterApply(f"{function.removeprefix('Fn::')} {text}")

    return unknown


def resolve(template: Mapping, parameters: Mapping[str, str], instance: Instance) -> dict[str, Resource]:
    """Every resource the template creates in this instance, with resolved properties."""
    declarations = template.get("Parameters") or {}
    given = intrinsics.parameter_values(template, parameters)
    refs = {**{k: _parameter(declarations.get(k, {}), v) for k, v in given.items()}, **instance.pseudo()}
    resources = template.get("Resources") or {}
    conditions = intrinsics.evaluate_conditions(template, refs)
    resolver = intrinsics.Resolver(refs, conditions, _unknown(resources), template.get("Mappings"))
    resolved = {}
    for logical_id, body in resources.items():
        if "Condition" in body and not conditions.get(body["Condition"], True):
            continue
        properties = resolver(body.get("Properties") or {})
        attributes = {k: resolver(body[k]) for k in ATTRIBUTES if k in body}
        resolved[logical_id] = Resource(logical_id, body.get("Type", ""), properties, attributes)
    return resolved
