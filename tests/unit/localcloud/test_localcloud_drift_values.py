"""localcloud's drift comparison reads string booleans as booleans, at any depth and in
any case, as CloudFormation does: a fresh table with DeletionProtectionEnabled "false" is IN_SYNC."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from localcloud.drift.models import differences

localcloud.install()
from moto import mock_aws  # noqa: E402


def table_template(protection: str) -> str:
    return json.dumps(
        {
            "Resources": {
                "Table": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {
                        "TableName": "drift-values",
                        "BillingMode": "PAY_PER_REQUEST",
                        "DeletionProtectionEnabled": protection,
                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    },
                }
            }
        }
    )


def drift(client, stack: str) -> list[dict]:
    client.detect_stack_drift(StackName=stack)
    return client.describe_stack_resource_drifts(StackName=stack)["StackResourceDrifts"]


@pytest.mark.parametrize("protection", ["false", "False", "FALSE"])
def test_a_fresh_table_with_string_false_is_in_sync(protection):
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack(StackName="values", TemplateBody=table_template(protection))
        [table] = drift(client, "values")
        assert (table["StackResourceDriftStatus"], table["PropertyDifferences"]) == ("IN_SYNC", [])


@pytest.mark.parametrize(
    "expected, actual",
    [("false", False), ("True", True), ({"Block": "FALSE"}, {"Block": False}), ([{"On": "true"}], [{"On": True}])],
)
def test_string_booleans_equal_booleans_at_any_depth(expected, actual):
    assert differences({"Flag": expected}, {"Flag": actual}) == []


def test_a_string_boolean_that_differs_is_still_drift():
    assert differences({"Flag": "false"}, {"Flag": True}) == [
        {"PropertyPath": "/Flag", "ExpectedValue": "false", "ActualValue": "true", "DifferenceType": "NOT_EQUAL"}
    ]


def group_template(ingress: list) -> str:
    group = {"GroupDescription": "g", "SecurityGroupIngress": ingress}
    return json.dumps({"Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": group}}})


@pytest.mark.parametrize(
    "ingress, status",
    [
        ([], "IN_SYNC"),  # an empty list is no declaration for AWS's drift (coverage-roadmap#2091)
        ([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"}], "MODIFIED"),
    ],
)
def test_a_rule_added_by_hand_is_drift_only_where_the_group_declares_inline_rules(ingress, status):
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack(StackName="sg", TemplateBody=group_template(ingress))
        group = client.describe_stack_resources(StackName="sg")["StackResources"][0]["PhysicalResourceId"]
        boto3.client("ec2", region_name="us-east-1").authorize_security_group_ingress(
            GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="0.0.0.0/0"
        )
        [record] = drift(client, "sg")
    assert record["StackResourceDriftStatus"] == status


def test_an_emulator_error_other_than_not_found_fails_the_detection_with_it(monkeypatch):
    """localcloud#29: only "not found" makes a resource DELETED; any other error is reported."""
    from localcloud.drift import engine as localcloud_drift

    def broken(target):
        raise RuntimeError("injected backend failure")

    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack(StackName="values", TemplateBody=table_template("false"))
        monkeypatch.setitem(localcloud_drift.READERS, "AWS::DynamoDB::Table", broken)
        detection = client.detect_stack_drift(StackName="values")["StackDriftDetectionId"]
        status = client.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    assert (status["DetectionStatus"], status["StackDriftStatus"]) == ("DETECTION_FAILED", "UNKNOWN")
    assert status["DetectionStatusReason"] == (
        "localcloud could not read Table (AWS::DynamoDB::Table): RuntimeError: injected backend failure"
    )
