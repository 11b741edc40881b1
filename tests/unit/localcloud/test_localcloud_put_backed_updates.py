"""A stack update of a resource localcloud puts in moto's service (an alarm, a metric filter)
puts it again, as CloudFormation's handler calls PutMetricAlarm / PutMetricFilter."""

from __future__ import annotations

import json
import warnings

import boto3

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402


def template(threshold: int, pattern: str) -> str:
    return json.dumps(
        {
            "Resources": {
                "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/pb/app"}},
                "Filter": {
                    "Type": "AWS::Logs::MetricFilter",
                    "Properties": {
                        "FilterName": "pb-errors",
                        "LogGroupName": {"Ref": "Group"},
                        "FilterPattern": pattern,
                        "MetricTransformations": [
                            {"MetricName": "Errors", "MetricNamespace": "PB", "MetricValue": "1"}
                        ],
                    },
                },
                "Alarm": {
                    "Type": "AWS::CloudWatch::Alarm",
                    "Properties": {
                        "AlarmName": "pb-errors",
                        "Namespace": "PB",
                        "MetricName": "Errors",
                        "Statistic": "Sum",
                        "Period": 60,
                        "EvaluationPeriods": 1,
                        "Threshold": threshold,
                        "ComparisonOperator": "GreaterThanThreshold",
                    },
                },
            }
        }
    )


def test_an_update_puts_the_alarm_and_the_metric_filter_again():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        cfn.create_stack(StackName="pb", TemplateBody=template(5, "ERROR"))
        cfn.update_stack(StackName="pb", TemplateBody=template(9, "FATAL"))
        [alarm] = boto3.client("cloudwatch", region_name="us-east-1").describe_alarms(AlarmNames=["pb-errors"])[
            "MetricAlarms"
        ]
        [found] = boto3.client("logs", region_name="us-east-1").describe_metric_filters(logGroupName="/pb/app")[
            "metricFilters"
        ]
    assert (alarm["Threshold"], found["filterPattern"]) == (9.0, "FATAL")
