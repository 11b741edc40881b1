"""Which resource types localcloud's drift checks, in one place: exactly the types
CloudFormation's drift checks (cfnops.awsfacts.drift_support: a registry read handler, minus
AWS's documented exclusions), each through a reader, except the ones listed in CANNOT_READ,
each with why. A type CloudFormation does not check is NOT_CHECKED here too, whatever
localcloud could read: a rehearsal must not find what AWS would not.

The drift APIs have no field for a reason (DescribeStackResourceDrifts and
ListStackInstanceResourceDrifts never return NOT_CHECKED records), so docs/localcloud.md lists
CANNOT_READ, and a test keeps both true for every type in generated/.
"""

from __future__ import annotations

from cfnops.awsfacts import drift_support

PLACEHOLDER = (
    "moto does not model it: localcloud creates a placeholder that holds only its properties, "
    "so nothing can change it out of band offline"
)
NOT_CREATED = (
    "moto holds such resources through its service's API but has no CloudFormation model for them, and "
    "localcloud does not create them there yet: it creates a placeholder that holds only its properties, "
    "so nothing can change it out of band offline"
)
NOT_READ = "localcloud has no reader for it yet (moto models it)"
AGENTCORE = (
    "localcloud creates it as a placeholder in AWS's identifier formats (localcloud/cloudformation/agentcore.py): moto models "
    "AgentCore gateways only through an API the pinned botocore has no client for, and harnesses not at all"
)
OIDC_PROVIDER = (
    "localcloud creates it as a real provider in moto's IAM (localcloud/iam/oidc.py) but has no reader for it yet"
)

CANNOT_READ: dict[str, str] = {
    "AWS::Bedrock::Agent": NOT_CREATED,
    "AWS::Bedrock::AgentAlias": PLACEHOLDER,
    "AWS::Bedrock::DataSource": PLACEHOLDER,
    "AWS::Bedrock::KnowledgeBase": NOT_CREATED,
    "AWS::BedrockAgentCore::Gateway": AGENTCORE,
    "AWS::BedrockAgentCore::GatewayTarget": AGENTCORE,
    "AWS::BedrockAgentCore::Harness": AGENTCORE,
    "AWS::BedrockAgentCore::HarnessEndpoint": AGENTCORE,
    "AWS::IAM::OIDCProvider": OIDC_PROVIDER,
    "AWS::S3Vectors::Index": NOT_CREATED,
    "AWS::S3Vectors::VectorBucket": NOT_CREATED,
    "AWS::SecretsManager::RotationSchedule": NOT_CREATED,
    "AWS::SecretsManager::SecretTargetAttachment": PLACEHOLDER,
}
"""Types CloudFormation checks that localcloud cannot read, and why."""


def not_checked_reason(kind: str, readable: bool, placeholder: bool = False) -> str:
    """Why a resource of ``kind`` is NOT_CHECKED offline ("" when localcloud checks it):
    CloudFormation's reason first, then localcloud's own (a placeholder: an Aurora member
    instance, whose type localcloud otherwise reads)."""
    if not drift_support.checked(kind):
        return f"CloudFormation does not check it either: {drift_support.why_not_checked(kind)}"
    if readable and not placeholder:
        return ""
    why = CANNOT_READ.get(kind, PLACEHOLDER if placeholder else NOT_READ)
    return f"localcloud cannot read {kind} ({why}); on AWS, CloudFormation checks it"
