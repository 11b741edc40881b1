"""Cross-region replication on localcloud (us-east-1 primary, us-west-2 and eu-west-1):
region roles order a first creation, Aurora Global Database, the global fraud-rules table
and its migration from the regional table."""

from __future__ import annotations

import io
import warnings

import boto3
import pytest

import localcloud
from cfnops.cli.progress import PlainProgress
from cfnops.core.aws import Aws
from cfnops.core.errors import RefusedError
from cfnops.rollout import planview, tablecopy
from cfnops.rollout.pipeline import prepare
from templates_src.conventions import REGIONS
from tests.support.rollout import Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

ONLY = ("network", "fraud-detection")
SECONDARIES = ("us-west-2", "eu-west-1")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        yield project


def turn_on(project, name: str) -> None:
    edit(project.root / "parameters" / "staging.yaml", f"    {name}: false\n", f"    {name}: true\n")


def secondary_listed_first(project) -> None:
    """The StackSet lists a secondary before its primary: only region roles put us-east-1 first."""
    path = project.root / "stacksets" / "fraud-detection.yaml"
    edit(
        path,
        "regions: [us-east-1, us-west-2, eu-west-1]",
        "regions: [us-west-2, us-east-1, eu-west-1]\nprimary_region: us-east-1",
    )


def instances(stackset: str) -> dict[str, dict]:
    summaries = boto3.client("cloudformation", region_name="us-east-1").list_stack_instances(StackSetName=stackset)[
        "Summaries"
    ]
    return {s["Region"]: s for s in summaries}


def created_regions_in_order(stackset: str) -> list[list[str]]:
    """The regions of each CREATE operation of the StackSet, oldest first."""
    client = boto3.client("cloudformation", region_name="us-east-1")
    operations = client.list_stack_set_operations(StackSetName=stackset)["Summaries"]
    creates = sorted((o for o in operations if o["Action"] == "CREATE"), key=lambda o: o["CreationTimestamp"])
    return [
        sorted(
            r["Region"]
            for r in client.list_stack_set_operation_results(StackSetName=stackset, OperationId=o["OperationId"])[
                "Summaries"
            ]
        )
        for o in creates
    ]


def test_fresh_rollout_with_global_database_and_table_creates_the_primary_first(project):
    turn_on(project, "EnableGlobalDatabase")
    turn_on(project, "EnableGlobalTable")
    secondary_listed_first(project)
    run = Run(project, only=ONLY)
    assert run.failures == []
    found = instances("fraud-detection-staging")
    assert sorted(found) == sorted(REGIONS) and {s["Status"] for s in found.values()} == {"CURRENT"}
    order = created_regions_in_order("fraud-detection-staging")
    assert order[0] == ["us-east-1"] and sorted(r for wave in order[1:] for r in wave) == sorted(SECONDARIES)
    # one global cluster, made from the primary's cluster; the secondaries' clusters joined it
    [cluster] = boto3.client("rds", region_name="us-east-1").describe_global_clusters()["GlobalClusters"]
    assert cluster["GlobalClusterIdentifier"] == "staging-fraud-detection-global"
    assert cluster["Engine"] == "aurora-postgresql"
    # the global table has a replica in every region, each with its region's replicated-data key and PITR
    for region in REGIONS:
        dynamodb = boto3.client("dynamodb", region_name=region)
        table = dynamodb.describe_table(TableName="staging-fraud-rules-global")["Table"]
        aliases = boto3.client("kms", region_name=region).list_aliases()["Aliases"]
        [key_id] = [a["TargetKeyId"] for a in aliases if a["AliasName"] == f"alias/staging-{region}-replicated-data"]
        assert table["SSEDescription"]["KMSMasterKeyArn"].endswith(f":{region}:123456789012:key/{key_id}")
        backups = dynamodb.describe_continuous_backups(TableName="staging-fraud-rules-global")[
            "ContinuousBackupsDescription"
        ]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert table["DeletionProtectionEnabled"] is True  # staging's value, turned on once created
    # a second run: nothing to do
    assert Run(project, only=ONLY).mutating == {}


def test_a_secondary_created_before_its_primary_fails_with_rdss_reason(project, monkeypatch):
    """Without the roles' ordering (creation in the StackSet's listed order, secondary first), the
    secondary's cluster names a global cluster that does not exist yet."""
    from cfnops.rollout import roles

    turn_on(project, "EnableGlobalDatabase")
    secondary_listed_first(project)
    monkeypatch.setattr(
        roles, "creation_waves", lambda regions, adding, primary, has: [[r for r in regions if r in adding]]
    )
    run = Run(project, only=ONLY)
    [failure] = [line for line in run.failures if "us-west-2" in line]
    assert "ResourceLogicalId:DatabaseCluster" in failure
    assert (
        "The GlobalClusterIdentifier staging-fraud-detection-global doesn't refer to an existing global database cluster"
        in failure
    )


def put_rules(region: str, count: int) -> None:
    table = boto3.resource("dynamodb", region_name=region).Table("staging-fraud-rules")
    with table.batch_writer() as batch:
        for number in range(count):
            batch.put_item(Item={"ruleId": f"{region}-rule-{number}", "version": "1", "score": number})


def items(region: str, name: str) -> dict[str, dict]:
    scanned = boto3.resource("dynamodb", region_name=region).Table(name).scan(ConsistentRead=True)["Items"]
    return {item["ruleId"]: item for item in scanned}


def prepared(project):
    from cfnops.build import render

    render.write(project, render.render(project))  # the parameter files changed: so does the manifest
    return prepare(project, "staging", ONLY, run_lint=False)


def copy(project) -> list[tablecopy.Copied]:
    from cfnops.build import render

    prepared_ = prepared(project)
    return tablecopy.copy_environment(
        Aws(), prepared_.specs, render.read_generated(project), prepared_.resolved, PlainProgress(io.StringIO())
    )


def test_migration_from_a_deployed_regional_table_keeps_every_item(project):
    assert Run(project, only=ONLY).failures == []
    for number, region in enumerate(REGIONS):
        put_rules(region, 30 + number)  # more than one BatchWriteItem's 25
    before = {region: items(region, "staging-fraud-rules") for region in REGIONS}

    turn_on(project, "EnableGlobalTable")
    from cfnops.rollout.operations import WaitSettings
    from cfnops.rollout.pipeline import plan_all

    _, plans = plan_all(Aws(), prepared(project), PlainProgress(io.StringIO()), WaitSettings(timeout=60))
    shown = "\n".join(planview.describe(plans[1], show_diff=False))
    assert "parameter EnableGlobalTable [StackSet]: false -> true" in shown
    # (which resources that adds is plan14's resource-level plan, cfnops/changes/)

    run = Run(project, only=ONLY)
    assert run.failures == []  # no "already exists": the global table has its own name
    assert {region: items(region, "staging-fraud-rules") for region in REGIONS} == before  # the regional table is kept
    copied = copy(project)
    assert [c.region for c in copied] == ["us-west-2", "eu-west-1", "us-east-1"]  # the primary's items last: they win
    for region in REGIONS:
        assert items(region, "staging-fraud-rules-global") == before[region]
    assert [c.items for c in copy(project)] == [c.items for c in copied]  # again: the same, nothing doubled
    for region in REGIONS:
        assert items(region, "staging-fraud-rules-global") == before[region]

    edit(
        project.root / "parameters" / "staging.yaml",
        "    EnableGlobalTable: true\n",
        "    EnableGlobalTable: true\n    RetireRegionalTable: true\n",
    )
    with pytest.raises(RefusedError, match="fraud-detection/FraudRulesTable"):  # a stateful removal: named or refused
        Run(project, only=ONLY)
    assert Run(project, only=ONLY, allow_replace=frozenset({("fraud-detection", "FraudRulesTable")})).failures == []
    for region in REGIONS:  # out of the stack, still in DynamoDB with its items (deletion policy)
        assert items(region, "staging-fraud-rules") == before[region]
        stack = instances("fraud-detection-staging")[region]["StackId"]
        resources = boto3.client("cloudformation", region_name=region).describe_stack_resources(StackName=stack)[
            "StackResources"
        ]
        assert "FraudRulesTable" not in {r["LogicalResourceId"] for r in resources}


def test_copy_refuses_before_the_global_table_exists(project):
    assert Run(project, only=ONLY).failures == []
    from cfnops.core.errors import OperationFailedError

    with pytest.raises(OperationFailedError, match="global table staging-fraud-rules-global does not exist yet"):
        copy(project)
