"""A DB cluster's automated snapshots go with it (DeleteDBCluster's DeleteAutomatedBackups defaults to
true): a stack deleted and created again within the minute creates its cluster again (moto kept the
snapshots, and the second CreateDBCluster collided with `rds:<id>-<minute>`; the destroy-then-deploy
rehearsal found it)."""

from __future__ import annotations

import json
import warnings

import boto3

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

CLUSTER = {
    "DBClusterIdentifier": "dev-ledger",
    "Engine": "aurora-postgresql",
    "EngineVersion": "15.4",
    "MasterUsername": "ledger",
    "ManageMasterUserPassword": True,
    "StorageEncrypted": True,
}


def _status(cloudformation, name: str) -> str:
    return cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def test_a_cluster_deleted_with_its_stack_leaves_no_automated_snapshot_and_can_be_created_again():
    template = json.dumps({"Resources": {"Ledger": {"Type": "AWS::RDS::DBCluster", "Properties": CLUSTER}}})
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        rds = boto3.client("rds", region_name="us-east-1")
        cloudformation.create_stack(StackName="ledger", TemplateBody=template)
        assert _status(cloudformation, "ledger") == "CREATE_COMPLETE"
        assert rds.describe_db_cluster_snapshots(DBClusterIdentifier="dev-ledger", SnapshotType="automated")[
            "DBClusterSnapshots"
        ]
        cloudformation.delete_stack(StackName="ledger")
        assert not rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"]
        cloudformation.create_stack(StackName="ledger-again", TemplateBody=template)
        assert _status(cloudformation, "ledger-again") == "CREATE_COMPLETE"
        assert [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]] == ["dev-ledger"]
