"""Out-of-band changes to the clustered data stores and their scaling, made with plain boto3
against localcloud's emulated services, are CloudFormation drift at the property's path
(IN_SYNC before); the resources are real in moto, not placeholders."""

from __future__ import annotations

import boto3

from localcloud.drift.engine import detect_stack
from tests.support import cluster_changes
from tests.unit.localcloud.test_localcloud_drift_coverage import first_checked, record, stacks  # noqa: F401
from tests.unit.localcloud.test_localcloud_updates import REGION


def _checked(stacks, kind: str):  # noqa: F811
    stack, drift = first_checked(stacks, kind)
    assert stack is not None, f"localcloud checks no {kind} created in {REGION} with staging's values"
    assert drift.status == "IN_SYNC"
    return stack, drift


def _difference(stack, logical_id: str, path: str) -> dict:
    after = record(stack, logical_id)
    assert after.status == "MODIFIED"
    [difference] = [d for d in after.differences if d["PropertyPath"] == path]
    return difference


def test_a_replication_group_modified_by_hand_is_drift(stacks):  # noqa: F811
    stack, drift = _checked(stacks, "AWS::ElastiCache::ReplicationGroup")
    limit = int(drift.expected["SnapshotRetentionLimit"])
    boto3.client("elasticache", region_name=REGION).modify_replication_group(
        ReplicationGroupId=drift.physical_id, SnapshotRetentionLimit=limit + 3, ApplyImmediately=True
    )
    difference = _difference(stack, drift.logical_id, "/SnapshotRetentionLimit")
    assert (difference["ExpectedValue"], difference["ActualValue"]) == (str(limit), str(limit + 3))


def test_a_scalable_target_registered_again_by_hand_is_drift(stacks):  # noqa: F811
    stack, drift = _checked(stacks, "AWS::ApplicationAutoScaling::ScalableTarget")
    path = cluster_changes.scalable_target(drift.physical_id, drift.expected)
    assert _difference(stack, drift.logical_id, path)["ActualValue"] == str(int(drift.expected["MaxCapacity"]) + 5)


def test_a_scaling_policy_put_again_by_hand_is_drift(stacks):  # noqa: F811
    stack, drift = _checked(stacks, "AWS::ApplicationAutoScaling::ScalingPolicy")
    path = cluster_changes.scaling_policy(drift.physical_id, drift.expected)
    assert _difference(stack, drift.logical_id, path)["ActualValue"] == "99"


def test_a_db_cluster_modified_by_hand_is_drift(stacks):  # noqa: F811
    stack, drift = _checked(stacks, "AWS::RDS::DBCluster")
    retention = int(drift.expected["BackupRetentionPeriod"])
    boto3.client("rds", region_name=REGION).modify_db_cluster(
        DBClusterIdentifier=drift.physical_id,
        BackupRetentionPeriod=retention + 5,
        EnableIAMDatabaseAuthentication=False,
        ApplyImmediately=True,
    )
    difference = _difference(stack, drift.logical_id, "/BackupRetentionPeriod")
    assert (difference["ExpectedValue"], difference["ActualValue"]) == (str(retention), str(retention + 5))
    iam = _difference(stack, drift.logical_id, "/EnableIAMDatabaseAuthentication")
    assert (iam["ExpectedValue"], iam["ActualValue"]) == ("true", "false")


def test_a_cluster_parameter_changed_by_hand_is_drift(stacks):  # noqa: F811
    stack, drift = _checked(stacks, "AWS::RDS::DBClusterParameterGroup")
    name, value = next(iter(drift.expected["Parameters"].items()))
    boto3.client("rds", region_name=REGION).modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=drift.physical_id,
        Parameters=[{"ParameterName": name, "ParameterValue": "changed-by-hand", "ApplyMethod": "immediate"}],
    )
    difference = _difference(stack, drift.logical_id, f"/Parameters/{name}")
    assert (difference["ExpectedValue"], difference["ActualValue"]) == (str(value), "changed-by-hand")


def test_a_metric_math_alarm_whose_expression_is_changed_by_hand_is_drift(stacks):  # noqa: F811
    found = [
        (stack, d)
        for stack in stacks.values()
        for d in detect_stack(stack)
        if d.resource_type == "AWS::CloudWatch::Alarm" and d.expected.get("Metrics") and d.status == "IN_SYNC"
    ]
    assert found, f"no metric-math alarm is checked in {REGION} with staging's values"
    stack, drift = found[0]
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[drift.physical_id])["MetricAlarms"]
    changed = [{**m, "Expression": "0"} if m.get("Expression") else m for m in alarm["Metrics"]]
    settings = ("AlarmName", "ComparisonOperator", "EvaluationPeriods", "Threshold", "AlarmActions", "OKActions")
    cloudwatch.put_metric_alarm(**{k: alarm[k] for k in settings}, Metrics=changed)
    difference = _difference(stack, drift.logical_id, "/Metrics")
    assert '"Expression":"0"' in difference["ActualValue"] and '"Expression":"0"' not in difference["ExpectedValue"]
