"""Names the templates give, resolved for an environment and regions (for cross-template checks)."""

from __future__ import annotations


def sub_names(template: dict, resource_type: str, prop: str, environment: str, regions) -> list[str]:
    """Every ``resource_type``'s ``prop`` (an Fn::Sub pattern) with the environment and each region written in."""
    patterns = [r["Properties"][prop]["Fn::Sub"] for r in template["Resources"].values() if r["Type"] == resource_type]
    return [
        p.replace("${Environment}", environment).replace("${AWS::Region}", region)
        for region in regions
        for p in patterns
    ]
