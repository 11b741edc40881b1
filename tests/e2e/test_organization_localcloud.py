"""The organization layout on localcloud, through the CLI (issue 27): a deployment account (the
management account) and one account per environment in its own OU. `bootstrap` gives the
deployment account its stack and the environment's OU its members' bootstrap through a
SERVICE_MANAGED StackSet; `deploy` puts staging's platform in its own account in three regions,
SELF_MANAGED, under the derived execution role there; read back with plain boto3 as the member
account. An account moved into staging's OU is bootstrapped by StackSets alone and is an
instance to add at the next plan. The fixture platform is tests/fixtures/orgplatform."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

import localcloud
from cfnops.core.errors import ExitCode
from tests.support import fixture_platforms
from tests.support.fixture_platforms import cli
from tests.support.members import as_member, credentials_of

localcloud.install()
from moto import mock_aws  # noqa: E402

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
ENVIRONMENTS = ("dev", "staging", "prod")
GROUP = "/staging/{region}/mini-audit"
EXECUTION_ROLE = "cfnops-staging-stackset-execution"

pytestmark = pytest.mark.slow


def organizations():
    return boto3.client("organizations", region_name="us-east-1")


@dataclass
class Org:
    root: Path  # the project checkout
    management: str
    root_id: str
    units: dict[str, str]  # environment -> OU id
    accounts: dict[str, str]  # environment -> its account


def _account(name: str) -> str:
    return organizations().create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
        "AccountId"
    ]


def write_organization(root: Path, management: str, units: dict[str, str]) -> None:
    lines = ["layout: organization", f'deployment_account: {{id: "{management}", kind: management}}', "environments:"]
    lines += [f"  {name}: {{organizational_units: [{unit}]}}" for name, unit in units.items()]
    (root / "organization.yaml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def org(tmp_path, monkeypatch) -> Org:
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    monkeypatch.delenv("LOCALCLOUD_PERMISSIONS", raising=False)  # permission-faithful
    root = fixture_platforms.copy(fixture_platforms.ORG, tmp_path)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        management = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
        organizations().create_organization(FeatureSet="ALL")
        root_id = organizations().list_roots()["Roots"][0]["Id"]
        units, accounts = {}, {}
        for name in ENVIRONMENTS:
            units[name] = organizations().create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"][
                "Id"
            ]
            accounts[name] = _account(name)
            organizations().move_account(
                AccountId=accounts[name], SourceParentId=root_id, DestinationParentId=units[name]
            )
        boto3.client("cloudformation", region_name="us-east-1").activate_organizations_access()
        write_organization(root, management, units)
        yield Org(root, management, root_id, units, accounts)


def retention(account: str, region: str) -> int:
    [group] = as_member(account, "logs", region).describe_log_groups(logGroupNamePrefix=GROUP.format(region=region))[
        "logGroups"
    ]
    return group["retentionInDays"]


def test_staging_deploys_to_its_own_account_and_follows_its_ou(org, capsys):
    assert cli(org.root, "render") == ExitCode.OK
    assert cli(org.root, "bootstrap", "--env", "staging") == ExitCode.OK
    out = capsys.readouterr().out
    assert "member accounts of staging" in out, out
    staging = org.accounts["staging"]
    # StackSets created our derived execution role in the member, trusted by the deployment account's
    role = as_member(staging, "iam").get_role(RoleName=EXECUTION_ROLE)["Role"]
    trusted = json.dumps(role["AssumeRolePolicyDocument"])
    assert f"arn:aws:iam::{org.management}:role/cfnops-staging-stackset-administration" in trusted
    assert not as_member(org.accounts["prod"], "iam").list_roles(PathPrefix="/")["Roles"] or all(
        r["RoleName"] != EXECUTION_ROLE for r in as_member(org.accounts["prod"], "iam").list_roles()["Roles"]
    )

    assert cli(org.root, "deploy", "--env", "staging") == ExitCode.OK
    capsys.readouterr()
    instances = boto3.client("cloudformation", region_name="us-east-1").list_stack_instances(
        StackSetName="audit-logs-staging"
    )["Summaries"]
    assert sorted((i["Account"], i["Region"]) for i in instances) == sorted((staging, r) for r in REGIONS)
    for region in REGIONS:  # read back as the member account, with plain boto3
        assert retention(staging, region) == 30
    assert cli(org.root, "plan", "--env", "staging") == ExitCode.OK  # converged
    capsys.readouterr()

    # drift in the member account, found from the deployment account
    as_member(staging, "logs", "us-west-2").put_retention_policy(
        logGroupName=GROUP.format(region="us-west-2"), retentionInDays=7
    )
    assert cli(org.root, "drift", "--env", "staging", "--format", "json") == ExitCode.DIFFERENCES
    report = json.loads(capsys.readouterr().out)
    [drifted] = [i for s in report["stacksets"] for i in s["instances"] if i["resources"]]
    assert (drifted["account"], drifted["region"]) == (staging, "us-west-2"), report

    # a parameter change: the plan names it
    path = org.root / "parameters" / "staging.yaml"
    path.write_text(path.read_text().replace("RetentionDays: 30", "RetentionDays: 365"))
    assert cli(org.root, "render") == ExitCode.OK  # the bootstrap template is rendered from the parameters too
    capsys.readouterr()
    assert cli(org.root, "plan", "--env", "staging") == ExitCode.DIFFERENCES
    assert "RetentionDays" in capsys.readouterr().out

    # an account moved into staging's OU: StackSets bootstraps it, the next plan adds it
    newcomer = _account("staging-two")
    organizations().move_account(
        AccountId=newcomer, SourceParentId=org.root_id, DestinationParentId=org.units["staging"]
    )
    assert as_member(newcomer, "iam").get_role(RoleName=EXECUTION_ROLE)["Role"]["RoleName"] == EXECUTION_ROLE
    assert cli(org.root, "plan", "--env", "staging") == ExitCode.DIFFERENCES
    out = capsys.readouterr().out
    assert newcomer in out, out
    assert cli(org.root, "deploy", "--env", "staging") == ExitCode.OK
    for region in REGIONS:
        assert retention(newcomer, region) == 365
        assert retention(staging, region) == 365

    # destroy is per environment: staging's StackSet goes, dev's account keeps its instances
    assert cli(org.root, "bootstrap", "--env", "dev") == ExitCode.OK
    assert cli(org.root, "deploy", "--env", "dev") == ExitCode.OK
    assert cli(org.root, "destroy", "--env", "staging") == ExitCode.OK
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    names = [s["StackSetName"] for s in cfn.list_stack_sets(Status="ACTIVE")["Summaries"]]
    assert "audit-logs-staging" not in names and "audit-logs-dev" in names
    dev = cfn.list_stack_instances(StackSetName="audit-logs-dev")["Summaries"]
    assert {(i["Account"], i["Status"]) for i in dev} == {(org.accounts["dev"], "CURRENT")}
    assert len(dev) == len(REGIONS)


def test_a_dev_stackset_naming_prods_account_is_refused_before_any_call(org, capsys, monkeypatch):
    path = org.root / "stacksets" / "audit-logs.yaml"
    prod = org.accounts["prod"]
    organization = org.root / "organization.yaml"
    organization.write_text(
        organization.read_text().replace(
            f"prod: {{organizational_units: [{org.units['prod']}]}}", f'prod: {{accounts: ["{prod}"]}}'
        )
    )
    path.write_text(
        path.read_text().replace(
            "accounts: [environment]", f'accounts: {{dev: ["{prod}"], staging: [environment], prod: [environment]}}'
        )
    )
    calls: list[object] = []
    monkeypatch.setattr("cfnops.cli.context.Aws", lambda *a: calls.append(a))  # no session is even made
    assert cli(org.root, "plan", "--env", "dev") == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert f"{prod} is prod's account (organization.yaml): dev's StackSets deploy to dev's accounts only" in err
    assert not calls


def test_another_caller_than_the_deployment_account_is_refused(org, capsys, monkeypatch):
    creds = credentials_of(org.accounts["dev"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["aws_secret_access_key"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["aws_session_token"])
    assert cli(org.root, "render") == ExitCode.OK
    assert cli(org.root, "plan", "--env", "dev") == ExitCode.INVALID_INPUT
    assert f"the StackSets live in account {org.management}, but the caller is account {org.accounts['dev']}" in (
        capsys.readouterr().err
    )
