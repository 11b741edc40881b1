"""localcloud's own state lives on moto's backends (localcloud/core/state.py), so moto's reset
(a new ``mock_aws``, or the server's reset) clears it with moto's own: nothing a test or a
rehearsal made survives into the next one."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from localcloud.core.failures import ResourceFailure

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
CLUSTER = {
    "Resources": {
        "Cluster": {
            "Type": "AWS::RDS::DBCluster",
            "Properties": {
                "Engine": "aurora-postgresql",
                "EngineVersion": "16.4",
                "StorageEncrypted": True,
                "MasterUsername": "dbadmin",
                "MasterUserPassword": "not-a-real-password",
            },
        }
    },
    "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Cluster", "DBClusterArn"]}}},
}
TABLE = {
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        }
    }
}


def global_cluster(source: str) -> str:
    return json.dumps(
        {
            "Resources": {
                "Global": {
                    "Type": "AWS::RDS::GlobalCluster",
                    "Properties": {"GlobalClusterIdentifier": "payments-global", "SourceDBClusterIdentifier": source},
                }
            }
        }
    )


@pytest.fixture
def session():
    """One moto session after another, as tests and rehearsals run them."""

    def start():
        context = mock_aws()
        context.start()
        return context

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield start


def cloudformation():
    return boto3.client("cloudformation", region_name=REGION)


def status(name: str) -> str:
    return cloudformation().describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def test_a_db_cluster_is_forgotten_by_the_reset(session):
    first = session()
    cloudformation().create_stack(StackName="cluster", TemplateBody=json.dumps(CLUSTER))
    arn = cloudformation().describe_stacks(StackName="cluster")["Stacks"][0]["Outputs"][0]["OutputValue"]
    cloudformation().create_stack(StackName="global", TemplateBody=global_cluster(arn))
    assert status("global") == "CREATE_COMPLETE"  # the source cluster is known within the session
    first.stop()

    second = session()
    try:
        # the cluster went with the reset: moto's in-process stack raises the resource's failure
        with pytest.raises(ResourceFailure, match=f"DBCluster {arn} not found"):
            cloudformation().create_stack(StackName="global", TemplateBody=global_cluster(arn))
    finally:
        second.stop()


def test_stacksets_and_drift_detections_are_cleared_by_the_reset(session):
    first = session()
    client = cloudformation()
    client.create_stack_set(StackSetName="payments", TemplateBody=json.dumps(TABLE))
    client.create_stack(StackName="table", TemplateBody=json.dumps(TABLE))
    detection = client.detect_stack_drift(StackName="table")["StackDriftDetectionId"]
    assert client.describe_stack_drift_detection_status(StackDriftDetectionId=detection)["DetectionStatus"] == (
        "DETECTION_COMPLETE"
    )
    first.stop()

    second = session()
    try:
        client = cloudformation()
        assert client.list_stack_sets()["Summaries"] == []
        with pytest.raises(client.exceptions.ClientError, match="StackDriftDetectionId not found"):
            client.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    finally:
        second.stop()
