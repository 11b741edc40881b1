"""What AWS's drift never compares (cfnops.awsfacts.drift_support.not_compared, from AWS's drift
page and the registry schemas' write-only properties) localcloud never reports: a log group's
key disassociated by hand is no drift (AWS does not compare KMSKeyId), its retention is."""

from __future__ import annotations

import json
import warnings

import boto3

import localcloud
from cfnops.awsfacts import drift_support

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"


def test_aws_s_documented_exclusions_and_write_only_properties_are_not_compared():
    assert drift_support.not_compared("AWS::Logs::LogGroup", ("KmsKeyId",)) == drift_support.NEVER_COMPARED["kmskeyid"]
    assert drift_support.not_compared("AWS::CloudTrail::Trail", ("KMSKeyId",))
    assert drift_support.not_compared("AWS::RDS::DBInstance", ("MasterUserPassword",)) == drift_support.WRITE_ONLY
    rule = ("LifecycleConfiguration", "Rules", "0", "NoncurrentVersionExpirationInDays")
    assert drift_support.not_compared("AWS::S3::Bucket", rule) == drift_support.WRITE_ONLY
    assert drift_support.not_compared("AWS::S3::Bucket", ("LifecycleConfiguration", "Rules", "0", "Status")) == ""
    assert drift_support.not_compared("AWS::RDS::DBInstance", ("DBInstanceClass",)) == ""
    assert drift_support.not_compared("AWS::SQS::Queue", ("KmsMasterKeyId",)) == ""


def test_a_key_changed_by_hand_is_no_drift_a_retention_is():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
        template = {
            "Resources": {
                "Group": {
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": {"LogGroupName": "/x/logs", "RetentionInDays": 30, "KmsKeyId": key},
                }
            }
        }
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName="excluded", TemplateBody=json.dumps(template))

        def drift() -> dict:
            cloudformation.detect_stack_drift(StackName="excluded")
            [found] = cloudformation.describe_stack_resource_drifts(StackName="excluded")["StackResourceDrifts"]
            return found

        logs = boto3.client("logs", region_name=REGION)
        logs.disassociate_kms_key(logGroupName="/x/logs")
        found = drift()
        assert found["StackResourceDriftStatus"] == "IN_SYNC"
        assert "KmsKeyId" not in json.loads(found["ExpectedProperties"])
        logs.put_retention_policy(logGroupName="/x/logs", retentionInDays=7)
        [difference] = drift()["PropertyDifferences"]
        assert (difference["PropertyPath"], difference["ExpectedValue"], difference["ActualValue"]) == (
            "/RetentionInDays",
            "30",
            "7",
        )
