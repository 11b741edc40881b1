"""Account-level service quotas our templates consume, per account and region: AWS's
defaults (Service Quotas codes) and the page each comes from. An account that has raised
one declares it in ``quotas.yaml`` (cfnops/inputs/quotas.py); the gate sums every
environment and template that a StackSet puts in one account and region against them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    code: str  # Service Quotas quota code
    service: str  # Service Quotas service code
    name: str
    default: int
    url: str
    headroom: int = 0  # what the account must keep free of the limit


LAMBDA_CONCURRENCY = Quota(
    "L-B99A9384",
    "lambda",
    "Lambda concurrent executions (reservable: limit - 100 unreserved)",
    1000,
    "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    # "Lambda requires at least 100 unreserved concurrency ... so you can only reserve up to limit - 100"
    headroom=100,
)
ELASTIC_IPS = Quota(
    "L-0263D0A3",
    "ec2",
    "EC2-VPC Elastic IPs",
    5,
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit",
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

QUOTAS = {q.code: q for q in (LAMBDA_CONCURRENCY, ELASTIC_IPS, VPCS, INTERNET_GATEWAYS)}
