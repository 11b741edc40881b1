"""Permissions a resource handler lists but calls only when a property is set: needed
only by templates that set it. From the handlers' sources and the property references:

- ``AWS::IAM::ManagedPolicy`` attaches (and on update or delete detaches) the policy to
  ``Groups`` and ``Users`` only when they are given
  (https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-iam,
  aws-iam-managedpolicy; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-managedpolicy.html);
- ``AWS::EC2::VPCPeeringConnection`` assumes ``PeerRoleArn`` to accept a peering in another
  account; same-account peering needs no role
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpcpeeringconnection.html).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

# (resource type, action) -> the property whose presence makes the handler call it
CALLED_ONLY_WITH: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("AWS::IAM::ManagedPolicy", "iam:AttachGroupPolicy"): "Groups",
        ("AWS::IAM::ManagedPolicy", "iam:DetachGroupPolicy"): "Groups",
        ("AWS::IAM::ManagedPolicy", "iam:AttachUserPolicy"): "Users",
        ("AWS::IAM::ManagedPolicy", "iam:DetachUserPolicy"): "Users",
        ("AWS::EC2::VPCPeeringConnection", "sts:AssumeRole"): "PeerRoleArn",
    }
)


def called(resource_type: str, action: str, *properties: Mapping) -> bool:
    """Does the handler call ``action`` for a resource with these properties (before and after a change)?"""
    needed = CALLED_ONLY_WITH.get((resource_type, action))
    return needed is None or any(props.get(needed) for props in properties)


def used_by(resource_type: str, action: str, templates: Iterable[Mapping]) -> bool:
    """Does any resource of the type in these templates make its handler call ``action``?"""
    return any(
        called(resource_type, action, resource.get("Properties") or {})
        for template in templates
        for resource in (template.get("Resources") or {}).values()
        if resource.get("Type") == resource_type
    )
