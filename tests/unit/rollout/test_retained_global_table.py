"""A kept global table (FraudRulesGlobalTable: RetainExceptOnCreate, a fixed name in every
Region) is removed by `destroy --remove-retained` like any kept table, replicas first, so the
next creation of the same stack converges instead of failing on "Table already exists"
(issue 20). On localcloud, where each replica is a table of its own Region."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.core.aws import Aws
from cfnops.rollout import retained
from templates_src.conventions import REGIONS

localcloud.install()
from moto import mock_aws  # noqa: E402

NAME = "dev-fraud-rules-global"
HOME = "us-east-1"
TEMPLATE = json.dumps(
    {
        "Resources": {
            "FraudRulesGlobalTable": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "DeletionPolicy": "RetainExceptOnCreate",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "TableName": NAME,
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "ruleId", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "ruleId", "KeyType": "HASH"}],
                    "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                    "Replicas": [{"Region": region, "DeletionProtectionEnabled": True} for region in REGIONS],
                },
            }
        }
    }
)


@pytest.fixture
def cloud(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield boto3.client("cloudformation", region_name=HOME)


def tables() -> dict[str, list[str]]:
    return {r: boto3.client("dynamodb", region_name=r).list_tables()["TableNames"] for r in REGIONS}


def test_a_kept_global_table_is_removed_with_its_replicas_and_the_stack_can_be_created_again(cloud):
    cloud.create_stack(StackName="fraud", TemplateBody=TEMPLATE)
    cloud.delete_stack(StackName="fraud")
    assert tables() == {r: [NAME] for r in REGIONS}  # kept in every Region
    item = retained.Retained(
        "fraud-detection-dev", "123456789012", HOME, "FraudRulesGlobalTable", "AWS::DynamoDB::GlobalTable", NAME, ""
    )
    assert retained.removable([item]) == ([item], [])
    assert retained.remove(Aws(), [item]) == []
    assert tables() == {r: [] for r in REGIONS}
    cloud.create_stack(StackName="fraud", TemplateBody=TEMPLATE)
    [stack] = cloud.describe_stacks(StackName="fraud")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_dynamodb_lists_the_other_replicas_and_refuses_to_delete_a_protected_one(cloud):
    cloud.create_stack(StackName="fraud", TemplateBody=TEMPLATE)
    dynamodb = boto3.client("dynamodb", region_name=HOME)
    replicas = dynamodb.describe_table(TableName=NAME)["Table"]["Replicas"]
    assert sorted(r["RegionName"] for r in replicas) == sorted(set(REGIONS) - {HOME})
    other = replicas[0]["RegionName"]
    with pytest.raises(dynamodb.exceptions.ClientError, match="deletion protection"):
        dynamodb.update_table(TableName=NAME, ReplicaUpdates=[{"Delete": {"RegionName": other}}])
    assert NAME in tables()[other]
