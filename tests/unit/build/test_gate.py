"""The account gate refuses what IAM and CloudFormation would refuse once the templates
meet in one account: each refusal from a fixture, none on today's generated/."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from cfnops.build import gate
from templates_src import WORKLOADS
from templates_src.conventions import ENVIRONMENTS, REGIONS
from templates_src.platform import PLATFORM
from tests.conftest import ROOT

SCOPE = gate.Scope(
    ENVIRONMENTS,
    REGIONS,
    "stackset-roles",
    lambda name: f"generated/{name}.json",
    execution_roles={environment: PLATFORM.execution_role_of(environment) for environment in ENVIRONMENTS},
    artifacts_bucket=PLATFORM.artifacts_bucket,
)
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}],
}
BOUNDARY = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/cfnops-${Environment}-workload-boundary"}


def template(**resources) -> dict:
    return {
        "Parameters": {"Environment": {"Type": "String", "AllowedValues": list(ENVIRONMENTS)}},
        "Resources": resources,
    }


def policy(*actions: str, resource="*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}


def named_role(suffix: str, **extra) -> dict:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": {"Fn::Sub": f"${{Environment}}-${{AWS::Region}}-role-{suffix}"},
            "AssumeRolePolicyDocument": TRUST,
            "PermissionsBoundary": BOUNDARY,
            **extra,
        },
    }


def rules(findings) -> list[str]:
    return sorted({f.rule for f in findings})


def test_todays_generated_templates_pass(project):
    templates = {p.stem: json.loads(p.read_text()) for p in project.generated.glob("*.json") if p.stem != "manifest"}
    assert set(templates) == {*WORKLOADS, "stackset-roles"}
    assert gate.check(templates, SCOPE) == []


def test_oversize_inline_policies_and_managed_policy(templates):
    big = policy(
        *["s3:GetObject" for _ in range(1)], resource=[f"arn:aws:s3:::bucket-{i:04d}-{'x' * 40}/*" for i in range(200)]
    )
    findings = gate.check(
        {
            "w": template(
                Fat=named_role("fat", Policies=[{"PolicyName": "p", "PolicyDocument": big}]),
                Managed={"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": big}},
            )
        },
        SCOPE,
    )
    messages = [f.message for f in findings if f.rule == "IAM-LIMIT"]
    assert any("inline policies together" in m and "10,240" in m for m in messages)
    assert any("managed policy is" in m and "6,144" in m for m in messages)


def test_unknown_action():
    findings = gate.check(
        {
            "w": template(
                Fn=named_role(
                    "fn",
                    Policies=[{"PolicyName": "p", "PolicyDocument": policy("s3:GetObjekt", "s3:Get*", "s3:Fetch*")}],
                )
            )
        },
        SCOPE,
    )
    bad = [f.message for f in findings if f.rule == "IAM-ACTION"]
    assert len(bad) == 2 and "s3:GetObjekt" in bad[0] + bad[1] and "s3:Fetch*" in bad[0] + bad[1]


def test_uncovered_handler_permission(templates):
    bootstrap = json.loads(json.dumps(templates["stackset-roles"]))
    for resource in bootstrap["Resources"].values():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                statement["Action"] = [a for a in statement["Action"] if a != "sqs:CreateQueue"]
    workloads = {name: templates[name] for name in WORKLOADS}
    findings = gate.check({**workloads, "stackset-roles": bootstrap}, SCOPE)
    assert [f.message for f in findings] == [
        f"{PLATFORM.execution_role_of(environment)} does not allow sqs:CreateQueue, "
        "which CloudFormation needs for AWS::SQS::Queue create"
        for environment in sorted(ENVIRONMENTS)
    ]


def test_the_hand_listed_role_that_shipped_before_is_refused(templates):
    old = json.loads((ROOT / "tests" / "fixtures" / "handlisted-execution-role.json").read_text())
    bootstrap = {
        "Parameters": templates["stackset-roles"]["Parameters"],
        "Conditions": templates["stackset-roles"]["Conditions"],
        "Resources": old["Resources"],
    }
    workloads = {name: templates[name] for name in WORKLOADS}
    shared = dataclasses.replace(SCOPE, execution_roles={})  # it had one role, StackSets' default name, for all
    findings = gate.check({**workloads, "stackset-roles": bootstrap}, shared)
    messages = " ".join(f.message for f in findings)
    assert "inline policies together is 10,9" in messages  # 10,973 characters on IAM's count
    for action in (
        "dynamodb:DescribeContributorInsights",
        "logs:DescribeResourcePolicies",
        "kinesis:ListTagsForResource",
    ):
        assert f"does not allow {action}," in messages
    assert "workload permissions boundary" not in messages  # it allowed every role, boundary or not


def test_a_role_without_the_boundary_or_outside_our_names_is_refused(templates):
    workloads = {name: templates[name] for name in WORKLOADS}
    unbounded = named_role("x")
    del unbounded["Properties"]["PermissionsBoundary"]
    odd = named_role("y")
    odd["Properties"]["RoleName"] = {"Fn::Sub": "${Environment}-${AWS::Region}-admin"}
    last = ENVIRONMENTS[-1]
    foreign = named_role("z", PermissionsBoundary={"Fn::Sub": BOUNDARY["Fn::Sub"].replace("${Environment}", last)})
    findings = gate.check(
        {
            **workloads,
            "extra": template(Unbounded=unbounded, Odd=odd, Foreign=foreign),
            "stackset-roles": templates["stackset-roles"],
        },
        SCOPE,
    )
    assert {(f.path, f.rule) for f in findings} == {
        ("Resources/Unbounded", "EXEC-ROLE"),
        ("Resources/Odd", "EXEC-ROLE"),
        ("Resources/Foreign", "EXEC-ROLE"),
    }
    assert all("iam:CreateRole" in f.message for f in findings)
    refused_in = {f.message.split("'s execution role")[0] for f in findings if f.path == "Resources/Foreign"}
    assert refused_in == set(ENVIRONMENTS) - {last}  # another environment's boundary: refused everywhere but there


def test_shared_physical_names_including_nested_ones():
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${Environment}-alerts"}}}
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {"FunctionName": {"Fn::Sub": "${Environment}-${AWS::Region}-rotate"}},
    }
    rotation = {
        "Type": "AWS::SecretsManager::RotationSchedule",
        "Properties": {
            "SecretId": "s",
            "HostedRotationLambda": {
                "RotationType": "PostgreSQLSingleUser",
                "RotationLambdaName": {"Fn::Sub": "${Environment}-${AWS::Region}-rotate"},
            },
        },
    }
    findings = gate.check(
        {"a": template(Alerts=topic, Rotate=function), "b": template(Alerts=topic, Rotation=rotation)}, SCOPE
    )
    assert {(f.file, f.path, f.rule) for f in findings} == {
        ("generated/b.json", "Resources/Alerts", "NAME-COLLISION"),
        ("generated/b.json", "Resources/Rotation", "NAME-COLLISION"),
    }
    assert "AWS::Lambda::Function name dev-us-east-1-rotate" in " ".join(f.message for f in findings)


def test_names_in_different_regions_or_parents_do_not_collide_but_global_ones_do():
    regional = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Environment}-q"}}}
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${Environment}-data"}}}
    findings = gate.check({"a": template(Queue=regional, Bucket=bucket)}, SCOPE)
    assert [(f.path, f.rule) for f in findings] == [("Resources/Bucket", "NAME-COLLISION")]
    assert (
        "in dev, us-west-2 is also the name of generated/a.json Resources/Bucket (dev, us-east-1)"
        in findings[0].message
    )


@pytest.mark.slow  # whole templates through cfn-lint and checkov: the gate itself, not a unit
def test_lint_exits_4_on_a_collision(tmp_project):
    path = tmp_project.generated / "payments.json"
    body = json.loads(path.read_text())
    first = next(n for n, r in body["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup")
    body["Resources"]["Twin"] = json.loads(json.dumps(body["Resources"][first]))
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    # cfn-lint and checkov on the changed template only; the account gate always reads all of them
    result = subprocess.run(
        [sys.executable, "-m", "cfnops", "--root", str(tmp_project.root), "lint", "--template", "payments"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 4, result.stderr
    assert "generated/payments.json: Resources/Twin: NAME-COLLISION" in result.stderr


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "arn:aws:iam::999999999999:root"},
        {"AWS": "*"},
        {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::999999999999:role/x"}},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
        "*",
    ],
)
def test_a_role_trusted_by_an_outside_account_or_an_unused_service_is_refused(templates, principal):
    workloads = {name: templates[name] for name in WORKLOADS}
    outside = named_role("outside")
    outside["Properties"]["AssumeRolePolicyDocument"] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }
    findings = gate.check(
        {**workloads, "extra": template(Outside=outside), "stackset-roles": templates["stackset-roles"]}, SCOPE
    )
    assert [(f.file, f.path, f.rule) for f in findings] == [
        ("generated/extra.json", "Resources/Outside/Properties/AssumeRolePolicyDocument/Statement/0", "TRUST")
    ]


def test_a_role_trusted_by_this_account_or_a_service_we_pass_roles_to_passes(templates):
    workloads = {name: templates[name] for name in WORKLOADS}
    ours = named_role("ours")
    assert (
        gate.check({**workloads, "extra": template(Ours=ours), "stackset-roles": templates["stackset-roles"]}, SCOPE)
        == []
    )
