"""What CloudFormation's drift cannot see, read by cfnops itself: the security state of our
resources that no template property declares, so AWS's drift never compares it.

- rules on our security groups that no template declares (neither inline on the group nor
  an AWS::EC2::SecurityGroupIngress/Egress resource of the stack);
- managed policies attached to, and inline policies put on, our roles out of band (neither
  in the role's ManagedPolicyArns/Policies nor an AWS::IAM::ManagedPolicy/Policy/RolePolicy
  of the stack naming the role);
- resource policies on our buckets and queues that no AWS::S3::BucketPolicy or
  AWS::SQS::QueuePolicy of the stack declares, and statements on our topics beyond SNS's
  default one (``__default_statement_ID``) with no AWS::SNS::TopicPolicy of the stack. Keys
  are not read: every key of ours sets KeyPolicy, which CloudFormation's drift compares.

What the templates declare is the instance stack's resources with the values CloudFormation
resolved (DescribeStackResourceDrifts' ExpectedProperties, after the detection).
Everything is read with read-only calls through ``Reader`` (the bootstrap's drift reader
role in another account). Findings are kept apart from CloudFormation's statuses; ignore
rules apply to them as to CloudFormation's differences (a rule's normaliser decides, on the
finding's kind as its property).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..core.aws import Aws, error_code
from ..core.located import InstanceResource

Client = Any
Reader = Callable[[str, str, str], Client]  # (service, account, region) -> a read-only client

GROUP_RULE = "SecurityGroupRule"
ATTACHED_POLICY = "AttachedManagedPolicy"
INLINE_POLICY = "InlinePolicy"
RESOURCE_POLICY = "ResourcePolicy"
KINDS = (GROUP_RULE, ATTACHED_POLICY, INLINE_POLICY, RESOURCE_POLICY)
SNS_DEFAULT_STATEMENT = "__default_statement_ID"  # the statement SNS gives every new topic


@dataclass(frozen=True)
class OutsideFinding(InstanceResource):
    """One piece of security state no template declares, on the resource it was read from."""

    kind: str  # one of KINDS
    value: Any  # what was found, as typed JSON (a rule, a policy ARN or name, a document)
    ignored_because: str = ""


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    resource_type: str
    physical_id: str
    expected: dict  # ExpectedProperties (resolved); {} when CloudFormation did not check it
    drift_status: str = ""  # ListStackResources' DriftInformation: NOT_CHECKED for a type AWS does not check


def stack_resources(cloudformation: Client, stack_id: str) -> list[StackResource]:
    """Every resource of the instance stack, with its expected properties where the last
    detection checked it (DescribeStackResourceDrifts, every status)."""
    expected: dict[str, dict] = {}
    for page in _pages(cloudformation.describe_stack_resource_drifts, "StackResourceDrifts", StackName=stack_id):
        expected[page["LogicalResourceId"]] = json.loads(page.get("ExpectedProperties") or "{}")
    return [
        StackResource(
            r["LogicalResourceId"],
            r["ResourceType"],
            r.get("PhysicalResourceId", ""),
            expected.get(r["LogicalResourceId"], {}),
            r.get("DriftInformation", {}).get("StackResourceDriftStatus", ""),
        )
        for r in _pages(cloudformation.list_stack_resources, "StackResourceSummaries", StackName=stack_id)
    ]


def _pages(call, key: str, **arguments):
    token = None
    while True:
        page = call(**arguments, **({"NextToken": token} if token else {}))
        yield from page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return


# --- security groups ----------------------------------------------------------------------

PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1", "-1": "-1"}
PEERS = {
    "CidrIp": "CidrIpv4",
    "CidrIpv6": "CidrIpv6",
    "SourceSecurityGroupId": "ReferencedGroupId",
    "DestinationSecurityGroupId": "ReferencedGroupId",
    "SourcePrefixListId": "PrefixListId",
    "DestinationPrefixListId": "PrefixListId",
}


def rule_key(rule: dict, egress: bool) -> tuple:
    """A rule's meaning (direction, protocol, ports, peer), from a template's rule or EC2's
    SecurityGroupRule: descriptions are not part of it."""
    protocol = str(rule.get("IpProtocol", "")).lower()
    protocol = PROTOCOLS.get(protocol, protocol)
    ports = (None, None) if protocol == "-1" else (int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1)))
    if "ReferencedGroupInfo" in rule:
        peer = ("ReferencedGroupId", rule["ReferencedGroupInfo"].get("GroupId"))
    else:
        peer = next(((PEERS.get(k, k), rule[k]) for k in (*PEERS, *set(PEERS.values())) if rule.get(k)), ("", ""))
    return (egress, protocol, *ports, *peer)


def declared_rules(group: StackResource, resources: list[StackResource]) -> set[tuple]:
    keys = {rule_key(r, False) for r in group.expected.get("SecurityGroupIngress") or []}
    keys |= {rule_key(r, True) for r in group.expected.get("SecurityGroupEgress") or []}
    for resource in resources:
        egress = resource.resource_type == "AWS::EC2::SecurityGroupEgress"
        separate = resource.resource_type in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
        if separate and resource.expected.get("GroupId") == group.physical_id:
            keys.add(rule_key(resource.expected, egress))
    return keys


def group_findings(ec2: Client, group: StackResource, resources: list[StackResource]) -> list[tuple[str, Any]]:
    declared = declared_rules(group, resources)
    found = []
    for rule in _pages(
        ec2.describe_security_group_rules,
        "SecurityGroupRules",
        Filters=[{"Name": "group-id", "Values": [group.physical_id]}],
    ):
        if rule_key(rule, bool(rule.get("IsEgress"))) not in declared:
            shown = {
                k: rule[k]
                for k in ("IsEgress", "IpProtocol", "FromPort", "ToPort", "CidrIpv4", "CidrIpv6", "PrefixListId")
                if k in rule
            }
            if "ReferencedGroupInfo" in rule:
                shown["ReferencedGroupId"] = rule["ReferencedGroupInfo"].get("GroupId")
            found.append((GROUP_RULE, shown))
    return found


# --- roles ---------------------------------------------------------------------------------


def _names(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def role_findings(iam: Client, role: StackResource, resources: list[StackResource]) -> list[tuple[str, Any]]:
    name = role.physical_id
    managed = set(_names(role.expected.get("ManagedPolicyArns")))
    inline = {p.get("PolicyName") for p in role.expected.get("Policies") or []}
    for resource in resources:
        if name in _names(resource.expected.get("Roles")) or resource.expected.get("RoleName") == name:
            if resource.resource_type == "AWS::IAM::ManagedPolicy":
                managed.add(resource.physical_id)
            elif resource.resource_type in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
                inline.add(resource.expected.get("PolicyName"))
    found: list[tuple[str, Any]] = []
    for page in _pages(iam.list_attached_role_policies, "AttachedPolicies", RoleName=name):
        if page["PolicyArn"] not in managed:
            found.append((ATTACHED_POLICY, page["PolicyArn"]))
    for policy in _pages(iam.list_role_policies, "PolicyNames", RoleName=name):
        if policy not in inline:
            found.append((INLINE_POLICY, policy))
    return found


# --- resource policies ---------------------------------------------------------------------


def _declares_policy(
    resources: list[StackResource], kind: str, names: Callable[[dict], list[str]], target: StackResource
) -> bool:
    return any(r.resource_type == kind and target.physical_id in names(r.expected) for r in resources)


def bucket_findings(s3: Client, bucket: StackResource, resources: list[StackResource]) -> list[tuple[str, Any]]:
    if _declares_policy(resources, "AWS::S3::BucketPolicy", lambda e: _names(e.get("Bucket")), bucket):
        return []  # CloudFormation's drift compares the declared policy
    try:
        policy = s3.get_bucket_policy(Bucket=bucket.physical_id)["Policy"]
    except ClientError as error:
        if error_code(error) == "NoSuchBucketPolicy":
            return []
        raise
    return [(RESOURCE_POLICY, json.loads(policy))]


def queue_findings(sqs: Client, queue: StackResource, resources: list[StackResource]) -> list[tuple[str, Any]]:
    if _declares_policy(resources, "AWS::SQS::QueuePolicy", lambda e: _names(e.get("Queues")), queue):
        return []
    policy = sqs.get_queue_attributes(QueueUrl=queue.physical_id, AttributeNames=["Policy"]).get("Attributes", {})
    return [(RESOURCE_POLICY, json.loads(policy["Policy"]))] if policy.get("Policy") else []


def topic_findings(sns: Client, topic: StackResource, resources: list[StackResource]) -> list[tuple[str, Any]]:
    if _declares_policy(resources, "AWS::SNS::TopicPolicy", lambda e: _names(e.get("Topics")), topic):
        return []
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic.physical_id)["Attributes"].get("Policy") or "{}")
    added = [s for s in _names(policy.get("Statement")) if s.get("Sid") != SNS_DEFAULT_STATEMENT]
    return [(RESOURCE_POLICY, {**policy, "Statement": added})] if added else []


READER_ROLE = "cfnops-drift-reader"
"""The role bootstrap creates in every account for this module (templates_src/stackset_roles.py);
it may call READ_ACTIONS only, and is trusted by the administrator account."""

READ_ACTIONS = {
    "cloudformation": ("ListStackResources", "DescribeStackResourceDrifts"),
    "ec2": ("DescribeSecurityGroupRules",),
    "iam": ("ListAttachedRolePolicies", "ListRolePolicies"),
    "s3": ("GetBucketPolicy",),
    "sqs": ("GetQueueAttributes",),
    "sns": ("GetTopicAttributes",),
}
"""Every call this module makes, by service (the reader role's policy is built from it)."""

READERS: dict[str, tuple[str, Callable[..., list[tuple[str, Any]]]]] = {
    "AWS::EC2::SecurityGroup": ("ec2", group_findings),
    "AWS::IAM::Role": ("iam", role_findings),
    "AWS::S3::Bucket": ("s3", bucket_findings),
    "AWS::SQS::Queue": ("sqs", queue_findings),
    "AWS::SNS::Topic": ("sns", topic_findings),
}
"""Per resource type: the service read and what it finds."""


GONE = {  # what each service answers for a resource that no longer exists: CloudFormation reports it DELETED
    "InvalidGroup.NotFound",
    "NoSuchEntity",
    "NoSuchBucket",
    "NotFound",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
}


def _read(read, client: Client, resource: StackResource, resources: list[StackResource]) -> list[tuple[str, Any]]:
    try:
        return read(client, resource, resources)
    except ClientError as error:
        if error_code(error) in GONE:
            return []
        raise


def instance_findings(
    reader: Reader, stackset: str, account: str, region: str, resources: list[StackResource]
) -> list[OutsideFinding]:
    """Everything no template of this instance declares, on the instance's resources."""
    found = []
    for resource in resources:
        if resource.resource_type not in READERS or not resource.physical_id:
            continue
        service, read = READERS[resource.resource_type]
        for kind, value in _read(read, reader(service, account, region), resource, resources):
            found.append(
                OutsideFinding(
                    stackset,
                    account,
                    region,
                    resource.logical_id,
                    resource.resource_type,
                    resource.physical_id,
                    kind,
                    value,
                )
            )
    return found


class Readers:
    """Read-only clients per account: the caller's own session in its own account, else the
    account's READER_ROLE, assumed once per account."""

    def __init__(self, aws: Aws, own_account: str, partition: str = "aws"):
        self.aws, self.own_account, self.partition = aws, own_account, partition
        self.sessions: dict[str, Aws] = {}

    def __call__(self, service: str, account: str, region: str) -> Client:
        if account == self.own_account:
            return self.aws.client(service, region)
        if account not in self.sessions:
            import boto3

            credentials = self.aws.client("sts", region).assume_role(
                RoleArn=f"arn:{self.partition}:iam::{account}:role/{READER_ROLE}", RoleSessionName="cfnops-drift"
            )["Credentials"]
            self.sessions[account] = Aws(
                boto3.Session(
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                )
            )
        return self.sessions[account].client(service, region)
