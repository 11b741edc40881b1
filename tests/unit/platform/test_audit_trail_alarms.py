"""The audit trail also delivers to CloudWatch Logs, where Security Hub's CloudWatch.1-14
metric filters (CIS AWS Foundations, PCI DSS) count what they watch and alarm to an encrypted
topic of the bootstrap stack."""

from __future__ import annotations

import pytest

from cfnops.awsfacts.cis_metric_filters import CONTROLS
from templates_src.components.audit import LOG_RETENTION_DAYS
from tests.conftest import ref

TRAIL_ARN = {"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/cfnops-audit-trail"}


@pytest.fixture(scope="module")
def bootstrap(templates):
    return templates["stackset-roles"]


def _of_type(template: dict, kind: str) -> dict:
    return {title: r for title, r in template["Resources"].items() if r["Type"] == kind}


def test_the_trail_delivers_to_its_encrypted_log_group_kept_a_year(bootstrap):
    settings = bootstrap["Resources"]["Trail"]["Properties"]
    assert settings["CloudWatchLogsLogGroupArn"] == {"Fn::GetAtt": ["TrailLogGroup", "Arn"]}
    assert settings["CloudWatchLogsRoleArn"] == {"Fn::GetAtt": ["TrailLogsRole", "Arn"]}
    group = bootstrap["Resources"]["TrailLogGroup"]
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["TrailKey", "Arn"]}
    assert group["Properties"]["RetentionInDays"] >= 365 == LOG_RETENTION_DAYS
    assert "LogGroupName" not in group["Properties"]  # generated: a kept group never blocks a re-creation
    assert group["DeletionPolicy"] == "RetainExceptOnCreate"


def test_the_key_serves_this_regions_logs_and_cloudwatch_alarms(bootstrap):
    statements = bootstrap["Resources"]["TrailKey"]["Properties"]["KeyPolicy"]["Statement"]
    principals = [s["Principal"]["Service"] for s in statements if "Service" in s.get("Principal", {})]
    assert {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"} in principals
    assert "cloudwatch.amazonaws.com" in principals  # CloudWatch publishes to the encrypted topic
    logs = {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}
    logs_statement = next(s for s in statements if s.get("Principal", {}).get("Service") == logs)
    assert "kms:EncryptionContext:aws:logs:arn" in logs_statement["Condition"]["ArnLike"]


def test_only_cloudtrail_for_this_trail_may_assume_the_delivery_role(bootstrap):
    role = bootstrap["Resources"]["TrailLogsRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": ["cloudtrail.amazonaws.com"]}
    assert trust["Condition"]["StringEquals"] == {
        "aws:SourceArn": TRAIL_ARN,
        "aws:SourceAccount": ref("AWS::AccountId"),
    }
    [policy] = role["Policies"]
    [grant] = policy["PolicyDocument"]["Statement"]
    assert sorted(grant["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    [streams] = grant["Resource"]
    assert streams["Fn::Sub"][0].endswith(":log-group:${Group}:log-stream:${AWS::AccountId}_CloudTrail_*")
    assert streams["Fn::Sub"][1] == {"Group": ref("TrailLogGroup")}


def test_every_security_hub_control_has_its_exact_filter_on_the_trail_log_group(bootstrap):
    filters = {f["Properties"]["FilterPattern"]: f for f in _of_type(bootstrap, "AWS::Logs::MetricFilter").values()}
    for control in CONTROLS:
        properties = filters[control.pattern]["Properties"]
        assert properties["LogGroupName"] == ref("TrailLogGroup"), control.number
        [transformation] = properties["MetricTransformations"]
        assert transformation["MetricName"] == control.name and transformation["MetricValue"] == "1"


def test_every_filter_has_an_alarm_on_any_event_notifying_the_encrypted_audit_topic(bootstrap):
    alarms = {
        a["Properties"]["MetricName"]: a["Properties"] for a in _of_type(bootstrap, "AWS::CloudWatch::Alarm").values()
    }
    for f in _of_type(bootstrap, "AWS::Logs::MetricFilter").values():
        [transformation] = f["Properties"]["MetricTransformations"]
        alarm = alarms[transformation["MetricName"]]
        assert alarm["Namespace"] == transformation["MetricNamespace"]
        assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
            "Sum",
            0,
            "GreaterThanThreshold",
        )
        assert alarm["AlarmActions"] == [ref("AuditAlertTopic")]
    topic = bootstrap["Resources"]["AuditAlertTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == ref("TrailKey")


def test_the_topic_is_mailed_only_when_an_address_is_given(bootstrap):
    subscription = bootstrap["Resources"]["AuditAlertEmailSubscription"]
    assert subscription["Properties"]["Endpoint"] == ref("AuditAlertEmail")
    assert bootstrap["Parameters"]["AuditAlertEmail"]["Default"] == ""
    condition = bootstrap["Conditions"][subscription["Condition"]]
    assert {"Condition": "CreateRoles"} in condition["Fn::And"]


def test_delivery_filters_and_alarms_exist_once_per_account(bootstrap):
    audit = ["TrailLogGroup", "TrailLogsRole", "AuditAlertTopic"]
    for kind in ("AWS::Logs::MetricFilter", "AWS::CloudWatch::Alarm"):  # the bootstrap has no others
        audit += list(_of_type(bootstrap, kind))
    assert len(audit) > 3 and all(bootstrap["Resources"][t]["Condition"] == "CreateRoles" for t in audit)
