"""Each environment's StackSets run with that environment's execution role, and localcloud
checks it on the real ARNs of named resources as IAM does: a StackSet of one environment
whose template names another environment's resource fails with AccessDenied naming the
action; a role it creates must carry its own environment's permissions boundary (not
another's); one environment's administration role cannot assume another's execution role."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from templates_src.conventions import permissions_boundary_name
from templates_src.platform import PLATFORM
from tests.support.rollout import copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    patch.delenv("LOCALCLOUD_PERMISSIONS", raising=False)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        do_bootstrap(copy_project(tmp_path_factory.mktemp("scope")))
        yield
    patch.undo()


def run(name: str, resources: dict, administration: str, execution: str) -> dict:
    cfn = boto3.client("cloudformation", region_name=REGION)
    cfn.create_stack_set(
        StackSetName=name,
        TemplateBody=json.dumps({"Resources": resources}),
        AdministrationRoleARN=f"arn:aws:iam::{ACCOUNT}:role/{PLATFORM.administration_role_of(administration)}",
        ExecutionRoleName=PLATFORM.execution_role_of(execution),
    )
    cfn.create_stack_instances(StackSetName=name, Accounts=[ACCOUNT], Regions=[REGION])
    return cfn.list_stack_instances(StackSetName=name)["Summaries"][0]


def named(environment: str) -> dict:
    """A topic and a queue named as ``environment``'s would be."""
    return {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"{environment}-{REGION}-sns-probe"}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{environment}-{REGION}-sqs-probe"}},
    }


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_a_stackset_reaches_its_own_environments_names_only(bootstrapped, environment):
    own = run(f"probe-own-{environment}", named(environment), environment, environment)
    assert own["Status"] == "CURRENT", own.get("StatusReason")
    for other in (e for e in PLATFORM.environments if e != environment):
        summary = run(f"probe-{other}-{environment}", named(other), environment, environment)
        assert summary["Status"] == "OUTDATED"
        reason = summary["StatusReason"]
        assert "AccessDenied" in reason
        assert (
            f"assumed-role/{PLATFORM.execution_role_of(environment)}/" in reason
            and f"is not authorized to perform: sns:CreateTopic on resource: "
            f"arn:aws:sns:{REGION}:{ACCOUNT}:{other}-{REGION}-sns-probe"
            in reason
        ), reason


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_an_administration_role_assumes_only_its_environments_execution_role(bootstrapped, environment):
    for other in (e for e in PLATFORM.environments if e != environment):
        summary = run(f"cross-{other}-{environment}", named(other), environment, other)
        assert summary["Status"] == "OUTDATED"
        assert (
            f"should have '{PLATFORM.execution_role_of(other)}' role with trust relationship to Role "
            f"'{PLATFORM.administration_role_of(environment)}'"
        ) in summary["StatusReason"]


def bounded_role(environment: str, boundary_environment: str) -> dict:
    """A role of ``environment``'s names under ``boundary_environment``'s workload boundary."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": f"{environment}-{REGION}-role-probe-{boundary_environment}",
                "AssumeRolePolicyDocument": trust,
                "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/{permissions_boundary_name(boundary_environment)}",
            },
        }
    }


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_a_stackset_gives_its_roles_its_own_environments_boundary_only(bootstrapped, environment):
    own = run(f"bounded-own-{environment}", bounded_role(environment, environment), environment, environment)
    assert own["Status"] == "CURRENT", own.get("StatusReason")
    for other in (e for e in PLATFORM.environments if e != environment):
        summary = run(f"bounded-{other}-{environment}", bounded_role(environment, other), environment, environment)
        assert summary["Status"] == "OUTDATED"
        reason = summary["StatusReason"]
        assert (
            "AccessDenied" in reason
            and (
                f"is not authorized to perform: iam:CreateRole on resource: "
                f"arn:aws:iam::{ACCOUNT}:role/{environment}-{REGION}-role-probe-{other}"
            )
            in reason
        ), reason
