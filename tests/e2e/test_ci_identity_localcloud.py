"""CI's identity, rehearsed on localcloud with the mini platform: bootstrap creates GitHub's
OIDC provider and a deploy role per environment once the parameter files name the repository;
a token of a job in that repository's environment prod (or prod-approval) may assume prod's
role, and nothing else may (localcloud checks the provider and the trust as IAM does); every
call `cfnops deploy --env prod` makes is allowed by prod's role, and IAM administration is not."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import botocore.client
import pytest
from botocore.exceptions import ClientError

from cfnops.awsfacts import api_permissions, policy_eval
from cfnops.build.gate.iam import ACCOUNT, execution_documents
from cfnops.core.errors import ExitCode
from tests.support import fixture_platforms
from tests.support.fixture_platforms import cli

REPOSITORY = "acme/mini"
ISSUER = "https://token.actions.githubusercontent.com"

pytestmark = pytest.mark.slow


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Iterator[Path]:
    root = fixture_platforms.copy(fixture_platforms.MINI, tmp_path)
    common = root / "parameters" / "common.yaml"
    common.write_text(common.read_text() + f"templates:\n  roles:\n    GitHubRepository: {REPOSITORY}\n")
    yield from fixture_platforms.on_localcloud(root, monkeypatch)


def token(subject: str) -> str:
    """A GitHub Actions token's shape (header.payload.signature); localcloud reads, not verifies, it."""
    payload = {"iss": ISSUER, "aud": "sts.amazonaws.com", "sub": subject}
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"e30.{encoded}.c2ln"


def assume(environment: str, subject: str) -> bool:
    try:
        boto3.client("sts", region_name="us-east-1").assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/cfnops-{environment}-ci-deploy",
            RoleSessionName="ci",
            WebIdentityToken=token(subject),
        )
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


def recorded_calls(monkeypatch) -> list[tuple[str, str, str, dict]]:
    calls = []
    original = botocore.client.BaseClient._make_api_call

    def record(self, operation, params):
        calls.append((self.meta.service_model.signing_name, operation, self.meta.region_name, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", record)
    return calls


def allowed(documents, service: str, operation: str, region: str, params: dict) -> bool:
    action = api_permissions.action(service, operation)
    if action is None:
        return True
    resource = (
        f"arn:aws:cloudformation:{region}:{ACCOUNT}:stackset/{params['StackSetName']}:1"
        if service == "cloudformation" and "StackSetName" in params and operation != "CreateStackSet"
        else None
    )
    context = (
        {"cloudformation:RoleArn": params.get("AdministrationRoleARN", "")} if operation == "CreateStackSet" else None
    )
    return policy_eval.evaluate(documents, action, resource, context).allowed


def test_ci_deploys_prod_with_prods_role_only(mini, monkeypatch):
    assert cli(mini, "render") == ExitCode.OK
    assert cli(mini, "bootstrap", "--env", "prod") == ExitCode.OK
    iam = boto3.client("iam")
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert providers == [f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"]

    assert assume("prod", f"repo:{REPOSITORY}:environment:prod")
    assert assume("prod", f"repo:{REPOSITORY}:environment:prod-approval")
    assert not assume("prod", f"repo:{REPOSITORY}:environment:dev")
    assert not assume("prod", f"repo:{REPOSITORY}:ref:refs/heads/main")  # a job outside the environment
    assert not assume("prod", "repo:someone/else:environment:prod")
    assert assume("dev", f"repo:{REPOSITORY}:environment:dev")

    bootstrap = json.loads((mini / "generated" / "roles.json").read_text())
    documents, _ = execution_documents(bootstrap, "cfnops-prod-ci-deploy")
    calls = recorded_calls(monkeypatch)
    assert cli(mini, "deploy", "--env", "prod") == ExitCode.OK
    assert len({(s, o) for s, o, _, _ in calls}) > 5
    refused = sorted({f"{s}:{o}" for s, o, r, p in calls if not allowed(documents, s, o, r, p)})
    assert refused == []
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"):
        assert not policy_eval.evaluate(documents, action).allowed
    dev_stacksets = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stackset/audit-logs-dev:1"
    assert not policy_eval.evaluate(documents, "cloudformation:UpdateStackSet", dev_stacksets).allowed
