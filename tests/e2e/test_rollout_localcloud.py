"""End to end on localcloud across us-east-1, us-west-2 and eu-west-1: create, no-op,
parameter change, override change, region added, region removed (PRUNE), failures,
an operation already running, an interrupted rollout."""

from __future__ import annotations

import json
import re
import warnings

import boto3
import pytest

import localcloud
from cfnops.build import bootstrap_seed
from cfnops.rollout.operations import WaitSettings
from cfnops.rollout.plan import OPERATION_ID
from templates_src.conventions import REGIONS
from tests.support.rollout import (
    EVERY_REGION,
    STACKSET_REGIONS,
    Run,
    copy_project,
    do_bootstrap,
    edit,
    instance_stack_parameters,
)

localcloud.install()
from moto import mock_aws  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        yield project


def cfn(region: str = "us-east-1"):
    return boto3.client("cloudformation", region_name=region)


def protection_parameters(project) -> dict[str, str]:
    """StackSet -> the deletion-protection parameter its template declares (those that have one)."""
    from cfnops.rollout import protection

    declared = {
        key: protection.declared(json.loads(project.template_path(key).read_text())) for key in STACKSET_REGIONS
    }
    return {key: names[0] for key, names in declared.items() if names}


def creations(plan) -> int:
    """CreateStackInstances calls a first creation makes: one per distinct set of creation overrides."""
    return len({plan.desired.creation_digest(region) for _, region in plan.add})


def test_create_reaches_current_in_three_regions_with_the_staging_values(project):
    run = Run(project)
    assert run.failures == []
    # one CreateStackInstances per StackSet, but fraud-detection: one per region (its overrides); the same
    # again as UpdateStackInstances that turn deletion protection on, for every StackSet whose template has it
    # network-peering: one per region too, in passes (each region after those it reads)
    protected_plans = [p for p in run.plans if p.desired.spec.key in protection_parameters(project)]
    assert run.mutating == {
        "CreateStackSet": len(STACKSET_REGIONS),
        "CreateStackInstances": sum(creations(p) for p in run.plans),
        "UpdateStackInstances": sum(creations(p) for p in protected_plans),
    }
    for key, regions in STACKSET_REGIONS.items():
        summaries = cfn().list_stack_instances(StackSetName=f"{key}-staging")["Summaries"]
        assert sorted(s["Region"] for s in summaries) == sorted(regions)
        assert {s["Status"] for s in summaries} == {"CURRENT"}
        assert all(OPERATION_ID.match(s["LastOperationId"]) for s in summaries)
    for region in REGIONS:
        values = instance_stack_parameters("fraud-detection-staging", region)
        assert (values["ErrorThreshold"], values["LatencyThresholdMs"], values["DbInstanceClass"]) == (
            "5",
            "3000",
            "db.r6g.large",
        )
        assert f":acm:{region}:" in values["CertificateArn"]


def protection_values(project, environment: str = "staging") -> dict[tuple[str, str], str]:
    """(StackSet, region) -> the deletion-protection parameter of its instance stack."""
    return {
        (key, region): instance_stack_parameters(f"{key}-{environment}", region)[name]
        for key, name in protection_parameters(project).items()
        for region in STACKSET_REGIONS[key]
    }


def test_first_creation_turns_deletion_protection_on_afterwards_and_a_second_deploy_is_a_no_op(project):
    run = Run(project)
    assert run.failures == []
    for plan in run.plans:
        actions = [o.action for result in run.results if result.plan is plan for o in result.outcomes]
        expected = ["CREATE"] * creations(plan)
        if plan.desired.spec.key in protection_parameters(
            project
        ):  # created with protection off, then an update turns it on
            expected += ["UPDATE"] * len(expected)
        assert actions == expected, plan.name
    assert set(protection_values(project).values()) == {"true"}
    again = Run(project)
    assert again.mutating == {} and again.calls("DescribeStackInstance") == 0


def test_a_deploy_interrupted_between_creation_and_protection_is_finished_by_the_next(project, monkeypatch):
    from cfnops.rollout.deploy import StackSetApplier

    monkeypatch.setattr(StackSetApplier, "_protect", lambda self: None)  # as if Ctrl-C came right after the creation
    first = Run(project)
    assert first.failures == []
    assert set(protection_values(project).values()) == {"false"}
    monkeypatch.undo()
    again = Run(project)
    protecting = [p for p in first.plans if p.desired.spec.key in protection_parameters(project)]
    assert again.mutating == {"UpdateStackInstances": sum(creations(p) for p in protecting)}
    assert again.calls("DescribeStackInstance") == 0  # the creation's OperationIds say what they left
    assert set(protection_values(project).values()) == {"true"}
    assert Run(project).mutating == {}


def test_a_failed_first_creation_in_staging_is_retried_by_deploying_again(project):
    Run(project, only=("network",))
    boto3.client("iam").create_role(RoleName="staging-us-west-2-role-fraud-service", AssumeRolePolicyDocument="{}")
    failed = Run(project, only=("network", "fraud-detection"))
    assert len(failed.failures) == 1 and "123456789012/us-west-2 FAILED" in failed.failures[0]
    assert {
        r: instance_stack_parameters("fraud-detection-staging", r)["DbDeletionProtection"]
        for r in ("us-east-1", "eu-west-1")
    } == {"us-east-1": "true", "eu-west-1": "true"}
    boto3.client("iam").delete_role(RoleName="staging-us-west-2-role-fraud-service")
    fixed = Run(project, only=("network", "fraud-detection"))
    assert fixed.failures == []
    [plan] = [p for p in fixed.plans if p.name == "fraud-detection-staging"]
    assert plan.retry == plan.protect == (("123456789012", "us-west-2"),)
    assert fixed.mutating == {"UpdateStackInstances": 2}  # again with protection off, then protection on
    assert instance_stack_parameters("fraud-detection-staging", "us-west-2")["DbDeletionProtection"] == "true"
    assert Run(project, only=("network", "fraud-detection")).mutating == {}


def test_templates_over_51200_bytes_go_through_the_artifacts_bucket(project):
    Run(project)
    body = cfn().describe_stack_set(StackSetName="fraud-detection-staging")["StackSet"]["TemplateBody"]
    assert body == (project.generated / "fraud-detection.json").read_text()  # the linted bytes, unchanged
    assert len(body.encode()) > 51_200
    keys = boto3.client("s3").list_objects_v2(Bucket="cfnops-artifacts-123456789012-us-east-1")["Contents"]
    large = [
        f"{key}-staging" for key in STACKSET_REGIONS if len(project.template_path(key).read_bytes()) > 51_200
    ]  # stacksets/<key>.yaml deploys template <key>
    staged = [k["Key"] for k in keys if k["Key"].startswith(bootstrap_seed.KEY_PREFIX)]  # the bootstrap's own
    assert len(staged) == 1
    templates = [k["Key"] for k in keys if k["Key"] not in staged]
    assert sorted(k.split("/")[1] for k in templates) == sorted(large) and "fraud-agent-staging" in large


def test_unchanged_redeploy_makes_no_mutating_call_and_few_reads(project):
    Run(project)
    again = Run(project)
    assert again.mutating == {}
    assert all(plan.action == "unchanged" for plan in again.plans)
    reads = {k: v for k, v in again.aws.calls.items() if k.startswith("cloudformation:")}
    # every instance's last operation names the StackSet's state (vouch.py): no DescribeStackSet;
    # and network-peering reads what region_outputs names: each source stack once (network in 3
    # regions, itself in the first 2), found among the instances its plans already listed
    assert reads == {
        "cloudformation:ListStackInstances": len(STACKSET_REGIONS),
        "cloudformation:DescribeStacks": 3 + 2,
    }
    assert sum(reads.values()) <= 2 * len(STACKSET_REGIONS)


def test_parameter_change_is_one_update_stack_set(project):
    Run(project)
    edit(project.parameter_path("staging"), "ErrorThreshold: 5", "ErrorThreshold: 7")
    run = Run(project)
    assert run.mutating == {"UpdateStackSet": 1}
    [change] = [c for p in run.plans for c in p.parameter_changes]
    assert (change.scope, change.key, change.old, change.new) == ("StackSet", "ErrorThreshold", "5", "7")
    for region in REGIONS:
        assert instance_stack_parameters("fraud-detection-staging", region)["ErrorThreshold"] == "7"
    assert Run(project).mutating == {}


def test_override_change_updates_only_that_region(project):
    Run(project)
    edit(
        project.parameter_path("staging"),
        "certificate/5a000002-0000-4000-8000-000000000002",
        "certificate/5a000002-0000-4000-8000-0000000000ff",
    )
    run = Run(project)
    assert run.mutating == {"UpdateStackInstances": 1}
    plan = next(p for p in run.plans if p.name == "fraud-detection-staging")
    assert plan.update_overrides == ("us-west-2",)
    assert [c.scope for c in plan.parameter_changes] == ["us-west-2 (123456789012)"]
    assert instance_stack_parameters("fraud-detection-staging", "us-west-2")["CertificateArn"].endswith("0000000000ff")
    assert Run(project).mutating == {}


# network-peering's instances read each other's outputs: adding or removing a region changes the
# others' overrides too (test_peering_localcloud.py); these tests are about the StackSets' own regions
PLAIN = [name for name in EVERY_REGION if name != "network-peering"]


def set_regions(project, regions: str) -> None:
    """The StackSets that cover every region now cover ``regions`` (prod's region order too);
    parameter files keep overrides only for those regions (one for another region is refused)."""
    (project.root / "stacksets" / "network-peering.yaml").unlink(missing_ok=True)
    for name in PLAIN:
        path = project.root / "stacksets" / f"{name}.yaml"
        path.write_text(
            re.sub(r"^(\s*(regions|region_order)): \[.*\]$", rf"\1: {regions}", path.read_text(), flags=re.M)
        )
    for environment in ("dev", "staging", "prod"):
        path = project.parameter_path(environment)
        original = path.with_suffix(".yaml.all-regions")
        if not original.exists():
            original.write_text(path.read_text())
        text = original.read_text()
        if "us-west-2" not in regions:
            text = re.sub(r"^  us-west-2:\n(    .*\n)+", "", text, flags=re.M)
        path.write_text(text)


def test_region_added_then_removed_only_with_prune(project):
    # dev: staging's Aurora clusters have deletion protection, so deleting their stacks
    # fails there, as on AWS (test_localcloud_strict covers that refusal)
    set_regions(project, "[us-east-1, eu-west-1]")  # eu-west-1 stays: loan-processing needs its network
    assert Run(project, environment="dev").failures == []
    assert sorted(s["Region"] for s in cfn().list_stack_instances(StackSetName="network-dev")["Summaries"]) == [
        "eu-west-1",
        "us-east-1",
    ]
    set_regions(project, "[us-east-1, us-west-2, eu-west-1]")
    added = Run(project, environment="dev")
    assert added.mutating == {"CreateStackInstances": len(PLAIN)}
    set_regions(project, "[us-east-1, eu-west-1]")
    kept = Run(project, environment="dev")
    assert kept.mutating == {}  # removal needs PRUNE=1
    assert {p.name.removesuffix("-dev"): p.remove for p in kept.plans if p.remove} == {
        name: (("123456789012", "us-west-2"),) for name in PLAIN
    }  # planned, not done (network-peering's file is gone: it is not planned at all)
    pruned = Run(project, environment="dev", prune=True)
    assert pruned.failures == []
    assert pruned.mutating == {"DeleteStackInstances": len(PLAIN)}
    assert sorted(s["Region"] for s in cfn().list_stack_instances(StackSetName="network-dev")["Summaries"]) == [
        "eu-west-1",
        "us-east-1",
    ]
    assert [s["StackName"] for s in cfn("us-west-2").describe_stacks()["Stacks"]] == []  # dev deletes the stacks


def squat_role(region: str, environment: str = "dev") -> str:
    """Someone made a role by hand with the name our template uses in ``region``."""
    name = f"{environment}-{region}-role-fraud-operator"
    boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    return name


def test_failed_instance_is_reported_with_its_reason(project):
    Run(project, environment="dev", only=("network",))
    squat_role("us-west-2")
    run = Run(project, environment="dev")
    assert len(run.failures) == 1
    assert run.failures[0].startswith("fraud-detection-dev: 123456789012/us-west-2 FAILED: ")
    assert "dev-us-west-2-role-fraud-operator already exists" in run.failures[0]
    states = {
        s["Region"]: s["Status"] for s in cfn().list_stack_instances(StackSetName="fraud-detection-dev")["Summaries"]
    }
    assert states == {"us-east-1": "CURRENT", "us-west-2": "OUTDATED", "eu-west-1": "CURRENT"}


def test_a_failed_instance_is_retried_after_the_fix(project):
    test_failed_instance_is_reported_with_its_reason(project)
    boto3.client("iam").delete_role(RoleName="dev-us-west-2-role-fraud-operator")
    fixed = Run(project, environment="dev")
    assert fixed.failures == []
    assert fixed.mutating == {"UpdateStackInstances": 1}  # only the failed instance, with its overrides
    assert {s["Status"] for s in cfn().list_stack_instances(StackSetName="fraud-detection-dev")["Summaries"]} == {
        "CURRENT"
    }
    assert Run(project, environment="dev").mutating == {}


def test_waits_for_an_operation_already_running_then_goes_on(project, monkeypatch):
    Run(project)
    # the other operation outlasts our run's planning even on a loaded machine (it once took over 3 s)
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "10")
    other = cfn().update_stack_set(
        StackSetName="network-staging",
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": k, "UsePreviousValue": True}
            for k in (
                "Environment",
                "Owner",
                "CostCenter",
                "Project",
                "AzCount",
                "HighlyAvailableNat",
                "FlowLogRetentionDays",
            )
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )["OperationId"]
    edit(project.parameter_path("staging"), "FlowLogRetentionDays: 90", "FlowLogRetentionDays: 180")
    run = Run(project, only=("network",))
    assert run.failures == []
    outcomes = [o for r in run.results for o in r.outcomes]
    assert [o.action for o in outcomes] == ["UPDATE"] and run.mutating["UpdateStackSet"] >= 1
    assert run.calls("ListStackSetOperations") >= 1  # found the other operation and waited for it

    def operation(operation_id: str) -> dict:
        return cfn().describe_stack_set_operation(StackSetName="network-staging", OperationId=operation_id)[
            "StackSetOperation"
        ]

    theirs, ours = operation(other), operation(outcomes[0].operation_id)
    assert (theirs["Status"], ours["Status"]) == ("SUCCEEDED", "SUCCEEDED")
    assert ours["CreationTimestamp"] >= theirs["EndTimestamp"]  # ours started after theirs ended


def updates_of(stackset: str) -> list[dict]:
    return [s for s in cfn().list_stack_set_operations(StackSetName=stackset)["Summaries"] if s["Action"] == "UPDATE"]


def test_interrupted_rollout_converges_without_a_duplicate_operation(project, monkeypatch):
    Run(project)
    before = {s["OperationId"] for s in updates_of("fraud-detection-staging")}  # deletion protection turned on
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0.5")
    edit(project.parameter_path("staging"), "ErrorThreshold: 5", "ErrorThreshold: 8")
    from cfnops.core.errors import OperationFailedError

    with pytest.raises(OperationFailedError, match="still RUNNING after 0s; it keeps running in AWS"):
        Run(project, only=("fraud-detection",), wait=WaitSettings(timeout=0.0, first_poll=0.0, max_poll=0.0))
    again = Run(project, only=("fraud-detection",))
    assert again.mutating == {}  # UpdateStackSet kept its changes: waited for it, started nothing
    updates = [s for s in updates_of("fraud-detection-staging") if s["OperationId"] not in before]
    assert len(updates) == 1 and updates[0]["Status"] == "SUCCEEDED"


def test_twenty_accounts_cost_no_more_reads_than_one(project, monkeypatch):
    # only the caller's account is bootstrapped (holds an execution role): a test of call counts
    monkeypatch.setenv("LOCALCLOUD_PERMISSIONS", "off")
    accounts = [f"{100000000000 + n}" for n in range(20)]
    edit(project.root / "stacksets" / "network.yaml", "accounts: [self]", f"accounts: {json.dumps(accounts)}")
    first = Run(project, only=("network",))
    assert first.failures == [] and first.mutating == {"CreateStackSet": 1, "CreateStackInstances": 1}
    again = Run(project, only=("network",))
    assert again.mutating == {} and again.calls("DescribeStackInstance") == 0
    assert (again.calls("DescribeStackSet"), again.calls("ListStackInstances")) == (0, 1)  # vouched: vouch.py
    assert len(cfn().list_stack_instances(StackSetName="network-staging")["Summaries"]) == 60
