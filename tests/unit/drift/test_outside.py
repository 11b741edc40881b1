"""cfnops's own reading of what CloudFormation's drift cannot see, on moto: what a template
declares is never a finding, what was added beside it always is."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.drift import detect as drift
from cfnops.drift import outside
from cfnops.drift.outside import StackResource

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def aws():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield lambda service: boto3.client(service, region_name=REGION)


def test_a_rule_added_beside_the_declared_ones_is_found_and_only_that_one(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    peer = ec2.create_security_group(GroupName="p", Description="p", VpcId=vpc)["GroupId"]
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16", "Description": "in"}
    from_peer = {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "SourceSecurityGroupId": peer}
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": peer}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    resources = [
        StackResource("Group", "AWS::EC2::SecurityGroup", group, {"SecurityGroupIngress": [https]}),
        StackResource("FromPeer", "AWS::EC2::SecurityGroupIngress", "sgr-1", {"GroupId": group, **from_peer}),
    ]
    found = outside.group_findings(ec2, resources[0], resources)
    values = [value for kind, value in found if kind == outside.GROUP_RULE]
    # the default allow-all egress is not declared either: the template set no egress
    assert {(v["IsEgress"], v["FromPort"], v.get("CidrIpv4")) for v in values} == {
        (False, 22, "0.0.0.0/0"),
        (True, -1, "0.0.0.0/0"),
    }


def test_a_policy_attached_or_put_out_of_band_is_found_declared_ones_are_not(aws):
    iam = aws("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)
    declared = iam.create_policy(PolicyName="declared", PolicyDocument=json.dumps(ALLOW_NOTHING))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=declared)
    by_hand = iam.create_policy(PolicyName="by-hand", PolicyDocument=json.dumps(ALLOW_NOTHING))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=by_hand)
    iam.put_role_policy(RoleName="app", PolicyName="inline", PolicyDocument=json.dumps(ALLOW_NOTHING))
    iam.put_role_policy(RoleName="app", PolicyName="by-hand", PolicyDocument=json.dumps(ALLOW_NOTHING))
    role = StackResource("Role", "AWS::IAM::Role", "app", {"Policies": [{"PolicyName": "inline"}]})
    policy = StackResource("Declared", "AWS::IAM::ManagedPolicy", declared, {"Roles": ["app"]})
    assert outside.role_findings(iam, role, [role, policy]) == [
        (outside.ATTACHED_POLICY, by_hand),
        (outside.INLINE_POLICY, "by-hand"),
    ]


ALLOW_NOTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}


def test_resource_policies_are_found_only_where_no_policy_resource_declares_them(aws):
    s3, sqs, sns = aws("s3"), aws("sqs"), aws("sns")
    for name in ("plain", "declared"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(ALLOW_NOTHING))
    s3.create_bucket(Bucket="none")
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(ALLOW_NOTHING)})
    topic = sns.create_topic(Name="t")["TopicArn"]
    declared = StackResource("Policy", "AWS::S3::BucketPolicy", "p", {"Bucket": "declared"})
    buckets = {name: StackResource(name, "AWS::S3::Bucket", name, {}) for name in ("plain", "declared", "none")}
    resources = [declared, *buckets.values()]
    assert outside.bucket_findings(s3, buckets["plain"], resources) == [(outside.RESOURCE_POLICY, ALLOW_NOTHING)]
    assert outside.bucket_findings(s3, buckets["declared"], resources) == []
    assert outside.bucket_findings(s3, buckets["none"], resources) == []
    assert outside.queue_findings(sqs, StackResource("Q", "AWS::SQS::Queue", queue, {}), []) == [
        (outside.RESOURCE_POLICY, ALLOW_NOTHING)
    ]
    topic_resource = StackResource("T", "AWS::SNS::Topic", topic, {})
    assert outside.topic_findings(sns, topic_resource, []) == []  # SNS's default statement only
    sns.add_permission(TopicArn=topic, Label="by-hand", AWSAccountId=["999999999999"], ActionName=["Publish"])
    [(kind, document)] = outside.topic_findings(sns, topic_resource, [])
    assert kind == outside.RESOURCE_POLICY and [s["Sid"] for s in document["Statement"]] == ["by-hand"]


def test_an_ignore_rule_hides_a_finding_only_when_normalising_makes_it_nothing():
    finding = outside.OutsideFinding(
        "s", ACCOUNT, REGION, "T", "AWS::S3::Bucket", "b", outside.RESOURCE_POLICY, ALLOW_NOTHING
    )
    rule = drift.IgnoreRule("AWS::S3::Bucket", outside.RESOURCE_POLICY, "iam-policy", "policy noise")
    assert drift.hide_outside(finding, (rule,)).ignored_because == ""  # a real policy stays a finding
    empty = drift.IgnoreRule("AWS::S3::Bucket", outside.RESOURCE_POLICY, "service-tags", "aws: tags only", ())
    tags = outside.OutsideFinding(
        "s", ACCOUNT, REGION, "T", "AWS::S3::Bucket", "b", outside.RESOURCE_POLICY, [{"Key": "aws:x", "Value": "1"}]
    )
    assert drift.hide_outside(tags, (empty,)).ignored_because == "aws: tags only"


def test_the_readme_table_of_compared_security_properties_is_the_code_s_answer_for_generated():
    from cfnops.drift import security_properties
    from tests.conftest import ROOT
    from tests.support import docs

    templates = {
        p.name: json.loads(p.read_text())
        for p in ROOT.joinpath("generated").glob("*.json")
        if p.name != "manifest.json"
    }
    documented = "\n".join(path.read_text() for path in docs.files())
    assert "\n".join(security_properties.table(templates)) in documented
