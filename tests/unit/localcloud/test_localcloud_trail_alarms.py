"""The bootstrap's audit alarms fire on localcloud when CloudTrail-shaped events reach the trail's
log group: PutLogEvents counts each event in the group's metric filters (CloudWatch Logs' JSON
filter patterns), the metric reaches CloudWatch, and the alarm on it goes to ALARM."""

from __future__ import annotations

import json
import time

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"
GROUP = "cfnops-bootstrap-TrailLogGroup-EXAMPLE"


def _event(**fields) -> dict:
    base = {"eventVersion": "1.08", "eventTime": "2026-12-07T16:00:00Z", "awsRegion": REGION, "eventType": "AwsApiCall"}
    return {**base, **fields}


ROOT_SIGN_IN = _event(
    userIdentity={"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT},
    eventSource="signin.amazonaws.com",
    eventName="ConsoleLogin",
    eventType="AwsConsoleSignIn",
    responseElements={"ConsoleLogin": "Success"},
    additionalEventData={"MFAUsed": "Yes"},
)
ROOT_BY_A_SERVICE = _event(
    userIdentity={"type": "Root", "accountId": ACCOUNT, "invokedBy": "cloudtrail.amazonaws.com"},
    eventSource="s3.amazonaws.com",
    eventName="GetBucketAcl",
)


def _iam_user_sign_in(mfa: str) -> dict:
    return _event(
        userIdentity={"type": "IAMUser", "userName": "alice", "accountId": ACCOUNT},
        eventSource="signin.amazonaws.com",
        eventName="ConsoleLogin",
        eventType="AwsConsoleSignIn",
        responseElements={"ConsoleLogin": "Success"},
        additionalEventData={"MFAUsed": mfa},
    )


@pytest.fixture
def clients(templates):
    """The bootstrap's filters and alarms, as its template declares them, on a trail-like log group."""
    bootstrap = templates["stackset-roles"]["Resources"]
    with mock_aws():
        logs = boto3.client("logs", region_name=REGION)
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=f"{ACCOUNT}_CloudTrail_{REGION}")
        for title, resource in bootstrap.items():
            properties = resource["Properties"]
            if resource["Type"] == "AWS::Logs::MetricFilter":
                [t] = properties["MetricTransformations"]
                logs.put_metric_filter(
                    logGroupName=GROUP,
                    filterName=title,
                    filterPattern=properties["FilterPattern"],
                    metricTransformations=[
                        {
                            "metricName": t["MetricName"],
                            "metricNamespace": t["MetricNamespace"],
                            "metricValue": t["MetricValue"],
                        }
                    ],
                )
            elif resource["Type"] == "AWS::CloudWatch::Alarm":
                cloudwatch.put_metric_alarm(
                    AlarmName=properties["MetricName"],
                    **{
                        k: properties[k]
                        for k in ("Namespace", "MetricName", "Statistic", "Period", "EvaluationPeriods")
                    },
                    Threshold=float(properties["Threshold"]),
                    ComparisonOperator=properties["ComparisonOperator"],
                    TreatMissingData=properties["TreatMissingData"],
                )
        yield logs, cloudwatch


def _deliver(logs, *events: dict) -> None:
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=f"{ACCOUNT}_CloudTrail_{REGION}",
        logEvents=[{"timestamp": now, "message": json.dumps(e)} for e in events],
    )


def _alarming(cloudwatch) -> set[str]:
    return {a["AlarmName"] for a in cloudwatch.describe_alarms(StateValue="ALARM")["MetricAlarms"]}


def test_a_root_sign_in_sets_off_the_root_usage_alarm_only(clients):
    logs, cloudwatch = clients
    _deliver(logs, ROOT_SIGN_IN)
    assert _alarming(cloudwatch) == {"RootUserUsage"}


def test_root_acting_through_a_service_is_not_root_usage(clients):
    logs, cloudwatch = clients
    _deliver(logs, ROOT_BY_A_SERVICE)
    assert _alarming(cloudwatch) == set()


def test_a_console_sign_in_without_mfa_alarms_and_one_with_mfa_does_not(clients):
    logs, cloudwatch = clients
    _deliver(logs, _iam_user_sign_in("Yes"))
    assert _alarming(cloudwatch) == set()
    _deliver(logs, _iam_user_sign_in("No"))
    assert _alarming(cloudwatch) == {"ConsoleSignInWithoutMfa"}


def test_network_iam_and_key_changes_each_set_off_their_alarm(clients):
    logs, cloudwatch = clients
    _deliver(
        logs,
        _event(eventSource="ec2.amazonaws.com", eventName="CreateVpc", userIdentity={"type": "AssumedRole"}),
        _event(
            eventSource="ec2.amazonaws.com", eventName="AuthorizeSecurityGroupIngress", userIdentity={"type": "IAMUser"}
        ),
        _event(eventSource="iam.amazonaws.com", eventName="PutRolePolicy", userIdentity={"type": "IAMUser"}),
        _event(eventSource="kms.amazonaws.com", eventName="ScheduleKeyDeletion", userIdentity={"type": "IAMUser"}),
        _event(
            eventSource="ec2.amazonaws.com",
            eventName="DescribeVpcs",
            errorCode="Client.UnauthorizedOperation",
            userIdentity={"type": "IAMUser"},
        ),
    )
    assert _alarming(cloudwatch) == {
        "VpcChanges",
        "SecurityGroupChanges",
        "IamPolicyChanges",
        "KeyDisabledOrScheduledForDeletion",
        "UnauthorizedApiCalls",
    }
