"""Drift of the types that guard access and keep the audit trail, through CloudFormation's own
drift APIs on localcloud: each resource is IN_SYNC as created, and one change made by hand with
the service's own API (plain boto3) to a property the template sets is MODIFIED with that
property's path; a change to a setting the template leaves unset is no drift (AWS compares only
what the template sets)."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"
TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Sub": "${Bucket.Arn}/*"}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


@pytest.fixture
def aws():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def client(service: str):
    return boto3.client(service, region_name=REGION)


def deploy(resources: dict) -> None:
    client("cloudformation").create_stack(
        StackName="sec", TemplateBody=json.dumps({"Resources": resources}), Capabilities=["CAPABILITY_IAM"]
    )


def drift(logical_id: str) -> dict:
    cloudformation = client("cloudformation")
    cloudformation.detect_stack_drift(StackName="sec")
    drifts = cloudformation.describe_stack_resource_drifts(StackName="sec")["StackResourceDrifts"]
    found = {d["LogicalResourceId"]: d for d in drifts}
    assert logical_id in found, f"{logical_id} was not checked (the drift APIs return no NOT_CHECKED records)"
    return found[logical_id]


def paths(record: dict) -> list[str]:
    return [d["PropertyPath"] for d in record["PropertyDifferences"]]


# --- S3 bucket policy ------------------------------------------------------------------------


def bucket_policy() -> dict:
    return {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "sec-audit"}},
        "Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": TLS_ONLY},
        },
    }


def test_a_bucket_policy_rewritten_by_hand_is_modified_and_deleted_by_hand_is_deleted(aws):
    deploy(bucket_policy())
    s3 = client("s3")
    assert json.loads(s3.get_bucket_policy(Bucket="sec-audit")["Policy"])["Statement"][0]["Sid"] == "TlsOnly"
    assert drift("Policy")["StackResourceDriftStatus"] == "IN_SYNC"
    s3.put_bucket_versioning(Bucket="sec-audit", VersioningConfiguration={"Status": "Enabled"})
    assert drift("Policy")["StackResourceDriftStatus"] == "IN_SYNC", "another setting of the bucket is no drift"
    public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sec-audit/*"}
    s3.put_bucket_policy(Bucket="sec-audit", Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]}))
    record = drift("Policy")
    assert record["StackResourceDriftStatus"] == "MODIFIED"
    assert paths(record) == ["/PolicyDocument"]
    s3.delete_bucket_policy(Bucket="sec-audit")
    assert drift("Policy")["StackResourceDriftStatus"] == "DELETED"


def test_deleting_the_stack_removes_the_policy(aws):
    bucket = {**bucket_policy()["Bucket"], "DeletionPolicy": "Retain"}
    deploy({**bucket_policy(), "Bucket": bucket})
    client("cloudformation").delete_stack(StackName="sec")
    with pytest.raises(client("s3").exceptions.ClientError, match="NoSuchBucketPolicy"):
        client("s3").get_bucket_policy(Bucket="sec-audit")


# --- EventBridge Scheduler -------------------------------------------------------------------


def schedule() -> dict:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "sec-ticks"}},
        "Schedule": {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Name": "sec-watch",
                "Description": "every six hours",
                "ScheduleExpression": "rate(6 hours)",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED",
                "Target": {"Arn": {"Fn::GetAtt": ["Queue", "Arn"]}, "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
            },
        },
    }


def test_a_schedule_disabled_by_hand_is_modified_on_its_state(aws):
    deploy(schedule())
    scheduler = client("scheduler")
    current = scheduler.get_schedule(Name="sec-watch")
    assert drift("Schedule")["StackResourceDriftStatus"] == "IN_SYNC"
    scheduler.update_schedule(
        Name="sec-watch",
        Description=current["Description"],
        ScheduleExpression=current["ScheduleExpression"],
        FlexibleTimeWindow=current["FlexibleTimeWindow"],
        Target=current["Target"],
        State="DISABLED",
    )
    record = drift("Schedule")
    assert record["StackResourceDriftStatus"] == "MODIFIED"
    assert paths(record) == ["/State"]
    scheduler.delete_schedule(Name="sec-watch")
    assert drift("Schedule")["StackResourceDriftStatus"] == "DELETED"


def test_a_schedule_s_get_att_arn_is_the_schedule_s_arn(aws):
    template = {"Resources": schedule(), "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Schedule", "Arn"]}}}}
    client("cloudformation").create_stack(StackName="sec", TemplateBody=json.dumps(template))
    [stack] = client("cloudformation").describe_stacks(StackName="sec")["Stacks"]
    [output] = stack["Outputs"]
    assert output["OutputValue"] == client("scheduler").get_schedule(Name="sec-watch")["Arn"]


def test_a_tls_only_policy_lets_https_requests_in_and_a_public_deny_keeps_them_out(aws):
    deploy(bucket_policy())
    s3 = client("s3")
    s3.put_object(Bucket="sec-audit", Key="in", Body=b"over https")  # aws:SecureTransport true: not denied
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::sec-audit/*"}
    s3.put_bucket_policy(Bucket="sec-audit", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    with pytest.raises(s3.exceptions.ClientError, match=r"403|AccessDenied"):
        s3.put_object(Bucket="sec-audit", Key="out", Body=b"denied")


# --- CloudTrail ------------------------------------------------------------------------------


def trail() -> dict:
    selectors = [
        {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
    ]
    return {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "sec-trail"}},
        "Trail": {
            "Type": "AWS::CloudTrail::Trail",
            "Properties": {
                "TrailName": "sec-audit",
                "S3BucketName": {"Ref": "Bucket"},
                "IsLogging": True,
                "IsMultiRegionTrail": True,
                "EnableLogFileValidation": True,
                "AdvancedEventSelectors": selectors,
                "Tags": [{"Key": "Owner", "Value": "security"}],
            },
        },
    }


def test_a_trail_stopped_or_changed_by_hand_is_modified_on_each_property(aws):
    deploy(trail())
    cloudtrail = client("cloudtrail")
    assert cloudtrail.get_trail_status(Name="sec-audit")["IsLogging"] is True
    assert drift("Trail")["StackResourceDriftStatus"] == "IN_SYNC"
    arn = cloudtrail.get_trail(Name="sec-audit")["Trail"]["TrailARN"]
    cloudtrail.add_tags(ResourceId=arn, TagsList=[{"Key": "OutOfBand", "Value": "by hand"}])
    assert drift("Trail")["StackResourceDriftStatus"] == "IN_SYNC", "a tag the template does not set is no drift"
    cloudtrail.stop_logging(Name="sec-audit")
    cloudtrail.update_trail(Name="sec-audit", EnableLogFileValidation=False)
    cloudtrail.put_event_selectors(
        TrailName="sec-audit",
        AdvancedEventSelectors=[{"Name": "none", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}],
    )
    cloudtrail.add_tags(ResourceId=arn, TagsList=[{"Key": "Owner", "Value": "someone"}])
    record = drift("Trail")
    assert record["StackResourceDriftStatus"] == "MODIFIED"
    assert sorted(paths(record)) == [
        "/AdvancedEventSelectors",
        "/EnableLogFileValidation",
        "/IsLogging",
        "/Tags/0/Value",
    ]
    cloudtrail.delete_trail(Name="sec-audit")
    assert drift("Trail")["StackResourceDriftStatus"] == "DELETED"


# --- WAFv2 -------------------------------------------------------------------------------------


def web_acl() -> dict:
    visibility = {"CloudWatchMetricsEnabled": True, "MetricName": "sec", "SampledRequestsEnabled": True}
    rate_limit = {
        "Name": "RateLimitPerIp",
        "Priority": 0,
        "Action": {"Block": {}},
        "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 2000}},
        "VisibilityConfig": {**visibility, "MetricName": "RateLimitPerIp"},
    }
    return {
        "Acl": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": "sec-api",
                "Scope": "REGIONAL",
                "Description": "rate limit",
                "DefaultAction": {"Allow": {}},
                "Rules": [rate_limit],
                "VisibilityConfig": visibility,
                "Tags": [{"Key": "Owner", "Value": "security"}],
            },
        },
        "Logging": {
            "Type": "AWS::WAFv2::LoggingConfiguration",
            "Properties": {
                "ResourceArn": {"Fn::GetAtt": ["Acl", "Arn"]},
                "LogDestinationConfigs": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:aws-waf-logs-sec"],
            },
        },
        "Association": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "ResourceArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/sec/0123456789abcdef",
                "WebACLArn": {"Fn::GetAtt": ["Acl", "Arn"]},
            },
        },
    }


def test_a_web_acl_changed_by_hand_is_modified_and_its_logging_and_association_too(aws):
    deploy(web_acl())
    wafv2 = client("wafv2")
    [summary] = wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"]
    resource = web_acl()["Association"]["Properties"]["ResourceArn"]
    assert wafv2.get_web_acl_for_resource(ResourceArn=resource)["WebACL"]["ARN"] == summary["ARN"]
    assert [drift(name)["StackResourceDriftStatus"] for name in ("Acl", "Logging", "Association")] == ["IN_SYNC"] * 3
    acl = wafv2.get_web_acl(Name="sec-api", Scope="REGIONAL", Id=summary["Id"])
    wafv2.update_web_acl(
        Name="sec-api",
        Scope="REGIONAL",
        Id=summary["Id"],
        DefaultAction={"Block": {}},
        Rules=acl["WebACL"]["Rules"],
        VisibilityConfig=acl["WebACL"]["VisibilityConfig"],
        Description="rate limit",
        LockToken=acl["LockToken"],
    )
    wafv2.tag_resource(ResourceARN=summary["ARN"], Tags=[{"Key": "Owner", "Value": "someone"}])
    record = drift("Acl")
    assert record["StackResourceDriftStatus"] == "MODIFIED"
    assert sorted(paths(record)) == ["/DefaultAction/Allow", "/Tags/0/Value"]
    wafv2.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": summary["ARN"],
            "LogDestinationConfigs": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:aws-waf-logs-elsewhere"],
        }
    )
    assert paths(drift("Logging")) == ["/LogDestinationConfigs"]
    wafv2.disassociate_web_acl(ResourceArn=resource)
    assert drift("Association")["StackResourceDriftStatus"] == "DELETED"


@pytest.mark.parametrize("writer, allowed", [("caller", True), ("arn:aws:iam::123456789012:role/someone-else", False)])
def test_a_policy_that_only_lets_named_principals_in_sees_the_caller_s_principal_arn(aws, writer, allowed):
    deploy(bucket_policy())
    s3 = client("s3")
    caller = client("sts").get_caller_identity()["Arn"] if writer == "caller" else writer
    only = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::sec-audit/*",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": [caller]}},
    }
    s3.put_bucket_policy(Bucket="sec-audit", Policy=json.dumps({"Version": "2012-10-17", "Statement": [only]}))
    if allowed:
        s3.put_object(Bucket="sec-audit", Key="in", Body=b"from the named writer")
    else:
        with pytest.raises(s3.exceptions.ClientError, match=r"403|AccessDenied"):
            s3.put_object(Bucket="sec-audit", Key="in", Body=b"from anyone else")


# --- Secrets Manager -------------------------------------------------------------------------


def secret() -> dict:
    generate = {"SecretStringTemplate": '{"username": "admin"}', "GenerateStringKey": "password", "PasswordLength": 24}
    return {
        "Secret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Name": "sec/db",
                "Description": "database master user",
                "GenerateSecretString": generate,
                "Tags": [{"Key": "Owner", "Value": "security"}],
            },
        }
    }


def test_a_secret_described_or_tagged_by_hand_is_modified_and_its_new_value_is_no_drift(aws):
    deploy(secret())
    secrets = client("secretsmanager")
    value = json.loads(secrets.get_secret_value(SecretId="sec/db")["SecretString"])
    assert value["username"] == "admin" and len(value["password"]) == 24
    assert drift("Secret")["StackResourceDriftStatus"] == "IN_SYNC"
    secrets.put_secret_value(SecretId="sec/db", SecretString=json.dumps({"username": "admin", "password": "by hand"}))
    assert drift("Secret")["StackResourceDriftStatus"] == "IN_SYNC", "the value is write-only: never compared"
    secrets.update_secret(SecretId="sec/db", Description="changed by hand")
    secrets.tag_resource(SecretId="sec/db", Tags=[{"Key": "Owner", "Value": "someone"}])
    record = drift("Secret")
    assert record["StackResourceDriftStatus"] == "MODIFIED"
    assert sorted(paths(record)) == ["/Description", "/Tags/0/Value"]
    secrets.delete_secret(SecretId="sec/db", ForceDeleteWithoutRecovery=True)
    assert drift("Secret")["StackResourceDriftStatus"] == "DELETED"


# --- stack updates ---------------------------------------------------------------------------


def retagged(resources: dict, logical_id: str) -> dict:
    properties = {**resources[logical_id]["Properties"], "Tags": [{"Key": "Owner", "Value": "platform"}]}
    return {**resources, logical_id: {**resources[logical_id], "Properties": properties}}


@pytest.mark.parametrize("resources, logical_id", [(trail, "Trail"), (web_acl, "Acl"), (secret, "Secret")])
def test_a_stack_update_retags_the_resource_in_its_service_and_it_stays_in_sync(aws, resources, logical_id):
    deploy(resources())
    client("cloudformation").update_stack(
        StackName="sec", TemplateBody=json.dumps({"Resources": retagged(resources(), logical_id)})
    )
    record = drift(logical_id)
    assert record["StackResourceDriftStatus"] == "IN_SYNC", record["PropertyDifferences"]
    assert json.loads(record["ActualProperties"])["Tags"] == [{"Key": "Owner", "Value": "platform"}]
