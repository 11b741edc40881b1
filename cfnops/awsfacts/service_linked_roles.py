"""Which service-linked roles a resource type's handler may create (``iam:CreateServiceLinkedRole``
with ``iam:AWSServiceName``): the service names from each service's page on its
service-linked role.

- RDS (DB clusters, instances, parameter and subnet groups): ``rds.amazonaws.com``,
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html
- ElastiCache: ``elasticache.amazonaws.com``,
  https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/using-service-linked-roles.html
- ECS clusters: ``ecs.amazonaws.com``,
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
- DynamoDB global tables (replicas): ``replication.dynamodb.amazonaws.com``,
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables_reqs_bestpractices.html
- Application Auto Scaling: ``<namespace>.application-autoscaling.amazonaws.com`` for the
  target's ``ServiceNamespace``,
  https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
- WAF logging: ``wafv2.amazonaws.com`` (AWSServiceRoleForWAFV2Logging),
  https://docs.aws.amazon.com/waf/latest/developerguide/using-service-linked-roles.html
- Bedrock AgentCore (network interfaces in a VPC): ``network.bedrock-agentcore.amazonaws.com``,
  https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/service-linked-roles.html
  (the gateway's private-connectivity role, AWSServiceRoleForBedrockAgentCoreGatewayNetwork,
  is for VPC Lattice targets, which our Lambda targets are not)
- VPC flow logs delivered by CloudWatch Logs' vended-log delivery: ``delivery.logs.amazonaws.com``,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-Firehose.html
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ACTION = "iam:CreateServiceLinkedRole"
AUTOSCALING = "AWS::ApplicationAutoScaling::ScalableTarget"
BY_TYPE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "AWS::BedrockAgentCore::GatewayTarget": ("network.bedrock-agentcore.amazonaws.com",),
        "AWS::BedrockAgentCore::Harness": ("network.bedrock-agentcore.amazonaws.com",),
        "AWS::DynamoDB::GlobalTable": ("replication.dynamodb.amazonaws.com",),
        "AWS::DynamoDB::Table": ("replication.dynamodb.amazonaws.com",),
        "AWS::EC2::FlowLog": ("delivery.logs.amazonaws.com",),
        "AWS::ECS::Cluster": ("ecs.amazonaws.com",),
        "AWS::ElastiCache::ReplicationGroup": ("elasticache.amazonaws.com",),
        "AWS::RDS::DBCluster": ("rds.amazonaws.com",),
        "AWS::RDS::DBClusterParameterGroup": ("rds.amazonaws.com",),
        "AWS::RDS::DBInstance": ("rds.amazonaws.com",),
        "AWS::RDS::DBParameterGroup": ("rds.amazonaws.com",),
        "AWS::RDS::DBSubnetGroup": ("rds.amazonaws.com",),
        "AWS::WAFv2::LoggingConfiguration": ("wafv2.amazonaws.com",),
    }
)


class UnknownServiceLinkedRole(ValueError):
    """A type whose handler creates a service-linked role of a service this module does not name."""


def _autoscaling(templates: Mapping[str, dict]) -> set[str]:
    return {
        f"{resource['Properties']['ServiceNamespace']}.application-autoscaling.amazonaws.com"
        for template in templates.values()
        for resource in (template.get("Resources") or {}).values()
        if resource.get("Type") == AUTOSCALING
    }


def services(derivation, templates: Mapping[str, dict]) -> tuple[str, ...]:
    """Every service name the templates' handlers may create a service-linked role for."""
    need = next((n for n in derivation.needs if n.action == ACTION), None)
    names: set[str] = set()
    for type_name in sorted({t for t, _ in need.sources} if need else ()):
        if type_name == AUTOSCALING:
            names |= _autoscaling(templates)
        elif type_name in BY_TYPE:
            names.update(BY_TYPE[type_name])
        else:
            raise UnknownServiceLinkedRole(
                f"{type_name}'s handlers may call {ACTION}: name its service in cfnops/awsfacts/service_linked_roles.py"
            )
    return tuple(sorted(names))
