"""The execution role cfnops shipped until 2026-11 (hand-listed actions) against the one
derived from the registry schemas, on localcloud with permission checks on: IAM refuses
the old one whole, its actions fail a staging rollout naming what they lack, and the
derived role rolls the same staging out."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from templates_src.platform import PLATFORM
from tests.conftest import ROOT
from tests.support.rollout import Run, copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

EXECUTION = PLATFORM.execution_role_of("staging")  # Run deploys staging


def handlisted_policy() -> dict:
    old = json.loads((ROOT / "tests" / "fixtures" / "handlisted-execution-role.json").read_text())
    document = old["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    account = "arn:aws:secretsmanager:*:123456789012:secret:*"
    for statement in document["Statement"]:  # its one Fn::Sub, resolved for localcloud's account
        statement["Resource"] = [account if isinstance(r, dict) else r for r in statement["Resource"]]
    return document


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.delenv("LOCALCLOUD_PERMISSIONS", raising=False)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        yield project


def test_iam_refuses_the_hand_listed_policy_as_one_inline_policy(project):
    iam = boto3.client("iam")
    with pytest.raises(iam.exceptions.LimitExceededException, match="Maximum policy size of 10240 bytes exceeded"):
        iam.put_role_policy(
            RoleName=EXECUTION, PolicyName="cfnops-templates", PolicyDocument=json.dumps(handlisted_policy())
        )


def test_the_hand_listed_actions_fail_staging_naming_what_they_lack_and_the_derived_role_passes(project):
    iam = boto3.client("iam")
    attached = iam.list_attached_role_policies(RoleName=EXECUTION)["AttachedPolicies"]
    for policy in attached:  # the derived policies off, the hand-listed statements on (in parts IAM accepts)
        iam.detach_role_policy(RoleName=EXECUTION, PolicyArn=policy["PolicyArn"])
    statements = handlisted_policy()["Statement"]
    for index in range(0, len(statements), 6):
        arn = iam.create_policy(
            PolicyName=f"handlisted-{index}",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements[index : index + 6]}),
        )["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=EXECUTION, PolicyArn=arn)
    failed = Run(project, only=("network", "fraud-agent")).failures
    assert failed, "the hand-listed role must not pass"
    assert all("is not authorized to perform:" in line and EXECUTION in line for line in failed)
    for policy in iam.list_attached_role_policies(RoleName=EXECUTION)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=EXECUTION, PolicyArn=policy["PolicyArn"])
    for policy in attached:
        iam.attach_role_policy(RoleName=EXECUTION, PolicyArn=policy["PolicyArn"])
    assert Run(project, only=("network", "fraud-agent")).failures == []
