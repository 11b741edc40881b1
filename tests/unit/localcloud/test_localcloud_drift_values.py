"""localcloud's drift comparison reads string booleans as booleans, at any depth and in
any case, as CloudFormation does: a fresh table with DeletionProtectionEnabled "false" is IN_SYNC."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from localcloud.drift import differences

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
