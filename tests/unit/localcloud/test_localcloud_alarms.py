"""A template's alarm and subscription on localcloud behave as on AWS: the alarm starts
INSUFFICIENT_DATA, goes to ALARM when its metric breaches and CloudWatch's notification reaches
the topic's SQS subscriber; to a topic encrypted with a key whose policy does not let CloudWatch
use it, the notification is lost; an alarm's threshold changed by hand and an endpoint
unsubscribed by hand are drift."""

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
ADMIN = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
CLOUDWATCH = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
}


def template(key_statements: list[dict] | None) -> dict:
    topic: dict = {"TopicName": "alerts"}
    resources: dict = {}
    if key_statements is not None:
        resources["Key"] = {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": key_statements}},
        }
        topic["KmsMasterKeyId"] = {"Ref": "Key"}
    resources["Topic"] = {"Type": "AWS::SNS::Topic", "Properties": topic}
    resources["Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "on-call"}}
    resources["Subscription"] = {
        "Type": "AWS::SNS::Subscription",
        "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}},
    }
    resources["Alarm"] = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "drifted",
            "Namespace": "cfnops/Drift",
            "MetricName": "DriftedResources",
            "Dimensions": [{"Name": "Environment", "Value": "dev"}],
            "Statistic": "Maximum",
            "Period": 3600,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [{"Ref": "Topic"}],
        },
    }
    return {"Resources": resources}


@pytest.fixture
def aws():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def deploy(key_statements: list[dict] | None = None):
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="alarms", TemplateBody=json.dumps(template(key_statements)))
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    assert cloudwatch.describe_alarms(AlarmNames=["drifted"])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"
    cloudwatch.put_metric_data(
        Namespace="cfnops/Drift",
        MetricData=[
            {"MetricName": "DriftedResources", "Dimensions": [{"Name": "Environment", "Value": "dev"}], "Value": 2}
        ],
    )
    assert cloudwatch.describe_alarms(AlarmNames=["drifted"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.get_queue_url(QueueName="on-call")["QueueUrl"]
    return [
        json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ]


def test_a_breach_goes_to_alarm_and_the_notification_reaches_the_subscriber(aws):
    [notification] = deploy()
    assert notification["Subject"] == 'ALARM: "drifted" in US East (N. Virginia)'
    message = json.loads(notification["Message"])
    assert (message["AlarmName"], message["NewStateValue"], message["OldStateValue"]) == (
        "drifted",
        "ALARM",
        "INSUFFICIENT_DATA",
    )
    assert message["Trigger"]["Dimensions"] == [{"name": "Environment", "value": "dev"}]


def test_an_encrypted_topic_gets_it_only_when_its_key_lets_cloudwatch_use_it(aws):
    assert len(deploy([ADMIN, CLOUDWATCH])) == 1


def test_without_cloudwatch_in_the_key_policy_the_notification_is_lost(aws):
    assert deploy([ADMIN]) == []


def test_a_threshold_changed_by_hand_and_an_endpoint_unsubscribed_are_drift(aws):
    deploy()
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["drifted"])["MetricAlarms"]
    cloudwatch.put_metric_alarm(
        **{k: alarm[k] for k in ("AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period")},
        EvaluationPeriods=1,
        Threshold=100,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=alarm["AlarmActions"],
    )
    sns = boto3.client("sns", region_name=REGION)
    [subscription] = sns.list_subscriptions()["Subscriptions"]
    sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.detect_stack_drift(StackName="alarms")
    drifts = {
        d["LogicalResourceId"]: d
        for d in cloudformation.describe_stack_resource_drifts(StackName="alarms")["StackResourceDrifts"]
    }
    assert drifts["Subscription"]["StackResourceDriftStatus"] == "DELETED"
    [threshold] = drifts["Alarm"]["PropertyDifferences"]
    assert (threshold["PropertyPath"], threshold["ExpectedValue"], threshold["ActualValue"]) == (
        "/Threshold",
        "0",
        "100",
    )
