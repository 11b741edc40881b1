"""Drift of resources whose properties are their identity, or that span regions, which the
platform-wide coverage test cannot change in place: a subnet re-associated by hand or a
gateway detached is DELETED (on AWS the association or attachment no longer exists), a
global table's replica changed in another region is MODIFIED at /Replicas, a global cluster
deleted by hand is DELETED."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
OTHER = "us-west-2"

NETWORK = {
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.9.1.0/24"}},
        "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "Association": {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"RouteTableId": {"Ref": "Table"}, "SubnetId": {"Ref": "Subnet"}},
        },
        "Gateway": {"Type": "AWS::EC2::InternetGateway"},
        "Attachment": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Gateway"}},
        },
    }
}

GLOBAL = {
    "Resources": {
        "Rules": {
            "Type": "AWS::DynamoDB::GlobalTable",
            "Properties": {
                "TableName": "rules",
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "Replicas": [
                    {
                        "Region": region,
                        "DeletionProtectionEnabled": False,
                        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    }
                    for region in (REGION, OTHER)
                ],
            },
        },
        "Global": {
            "Type": "AWS::RDS::GlobalCluster",
            "Properties": {
                "GlobalClusterIdentifier": "ledger",
                "Engine": "aurora-postgresql",
                "DeletionProtection": False,
            },
        },
    }
}


@pytest.fixture
def aws():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def drifts(template: dict) -> tuple[dict, callable]:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="identity", TemplateBody=json.dumps(template))
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cloudformation.list_stack_resources(StackName="identity")["StackResourceSummaries"]
    }

    def detect() -> dict[str, dict]:
        cloudformation.detect_stack_drift(StackName="identity")
        found = cloudformation.describe_stack_resource_drifts(StackName="identity")["StackResourceDrifts"]
        return {d["LogicalResourceId"]: d for d in found}

    return physical, detect


def test_a_subnet_reassociated_or_a_gateway_detached_by_hand_is_deleted(aws):
    physical, detect = drifts(NETWORK)
    assert {k: d["StackResourceDriftStatus"] for k, d in detect().items()} == dict.fromkeys(
        ["Vpc", "Subnet", "Table", "Association", "Gateway", "Attachment"], "IN_SYNC"
    )
    ec2 = boto3.client("ec2", region_name=REGION)
    [table] = ec2.describe_route_tables(RouteTableIds=[physical["Table"]])["RouteTables"]
    [association] = [a for a in table["Associations"] if a.get("SubnetId") == physical["Subnet"]]
    other = ec2.create_route_table(VpcId=physical["Vpc"])["RouteTable"]["RouteTableId"]
    ec2.replace_route_table_association(AssociationId=association["RouteTableAssociationId"], RouteTableId=other)
    ec2.detach_internet_gateway(InternetGatewayId=physical["Gateway"], VpcId=physical["Vpc"])
    found = detect()
    assert found["Association"]["StackResourceDriftStatus"] == "DELETED"
    assert found["Attachment"]["StackResourceDriftStatus"] == "DELETED"
    assert found["Gateway"]["StackResourceDriftStatus"] == "IN_SYNC"


def test_a_replica_changed_in_another_region_is_modified_and_a_global_cluster_deleted_is_deleted(aws):
    physical, detect = drifts(GLOBAL)
    assert {k: d["StackResourceDriftStatus"] for k, d in detect().items()} == {"Rules": "IN_SYNC", "Global": "IN_SYNC"}
    boto3.client("dynamodb", region_name=OTHER).update_continuous_backups(
        TableName="rules", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    boto3.client("rds", region_name=REGION).delete_global_cluster(GlobalClusterIdentifier=physical["Global"])
    found = detect()
    assert found["Rules"]["StackResourceDriftStatus"] == "MODIFIED"
    [replicas] = found["Rules"]["PropertyDifferences"]
    assert replicas["PropertyPath"] == "/Replicas"
    assert (
        f'"Region":"{OTHER}"' in replicas["ActualValue"]
        and '"PointInTimeRecoveryEnabled":false' in replicas["ActualValue"]
    )
    assert found["Global"]["StackResourceDriftStatus"] == "DELETED"  # moto has no ModifyGlobalCluster
