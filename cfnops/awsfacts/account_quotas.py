"""Account-level service quotas our templates consume, per account and region: AWS's
defaults (Service Quotas codes) and the page each comes from. An account that has raised
one declares it in ``quotas.yaml`` (cfnops/inputs/quotas.py); the gate sums every
environment and template that a StackSet puts in one account and region against them."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Per(enum.Enum):
    """What one limit counts over. A raise of a per-zone or per-VPC quota applies to every
    zone or VPC of the region ("If you request a quota increase that applies per resource,
    we increase the quota for all resources in the Region": VPCS.url)."""

    REGION = "region"
    AVAILABILITY_ZONE = "Availability Zone"
    VPC = "VPC"
    GATEWAY = "AgentCore gateway"
    GATEWAY_TARGET = "AgentCore gateway target"
    HARNESS = "AgentCore harness"


@dataclass(frozen=True)
class Refusal:
    """How AWS refuses a request over a quota: the service's error code and message (as its
    API answers), and what CloudFormation's resource handler adds when it reports it:
    ``Resource handler returned message: "<message> (Service: <service>, Status Code:
    <status>, Request ID: …)" (RequestToken: …, HandlerErrorCode: <handler_error_code>)``.
    ``seen``: where that wording is shown (AWS's error-code page, or stack events quoted)."""

    error_code: str
    message: str  # may name {minimum}: what the account must keep unreserved
    service: str  # as the handler message names it (Service: Lambda, Service: Ec2)
    handler_error_code: str
    seen: tuple[str, ...]
    status: int = 400


@dataclass(frozen=True)
class Quota:
    code: str | None  # Service Quotas quota code; None where AWS's quota page publishes none
    service: str  # Service Quotas service code
    name: str
    default: int
    url: str
    headroom: int = 0  # what the account must keep free of the limit
    per: Per = Per.REGION
    refusal: Refusal | None = None  # how AWS refuses going over it (what localcloud raises)

    @property
    def key(self) -> str:
        """How quotas.yaml and the gate name it: its code, or its name as AWS's page spells it."""
        return self.code or self.name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


LAMBDA_CONCURRENCY = Quota(
    "L-B99A9384",
    "lambda",
    "Lambda concurrent executions (reservable: limit - 100 unreserved)",
    1000,
    "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    # "Lambda requires at least 100 unreserved concurrency ... so you can only reserve up to limit - 100"
    headroom=100,
    # PutFunctionConcurrency, which CloudFormation's handler calls after CreateFunction (and on
    # an update of ReservedConcurrentExecutions); an account whose limit is under 100 keeps all
    # of it unreserved ("below its minimum value of [10]" on such accounts)
    refusal=Refusal(
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [{minimum}].",
        "Lambda",
        "InvalidRequest",
        (
            "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html",
            "https://github.com/aws-samples/siem-on-amazon-opensearch-service/issues/175",
        ),
    ),
)
ELASTIC_IPS = Quota(
    "L-0263D0A3",
    "ec2",
    "EC2-VPC Elastic IPs",
    5,
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit",
    # AllocateAddress, which AWS::EC2::EIP's handler calls
    refusal=Refusal(
        "AddressLimitExceeded",
        "The maximum number of addresses has been reached.",
        "Ec2",
        "GeneralServiceException",
        (
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
            "https://github.com/radius-project/samples/issues/711",
        ),
    ),
)
VPCS = Quota(
    "L-F678F1CE",
    "vpc",
    "VPCs per Region",
    5,
    "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
)
INTERNET_GATEWAYS = Quota(
    "L-A4707A72",
    "vpc",
    "Internet gateways per Region",
    5,
    "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
)
NAT_GATEWAYS = Quota(
    "L-FE5A380F",
    "vpc",
    "NAT gateways per Availability Zone",
    5,
    "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
    per=Per.AVAILABILITY_ZONE,
)
INTERFACE_ENDPOINTS = Quota(
    "L-29B6F2EB",
    "vpc",
    "Interface and Gateway Load Balancer endpoints per VPC",
    50,
    "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html",
    per=Per.VPC,
)
SECURITY_GROUPS = Quota(
    "L-E79EC296",
    "vpc",
    "VPC security groups per Region (each VPC's default group counts)",
    2500,
    "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
)

# Amazon Bedrock AgentCore: "Unless otherwise noted, each quota is Region-specific"; its quota
# page lists no Service Quotas codes. A harness "is backed by a managed AgentCore Runtime" and
# bound by the Runtime's quotas (AGENTCORE_LIMITS#harness-service-limits): each harness is one of
# the account's agents, each of its endpoints one of that agent's endpoints.
AGENTCORE_LIMITS = "https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/bedrock-agentcore-limits.html"
AGENTCORE_GATEWAYS = Quota(
    None, "bedrock-agentcore", "Number of gateways per account", 1000, f"{AGENTCORE_LIMITS}#gateway-endpoints-quotas"
)
AGENTCORE_TARGETS = Quota(
    None,
    "bedrock-agentcore",
    "Number of targets per gateway",
    100,
    f"{AGENTCORE_LIMITS}#gateway-endpoints-quotas",
    per=Per.GATEWAY,
)
AGENTCORE_TOOLS = Quota(
    None,
    "bedrock-agentcore",
    "Number of tools per target",
    1000,
    f"{AGENTCORE_LIMITS}#gateway-endpoints-quotas",
    per=Per.GATEWAY_TARGET,
)
AGENTCORE_AGENTS = Quota(
    None, "bedrock-agentcore", "Total agents per account", 1000, f"{AGENTCORE_LIMITS}#resource-allocation-limits"
)
AGENTCORE_ENDPOINTS = Quota(
    None,
    "bedrock-agentcore",
    "Endpoints (aliases) per agent",
    10,
    f"{AGENTCORE_LIMITS}#resource-allocation-limits",
    per=Per.HARNESS,
)

QUOTAS = {
    q.key: q
    for q in (
        LAMBDA_CONCURRENCY,
        ELASTIC_IPS,
        VPCS,
        INTERNET_GATEWAYS,
        NAT_GATEWAYS,
        INTERFACE_ENDPOINTS,
        SECURITY_GROUPS,
        AGENTCORE_GATEWAYS,
        AGENTCORE_TARGETS,
        AGENTCORE_TOOLS,
        AGENTCORE_AGENTS,
        AGENTCORE_ENDPOINTS,
    )
}
