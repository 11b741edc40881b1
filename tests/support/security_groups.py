"""A template's security-group rules wherever they are declared: inline on the group
(SecurityGroupIngress/SecurityGroupEgress) or as AWS::EC2::SecurityGroupIngress/Egress
resources naming it."""

from __future__ import annotations

DIRECTIONS = {"ingress": "SecurityGroupIngress", "egress": "SecurityGroupEgress"}


def _inline(rule: dict, conditions: dict | None) -> dict | None:
    if "Fn::If" not in rule:
        return rule
    condition, then, otherwise = rule["Fn::If"]
    if conditions is None:
        return then  # every rule the template can create
    return then if conditions[condition] else (None if otherwise == {"Ref": "AWS::NoValue"} else otherwise)


def rules(template: dict, direction: str, conditions: dict | None = None) -> list[tuple[str, dict]]:
    """(group logical id, rule) for every rule of ``direction`` (ingress | egress), separate
    ones without their GroupId. With ``conditions`` (name -> bool), only the rules created
    under them (a resource's Condition, an inline rule's Fn::If); without, every rule."""
    prop, found = DIRECTIONS[direction], []
    for logical, resource in template.get("Resources", {}).items():
        if conditions is not None and not conditions.get(resource.get("Condition"), True):
            continue
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::EC2::SecurityGroup":
            inline = (_inline(rule, conditions) for rule in properties.get(prop, []))
            found += [(logical, rule) for rule in inline if rule is not None]
        elif resource["Type"] == f"AWS::EC2::{prop}":
            group = properties["GroupId"]
            found.append((group.get("Ref", group), {k: v for k, v in properties.items() if k != "GroupId"}))
    return found
