"""Constraints AWS states in prose, not in the registry schemas: combinations of resources
or values that a service refuses (or that silently do not work), each with AWS's own
sentence and the page it is on. ``cfnops.build.gate.incompatible`` checks each on every
template resolved per environment and region; localcloud refuses what AWS refuses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incompatibility:
    rule: str  # the finding's rule id
    sentence: str  # what AWS says, quoted
    url: str
    # how the service refuses it, where localcloud refuses it too: (error code, message)
    refusal: tuple[str, str] | None = None


GLOBAL_DATABASE_MANAGED_PASSWORD = Incompatibility(
    "AWS-GLOBAL-DB-MANAGED-PASSWORD",
    "Managing master user passwords with Secrets Manager isn't supported for the following features: "
    "[...] DB clusters that are part of an Aurora global database",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations",
    # CreateGlobalCluster from such a source: RDS's code for a combination it refuses; its exact
    # text for this case is not on AWS's pages, so the message repeats the limitation
    (
        "InvalidParameterCombination",
        "Managing master user passwords with Secrets Manager isn't supported for DB clusters that are part of "
        "an Aurora global database.",
    ),
)
GLOBAL_TABLE_STREAM = Incompatibility(
    "AWS-GLOBAL-TABLE-STREAM",
    "You must specify a value for this property for a AWS::DynamoDB::GlobalTable resource configured for MREC "
    "with more than one entry in Replicas.",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-globaltable-streamspecification.html",
)
OBJECT_LOCK_ENABLED = Incompatibility(
    "AWS-OBJECT-LOCK-ENABLED",
    "Enable ``ObjectLockEnabled`` when you apply ``ObjectLockConfiguration`` to a bucket.",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html",
)
WAF_CLOUDFRONT_SCOPE = Incompatibility(
    "AWS-WAF-CLOUDFRONT-SCOPE",
    "For CLOUDFRONT, you must create your WAFv2 resources in the US East (N. Virginia) Region, us-east-1.",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-wafv2-webacl.html#cfn-wafv2-webacl-scope",
)
WAF_CLOUDFRONT_REGION = "us-east-1"

ALL = (GLOBAL_DATABASE_MANAGED_PASSWORD, GLOBAL_TABLE_STREAM, OBJECT_LOCK_ENABLED, WAF_CLOUDFRONT_SCOPE)
