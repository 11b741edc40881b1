"""localcloud refuses what AWS refuses (issue 10): StackSet instances run under their
execution role, and AWS's limits hold, each with AWS's error code and text."""

from __future__ import annotations

import json
import re
import warnings

import boto3
import pytest
from botocore.exceptions import ClientError

import localcloud
from cfnops.awsfacts import iam_limits
from cfnops.build import lint
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from templates_src.platform import PLATFORM
from tests.support.rollout import copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

ACCOUNT = "123456789012"
ADMIN = "AWSCloudFormationStackSetAdministrationRole"
EXECUTION = "AWSCloudFormationStackSetExecutionRole"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/test-boundary"
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.delenv("LOCALCLOUD_PERMISSIONS", raising=False)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def iam():
    return boto3.client("iam")


def cfn(region: str = "us-east-1"):
    return boto3.client("cloudformation", region_name=region)


def stackset_roles(execution_policy: dict = EVERYTHING, trusted: str = f"arn:aws:iam::{ACCOUNT}:role/{ADMIN}") -> None:
    """The administration role and an execution role trusting ``trusted``, allowed ``execution_policy``."""
    service_trust = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
    }
    iam().create_role(RoleName=ADMIN, AssumeRolePolicyDocument=json.dumps(service_trust))
    iam().put_role_policy(
        RoleName=ADMIN,
        PolicyName="assume",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::*:role/{EXECUTION}"}
                ],
            }
        ),
    )
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]}
    iam().create_role(RoleName=EXECUTION, AssumeRolePolicyDocument=json.dumps(trust))
    iam().put_role_policy(
        RoleName=EXECUTION,
        PolicyName="execution",
        PolicyDocument=json.dumps({"Version": "2012-10-17", **execution_policy}),
    )
    iam().create_policy(PolicyName="test-boundary", PolicyDocument=json.dumps(EVERYTHING))


def template(resources: dict) -> str:
    return json.dumps({"Resources": resources})


def instance(name: str, body: str, region: str = "us-east-1", **stackset) -> dict:
    """Create a StackSet with one instance; its summary (Status, StatusReason)."""
    cfn().create_stack_set(StackSetName=name, TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"], **stackset)
    cfn().create_stack_instances(StackSetName=name, Accounts=[ACCOUNT], Regions=[region])
    return cfn().list_stack_instances(StackSetName=name)["Summaries"][0]


def role(name: str, boundary: str | None = BOUNDARY, policy: dict | None = None) -> dict:
    trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    properties = {"RoleName": name, "AssumeRolePolicyDocument": trust}
    if boundary:
        properties["PermissionsBoundary"] = boundary
    if policy:
        properties["Policies"] = [{"PolicyName": "inline", "PolicyDocument": policy}]
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def stacks(region: str = "us-east-1") -> list[str]:
    return [s["StackName"] for s in cfn(region).describe_stacks()["Stacks"]]


# --- the execution role ---------------------------------------------------------------


def test_an_instance_without_its_execution_role_fails_with_stacksets_message(aws):
    stackset_roles()
    summary = instance("no-role", template({"Topic": {"Type": "AWS::SNS::Topic"}}), ExecutionRoleName="Missing")
    assert summary["Status"] == "OUTDATED"
    assert (
        f"Account {ACCOUNT} should have 'Missing' role with trust relationship to Role "
        f"'AWSCloudFormationStackSetAdministrationRole'."
    ) in summary["StatusReason"]
    assert stacks() == []


def test_an_execution_role_that_does_not_trust_the_administration_role_fails(aws):
    stackset_roles(trusted=f"arn:aws:iam::{ACCOUNT}:role/SomeoneElse")
    iam().create_role(RoleName="SomeoneElse", AssumeRolePolicyDocument="{}")
    summary = instance("untrusted", template({"Topic": {"Type": "AWS::SNS::Topic"}}))
    assert f"should have '{EXECUTION}' role with trust relationship to Role '{ADMIN}'" in summary["StatusReason"]


def test_a_missing_handler_permission_fails_exactly_that_resource_and_rolls_back(aws):
    stackset_roles(
        execution_policy={"Statement": [{"Effect": "Allow", "NotAction": "logs:CreateLogGroup", "Resource": "*"}]}
    )
    body = template(
        {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q1"}},
            "Group": {"Type": "AWS::Logs::LogGroup", "DependsOn": "Queue", "Properties": {"LogGroupName": "/g"}},
        }
    )
    summary = instance("no-logs", body)
    reason = summary["StatusReason"]
    assert summary["Status"] == "OUTDATED"
    assert (
        "ResourceLogicalId:Group, ResourceType:AWS::Logs::LogGroup, ResourceStatusReason:Resource handler returned message:"
        in reason
    )
    assert (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{EXECUTION}/" in reason
        and "is not authorized to perform: logs:CreateLogGroup on resource: * because no identity-based policy allows "
        "the logs:CreateLogGroup action"
        in reason
        and "HandlerErrorCode: AccessDenied" in reason
    )
    assert stacks() == [] and boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", []) == []


def test_an_explicit_deny_is_reported_as_one(aws):
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "sns:CreateTopic", "Resource": "*"},
        ]
    }
    stackset_roles(execution_policy=policy)
    reason = instance("denied", template({"Topic": {"Type": "AWS::SNS::Topic"}}))["StatusReason"]
    assert (
        "not authorized to perform: sns:CreateTopic on resource: * with an explicit deny in an identity-based policy"
        in reason
    )


def boundary_only_policy() -> dict:
    """What the derived role does for IAM: CreateRole only with our boundary."""
    return {
        "Statement": [
            {"Effect": "Allow", "NotAction": "iam:CreateRole", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:CreateRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/staging-*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}},
            },
        ]
    }


def test_a_workload_role_without_the_boundary_is_refused_as_iam_would(aws):
    stackset_roles(execution_policy=boundary_only_policy())
    assert instance("with-boundary", template({"Role": role("staging-us-east-1-role-a")}))["Status"] == "CURRENT"
    reason = instance("without", template({"Role": role("staging-us-east-1-role-b", boundary=None)}))["StatusReason"]
    assert (
        f"is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::{ACCOUNT}:role/staging-us-east-1-role-b "
        "because no identity-based policy allows the iam:CreateRole action"
    ) in reason
    other = instance("not-our-name", template({"Role": role("someone-elses-role")}))["StatusReason"]
    assert f"iam:CreateRole on resource: arn:aws:iam::{ACCOUNT}:role/someone-elses-role" in other


def test_a_role_update_needs_delete_boundary_only_when_it_removes_the_boundary(aws):
    """Our execution role denies iam:DeleteRolePermissionsBoundary; the IAM::Role update
    handler lists it but calls it only to remove a boundary, so other updates go through."""
    stackset_roles(
        execution_policy={
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary", "Resource": "*"},
            ]
        }
    )
    name = "staging-us-east-1-role-a"
    assert instance("roles", template({"Role": role(name)}))["Status"] == "CURRENT"
    tagged = role(name)
    tagged["Properties"]["Tags"] = [{"Key": "CostCenter", "Value": "CC-2002"}]
    cfn().update_stack_set(
        StackSetName="roles", TemplateBody=template({"Role": tagged}), Capabilities=["CAPABILITY_NAMED_IAM"]
    )
    assert cfn().list_stack_instances(StackSetName="roles")["Summaries"][0]["Status"] == "CURRENT"
    cfn().update_stack_set(
        StackSetName="roles",
        TemplateBody=template({"Role": role(name, boundary=None)}),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    summary = cfn().list_stack_instances(StackSetName="roles")["Summaries"][0]
    assert summary["Status"] == "OUTDATED"
    assert "not authorized to perform: iam:DeleteRolePermissionsBoundary on resource: " in summary["StatusReason"]
    assert "with an explicit deny in an identity-based policy" in summary["StatusReason"]
    assert iam().get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY


def test_the_execution_roles_boundary_limits_it(aws):
    stackset_roles()
    iam().create_policy(
        PolicyName="no-sns",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "sns:*", "Resource": "*"}]}
        ),
    )
    iam().put_role_permissions_boundary(RoleName=EXECUTION, PermissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/no-sns")
    reason = instance("bounded", template({"Topic": {"Type": "AWS::SNS::Topic"}}))["StatusReason"]
    assert "sns:CreateTopic on resource: * because no permissions boundary allows the sns:CreateTopic action" in reason


def test_passing_a_role_to_a_service_needs_pass_role_for_that_service(aws):
    policy = {
        "Statement": [
            {"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
        ]
    }
    stackset_roles(execution_policy=policy)
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "f",
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Code": {"ZipFile": "x"},
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        },
    }
    reason = instance("pass", template({"Role": role("staging-us-east-1-role-f"), "Function": function}))[
        "StatusReason"
    ]
    assert (
        f"iam:PassRole on resource: arn:aws:iam::{ACCOUNT}:role/staging-us-east-1-role-f "
        "because no identity-based policy allows the iam:PassRole action"
    ) in reason


def test_deleting_needs_the_delete_handlers_permissions(aws):
    stackset_roles(
        execution_policy={"Statement": [{"Effect": "Allow", "NotAction": "sns:DeleteTopic", "Resource": "*"}]}
    )
    assert instance("keep", template({"Topic": {"Type": "AWS::SNS::Topic"}}))["Status"] == "CURRENT"
    cfn().delete_stack_instances(StackSetName="keep", Accounts=[ACCOUNT], Regions=["us-east-1"], RetainStacks=False)
    summary = cfn().list_stack_instances(StackSetName="keep")["Summaries"][0]
    assert "not authorized to perform: sns:DeleteTopic" in summary["StatusReason"]


def test_the_switch_turns_the_checks_off(aws, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_PERMISSIONS", "off")
    stackset_roles(execution_policy={"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    assert (
        instance("off", template({"Topic": {"Type": "AWS::SNS::Topic"}}), ExecutionRoleName="Missing")["Status"]
        == "CURRENT"
    )


def test_plain_stacks_run_as_the_caller(aws):
    cfn().create_stack(StackName="plain", TemplateBody=template({"Topic": {"Type": "AWS::SNS::Topic"}}))
    assert cfn().describe_stacks(StackName="plain")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_deploy_reports_the_missing_permission_and_exits_1(aws, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(lint, "raise_on_findings", lambda *args, **kwargs: None)  # the lint gate has tests of its own
    project = copy_project(tmp_path)
    do_bootstrap(project)
    arn = next(
        p["Arn"]
        for p in iam().list_policies(Scope="Local")["Policies"]
        if p["PolicyName"].startswith("cfnops-stackset-execution-")
        and "logs:CreateLogGroup"
        in json.dumps(
            iam().get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
        )
    )
    version = iam().get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam().get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    for statement in document["Statement"]:
        if isinstance(statement.get("Action"), list) and "logs:CreateLogGroup" in statement["Action"]:
            statement["Action"].remove("logs:CreateLogGroup")
    iam().create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    capsys.readouterr()
    assert main(["--root", str(project.root), "deploy", "--env", "staging", "--stackset", "network"]) == ExitCode.ERROR
    errors = capsys.readouterr().err
    assert "network-staging: 123456789012/" in errors and "FAILED" in errors
    assert "ResourceType:AWS::Logs::LogGroup" in errors
    staging = PLATFORM.execution_role_of("staging")  # staging's StackSets run with staging's execution role
    assert f"assumed-role/{staging}/" in errors and "is not authorized to perform: logs:CreateLogGroup" in errors


# --- CloudFormation's limits ------------------------------------------------------------

BIG = template({"Topic": {"Type": "AWS::SNS::Topic", "Metadata": {"Padding": "x" * 51_200}}})
TOO_LONG = "Member must have length less than or equal to 51200"


@pytest.mark.parametrize(
    "call",
    [
        lambda: cfn().create_stack(StackName="big", TemplateBody=BIG),
        lambda: cfn().validate_template(TemplateBody=BIG),
        lambda: cfn().create_stack_set(StackSetName="big", TemplateBody=BIG),
    ],
    ids=["CreateStack", "ValidateTemplate", "CreateStackSet"],
)
def test_a_template_body_over_51200_bytes_is_refused(aws, call):
    with pytest.raises(ClientError) as error:
        call()
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert "at 'templateBody' failed to satisfy constraint: " + TOO_LONG in error.value.response["Error"]["Message"]


def test_updates_with_a_body_over_51200_bytes_are_refused(aws):
    small = template({"Topic": {"Type": "AWS::SNS::Topic"}})
    cfn().create_stack(StackName="small", TemplateBody=small)
    cfn().create_stack_set(StackSetName="small", TemplateBody=small)
    for call in (
        lambda: cfn().update_stack(StackName="small", TemplateBody=BIG),
        lambda: cfn().update_stack_set(StackSetName="small", TemplateBody=BIG),
    ):
        with pytest.raises(ClientError, match=TOO_LONG):
            call()
    exactly = template({"Topic": {"Type": "AWS::SNS::Topic", "Metadata": {"Padding": ""}}})
    padded = exactly.replace('"Padding": ""', '"Padding": "' + "x" * (51_200 - len(exactly)) + '"')
    assert len(padded) == 51_200
    cfn().validate_template(TemplateBody=padded)  # the limit itself is allowed


def test_a_template_url_object_over_1000000_bytes_is_refused(aws):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="templates")
    huge = template({"Topic": {"Type": "AWS::SNS::Topic", "Metadata": {"Padding": "x" * 1_000_000}}})
    s3.put_object(Bucket="templates", Key="huge.json", Body=huge.encode())
    url = "https://templates.s3.amazonaws.com/huge.json"
    with pytest.raises(ClientError, match=re.escape("Template may not exceed 1000000 bytes in size.")):
        cfn().create_stack(StackName="huge", TemplateURL=url)


# --- IAM's limits -----------------------------------------------------------------------


def statements(characters: int) -> dict:
    """A policy of exactly ``characters`` as IAM counts them."""
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::"}],
    }
    document["Statement"][0]["Resource"] += "b" * (characters - iam_limits.policy_size(document))
    assert iam_limits.policy_size(document) == characters
    return document


def error_of(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_inline_policies_of_a_role_over_10240_characters_are_refused(aws):
    iam().create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    iam().put_role_policy(RoleName="r", PolicyName="a", PolicyDocument=json.dumps(statements(6000)))
    spaced = json.dumps(statements(4240), indent=8)  # whitespace is not counted: 10,240 in all fits
    iam().put_role_policy(RoleName="r", PolicyName="b", PolicyDocument=spaced)
    iam().put_role_policy(RoleName="r", PolicyName="b", PolicyDocument=spaced)  # replacing one is not adding
    assert error_of(
        lambda: iam().put_role_policy(RoleName="r", PolicyName="b", PolicyDocument=json.dumps(statements(4241)))
    ) == ("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role r")


def test_a_managed_policy_over_6144_characters_is_refused(aws):
    iam().create_policy(PolicyName="fits", PolicyDocument=json.dumps(statements(6144)))
    assert error_of(lambda: iam().create_policy(PolicyName="big", PolicyDocument=json.dumps(statements(6145)))) == (
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
    )
    arn = f"arn:aws:iam::{ACCOUNT}:policy/fits"
    assert error_of(lambda: iam().create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(statements(6145))))[
        1
    ] == ("Cannot exceed quota for PolicySize: 6144")


def test_more_than_10_managed_policies_per_role_are_refused(aws):
    iam().create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    for n in range(11):
        iam().create_policy(PolicyName=f"p{n}", PolicyDocument=json.dumps(statements(200)))
    for n in range(10):
        iam().attach_role_policy(RoleName="r", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/p{n}")
    assert error_of(lambda: iam().attach_role_policy(RoleName="r", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/p10")) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
    )


def test_role_names_over_64_and_policy_names_over_128_are_refused(aws):
    iam().create_role(RoleName="r" * 64, AssumeRolePolicyDocument="{}")
    code, message = error_of(lambda: iam().create_role(RoleName="r" * 65, AssumeRolePolicyDocument="{}"))
    assert (
        code == "ValidationError"
        and "at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64" in message
    )
    code, message = error_of(
        lambda: iam().create_policy(PolicyName="p" * 129, PolicyDocument=json.dumps(statements(200)))
    )
    assert (
        code == "ValidationError"
        and "at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 128" in message
    )
    code, message = error_of(
        lambda: iam().put_role_policy(
            RoleName="r" * 64, PolicyName="p" * 129, PolicyDocument=json.dumps(statements(200))
        )
    )
    assert "at 'policyName'" in message


def test_cloudformation_roles_hit_the_same_iam_limits(aws):
    stackset_roles()
    reason = instance("fat", template({"Role": role("staging-us-east-1-role-fat", policy=statements(10_300))}))[
        "StatusReason"
    ]
    assert "Maximum policy size of 10240 bytes exceeded for role staging-us-east-1-role-fat" in reason


# --- physical names ----------------------------------------------------------------------

NAMED = {
    "AWS::SNS::Topic": {"TopicName": "dup"},
    "AWS::SQS::Queue": {"QueueName": "dup"},
    "AWS::Logs::LogGroup": {"LogGroupName": "/dup"},
    "AWS::DynamoDB::Table": {
        "TableName": "dup",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    },
    "AWS::S3::Bucket": {"BucketName": "dup-bucket"},
    "AWS::CloudWatch::Alarm": {
        "AlarmName": "dup",
        "MetricName": "Errors",
        "Namespace": "X",
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanThreshold",
    },
    "AWS::RDS::DBCluster": {  # RDS requires a master user of a new cluster
        "DBClusterIdentifier": "dup",
        "Engine": "aurora-postgresql",
        "MasterUsername": "dbadmin",
        "ManageMasterUserPassword": True,
    },
    "AWS::ElastiCache::ReplicationGroup": {"ReplicationGroupId": "dup", "ReplicationGroupDescription": "d"},
    "AWS::SecretsManager::Secret": {"Name": "dup"},
    "AWS::Lambda::Function": {
        "FunctionName": "dup",
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Code": {"ZipFile": "x"},
        "Role": f"arn:aws:iam::{ACCOUNT}:role/{EXECUTION}",
    },
    "AWS::IAM::ManagedPolicy": {"ManagedPolicyName": "dup", "PolicyDocument": statements(200)},
}


NAME_KEYS = (
    "TopicName",
    "QueueName",
    "LogGroupName",
    "TableName",
    "BucketName",
    "AlarmName",
    "DBClusterIdentifier",
    "ReplicationGroupId",
    "Name",
    "FunctionName",
    "ManagedPolicyName",
)


@pytest.mark.parametrize("resource_type", sorted(NAMED))
def test_a_physical_name_taken_by_another_stack_fails_with_already_exists(aws, resource_type):
    stackset_roles()
    body = template({"Named": {"Type": resource_type, "Properties": NAMED[resource_type]}})
    assert instance("first", body)["Status"] == "CURRENT"
    reason = instance("second", body)["StatusReason"]
    name = next(v for k, v in NAMED[resource_type].items() if k in NAME_KEYS)
    assert (
        "ResourceLogicalId:Named, ResourceType:" + resource_type in reason
        and "HandlerErrorCode: AlreadyExists" in reason
    )
    expected = (
        f"A policy called {name} already exists. Duplicate names are not allowed."
        if resource_type == "AWS::IAM::ManagedPolicy"
        else f"Resource of type '{resource_type}' with identifier '{name}' already exists."
    )
    assert expected in reason
    assert instance("elsewhere", body, region="us-west-2")["Status"] == (
        "OUTDATED" if resource_type in ("AWS::S3::Bucket", "AWS::IAM::ManagedPolicy") else "CURRENT"
    )  # regional names are free in another region


def test_a_role_name_made_by_hand_collides_with_iams_text(aws):
    stackset_roles()
    iam().create_role(RoleName="staging-us-east-1-role-x", AssumeRolePolicyDocument="{}")
    reason = instance("taken", template({"Role": role("staging-us-east-1-role-x")}))["StatusReason"]
    assert "Role with name staging-us-east-1-role-x already exists." in reason


def test_a_retained_resource_keeps_its_name(aws):
    stackset_roles()
    body = template(
        {"Named": {"Type": "AWS::SecretsManager::Secret", "DeletionPolicy": "Retain", "Properties": {"Name": "kept"}}}
    )
    instance("once", body)
    cfn().delete_stack_instances(StackSetName="once", Accounts=[ACCOUNT], Regions=["us-east-1"], RetainStacks=False)
    assert "with identifier 'kept' already exists" in instance("twice", body)["StatusReason"]
    deleted = template({"Named": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "gone"}}})
    instance("thrice", deleted)
    cfn().delete_stack_instances(StackSetName="thrice", Accounts=[ACCOUNT], Regions=["us-east-1"], RetainStacks=False)
    assert instance("again", deleted)["Status"] == "CURRENT"


# --- deletion protection -----------------------------------------------------------------

PROTECTED_TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "Properties": {**NAMED["AWS::DynamoDB::Table"], "TableName": "kept", "DeletionProtectionEnabled": "true"},
}
PROTECTED_CLUSTER = {
    "Type": "AWS::RDS::DBCluster",
    "Properties": {
        "DBClusterIdentifier": "kept",
        "Engine": "aurora-postgresql",
        "MasterUsername": "dbadmin",
        "ManageMasterUserPassword": True,
        "DeletionProtection": True,
    },
}


@pytest.mark.parametrize(
    "resource, message",
    [
        (
            PROTECTED_TABLE,
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        ),
        (PROTECTED_CLUSTER, "Cannot delete protected Cluster, please disable deletion protection and try again."),
    ],
    ids=["table", "cluster"],
)
def test_deletion_protection_blocks_the_rollback_which_fails(aws, resource, message):
    stackset_roles()
    boto3.client("sns", region_name="us-east-1").create_topic(Name="taken")
    body = template(
        {
            "Protected": resource,
            "Later": {"Type": "AWS::SNS::Topic", "DependsOn": "Protected", "Properties": {"TopicName": "taken"}},
        }
    )
    summary = instance("protected", body)
    assert "ResourceLogicalId:Later" in summary["StatusReason"]
    creation_failure, rollback_failure = summary["StatusReason"].split(
        "; the rollback failed too: "
    )  # with its own cause
    assert creation_failure.startswith("ResourceLogicalId:Later")
    assert "ResourceLogicalId:Protected" in rollback_failure and message in rollback_failure
    assert [s["StackStatus"] for s in cfn().describe_stacks()["Stacks"]] == ["ROLLBACK_FAILED"]
    stack_name = cfn().describe_stacks()["Stacks"][0]["StackName"]
    [rollback] = [
        e
        for e in cfn().describe_stack_events(StackName=stack_name)["StackEvents"]
        if e["ResourceStatus"] == "ROLLBACK_FAILED"
    ]
    assert rollback["ResourceStatusReason"] == rollback_failure
    events = cfn().describe_stacks()["Stacks"][0]
    assert events["StackName"].startswith("StackSet-protected-")
    cfn().delete_stack_instances(
        StackSetName="protected", Accounts=[ACCOUNT], Regions=["us-east-1"], RetainStacks=False
    )
    failed = cfn().list_stack_instances(StackSetName="protected")["Summaries"][0]
    assert message in failed["StatusReason"]
    assert [s["StackStatus"] for s in cfn().describe_stacks()["Stacks"]] == ["DELETE_FAILED"]


def test_without_deletion_protection_the_rollback_completes(aws):
    stackset_roles()
    boto3.client("sns", region_name="us-east-1").create_topic(Name="taken")
    table = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {**NAMED["AWS::DynamoDB::Table"], "DeletionProtectionEnabled": "false"},
    }
    body = template(
        {
            "Table": table,
            "Later": {"Type": "AWS::SNS::Topic", "DependsOn": "Table", "Properties": {"TopicName": "taken"}},
        }
    )
    instance("unprotected", body)
    assert stacks() == [] and boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"] == []


@pytest.mark.parametrize("protection, deletable", [("false", True), ("true", False)])
def test_a_retained_tables_deletion_protection_is_the_flag_the_template_set(aws, protection, deletable):
    """A parameter's "false" is false: DeleteTable removes the table a stack kept (the command
    destroy prints); "true" refuses, as AWS does, until UpdateTable turns protection off."""
    table = {**PROTECTED_TABLE, "DeletionPolicy": "Retain"}
    table["Properties"] = {**PROTECTED_TABLE["Properties"], "DeletionProtectionEnabled": protection}
    cfn().create_stack(StackName="keeps", TemplateBody=json.dumps({"Resources": {"Table": table}}))
    cfn().delete_stack(StackName="keeps")
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    assert dynamodb.describe_table(TableName="kept")["Table"]["DeletionProtectionEnabled"] is (not deletable)
    if not deletable:
        with pytest.raises(ClientError, match="DeletionProtectionEnabled is set to True"):
            dynamodb.delete_table(TableName="kept")
        dynamodb.update_table(TableName="kept", DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName="kept")
    assert dynamodb.list_tables()["TableNames"] == []


def test_a_stack_that_failed_its_rollback_cannot_be_updated(aws):
    stackset_roles()
    boto3.client("sns", region_name="us-east-1").create_topic(Name="taken")
    body = template(
        {
            "Protected": PROTECTED_TABLE,
            "Later": {"Type": "AWS::SNS::Topic", "DependsOn": "Protected", "Properties": {"TopicName": "taken"}},
        }
    )
    instance("stuck", body)
    cfn().update_stack_instances(StackSetName="stuck", Accounts=[ACCOUNT], Regions=["us-east-1"])
    reason = cfn().list_stack_instances(StackSetName="stuck")["Summaries"][0]["StatusReason"]
    assert "is in ROLLBACK_FAILED state and can not be updated." in reason
