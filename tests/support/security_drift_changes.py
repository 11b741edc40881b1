"""One change made by hand, through the service's own API, to a property the template sets, for
the access and audit types localcloud's drift reads (localcloud/drift/security_readers.py); each
returns the PropertyPath CloudFormation's drift reports it at. The generated-templates test
(tests/unit/localcloud/test_localcloud_drift_coverage.py) makes them on every such resource type."""

from __future__ import annotations

import json

import boto3


def _client(service: str, region: str):
    return boto3.client(service, region_name=region)


def bucket_policy(region: str):
    def change(physical_id: str, expected: dict) -> str:
        public = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{physical_id}/*",
        }
        _client("s3", region).put_bucket_policy(
            Bucket=physical_id, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]})
        )
        return "/PolicyDocument"

    return change


def schedule(region: str):
    def change(physical_id: str, expected: dict) -> str:
        scheduler = _client("scheduler", region)
        current = scheduler.get_schedule(Name=physical_id, GroupName=expected.get("GroupName", "default"))
        kept = ("Description", "ScheduleExpression", "FlexibleTimeWindow", "Target", "GroupName")
        scheduler.update_schedule(
            Name=physical_id,
            **{key: current[key] for key in kept if current.get(key)},
            State="DISABLED" if current["State"] == "ENABLED" else "ENABLED",
        )
        return "/State"

    return change


def trail(region: str):
    def change(physical_id: str, expected: dict) -> str:
        _client("cloudtrail", region).stop_logging(Name=physical_id)
        return "/IsLogging"

    return change


def logging_configuration(region: str):
    def change(physical_id: str, expected: dict) -> str:
        account = physical_id.split(":")[4]
        _client("wafv2", region).put_logging_configuration(
            LoggingConfiguration={
                "ResourceArn": physical_id,
                "LogDestinationConfigs": [f"arn:aws:logs:{region}:{account}:log-group:aws-waf-logs-by-hand"],
            }
        )
        return "/LogDestinationConfigs"

    return change


def changes(region: str) -> dict:
    return {
        "AWS::S3::BucketPolicy": bucket_policy(region),
        "AWS::Scheduler::Schedule": schedule(region),
        "AWS::CloudTrail::Trail": trail(region),
        "AWS::WAFv2::LoggingConfiguration": logging_configuration(region),
    }


# read, but nothing the template sets can change by hand offline: why
NO_CHANGE = {
    "AWS::WAFv2::WebACLAssociation": (
        "both its properties are its identity: disassociating or moving the resource to another web ACL is deletion"
    ),
}


def _trail_tag(region: str, physical_id: str, key: str, value: str) -> None:
    cloudtrail = _client("cloudtrail", region)
    arn = cloudtrail.get_trail(Name=physical_id)["Trail"]["TrailARN"]
    cloudtrail.add_tags(ResourceId=arn, TagsList=[{"Key": key, "Value": value}])


def _web_acl_tag(region: str, physical_id: str, key: str, value: str) -> None:
    name, acl_id, scope = physical_id.split("|")
    wafv2 = _client("wafv2", region)
    arn = wafv2.get_web_acl(Name=name, Id=acl_id, Scope=scope)["WebACL"]["ARN"]
    wafv2.tag_resource(ResourceARN=arn, Tags=[{"Key": key, "Value": value}])


def _secret_tag(region: str, physical_id: str, key: str, value: str) -> None:
    _client("secretsmanager", region).tag_resource(SecretId=physical_id, Tags=[{"Key": key, "Value": value}])


TAGGERS = {
    "AWS::CloudTrail::Trail": _trail_tag,
    "AWS::WAFv2::WebACL": _web_acl_tag,
    "AWS::SecretsManager::Secret": _secret_tag,
}


def tag(kind: str, region: str, physical_id: str, key: str, value: str) -> None:
    """Tag ``key`` set to ``value`` through the type's own service API."""
    if kind not in TAGGERS:
        raise AssertionError(f"no tag API for {kind}")
    TAGGERS[kind](region, physical_id, key, value)
