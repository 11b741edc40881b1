"""The organization layout's exact calls, checked against botocore's models by its Stubber: the
members' bootstrap StackSet (SERVICE_MANAGED, DeploymentTargets, AutoDeployment, CallAs on every
call, OperationPreferences) and the accounts read from Organizations at plan time (nested OUs,
pagination, only ACTIVE accounts)."""

from __future__ import annotations

import hashlib
import json

from botocore.stub import ANY, Stubber

from cfnops.inputs import organization
from cfnops.rollout import member_accounts, member_bootstrap
from tests.support.stubber import fast, quiet

DEPLOYMENT = "111111111111"
UNIT, NESTED = "ou-ab12-stg00000", "ou-ab12-stgeu000"
TEMPLATE = json.dumps({"Parameters": {"AdministratorAccountId": {"Type": "String"}}, "Resources": {}})
BUCKET = f"cfnops-artifacts-{DEPLOYMENT}-us-east-1"
DIGEST = hashlib.sha256(json.dumps(json.loads(TEMPLATE), separators=(",", ":"), sort_keys=True).encode()).hexdigest()


def layout(kind: str) -> organization.Organization:
    return organization.parse(
        {
            "layout": "organization",
            "deployment_account": {"id": DEPLOYMENT, "kind": kind},
            "environments": {
                "dev": {"accounts": ["222222222222"]},
                "staging": {"organizational_units": [UNIT], "accounts": ["333333333333"]},
                "prod": {"accounts": ["444444444444"]},
            },
        },
        organization.FILE,
        ("dev", "staging", "prod"),
    )


def request() -> member_bootstrap.MemberRequest:
    return member_bootstrap.MemberRequest(
        name="stackset-roles-staging",
        region="us-east-1",
        role_region="us-east-1",
        template_text=TEMPLATE,
        parameters={"AdministratorAccountId": DEPLOYMENT, "RoleRegion": "us-east-1"},
        units=(UNIT,),
        bucket=BUCKET,
        environment="staging",
    )


def _s3(aws) -> Stubber:
    s3 = Stubber(aws.client("s3", "us-east-1"))
    s3.add_response("put_object", {"VersionId": "v1"}, {"Bucket": BUCKET, "Key": ANY, "Body": ANY, "ContentType": ANY})
    s3.activate()
    return s3


def test_members_bootstrap_from_a_delegated_administrator_says_so_on_every_call(aws, stub):
    s3 = _s3(aws)
    call_as = {"CallAs": "DELEGATED_ADMIN"}
    stub.add_client_error(
        "describe_stack_set",
        "StackSetNotFoundException",
        expected_params={"StackSetName": "stackset-roles-staging", **call_as},
    )
    stub.add_response(
        "create_stack_set",
        {"StackSetId": "stackset-roles-staging:1"},
        {
            "StackSetName": "stackset-roles-staging",
            "Description": "cfnops bootstrap of staging's member accounts",
            # the bootstrap template (over TemplateBody's limit) through the bucket, at the version written
            "TemplateURL": f"https://{BUCKET}.s3.us-east-1.amazonaws.com/templates/stackset-roles-staging/{DIGEST}.json"
            "?versionId=v1",
            "Parameters": [
                {"ParameterKey": "AdministratorAccountId", "ParameterValue": DEPLOYMENT},
                {"ParameterKey": "RoleRegion", "ParameterValue": "us-east-1"},
            ],
            "Capabilities": ["CAPABILITY_NAMED_IAM"],
            "PermissionModel": "SERVICE_MANAGED",
            "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
            "ManagedExecution": {"Active": True},
            "Tags": [{"Key": "ManagedBy", "Value": "cfnops"}, {"Key": "Environment", "Value": "staging"}],
            **call_as,
        },
    )
    stub.add_response(
        "create_stack_instances",
        {"OperationId": "op-1"},
        {
            "StackSetName": "stackset-roles-staging",
            "DeploymentTargets": {"OrganizationalUnitIds": [UNIT]},
            "Regions": ["us-east-1"],
            "OperationPreferences": {
                "RegionConcurrencyType": "PARALLEL",
                "FailureToleranceCount": 0,
                "MaxConcurrentPercentage": 100,
            },
            **call_as,
        },
    )
    stub.add_response(
        "describe_stack_set_operation",
        {"StackSetOperation": {"OperationId": "op-1", "Action": "CREATE", "Status": "SUCCEEDED"}},
        {"StackSetName": "stackset-roles-staging", "OperationId": "op-1", **call_as},
    )
    stub.add_response(
        "list_stack_set_operation_results",
        {"Summaries": [{"Account": "333333333333", "Region": "us-east-1", "Status": "SUCCEEDED"}]},
        {"StackSetName": "stackset-roles-staging", "OperationId": "op-1", **call_as},
    )
    done, outcomes = member_bootstrap.deploy(aws, layout("delegated_admin"), request(), quiet(), fast())
    assert done == "created; 1 OU(s) added" and [o.status for o in outcomes] == ["SUCCEEDED"]
    s3.assert_no_pending_responses()


def test_members_bootstrap_unchanged_from_the_management_account_makes_no_mutating_call(aws, stub):
    s3 = _s3(aws)
    call_as = {"CallAs": "SELF"}
    stub.add_response(
        "describe_stack_set",
        {
            "StackSet": {
                "StackSetName": "stackset-roles-staging",
                "TemplateBody": TEMPLATE,
                "Parameters": [
                    {"ParameterKey": "AdministratorAccountId", "ParameterValue": DEPLOYMENT},
                    {"ParameterKey": "RoleRegion", "ParameterValue": "us-east-1"},
                ],
            }
        },
        {"StackSetName": "stackset-roles-staging", **call_as},
    )
    stub.add_response(
        "list_stack_instances",
        {"Summaries": [{"Account": "333333333333", "Region": "us-east-1", "OrganizationalUnitId": UNIT}]},
        {"StackSetName": "stackset-roles-staging", **call_as},
    )
    done, outcomes = member_bootstrap.deploy(aws, layout("management"), request(), quiet(), fast())
    assert (done, outcomes) == ("unchanged", [])
    s3.assert_no_pending_responses()


def test_an_environments_accounts_are_its_ous_nested_ones_and_listed_ones_active_only(aws):
    client = aws.client("organizations", "us-east-1")
    orgs = Stubber(client)
    account = {"Arn": "arn", "Email": "a@example.com", "Name": "n", "JoinedMethod": "CREATED"}
    orgs.add_response(
        "list_accounts_for_parent",
        {"Accounts": [{**account, "Id": "555555555555", "Status": "ACTIVE"}], "NextToken": "t"},
        {"ParentId": UNIT},
    )
    orgs.add_response(
        "list_accounts_for_parent",
        {"Accounts": [{**account, "Id": "666666666666", "Status": "SUSPENDED"}]},
        {"ParentId": UNIT, "NextToken": "t"},
    )
    orgs.add_response(
        "list_children",
        {"Children": [{"Id": NESTED, "Type": "ORGANIZATIONAL_UNIT"}]},
        {"ParentId": UNIT, "ChildType": "ORGANIZATIONAL_UNIT"},
    )
    orgs.add_response(
        "list_accounts_for_parent",
        {
            "Accounts": [
                {**account, "Id": "777777777777", "Status": "ACTIVE"},
                {**account, "Id": DEPLOYMENT, "Status": "ACTIVE"},
            ]
        },
        {"ParentId": NESTED},
    )
    orgs.add_response("list_children", {"Children": []}, {"ParentId": NESTED, "ChildType": "ORGANIZATIONAL_UNIT"})
    orgs.activate()
    found = member_accounts.environment_accounts(aws, layout("management"), "staging", "us-east-1")
    assert found == ("555555555555", "777777777777", "333333333333")  # never the deployment account
    orgs.assert_no_pending_responses()
    # an environment of accounts only makes no call
    assert member_accounts.environment_accounts(aws, layout("management"), "prod", "us-east-1") == ("444444444444",)
