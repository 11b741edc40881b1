"""Which security-relevant properties CloudFormation's drift compares for a platform's
templates: the properties a template sets explicitly (AWS compares only those) among the
security-relevant ones of each type (SECURITY), for the types AWS's drift checks
(awsfacts.drift_support). The table in docs/drift.md is this module's answer for our templates."""

from __future__ import annotations

from collections.abc import Mapping

from ..awsfacts import drift_support

SECURITY: dict[str, tuple[str, ...]] = {
    "AWS::EC2::SecurityGroup": ("SecurityGroupIngress", "SecurityGroupEgress"),
    "AWS::IAM::Role": ("AssumeRolePolicyDocument", "ManagedPolicyArns", "Policies", "PermissionsBoundary"),
    "AWS::IAM::ManagedPolicy": ("PolicyDocument", "Roles"),
    "AWS::KMS::Key": ("KeyPolicy", "EnableKeyRotation", "Enabled"),
    "AWS::S3::Bucket": (
        "BucketEncryption",
        "PublicAccessBlockConfiguration",
        "OwnershipControls",
        "VersioningConfiguration",
        "ObjectLockConfiguration",
    ),
    "AWS::S3::BucketPolicy": ("PolicyDocument",),
    "AWS::SQS::Queue": ("KmsMasterKeyId",),
    "AWS::SQS::QueuePolicy": ("PolicyDocument",),
    "AWS::SNS::Topic": ("KmsMasterKeyId",),
    "AWS::Lambda::Function": ("Role", "KmsKeyArn", "VpcConfig"),
    "AWS::Lambda::Permission": ("Principal", "SourceArn", "SourceAccount", "Action"),
    "AWS::RDS::DBCluster": (
        "StorageEncrypted",
        "KmsKeyId",
        "EnableIAMDatabaseAuthentication",
        "DeletionProtection",
        "VpcSecurityGroupIds",
    ),
    "AWS::RDS::DBInstance": (
        "StorageEncrypted",
        "KmsKeyId",
        "PubliclyAccessible",
        "EnableIAMDatabaseAuthentication",
        "DeletionProtection",
        "VPCSecurityGroups",
    ),
    "AWS::DynamoDB::Table": ("SSESpecification", "PointInTimeRecoverySpecification", "DeletionProtectionEnabled"),
    "AWS::Logs::LogGroup": ("KmsKeyId", "RetentionInDays"),
    "AWS::Kinesis::Stream": ("StreamEncryption",),
    "AWS::SecretsManager::Secret": ("KmsKeyId",),
    "AWS::ElastiCache::ReplicationGroup": (
        "AtRestEncryptionEnabled",
        "TransitEncryptionEnabled",
        "KmsKeyId",
        "SecurityGroupIds",
    ),
    "AWS::ElasticLoadBalancingV2::Listener": ("Protocol", "SslPolicy", "Certificates"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Scheme", "SecurityGroups"),
    "AWS::CloudTrail::Trail": ("IsLogging", "EnableLogFileValidation", "KMSKeyId", "IsMultiRegionTrail"),
    "AWS::WAFv2::WebACL": ("DefaultAction", "Rules"),
    "AWS::ECS::TaskDefinition": ("TaskRoleArn", "ExecutionRoleArn"),
}
"""Per type, the properties that decide who may reach, read or change what."""


def compared(templates: Mapping[str, dict]) -> list[tuple[str, bool, list[str], list[str]]]:
    """Per security-relevant type the templates use: (type, whether AWS's drift checks it,
    the security properties every resource of it sets, those only some set)."""
    rows = []
    for kind, properties in sorted(SECURITY.items()):
        resources = [r for t in templates.values() for r in t.get("Resources", {}).values() if r["Type"] == kind]
        if not resources:
            continue
        sets = [set(r.get("Properties", {})) for r in resources]
        every = [p for p in properties if all(p in s for s in sets)]
        some = [p for p in properties if p not in every and any(p in s for s in sets)]
        rows.append((kind, drift_support.checked(kind), every, some))
    return rows


def table(templates: Mapping[str, dict]) -> list[str]:
    """The table in docs/drift.md, one row per type."""
    lines = [
        "| type | AWS's drift checks it | security properties our templates set (compared) | set by some resources only |",
        "|---|---|---|---|",
    ]
    for kind, checked, every, some in compared(templates):
        shown = ", ".join(f"`{p}`" for p in every) or "-"
        lines.append(
            f"| `{kind}` | {'yes' if checked else 'no (no read handler)'} | {shown} | {', '.join(f'`{p}`' for p in some) or '-'} |"
        )
    return lines
