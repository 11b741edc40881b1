"""The refusals localcloud shares with the gate (issue 20), through a real rollout (the
deploy code a user runs, the gate skipped so localcloud meets what it would refuse): Elastic
IPs over the region's quota until the raises quotas.yaml declares are requested, reserved
concurrency that other functions of the account already hold, and a global database made
from a cluster whose master password RDS manages. Each refused with AWS's message, and
accepted at the limit."""

from __future__ import annotations

import warnings

import boto3
import pytest
import yaml

import localcloud
from cfnops.awsfacts.account_quotas import ELASTIC_IPS, LAMBDA_CONCURRENCY, QUOTAS
from cfnops.awsfacts.incompatibilities import GLOBAL_DATABASE_MANAGED_PASSWORD
from cfnops.build import lint
from cfnops.build.gate import budgets
from templates_src.platform import PLATFORM
from tests.support.rollout import Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

RESERVABLE = LAMBDA_CONCURRENCY.default - LAMBDA_CONCURRENCY.headroom
TRUST = (
    '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)  # the account's bootstrap: every environment's StackSet roles
        yield project


def consumed(project, environment: str, stackset: str, region: str, quota) -> int:
    """What the gate's budget counts of ``quota`` for one StackSet instance (the same sums)."""
    from cfnops.build import render

    templates = render.read_generated(project)
    placed = [
        p
        for p in lint.placements(project, templates)
        if (p.environment, p.template, p.region) == (environment, stackset, region)
    ]
    stacks = [budgets.stack(templates[p.template], p) for p in placed]
    exported = budgets.exports(stacks)
    return sum(n for one in stacks for (code, _), n in budgets.consumption(one, exported).items() if code == quota.code)


def request_the_raises_quotas_yaml_declares(project) -> None:
    """What "Before the first real deploy" asks of the account, made against localcloud."""
    for entry in yaml.safe_load((project.root / "quotas.yaml").read_text())["quotas"]:
        quota = QUOTAS[entry["code"]]
        boto3.client("service-quotas", region_name=entry["region"]).request_service_quota_increase(
            ServiceCode=quota.service, QuotaCode=quota.code, DesiredValue=entry["value"]
        )


def test_eu_west_1_holds_its_elastic_ips_only_after_the_raises_quotas_yaml_declares(project):
    for environment in PLATFORM.environments:  # every environment's network: the regions at the default
        assert Run(project, environment, only=("network",)).failures == []
    held = len(boto3.client("ec2", region_name="eu-west-1").describe_addresses()["Addresses"])
    assert held == ELASTIC_IPS.default  # at the quota: accepted
    assert consumed(project, "dev", "loan-processing", "eu-west-1", ELASTIC_IPS) >= 1
    [failure] = Run(project, "dev", only=("loan-processing",)).failures
    assert (
        failure.startswith("loan-processing-dev: 123456789012/eu-west-1 ") and "ResourceType:AWS::EC2::EIP" in failure
    )
    assert ELASTIC_IPS.refusal is not None
    assert (
        f'Resource handler returned message: "{ELASTIC_IPS.refusal.message} (Service: Ec2, Status Code: 400' in failure
    )
    assert "HandlerErrorCode: GeneralServiceException" in failure
    request_the_raises_quotas_yaml_declares(project)
    assert Run(project, "dev", only=("loan-processing",)).failures == []


def reserve_by_hand(amount: int, region: str = "us-east-1") -> None:
    """A function of someone else in the account, holding ``amount`` (the gate cannot see it)."""
    role = boto3.client("iam").create_role(RoleName="someone-elses", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    functions = boto3.client("lambda", region_name=region)
    functions.create_function(
        FunctionName="someone-elses", Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": b"x"}
    )
    functions.put_function_concurrency(FunctionName="someone-elses", ReservedConcurrentExecutions=amount)


def test_reservations_the_account_already_holds_leave_too_little_for_prods_functions(project):
    prod = consumed(project, "prod", "fraud-agent", "us-east-1", LAMBDA_CONCURRENCY)
    assert prod > 0
    reserve_by_hand(RESERVABLE - prod + 1)
    failures = Run(project, "prod", only=("network", "fraud-agent")).failures
    [refused] = [line for line in failures if line.startswith("fraud-agent-prod: 123456789012/us-east-1 FAILED: ")]
    assert all("CANCELLED" in line for line in failures if line != refused)  # prod's failure tolerance: none
    assert LAMBDA_CONCURRENCY.refusal is not None
    message = LAMBDA_CONCURRENCY.refusal.message.format(minimum=LAMBDA_CONCURRENCY.headroom)
    assert "ResourceType:AWS::Lambda::Function" in refused
    assert f"{message} (Service: Lambda, Status Code: 400" in refused and "HandlerErrorCode: InvalidRequest" in refused
    boto3.client("lambda", region_name="us-east-1").put_function_concurrency(
        FunctionName="someone-elses", ReservedConcurrentExecutions=RESERVABLE - prod
    )
    assert Run(project, "prod", only=("network", "fraud-agent")).failures == []  # exactly the limit less 100


def test_a_global_database_from_a_primary_whose_password_rds_manages_is_refused(project, monkeypatch):
    """The template as it was before issue 20 (RDS-managed password on the global primary)."""
    from templates_src.components import database

    edit(
        project.root / "parameters" / "staging.yaml",
        "    EnableGlobalDatabase: false\n",
        "    EnableGlobalDatabase: true\n",
    )
    monkeypatch.setattr(database, "_own_where", lambda condition, managed, secret: managed)
    failures = Run(project, only=("network", "fraud-detection")).failures
    assert GLOBAL_DATABASE_MANAGED_PASSWORD.refusal is not None
    _, message = GLOBAL_DATABASE_MANAGED_PASSWORD.refusal
    [refused] = [line for line in failures if "us-east-1" in line]
    assert "ResourceType:AWS::RDS::GlobalCluster" in refused and message in refused
    assert boto3.client("rds", region_name="us-east-1").describe_global_clusters()["GlobalClusters"] == []
    monkeypatch.undo()  # today's template: the primary's own secret
    assert Run(project, only=("network", "fraud-detection")).failures == []
