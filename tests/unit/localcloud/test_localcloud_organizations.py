"""localcloud rehearses an organization (issue 27): service-managed StackSets from the
management account or a delegated administrator (CallAs), refused without trusted access,
deployed to OUs (nested ones too, never the management account) in each member account's
own backends as StackSets' ``stacksets-exec-*`` role, following accounts that join or leave
a target OU. Driven with plain boto3 as the management account, read back as each member
account through its OrganizationAccountAccessRole."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError

import localcloud
from localcloud.cloudformation.permissions import required
from tests.support.members import as_member, credentials_of

localcloud.install()
from moto import mock_aws  # noqa: E402

MANAGEMENT = "123456789012"  # moto's default account: the caller without assumed credentials
REGIONS = ["us-east-1", "eu-west-1"]
GROUP = "/localcloud/organization"
TEMPLATE = json.dumps(
    {
        "Resources": {
            "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": GROUP, "RetentionInDays": 7}}
        }
    }
)
NESTED = json.dumps(
    {
        "Resources": {
            "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://example.com/t.json"}}
        }
    }
)
STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"


@dataclass
class Org:
    root: str
    staging: str
    staging_eu: str  # nested in staging
    prod: str
    staging_account: str
    staging_eu_account: str
    prod_account: str
    spare: str  # in the root


def organizations():
    return boto3.client("organizations", region_name="us-east-1")


def cfn(region: str = "us-east-1", **credentials):
    return boto3.client("cloudformation", region_name=region, **credentials)


def refusal(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def _account(name: str, parent: str, root: str) -> str:
    account = organizations().create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    if parent != root:
        organizations().move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
    return account


def _unit(name: str, parent: str) -> str:
    return organizations().create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]


@pytest.fixture
def org(monkeypatch) -> Org:
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.delenv("LOCALCLOUD_PERMISSIONS", raising=False)  # permission-faithful, as by default
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        organizations().create_organization(FeatureSet="ALL")
        root = organizations().list_roots()["Roots"][0]["Id"]
        staging, prod = _unit("staging", root), _unit("prod", root)
        staging_eu = _unit("staging-eu", staging)
        yield Org(
            root,
            staging,
            staging_eu,
            prod,
            _account("staging", staging, root),
            _account("staging-eu", staging_eu, root),
            _account("prod", prod, root),
            _account("spare", root, root),
        )


@pytest.fixture
def trusted(org) -> Org:
    cfn().activate_organizations_access()
    return org


def service_managed(name: str = "platform", template: str = TEMPLATE, retain: bool = False, **more) -> None:
    cfn().create_stack_set(
        StackSetName=name,
        TemplateBody=template,
        PermissionModel="SERVICE_MANAGED",
        AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": retain},
        **more,
    )


def deploy(units: list[str], name: str = "platform", **targets) -> str:
    return cfn().create_stack_instances(
        StackSetName=name,
        DeploymentTargets={"OrganizationalUnitIds": units, **targets},
        Regions=REGIONS,
        OperationPreferences={"RegionConcurrencyType": "PARALLEL", "MaxConcurrentPercentage": 100},
    )["OperationId"]


def update_retention(days: int) -> None:
    cfn().update_stack_set(
        StackSetName="platform",
        TemplateBody=TEMPLATE.replace('"RetentionInDays": 7', f'"RetentionInDays": {days}'),
        OperationPreferences={"RegionConcurrencyType": "PARALLEL", "MaxConcurrentPercentage": 100},
    )


def instances(name: str = "platform") -> dict[tuple[str, str], dict]:
    return {(i["Account"], i["Region"]): i for i in cfn().list_stack_instances(StackSetName=name)["Summaries"]}


def member_stacks(account: str, region: str) -> list[str]:
    stacks = as_member(account, "cloudformation", region).describe_stacks()["Stacks"]
    return [s["StackStatus"] for s in stacks if s["StackName"].startswith("StackSet-platform-")]


# --- who may operate a service-managed StackSet ---------------------------------------------------


def test_service_managed_is_refused_until_trusted_access_is_activated(org):
    assert refusal(service_managed) == (
        "ValidationError",
        "You must enable organizations access to operate a service managed stack set",
    )
    # enabling the service principal in Organizations alone is not CloudFormation's activation
    organizations().enable_aws_service_access(ServicePrincipal=STACKSETS_PRINCIPAL)
    assert cfn().describe_organizations_access()["Status"] == "DISABLED"
    assert refusal(service_managed)[1] == "You must enable organizations access to operate a service managed stack set"
    cfn().activate_organizations_access()
    assert cfn().describe_organizations_access()["Status"] == "ENABLED"
    service_managed()
    assert cfn().describe_stack_set(StackSetName="platform")["StackSet"]["PermissionModel"] == "SERVICE_MANAGED"
    cfn().deactivate_organizations_access()
    assert refusal(lambda: deploy([org.staging]))[1].startswith("You must enable organizations access")


def test_only_the_management_account_activates_trusted_access(org):
    member = cfn(**credentials_of(org.prod_account))
    assert refusal(member.activate_organizations_access)[0] == "InvalidOperationException"
    assert cfn().describe_organizations_access()["Status"] == "DISABLED"


def test_a_member_account_that_is_no_delegated_administrator_is_refused_both_ways(trusted):
    member = cfn(**credentials_of(trusted.prod_account))
    create = {"StackSetName": "platform", "TemplateBody": TEMPLATE, "PermissionModel": "SERVICE_MANAGED"}
    assert refusal(lambda: member.create_stack_set(**create)) == (
        "ValidationError",
        "You must be the management account or delegated admin account of an organization before operating a "
        "SERVICE_MANAGED stack set",
    )
    assert refusal(lambda: member.create_stack_set(**create, CallAs="DELEGATED_ADMIN")) == (
        "ValidationError",
        "Account used is not a delegated administrator",
    )
    # the management account is no delegated administrator either
    assert refusal(lambda: cfn().create_stack_set(**create, CallAs="DELEGATED_ADMIN"))[1] == (
        "Account used is not a delegated administrator"
    )


def test_a_delegated_administrator_creates_in_the_management_account_and_sees_only_service_managed(trusted):
    organizations().register_delegated_administrator(AccountId=trusted.spare, ServicePrincipal=STACKSETS_PRINCIPAL)
    delegated = cfn(**credentials_of(trusted.spare))
    delegated.create_stack_set(
        StackSetName="platform", TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED", CallAs="DELEGATED_ADMIN"
    )
    cfn().create_stack_set(StackSetName="own", TemplateBody=TEMPLATE)  # the management account's self-managed one
    arn = cfn().describe_stack_set(StackSetName="platform")["StackSet"]["StackSetARN"]
    assert arn.split(":")[4] == MANAGEMENT  # "created in the management account"
    listed = delegated.list_stack_sets(CallAs="DELEGATED_ADMIN")["Summaries"]
    assert [(s["StackSetName"], s["PermissionModel"]) for s in listed] == [("platform", "SERVICE_MANAGED")]
    assert refusal(lambda: delegated.describe_stack_set(StackSetName="own", CallAs="DELEGATED_ADMIN"))[0] == (
        "StackSetNotFoundException"
    )
    # as itself, the delegated administrator has no such StackSet
    assert refusal(lambda: delegated.describe_stack_set(StackSetName="platform"))[0] == "StackSetNotFoundException"
    delegated.create_stack_instances(
        StackSetName="platform",
        DeploymentTargets={"OrganizationalUnitIds": [trusted.prod]},
        Regions=["us-east-1"],
        CallAs="DELEGATED_ADMIN",
    )
    assert member_stacks(trusted.prod_account, "us-east-1") == ["CREATE_COMPLETE"]


def test_an_organization_has_at_most_five_stacksets_delegated_administrators(trusted):
    extra = [_account(f"extra{n}", trusted.root, trusted.root) for n in range(2)]
    members = [trusted.staging_account, trusted.staging_eu_account, trusted.prod_account, trusted.spare, *extra]
    for account in members[:5]:
        organizations().register_delegated_administrator(AccountId=account, ServicePrincipal=STACKSETS_PRINCIPAL)
    sixth = members[5]

    def call():
        return organizations().register_delegated_administrator(AccountId=sixth, ServicePrincipal=STACKSETS_PRINCIPAL)

    assert refusal(call)[0] == "ConstraintViolationException"
    organizations().deregister_delegated_administrator(AccountId=members[0], ServicePrincipal=STACKSETS_PRINCIPAL)
    call()


def test_a_service_managed_stackset_is_not_deleted_or_checked_without_trusted_access(trusted):
    service_managed()
    cfn().deactivate_organizations_access()
    assert refusal(lambda: cfn().delete_stack_set(StackSetName="platform"))[1].startswith(
        "You must enable organizations"
    )
    assert refusal(lambda: cfn().detect_stack_set_drift(StackSetName="platform"))[1].startswith("You must enable")


def test_call_as_takes_only_its_two_values(trusted):
    assert refusal(lambda: cfn().list_stack_sets(CallAs="ADMIN"))[0] == "ValidationError"


# --- where the instances go ------------------------------------------------------------------------


def test_an_ou_reaches_the_accounts_of_its_nested_ous_in_their_own_backends(trusted):
    service_managed()
    operation = deploy([trusted.staging])
    found = instances()
    assert set(found) == {(a, r) for a in (trusted.staging_account, trusted.staging_eu_account) for r in REGIONS}
    assert {i["OrganizationalUnitId"] for i in found.values()} == {trusted.staging}  # the OU given
    assert {i["Status"] for i in found.values()} == {"CURRENT"}
    results = cfn().list_stack_set_operation_results(StackSetName="platform", OperationId=operation)["Summaries"]
    assert {r["OrganizationalUnitId"] for r in results} == {trusted.staging}
    described = cfn().describe_stack_set_operation(StackSetName="platform", OperationId=operation)
    assert described["StackSetOperation"]["DeploymentTargets"]["OrganizationalUnitIds"] == [trusted.staging]
    for account in (trusted.staging_account, trusted.staging_eu_account):
        for region in REGIONS:
            assert member_stacks(account, region) == ["CREATE_COMPLETE"]
            groups = as_member(account, "logs", region).describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
            assert [g["logGroupName"] for g in groups] == [GROUP]
    assert member_stacks(trusted.prod_account, "us-east-1") == []
    targets = cfn().list_stack_set_auto_deployment_targets(StackSetName="platform")["Summaries"]
    assert targets == [{"OrganizationalUnitId": trusted.staging, "Regions": sorted(REGIONS)}]
    described_set = cfn().describe_stack_set(StackSetName="platform")["StackSet"]
    assert described_set["OrganizationalUnitIds"] == [trusted.staging]
    assert "AdministrationRoleARN" not in described_set and "ExecutionRoleName" not in described_set


def test_the_root_reaches_every_member_account_never_the_management_account(trusted):
    service_managed()
    deploy([trusted.root])
    accounts = {account for account, _ in instances()}
    members = {a["Id"] for a in organizations().list_accounts()["Accounts"]} - {MANAGEMENT}
    assert accounts == members
    stacks = cfn().describe_stacks()["Stacks"]
    assert [s for s in stacks if s["StackName"].startswith("StackSet-platform-")] == []


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("INTERSECTION", {"staging_eu_account"}),
        ("DIFFERENCE", {"staging_account"}),
        ("NONE", {"staging_account", "staging_eu_account"}),
    ],
)
def test_account_filter_types_narrow_the_ous_accounts(trusted, kind, expected):
    service_managed()
    deploy([trusted.staging], Accounts=[trusted.staging_eu_account], AccountFilterType=kind)
    assert {account for account, _ in instances()} == {getattr(trusted, name) for name in expected}


def test_a_union_adds_accounts_outside_the_ous(trusted):
    service_managed()
    deploy([trusted.prod], Accounts=[trusted.spare], AccountFilterType="UNION")
    assert {account for account, _ in instances()} == {trusted.prod_account, trusted.spare}


def test_targets_follow_the_permission_model(trusted):
    service_managed()
    code, message = refusal(
        lambda: cfn().create_stack_instances(StackSetName="platform", Accounts=[trusted.prod_account], Regions=REGIONS)
    )
    assert code == "ValidationError" and "OrganizationalUnitIds" in message
    cfn().create_stack_set(StackSetName="own", TemplateBody=TEMPLATE)
    code, message = refusal(
        lambda: cfn().create_stack_instances(
            StackSetName="own", DeploymentTargets={"OrganizationalUnitIds": [trusted.prod]}, Regions=REGIONS
        )
    )
    assert code == "ValidationError" and "SELF_MANAGED" in message


# --- the execution in each member account -------------------------------------------------------------


def test_each_member_runs_its_stack_as_stacksets_exec_with_administrator_access(trusted):
    service_managed()
    deploy([trusted.prod])
    iam = as_member(trusted.prod_account, "iam")
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    execution = next(n for n in names if n.startswith("stacksets-exec-"))
    assert "AWSServiceRoleForCloudFormationStackSetsOrgMember" in names
    attached = iam.list_attached_role_policies(RoleName=execution)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    trust = iam.get_role(RoleName=execution)["Role"]["AssumeRolePolicyDocument"]
    principal = (json.loads(trust) if isinstance(trust, str) else trust)["Statement"][0]["Principal"]["AWS"]
    assert principal.endswith(
        ":role/aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin"
    )
    assert principal.split(":")[4] == MANAGEMENT


def test_a_member_whose_execution_role_lost_its_rights_fails_with_access_denied(trusted):
    service_managed()
    deploy([trusted.prod])
    iam = as_member(trusted.prod_account, "iam")
    execution = next(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("stacksets-exec-"))
    iam.detach_role_policy(RoleName=execution, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    update_retention(14)
    failed = instances()[(trusted.prod_account, "us-east-1")]
    assert failed["StackInstanceStatus"]["DetailedStatus"] == "FAILED"
    assert (
        "AccessDenied" in failed["StatusReason"]
        and f"arn:aws:sts::{trusted.prod_account}:assumed-role/{execution}/" in failed["StatusReason"]
    )


def test_a_member_whose_execution_role_no_longer_trusts_stacksets_cannot_be_assumed(trusted):
    service_managed()
    deploy([trusted.prod])
    iam = as_member(trusted.prod_account, "iam")
    execution = next(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("stacksets-exec-"))
    nobody = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted.prod_account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.update_assume_role_policy(RoleName=execution, PolicyDocument=json.dumps(nobody))
    update_retention(14)
    reason = instances()[(trusted.prod_account, "us-east-1")]["StatusReason"]
    assert reason.startswith(f"Account {trusted.prod_account} should have '{execution}' role")


def test_the_default_execution_role_provisions_no_nested_stacks(trusted):
    service_managed(template=NESTED)
    deploy([trusted.prod])
    failed = instances()[(trusted.prod_account, "us-east-1")]
    assert failed["StackInstanceStatus"]["DetailedStatus"] == "FAILED"
    assert "nested stacks (Child)" in failed["StatusReason"]
    assert member_stacks(trusted.prod_account, "us-east-1") == []


# --- auto-deployment ------------------------------------------------------------------------------------


def test_an_account_moved_into_a_target_ou_gets_its_instances_without_a_call_by_us(trusted):
    service_managed()
    deploy([trusted.staging])
    organizations().move_account(
        AccountId=trusted.spare, SourceParentId=trusted.root, DestinationParentId=trusted.staging_eu
    )
    joined = {key: i for key, i in instances().items() if key[0] == trusted.spare}
    assert set(joined) == {(trusted.spare, r) for r in REGIONS}
    assert {i["OrganizationalUnitId"] for i in joined.values()} == {trusted.staging}
    for region in REGIONS:
        assert member_stacks(trusted.spare, region) == ["CREATE_COMPLETE"]
    actions = [o["Action"] for o in cfn().list_stack_set_operations(StackSetName="platform")["Summaries"]]
    assert actions == ["CREATE", "CREATE"]  # newest first: the automatic one, then ours


def test_an_account_created_in_a_targeted_root_gets_its_instances(trusted):
    service_managed()
    deploy([trusted.root])
    new = organizations().create_account(AccountName="new", Email="new@example.com")["CreateAccountStatus"]["AccountId"]
    assert {(new, r) for r in REGIONS} <= set(instances())
    assert member_stacks(new, "eu-west-1") == ["CREATE_COMPLETE"]


@pytest.mark.parametrize("retain", [False, True])
def test_an_account_that_leaves_loses_its_instances_and_its_stacks_unless_retained(trusted, retain):
    service_managed(retain=retain)
    deploy([trusted.staging])
    organizations().move_account(
        AccountId=trusted.staging_eu_account, SourceParentId=trusted.staging_eu, DestinationParentId=trusted.prod
    )
    assert {account for account, _ in instances()} == {trusted.staging_account}
    left = member_stacks(trusted.staging_eu_account, "us-east-1")
    assert left == (["CREATE_COMPLETE"] if retain else [])
    groups = as_member(trusted.staging_eu_account, "logs").describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert len(groups) == (1 if retain else 0)


def test_an_account_moving_within_the_target_keeps_its_instances(trusted):
    service_managed()
    deploy([trusted.staging])
    before = instances()[(trusted.staging_eu_account, "us-east-1")]["StackId"]
    organizations().move_account(
        AccountId=trusted.staging_eu_account, SourceParentId=trusted.staging_eu, DestinationParentId=trusted.staging
    )
    assert instances()[(trusted.staging_eu_account, "us-east-1")]["StackId"] == before
    assert len(cfn().list_stack_set_operations(StackSetName="platform")["Summaries"]) == 1


def test_without_auto_deployment_nothing_follows_the_account(trusted):
    cfn().create_stack_set(
        StackSetName="platform",
        TemplateBody=TEMPLATE,
        PermissionModel="SERVICE_MANAGED",
        AutoDeployment={"Enabled": False},
    )
    deploy([trusted.staging])
    organizations().move_account(
        AccountId=trusted.spare, SourceParentId=trusted.root, DestinationParentId=trusted.staging
    )
    organizations().move_account(
        AccountId=trusted.staging_account, SourceParentId=trusted.staging, DestinationParentId=trusted.prod
    )
    assert {account for account, _ in instances()} == {trusted.staging_account, trusted.staging_eu_account}


def test_an_ou_whose_instances_were_deleted_is_no_longer_followed(trusted):
    service_managed()
    deploy([trusted.staging])
    cfn().delete_stack_instances(
        StackSetName="platform",
        DeploymentTargets={"OrganizationalUnitIds": [trusted.staging]},
        Regions=REGIONS,
        RetainStacks=False,
    )
    assert instances() == {}
    assert member_stacks(trusted.staging_account, "us-east-1") == []
    organizations().move_account(
        AccountId=trusted.spare, SourceParentId=trusted.root, DestinationParentId=trusted.staging
    )
    assert instances() == {}
    assert cfn().describe_stack_set(StackSetName="platform")["StackSet"]["OrganizationalUnitIds"] == []


# --- drift and reads per member account -------------------------------------------------------------------


def test_drift_is_detected_per_member_account(trusted):
    service_managed()
    deploy([trusted.staging])
    as_member(trusted.staging_eu_account, "logs", "eu-west-1").put_retention_policy(
        logGroupName=GROUP, retentionInDays=30
    )
    operation = cfn().detect_stack_set_drift(StackSetName="platform")["OperationId"]
    drift = {key: i["DriftStatus"] for key, i in instances().items()}
    assert drift.pop((trusted.staging_eu_account, "eu-west-1")) == "DRIFTED"
    assert set(drift.values()) == {"IN_SYNC"}
    records = cfn().list_stack_instance_resource_drifts(
        StackSetName="platform",
        StackInstanceAccount=trusted.staging_eu_account,
        StackInstanceRegion="eu-west-1",
        OperationId=operation,
    )["Summaries"]
    differences = [d for r in records for d in r.get("PropertyDifferences", [])]
    assert [(d["PropertyPath"], d["ExpectedValue"], d["ActualValue"]) for d in differences] == [
        ("/RetentionInDays", "7", "30")
    ]
    one = cfn().describe_stack_instance(
        StackSetName="platform", StackInstanceAccount=trusted.staging_eu_account, StackInstanceRegion="eu-west-1"
    )["StackInstance"]
    assert one["OrganizationalUnitId"] == trusted.staging and one["DriftStatus"] == "DRIFTED"


def test_update_stack_instances_reaches_an_ou_or_named_accounts(trusted):
    service_managed(Parameters=[])
    deploy([trusted.staging])
    cfn().update_stack_instances(
        StackSetName="platform", DeploymentTargets={"Accounts": [trusted.staging_eu_account]}, Regions=["eu-west-1"]
    )
    last = cfn().list_stack_set_operations(StackSetName="platform")["Summaries"][0]["OperationId"]
    results = cfn().list_stack_set_operation_results(StackSetName="platform", OperationId=last)["Summaries"]
    assert [(r["Account"], r["Region"], r["Status"]) for r in results] == [
        (trusted.staging_eu_account, "eu-west-1", "SUCCEEDED")
    ]


# --- least privilege in members: a service-managed bootstrap, self-managed workloads -----------------------

ADMIN = "staging-stackset-administration"
EXECUTION = "staging-stackset-execution"


def bootstrap_template(administration_arn: str) -> str:
    """What a bootstrap StackSet deploys in each member: an execution role that trusts the
    environment's administration role only, allowed what the workload needs (a log group's
    handler permissions, from its registry schema)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": administration_arn}, "Action": "sts:AssumeRole"}],
    }
    needs = sorted(
        {a for h in ("create", "read", "update", "delete") for a in required("AWS::Logs::LogGroup", h, "us-east-1")}
    )
    allowed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": needs, "Resource": "*"}]}
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": EXECUTION,
            "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": "workload", "PolicyDocument": allowed}],
        },
    }
    return json.dumps({"Resources": {"Execution": role}})


def administration_role(reaches: str) -> str:
    """The environment's administration role in the management account, allowed to assume
    the execution role in ``reaches`` (an account, or * for all)."""
    iam = boto3.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = iam.create_role(RoleName=ADMIN, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    assume = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{reaches}:role/{EXECUTION}"}
        ],
    }
    iam.put_role_policy(RoleName=ADMIN, PolicyName="assume", PolicyDocument=json.dumps(assume))
    return arn


def workload(name: str, template: str, account: str) -> dict:
    cfn().create_stack_set(
        StackSetName=name,
        TemplateBody=template,
        AdministrationRoleARN=f"arn:aws:iam::{MANAGEMENT}:role/{ADMIN}",
        ExecutionRoleName=EXECUTION,
    )
    cfn().create_stack_instances(StackSetName=name, Accounts=[account], Regions=["us-east-1"])
    return instances(name)[(account, "us-east-1")]


def test_self_managed_workloads_run_in_a_member_as_the_role_a_bootstrap_stackset_made(trusted):
    arn = administration_role(trusted.staging_account)
    service_managed(name="bootstrap", template=bootstrap_template(arn), Capabilities=["CAPABILITY_NAMED_IAM"])
    cfn().create_stack_instances(
        StackSetName="bootstrap", DeploymentTargets={"OrganizationalUnitIds": [trusted.staging]}, Regions=["us-east-1"]
    )
    deployed = workload("logs", TEMPLATE, trusted.staging_account)
    assert deployed["Status"] == "CURRENT", deployed.get("StatusReason")
    groups = as_member(trusted.staging_account, "logs").describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [GROUP]
    queue = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}}}})
    refused = workload("queues", queue, trusted.staging_account)  # beyond what the member's role allows
    assert "AccessDenied" in refused["StatusReason"] and "sqs:" in refused["StatusReason"]
    # the staging administration role reaches no other environment's account
    other = workload("elsewhere", TEMPLATE, trusted.staging_eu_account)
    assert other["StatusReason"].startswith(f"Account {trusted.staging_eu_account} should have '{EXECUTION}' role")


def test_assume_role_needs_a_role_whose_trust_lets_the_caller_in(trusted):
    """The management account reads a member through its OrganizationAccountAccessRole
    (which trusts the management account); the member cannot assume it back, nor a role
    that does not exist."""
    assert as_member(trusted.prod_account, "sts").get_caller_identity()["Account"] == trusted.prod_account
    member_sts = as_member(trusted.prod_account, "sts")
    back = f"arn:aws:iam::{trusted.staging_account}:role/OrganizationAccountAccessRole"
    code, message = refusal(lambda: member_sts.assume_role(RoleArn=back, RoleSessionName="sideways"))
    assert code == "AccessDenied"
    assert message.startswith(f"User: arn:aws:sts::{trusted.prod_account}:assumed-role/OrganizationAccountAccessRole/")
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {back}")
    missing = f"arn:aws:iam::{trusted.prod_account}:role/cfnops-reader"
    assert refusal(lambda: cfn_sts().assume_role(RoleArn=missing, RoleSessionName="reader"))[0] == "AccessDenied"


def cfn_sts():
    return boto3.client("sts", region_name="us-east-1")
